"""Recusal declarations: a staff member lists, declares and withdraws their own relations. After
declaring, reports about that person leave their register and the report page answers 404; after
withdrawing, they come back. Declarations are never deleted; the audit trail never holds the
relative's name."""

from django.db import connection
from django.urls import reverse

from jijian.audit.models import AuditEvent
from jijian.core.models import StaffRelation
from jijian.core.roles import Role
from jijian.petitions.handling.relations import staff_relation_declare, staff_relation_withdraw

from .authz_entries_work import register, report_held_by_a, staff

URL = "petitions_work:relations"


def declare(client, **data):
    return client.post(
        reverse(URL), {"relative_name": "王某", "relative_unit": "神农村村委会", "kind": "spouse", **data}
    )


def test_declaring_a_relation_closes_the_matching_report(login, tree, people):
    report = report_held_by_a(tree, people)
    other = register(people.township_a, tree.township_a, accused_name="陈某")
    client = login(people.township_a)
    detail = reverse("petitions_staff:detail", args=[report.pk])
    assert client.get(detail).status_code == 200
    assert report in client.get(reverse("petitions_staff:list")).context["rows"]

    response = declare(client)
    assert response.status_code == 302 and response["Location"] == reverse(URL)
    assert client.get(detail).status_code == 404
    rows = client.get(reverse("petitions_staff:list")).context["rows"]
    assert report not in rows and other in rows
    assert client.get(reverse("api:petition_report_detail", args=[report.pk])).status_code == 404
    # Another officer of the same body still sees it.
    colleague = staff("township_a2", tree.township_a, Role.TOWNSHIP_COMMITTEE)
    assert login(colleague).get(detail).status_code == 200


def test_withdrawing_keeps_the_declaration_and_reopens_the_report(login, tree, people):
    report = report_held_by_a(tree, people)
    client = login(people.township_a)
    declare(client)
    relation = StaffRelation.objects.get()
    response = client.post(reverse("petitions_work:relation_withdraw", args=[relation.pk]))
    assert response.status_code == 302
    relation.refresh_from_db()
    assert relation.is_active is False and StaffRelation.objects.count() == 1
    assert client.get(reverse("petitions_staff:detail", args=[report.pk])).status_code == 200
    page = client.get(reverse(URL))
    assert "已撤回" in page.content.decode()


def test_the_page_lists_only_my_own_declarations(login, tree, people):
    staff_relation_declare(actor=people.city_petition, relative_name="钱某", kind="direct")
    client = login(people.township_a)
    declare(client)
    page = client.get(reverse(URL))
    assert [r.relative_name for r in page.context["items"]] == ["王某"]
    assert "钱某" not in page.content.decode()


def test_the_relatives_name_and_unit_are_stored_encrypted_and_never_audited(login, tree, people):
    client = login(people.township_a)
    declare(client, relative_name="欧阳秘密", relative_unit="保密单位甲")
    relation = StaffRelation.objects.get()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relative_name, relative_unit FROM petitions_staffrelation WHERE id = %s", [relation.pk]
        )
        raw = " ".join(str(v) for v in cursor.fetchone())
    assert "欧阳秘密" not in raw and "保密单位甲" not in raw
    client.post(reverse("petitions_work:relation_withdraw", args=[relation.pk]))
    events = AuditEvent.objects.filter(action__startswith="petition.relation_")
    assert {e.action for e in events} == {"petition.relation_declare", "petition.relation_withdraw"}
    for e in events:
        text = f"{e.summary} {e.before} {e.after}"
        assert "欧阳" not in text and "秘密" not in text and "保密单位" not in text


def test_bad_declarations_are_refused_with_a_message_and_nothing_saved(login, people):
    client = login(people.township_a)
    for data, message in (
        ({"relative_name": "  "}, "请填写亲属姓名"),
        ({"relative_name": ""}, "亲属姓名"),
        ({"kind": ""}, "关系"),
        ({"kind": "friend"}, "关系"),
    ):
        response = declare(client, **data)
        assert response.status_code == 400, data
        assert message in response.content.decode()
    assert StaffRelation.objects.count() == 0


def test_a_second_declaration_of_the_same_person_is_refused(login, people):
    client = login(people.township_a)
    declare(client)
    response = declare(client, relative_name=" 王某 ")
    assert response.status_code == 400 and "已申报过" in response.content.decode()
    assert StaffRelation.objects.count() == 1


def test_withdrawing_twice_gives_a_message(login, people):
    relation = staff_relation_declare(actor=people.township_a, relative_name="王某", kind="spouse")
    staff_relation_withdraw(actor=people.township_a, relation=relation)
    client = login(people.township_a)
    response = client.post(reverse("petitions_work:relation_withdraw", args=[relation.pk]), follow=True)
    assert "该申报已撤回" in response.content.decode()


def test_nobody_else_may_withdraw_my_declaration(login, tree, people):
    relation = staff_relation_declare(actor=people.township_a, relative_name="王某", kind="spouse")
    for other in (
        people.city_petition,
        people.township_b,
        staff("county_petition", tree.county, Role.PETITION_OFFICE),
    ):
        response = login(other).post(reverse("petitions_work:relation_withdraw", args=[relation.pk]))
        assert response.status_code == 404
    relation.refresh_from_db()
    assert relation.is_active


def test_withdraw_needs_post(login, people):
    relation = staff_relation_declare(actor=people.township_a, relative_name="王某", kind="spouse")
    assert (
        login(people.township_a)
        .get(reverse("petitions_work:relation_withdraw", args=[relation.pk]))
        .status_code
        == 405
    )


def test_petition_staff_see_the_whole_desk_in_the_tabs(login, people):
    import re

    client = login(people.township_a)
    page = client.get(reverse("petitions_work:relations")).content.decode()
    nav = page.split('class="tabs work-tabs"')[1].split("</nav>")[0]
    names = (
        "petitions_work:inbox",
        "petitions_work:sent",
        "petitions_work:export",
        "petitions_work:relations",
    )
    assert re.findall(r'href="([^"]*)"', nav) == [reverse(n) for n in names]
    assert all(client.get(reverse(n)).status_code == 200 for n in names)
