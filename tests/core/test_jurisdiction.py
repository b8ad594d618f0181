from django.urls import reverse

from jijian.core import access


def test_township_officer_sees_only_their_township_subtree(tree, people):
    names = set(access.org_units_visible_to(people.township_a).values_list("name", flat=True))
    assert names == {"厉山镇", "神农村", "凤凰村"}


def test_village_member_sees_only_their_village(tree, people):
    assert list(access.org_units_visible_to(people.member_a)) == [tree.village_a]


def test_county_officer_sees_both_townships(tree, people):
    visible = set(access.org_units_visible_to(people.county_officer))
    assert {tree.township_a, tree.township_b, tree.village_a, tree.village_b} <= visible
    assert tree.township_c not in visible and tree.city not in visible


def test_zone_officer_sees_the_townships_the_zone_manages(tree, people):
    visible = set(access.org_units_visible_to(people.zone_officer))
    assert visible == {tree.zone, tree.township_b, tree.village_b}


def test_audit_admin_has_no_org_module(tree, people):
    assert not access.org_units_visible_to(people.audit_admin).exists()


def test_outsider_gets_404_on_a_unit_in_another_county(tree, people, login):
    client = login(people.outsider)
    assert client.get(reverse("core:org_detail", args=[tree.village_a.pk])).status_code == 404
    assert client.get(reverse("core:org_detail", args=[tree.village_c.pk])).status_code == 200


def test_township_officer_api_lists_only_their_villages(tree, people, login):
    client = login(people.township_a)
    body = client.get("/api/orgs").json()
    assert {item["name"] for item in body["items"]} == {"厉山镇", "神农村", "凤凰村"}
    assert client.get(f"/api/orgs/{tree.village_b.pk}").status_code == 404


def test_the_python_rule_agrees_with_the_query_for_every_persona_and_unit(tree, people):
    from jijian.core.models import OrgUnit

    units = list(OrgUnit.objects.all())
    for persona in (
        "member_a",
        "township_a",
        "county_officer",
        "outsider",
        "zone_officer",
        "city_petition",
        "party_liaison",
    ):
        user = getattr(people, persona)
        by_query = set(OrgUnit.objects.filter(access.unit_scope_q(user)).values_list("pk", flat=True))
        by_python = {u.pk for u in units if access.unit_in_scope(user, u)}
        assert by_python == by_query, persona
