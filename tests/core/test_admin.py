from tests.conftest import PASSWORD, make_user


def test_only_the_system_admin_enters_the_django_admin(tree, people, login):
    for persona in ("member_a", "township_a", "county_officer", "security_admin", "audit_admin"):
        client = login(getattr(people, persona))
        response = client.get("/admin/")
        assert response.status_code in (302, 404), persona
    client = login(people.system_admin)
    assert client.get("/admin/").status_code == 200


def test_admin_lists_are_scoped_to_the_subtree(tree, people, login):
    county_sysadmin = make_user("county_sys", tree.county, "system_admin")
    client = login(county_sysadmin)
    body = client.get("/admin/core/orgunit/?q=村").content.decode()
    assert "神农村" in body and "桃源村" not in body
    body = client.get("/admin/core/user/").content.decode()
    assert "member_a" in body and "outsider" not in body


def test_admin_has_no_login_page_of_its_own(db, client):
    # Sign-in goes through the application (password + second factor), never the admin's form.
    assert client.get("/admin/login/").status_code == 404
    assert client.post("/admin/login/", {"username": "x", "password": PASSWORD}).status_code == 404
