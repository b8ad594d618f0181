"""The pages as their users see them: the liaison's own organisation only, the city office's board
and comments, records with files, and the 404s of everyone else."""

import io
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from jijian.core.models import OrgKind
from jijian.core.roles import Role
from jijian.core.services import org_unit_create
from jijian.responsibility import services
from jijian.responsibility.models import (
    AccountabilityInterview,
    FulfilmentRecord,
    RecordComment,
    ResponsibilityItem,
)
from tests.conftest import make_user
from tests.responsibility.helpers import client_for

from .conftest import meeting, publish, staff_org

YEAR = date.today().year


def png_bytes() -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(buf, format="PNG")
    return buf.getvalue()


def _listed(tree, people, resp):
    staff_org(people.party_liaison)
    publish(resp.city_office, YEAR, frequency="yearly", title="部署年度工作")
    services.list_generate(actor=people.party_liaison, org=tree.party_org, year=YEAR)
    return ResponsibilityItem.objects.get(org_unit=tree.party_org)


def test_the_liaison_lands_on_their_organisation_and_records_a_meeting_with_a_photo(
    tree, people, resp, files_dir
):
    item = _listed(tree, people, resp)
    client = client_for(people.party_liaison)
    response = client.get(reverse("responsibility:board"))
    assert response.status_code == 302 and response["Location"] == reverse(
        "responsibility:org", args=[tree.party_org.pk]
    )
    page = client.get(response["Location"]).content.decode()
    assert "部署年度工作" in page and "张书记" in page and "登记履责纪实" in page
    photo = SimpleUploadedFile("会议.png", png_bytes(), content_type="image/png")
    response = client.post(
        reverse("responsibility:record_create", args=[tree.party_org.pk]),
        {
            "item": item.pk,
            "record_type": "meeting",
            "occurred_on": date.today().isoformat(),
            "title": "党委会",
            "content": "研究党风廉政建设",
            "integrity_ten_minutes": "on",
            "integrity_topic": "学习典型案例通报",
            "files": [photo],
        },
    )
    record = FulfilmentRecord.objects.get()
    assert response.status_code == 302 and record.integrity_ten_minutes
    detail = client.get(reverse("responsibility:record", args=[record.pk])).content.decode()
    assert "会议.png" in detail and "学习典型案例通报" in detail
    org_page = client.get(reverse("responsibility:org", args=[tree.party_org.pk])).content.decode()
    assert "st-done" in org_page


def test_a_record_form_with_an_error_says_so_at_the_top_and_saves_nothing(tree, people, resp):
    item = _listed(tree, people, resp)
    client = client_for(people.party_liaison)
    response = client.post(
        reverse("responsibility:record_create", args=[tree.party_org.pk]),
        {
            "item": item.pk,
            "record_type": "meeting",
            "occurred_on": "2999-01-01",
            "title": "x",
            "content": "y",
        },
    )
    page = response.content.decode()
    assert response.status_code == 200 and "error-summary" in page and "不能晚于今天" in page
    assert not FulfilmentRecord.objects.exists()


def test_a_record_refused_by_the_rules_keeps_its_photo_attached(tree, people, resp):
    # The date is checked by the service, after the form: the photo chosen must be held, not lost
    # (and the page must not fail on an upload already closed).
    item = _listed(tree, people, resp)
    client = client_for(people.party_liaison)
    url = reverse("responsibility:record_create", args=[tree.party_org.pk])
    data = {"item": item.pk, "record_type": "meeting", "title": "党委会", "content": "研究党风廉政建设"}
    photo = SimpleUploadedFile("会议.png", png_bytes(), content_type="image/png")
    refused = client.post(url, {**data, "occurred_on": "2999-01-01", "files": [photo]})
    assert refused.status_code == 200 and "不能晚于今天" in refused.content.decode()
    assert "会议.png" in refused.content.decode() and not FulfilmentRecord.objects.exists()
    held_id = refused.context["held"][0]["id"]
    response = client.post(url, {**data, "occurred_on": date.today().isoformat(), "held_keep": [held_id]})
    assert response.status_code == 302
    record = FulfilmentRecord.objects.get()
    assert "会议.png" in client.get(reverse("responsibility:record", args=[record.pk])).content.decode()


