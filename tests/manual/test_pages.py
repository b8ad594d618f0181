"""The duty manual through the test client and its services: reading (everyone of the city), the
unknown topic's note, editing as new versions with change notes (old versions readable, a concurrent
edit refused with nothing saved), the editor's pages 404 to everyone else, cases and their drafts,
search by text and pinyin initials, the PDF, and the links from the duty log and village affairs."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404

from jijian.audit.models import AuditEvent
from jijian.core import links
from jijian.core.roles import Role
from jijian.manual import selectors, services
from jijian.manual.models import CaseStatus, ManualPage, PageVersion, TypicalCase
from tests.conftest import make_user, sign_in
from tests.manual.factories import city_editor, page

pytestmark = pytest.mark.django_db


def edit_post(page_obj, **over):
    data = {
        "title": page_obj.title,
        "summary": page_obj.summary,
        "steps": "\n".join(page_obj.steps),
        "roles": "\n".join(page_obj.roles),
        "checkpoints": "\n".join(page_obj.checkpoints),
        "documents": "\n".join(page_obj.documents),
        "change_note": "补充要点",
        "version": page_obj.version,
    }
    data.update(over)
    return data


def test_a_village_member_reads_a_topic_with_its_published_cases(client, tree, people):
    editor = city_editor(tree)
    p = page(editor)
    services.case_create(
        actor=editor, page=p, publish=True, title="拆分报销", situation="五张单据", lesson="放在一起看"
    )
    services.case_create(actor=editor, page=p, title="草稿案例", situation="x", lesson="y")
    sign_in(client, people.member_a)
    html = client.get("/manual/topic/reimbursement_check/").content.decode()
    assert "村级报账单据复审签字" in html and "核对票据" in html and "白条" in html
    assert "拆分报销" in html and "草稿案例" not in html
    assert "/manual/topic/reimbursement_check/edit/" not in html  # no 修订 for a reader


def test_an_unknown_topic_shows_the_search_with_a_note(client, tree, people):
    page(city_editor(tree))
    sign_in(client, people.member_a)
    response = client.get("/manual/topic/no_such_task/")
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="unknown-topic"' in html and "no_such_task" in html
    assert "村级报账单据复审签字" in html  # the contents are there to look in


def test_the_editor_saves_a_new_version_and_the_old_one_stays_readable(client, tree):
    editor = city_editor(tree)
    p = page(editor)
    sign_in(client, editor)
    response = client.post(
        "/manual/topic/reimbursement_check/edit/",
        edit_post(p, checkpoints="白条\n拆分报销", change_note="增加拆分报销"),
    )
    assert response.status_code == 302
    p.refresh_from_db()
    assert p.version == 2 and p.checkpoints == ["白条", "拆分报销"]
    assert list(PageVersion.objects.filter(page=p).values_list("number", "change_note")) == [
        (2, "增加拆分报销"),
        (1, "初版"),
    ]
    old = client.get("/manual/topic/reimbursement_check/v/1/").content.decode()
    assert (
        'id="old-version"' in old
        and "拆分报销" not in old.split('id="manual-page"')[1].split("</article>")[0]
    )
    assert client.get("/manual/topic/reimbursement_check/v/3/").status_code == 404
    assert AuditEvent.objects.filter(action="manual.page_update").count() == 1


def test_a_concurrent_edit_is_refused_and_saves_nothing(client, tree):
    editor = city_editor(tree)
    p = page(editor)
    opened = p.version
    services.page_update(actor=editor, page=p, version=opened, change_note="别人先改", **_fields(p))
    sign_in(client, editor)
    html = client.post(
        "/manual/topic/reimbursement_check/edit/", edit_post(p, version=opened, title="我的标题")
    ).content.decode()
    assert "该记录已被他人修改" in html
    p.refresh_from_db()
    assert p.version == 2 and p.title == "村级报账单据复审签字"
    assert PageVersion.objects.filter(page=p).count() == 2


def _fields(p):
    return {k: getattr(p, k) for k in ("title", "summary", "steps", "roles", "checkpoints", "documents")}


def test_a_change_note_is_required(client, tree):
    editor = city_editor(tree)
    p = page(editor)
    sign_in(client, editor)
    html = client.post(
        "/manual/topic/reimbursement_check/edit/", edit_post(p, change_note="")
    ).content.decode()
    assert "请填写修订说明" in html
    p.refresh_from_db()
    assert p.version == 1


def test_edit_pages_are_404_to_readers_and_to_officers_below_the_city(client, tree, people):
    p = page(city_editor(tree))
    county_editor_like = people.county_officer  # same office, at the county: not the city's editor
    for user in (people.member_a, people.township_a, county_editor_like, people.city_petition):
        sign_in(client, user)
        assert client.get("/manual/topic/reimbursement_check/edit/").status_code == 404
        assert (
            client.post("/manual/topic/reimbursement_check/edit/", edit_post(p, title="X")).status_code == 404
        )
        assert client.get("/manual/new/").status_code == 404
        assert client.get("/manual/cases/").status_code == 404
    p.refresh_from_db()
    assert p.title == "村级报账单据复审签字"
    with pytest.raises(Http404):  # the service's own guard
        services.page_update(actor=people.county_officer, page=p, version=1, change_note="x", **_fields(p))


def test_the_editor_creates_a_page_with_bad_input_named_and_nothing_saved(client, tree):
    editor = city_editor(tree)
    sign_in(client, editor)
    html = client.post(
        "/manual/new/",
        {"code": "Bad Code", "kind": "duty_type", "title": "", "steps": "", "change_note": "初版"},
    ).content.decode()
    assert "主题代码为2–60位小写字母" in html and "请填写标题" in html and "请至少填写一个工作步骤" in html
    assert not ManualPage.objects.exists()
    response = client.post(
        "/manual/new/",
        {
            "code": "decision_step_3",
            "kind": "decision_step",
            "title": "党员大会审议",
            "steps": "清点人数\n监督表决",
            "change_note": "初版",
        },
    )
    assert response.status_code == 302
    created = ManualPage.objects.get(code="decision_step_3")
    assert created.steps == ["清点人数", "监督表决"] and created.city_id == tree.city.pk


def test_search_by_text_and_by_pinyin_initials(tree, people):
    editor = city_editor(tree)
    page(editor)
    page(editor, code="household_visit", title="走访农户", steps=["入户了解补贴发放"])
    member = people.member_a
    assert [p.code for p in selectors.search(member, "bzdj").pages] == ["reimbursement_check"]  # 报账单据
    assert [p.code for p in selectors.search(member, "ZFNH").pages] == ["household_visit"]
    assert [p.code for p in selectors.search(member, "补贴").pages] == ["household_visit"]
    assert selectors.search(member, "xyz").pages == []


def test_search_page_shows_results(client, tree, people):
    page(city_editor(tree))
    sign_in(client, people.member_a)
    html = client.get("/manual/?q=fsqz").content.decode()  # 复审签字
    assert (
        'id="search-result"' in html
        and "/manual/topic/reimbursement_check/" in html.split('id="search-result"')[1]
    )


def test_another_citys_manual_is_not_read(tree, people):
    from jijian.core.models import OrgKind
    from jijian.core.services import org_unit_create

    other_city = org_unit_create(actor=None, name="襄阳市", kind=OrgKind.CITY, parent=None, audit=False)
    other_editor = make_user("xy_editor", other_city, Role.CONDUCT_SUPERVISION)
    page(other_editor)
    assert selectors.search(people.member_a, "报账").pages == []
    assert selectors.contents(people.member_a) == []


def test_the_pdf_is_a_pdf(client, tree, people):
    page(city_editor(tree))
    sign_in(client, people.member_a)
    response = client.get("/manual/topic/reimbursement_check/print.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")


# --- typical cases and the port ------------------------------------------------------------------
def test_a_proposed_case_waits_as_a_draft_until_the_editor_publishes_it(client, tree, people):
    editor = city_editor(tree)
    p = page(editor)
    case_id = links.manual_case_propose(
        actor=people.township_a,
        title="互查发现的问题",
        situation="某村会议记录雷同",
        lesson="记录要当场形成",
        source="evaluation.finding:7",
    )
    again = links.manual_case_propose(
        actor=people.township_a, title="再次提交", situation="s", lesson="l", source="evaluation.finding:7"
    )
    assert again == case_id and TypicalCase.objects.count() == 1
    case = TypicalCase.objects.get(pk=case_id)
    assert case.status == CaseStatus.DRAFT and case.city_id == tree.city.pk and case.title == "互查发现的问题"
    sign_in(client, people.member_a)
    assert client.get(f"/manual/cases/{case_id}/").status_code == 404  # not published
    sign_in(client, editor)
    assert "互查发现的问题" in client.get("/manual/cases/").content.decode()
    response = client.post(
        f"/manual/cases/{case_id}/edit/",
        {
            "title": case.title,
            "page": str(p.pk),
            "situation": case.situation,
            "lesson": case.lesson,
            "source": case.source,
            "publish": "on",
            "version": case.version,
        },
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.PUBLISHED and case.page_id == p.pk and case.published_at
    sign_in(client, people.member_a)
    assert client.get(f"/manual/cases/{case_id}/").status_code == 200
    assert "互查发现的问题" in client.get("/manual/topic/reimbursement_check/").content.decode()
    assert AuditEvent.objects.filter(action="manual.case_propose").count() == 1
    assert AuditEvent.objects.filter(action="manual.case_publish").count() == 1


def test_a_proposed_case_with_missing_parts_is_refused_in_chinese(tree, people):
    with pytest.raises(ValidationError) as error:
        links.manual_case_propose(actor=people.township_a, title="", situation="", lesson="", source="x:1")
    assert "请填写案例标题" in str(error.value) and "请填写启示" in str(error.value)
    with pytest.raises(ValidationError):
        links.manual_case_propose(actor=people.township_a, title="t", situation="s", lesson="l", source="")
    assert not TypicalCase.objects.exists()


# --- the links from the platforms' screens ----------------------------------------------------------
def test_duty_types_link_to_their_manual_page(tree, people, login):
    from datetime import date

    from django.urls import reverse

    from tests.reports.helpers import at

    client = login(people.member_a)
    with at(date(2025, 10, 20)):
        chooser = client.get(reverse("reports:duty_record_create")).content.decode()
        form = client.get(reverse("reports:duty_record_create") + "?type=household_visit").content.decode()
    for code in ("decision_meeting", "reimbursement_check", "household_visit", "clue_found"):
        assert f'href="/manual/topic/{code}/"' in chooser
    assert 'href="/manual/topic/household_visit/"' in form


def test_decision_steps_and_voucher_steps_link_to_their_manual_page(tree, people, login):
    from tests.villageaffairs.authz_entries import decision_a, voucher_a

    client = login(people.member_a)
    decision = client.get(f"/village/decisions/{decision_a(tree, people)[0]}/").content.decode()
    for n in range(1, 7):
        assert f'href="/manual/topic/decision_step_{n}/"' in decision
    step = client.get(f"/village/decisions/{decision_a(tree, people)[0]}/steps/3/").content.decode()
    assert 'href="/manual/topic/decision_step_3/"' in step
    voucher = client.get(f"/village/vouchers/{voucher_a(tree, people)[0]}/").content.decode()
    for code in ("supervision_committee", "member_recheck", "secretary", "chair", "agency_booking"):
        assert f'href="/manual/topic/{code}/"' in voucher


def test_a_stale_case_edit_is_refused_and_drafts_stay_out_of_search(tree, people):
    editor = city_editor(tree)
    case = services.case_create(actor=editor, title="走访发现问题", situation="情况", lesson="启示")
    assert selectors.search(people.member_a, "zffx").cases == []  # a draft: not for readers
    fields = {"title": "改过的标题", "situation": "情况", "lesson": "启示", "source": "", "page": None}
    services.case_update(actor=editor, case=case, version=1, publish=True, **fields)
    with pytest.raises(ValidationError, match="已被他人修改"):
        services.case_update(
            actor=editor, case=case, version=1, publish=False, **{**fields, "title": "旧页面"}
        )
    case.refresh_from_db()
    assert case.title == "改过的标题" and case.status == CaseStatus.PUBLISHED
    assert [c.pk for c in selectors.search(people.member_a, "gg").cases] == [case.pk]  # 改过的标题