def test_a_liaison_sees_only_their_own_organisation(tree, people, resp):
    item = _listed(tree, people, resp)
    record = meeting(people.party_liaison, item, date.today(), entered_on=date.today())
    for outsider in (resp.branch_liaison, resp.other_liaison):
        client = client_for(outsider)
        assert client.get(reverse("responsibility:org", args=[tree.party_org.pk])).status_code == 404
        assert client.get(reverse("responsibility:record", args=[record.pk])).status_code == 404
        url = reverse("responsibility:record_create", args=[tree.party_org.pk])
        assert client.post(url, {"item": item.pk}).status_code == 404
    # The committee's liaison does not see the branch under it either.
    assert (
        client_for(people.party_liaison).get(reverse("responsibility:org", args=[resp.branch.pk])).status_code
        == 404
    )


def test_the_city_office_sees_the_board_and_comments_but_has_no_writing_page(tree, people, resp):
    item = _listed(tree, people, resp)
    record = meeting(people.party_liaison, item, date.today(), entered_on=date.today())
    office = client_for(resp.city_office)
    board = office.get(reverse("responsibility:board")).content.decode()
    assert tree.party_org.name in board and resp.other_org.name in board and resp.branch.name in board
    org_page = office.get(reverse("responsibility:org", args=[tree.party_org.pk])).content.decode()
    assert "登记约谈" in org_page and "登记履责纪实" not in org_page
    for name in ("record_create", "item_create", "member_create"):
        assert office.get(reverse(f"responsibility:{name}", args=[tree.party_org.pk])).status_code == 404
    assert office.post(reverse("responsibility:list_generate", args=[tree.party_org.pk])).status_code == 404
    response = office.post(reverse("responsibility:record", args=[record.pk]), {"text": "请补充照片"})
    assert response.status_code == 302 and RecordComment.objects.get().text == "请补充照片"
    # The liaison reads the comment and cannot post one.
    liaison = client_for(people.party_liaison)
    assert "请补充照片" in liaison.get(reverse("responsibility:record", args=[record.pk])).content.decode()
    assert liaison.post(reverse("responsibility:record", args=[record.pk]), {"text": "x"}).status_code == 404
    # A county office (outside the city-level departments) gets 404 on the record and its organisation.
    county = client_for(people.county_officer)
    assert county.get(reverse("responsibility:record", args=[record.pk])).status_code == 404
    assert county.post(reverse("responsibility:record", args=[record.pk]), {"text": "x"}).status_code == 404
    assert county.get(reverse("responsibility:org", args=[tree.party_org.pk])).status_code == 404


def test_the_same_level_supervision_link_is_offered_only_where_it_leads_somewhere(tree, people, resp):
    """同级监督纪实 is about city-level departments: the city office has them and is offered the list;
    a county's office has none, so its board offers no link to a list that would answer 404."""
    listing = reverse("responsibility:supervision_list")
    office = client_for(resp.city_office)
    assert f'href="{listing}"' in office.get(reverse("responsibility:board")).content.decode()
    assert office.get(listing).status_code == 200
    county = client_for(people.county_officer)
    board = county.get(reverse("responsibility:board"))
    assert board.status_code == 200 and "主体责任监督" in board.content.decode()
    assert f'href="{listing}"' not in board.content.decode()
    assert county.get(listing).status_code == 404
    # Nor in the menu; the city office has it there.
    assert f'href="{listing}"' in office.get(reverse("core:home")).content.decode()
    assert f'href="{listing}"' not in county.get(reverse("core:home")).content.decode()


def test_a_resident_group_overseeing_no_department_yet_is_told_so(tree, people, resp):
    group = org_unit_create(
        actor=None, name="市纪委监委第三派驻纪检监察组", kind=OrgKind.RESIDENT_GROUP, parent=tree.city
    )
    staff = client_for(make_user("group3", group, Role.RESIDENT_GROUP))
    page = staff.get(reverse("responsibility:supervision_list"))
    assert page.status_code == 200
    assert "本组尚未分管市直单位" in page.content.decode() and "尚无同级监督纪实" in page.content.decode()


def test_the_city_office_records_an_interview_about_a_red_item(tree, people, resp):
    item = _listed(tree, people, resp)
    office = client_for(resp.city_office)
    url = reverse("responsibility:interview_create", args=[tree.party_org.pk])
    response = office.post(
        url,
        {
            "item": item.pk,
            "held_on": date.today().isoformat(),
            "interviewee": "张书记",
            "reason": "逾期未记实",
            "outcome": "admonish",
            "follow_up": "限期整改",
        },
    )
    assert response.status_code == 302
    page = office.get(reverse("responsibility:org", args=[tree.party_org.pk])).content.decode()
    assert "问责：诫勉" in page and "登记整改完成" in page
    # Stacked on a phone, the row's two dates say which is which.
    assert 'data-label="约谈日期"' in page and 'data-label="整改期限"' in page
    assert client_for(people.party_liaison).get(url).status_code == 404
    interview = AccountabilityInterview.objects.get()
    follow = reverse("responsibility:interview_follow_up", args=[interview.pk])
    assert (
        client_for(people.party_liaison)
        .post(follow, {"done_on": date.today().isoformat(), "result": "x"})
        .status_code
        == 404
    )
    too_early = office.post(follow, {"done_on": "2000-01-01", "result": "已整改"})
    assert "不能早于约谈日期" in too_early.content.decode()
    assert (
        office.post(follow, {"done_on": date.today().isoformat(), "result": "已签订整改承诺"}).status_code
        == 302
    )
    assert (
        "已签订整改承诺"
        in office.get(reverse("responsibility:org", args=[tree.party_org.pk])).content.decode()
    )
    again = office.post(follow, {"done_on": date.today().isoformat(), "result": "再来"})
    assert "已登记完成" in again.content.decode()


def test_the_board_costs_the_same_queries_for_2_and_12_organisations(tree, people, resp):
    office = client_for(resp.city_office)
    publish(resp.city_office, YEAR, frequency="monthly")

    def add(n, start):
        for i in range(n):
            dept = org_unit_create(
                actor=None, name=f"市直{start + i}局", kind=OrgKind.DEPARTMENT, parent=tree.city, audit=False
            )
            org = org_unit_create(
                actor=None, name=f"市直{start + i}局党组", kind=OrgKind.PARTY_ORG, parent=dept, audit=False
            )
            liaison = make_user(f"l{start + i}", org, Role.PARTY_ORG_LIAISON)
            services.list_generate(actor=liaison, org=org, year=YEAR)
            item = ResponsibilityItem.objects.get(org_unit=org)
            meeting(liaison, item, date(YEAR, 1, 5), entered_on=date(YEAR, 1, 5))

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert office.get(reverse("responsibility:board")).status_code == 200
        return len(ctx.captured_queries)

    add(2, 0)
    count()  # the first request of a session loads what later ones find cached
    few = count()
    add(10, 2)
    assert count() == few


def test_the_commission_leader_reads_the_overview_and_drills_down_but_writes_nothing(tree, people, resp):
    item = _listed(tree, people, resp)
    record = meeting(people.party_liaison, item, date.today(), entered_on=date.today())
    leader = client_for(make_user("leader", tree.city, Role.COMMISSION_LEADER))
    overview = leader.get(reverse("responsibility:board")).content.decode()
    assert "落实主体责任概览" in overview and tree.department.name in overview and "市财政局" in overview
    drill = leader.get(reverse("responsibility:board") + f"?dept={tree.department.pk}").content.decode()
    assert tree.party_org.name in drill and resp.branch.name in drill and resp.other_org.name not in drill
    assert "登记约谈" not in drill and "导出" not in drill
    assert leader.get(reverse("responsibility:org", args=[tree.party_org.pk])).status_code == 200
    assert leader.get(reverse("responsibility:record", args=[record.pk])).status_code == 200
    assert leader.post(reverse("responsibility:record", args=[record.pk]), {"text": "x"}).status_code == 404
    for name in ("interview_create", "assessment", "record_create"):
        assert leader.get(reverse(f"responsibility:{name}", args=[tree.party_org.pk])).status_code == 404
    assert leader.get(reverse("responsibility:board_export")).status_code == 404
    # A county's leader sees nothing of the city's departments.
    county_leader = client_for(make_user("county_leader", tree.county, Role.COMMISSION_LEADER))
    assert tree.department.name not in county_leader.get(reverse("responsibility:board")).content.decode()
    assert county_leader.get(reverse("responsibility:org", args=[tree.party_org.pk])).status_code == 404


def test_the_liaisons_home_page_counts_red_periods(tree, people, resp):
    year = date.today().year
    if date.today() < date(year, 1, 12):
        pytest.skip("an item due on 1 January is not yet past due in the first days of a year")
    ResponsibilityItem.objects.create(
        org_unit=tree.party_org,
        year=year,
        holder="organisation",
        title="部署",
        frequency="yearly",
        due_date=date(year, 1, 1),
    )
    home = client_for(people.party_liaison).get(reverse("core:home"))
    todos = {t["title"]: t["count"] for t in home.context["todos"]}
    assert todos["主体责任：已逾期未纪实的事项"] == 1
    office_home = client_for(resp.city_office).get(reverse("core:home"))
    assert not any(t["title"].startswith("主体责任") for t in office_home.context["todos"])
