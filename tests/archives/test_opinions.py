"""Integrity opinion replies: the list parsed with every bad line named, the verdict rules on
constructed histories (one per verdict), the deadline in working days, who sees what, the whole
flow on the pages down to the signed PDF, and the facts gathered in a constant number of queries."""

from __future__ import annotations

import datetime
import subprocess

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from jijian.archives import opinions, services
from jijian.archives.models import (
    IntegrityArchive,
    OpinionPerson,
    OpinionRequest,
    OpinionState,
    OpinionVerdict,
)
from jijian.audit.models import AuditEvent
from jijian.core.orgs.workdays import add_working_days
from jijian.core.sensitive import crypto
from jijian.petitions.models import Clue, ClueSource, ClueState, PetitionReport, PetitionState
from tests.archives.helpers import idn, linked_report, make_archive
from tests.conftest import make_user, sign_in

pytestmark = pytest.mark.django_db
D = datetime.date


def endorse_all(staff, request):
    for office in ("petition_office", "case_management", "case_review"):
        request.refresh_from_db()
        opinions.opinion_endorse(actor=staff[office], request=request, version=request.version, office=office)


# --- the list ------------------------------------------------------------------------------------
def test_the_list_is_parsed_one_person_a_line():
    persons = opinions.parse_persons(f"刘某 {idn(1)} 厉山镇副镇长\n\n张某，镇农业服务中心主任\n")
    assert persons == [
        {"name": "刘某", "id_number": idn(1), "post": "厉山镇副镇长"},
        {"name": "张某", "id_number": "", "post": "镇农业服务中心主任"},
    ]


def test_every_bad_line_is_named():
    bad_check = idn(1)[:-1] + ("0" if idn(1)[-1] != "0" else "1")
    with pytest.raises(ValidationError) as caught:
        opinions.parse_persons(f"刘某 {idn(1)}\n王某 {bad_check}\n刘二 {idn(1)}\n陈某 4213211980\n张某\n张某")
    assert caught.value.messages == [
        f"第2行：身份证号 {bad_check} 校验不通过",
        "第3行：与第1行重复",
        "第4行：身份证号应为18位",
        "第6行：与第5行重复",
    ]


def test_a_post_too_long_for_the_list_is_named_not_cut():
    with pytest.raises(ValidationError) as caught:
        opinions.parse_persons(f"刘某 {idn(1)} {'副' * 201}\n张某 镇长")
    assert caught.value.messages == ["第1行：单位职务过长（201字，不超过200字）"]
    assert opinions.parse_persons(f"刘某 {idn(1)} {'副' * 200}")[0]["post"] == "副" * 200


def test_an_empty_list_is_refused(staff):
    with pytest.raises(ValidationError, match="人员名单"):
        opinions.opinion_submit(
            actor=staff["org"], ref_no="随组函1号", purpose="promotion", persons_text="\n \n"
        )
    assert not OpinionRequest.objects.exists()


def test_only_the_organisation_department_asks(staff):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        opinions.opinion_submit(actor=staff["keeper"], ref_no="x", purpose="promotion", persons_text="刘某")


def test_the_reply_is_due_in_working_days(staff, settings):
    settings.ARCHIVES_OPINION_WORKING_DAYS = 3
    request = opinions.opinion_submit(
        actor=staff["org"], ref_no="随组函1号", purpose="promotion", persons_text="刘某"
    )
    assert request.due_on == add_working_days(timezone.localdate(), 3)
    assert AuditEvent.objects.filter(action="opinion.submit", object_id=str(request.pk)).exists()


def test_the_lists_dates_carry_their_names_for_the_phone(staff, client):
    """On a phone the list's rows stack without the header: the two dates say which is which."""
    opinions.opinion_submit(actor=staff["org"], ref_no="随组函1号", purpose="promotion", persons_text="刘某")
    sign_in(client, staff["org"])
    body = client.get(reverse("archives:opinions")).content.decode()
    assert '<td data-label="提交">' in body and '<td data-label="答复期限">' in body


# --- the verdict rules ---------------------------------------------------------------------------
def _verdict(staff, tree, setup) -> OpinionPerson:
    archive = make_archive(staff["keeper"], tree.township_a, name="刘某", id_number=idn(1), level="section")
    setup(staff["keeper"], archive, tree)
    request = opinions.opinion_submit(
        actor=staff["org"], ref_no="随组函1号", purpose="promotion", persons_text=f"刘某 {idn(1)}"
    )
    opinions.opinion_draft(actor=staff["keeper"], request=request, version=request.version)
    return request.persons.get()


def _nothing(keeper, archive, tree):
    pass


def _sanction_in_effect(keeper, archive, tree):
    services.sanction_add(
        actor=keeper, archive=archive, kind="public_demerit", decided_on=timezone.localdate(), source="审理室"
    )


def _sanction_over(keeper, archive, tree):
    services.sanction_add(
        actor=keeper, archive=archive, kind="public_warning", decided_on=D(2020, 1, 1), source="审理室"
    )


def _open_report(keeper, archive, tree):
    linked_report(archive, tree.county, "421321-2026-0001", state=PetitionState.ACCEPTED)


def _closed_report(keeper, archive, tree):
    linked_report(
        archive,
        tree.county,
        "421321-2026-0002",
        state=PetitionState.CLOSED,
        closed_at=timezone.now(),
        result="不属实",
    )


def _clue(holder, *, report=None, state=ClueState.REGISTERED, accused="刘某") -> Clue:
    return Clue.objects.create(
        number=f"XS-T-2026-{Clue.objects.count() + 1:04d}",
        holder=holder,
        source=ClueSource.PETITION if report else ClueSource.SUPERVISION,
        report=report,
        accused_name=accused,
        summary="线索摘要",
        registered_by=make_user(f"reg{Clue.objects.count()}", holder, "case_management"),
        state=state,
    )


def _clue_from_closed_report(state):
    """The report was closed once its clue was registered (its handling goes on as the clue)."""

    def setup(keeper, archive, tree):
        report = linked_report(
            archive,
            tree.county,
            "421321-2026-0003",
            state=PetitionState.CLOSED,
            closed_at=timezone.now(),
            result="转为问题线索",
        )
        _clue(tree.county, report=report, state=state)

    return setup


@pytest.mark.parametrize(
    ("setup", "verdict", "words"),
    [
        (_nothing, OpinionVerdict.NO_OBJECTION, "未收到反映刘某同志的信访举报"),
        (
            _clue_from_closed_report(ClueState.PRELIMINARY_CHECK),
            OpinionVerdict.UNDER_VERIFICATION,
            "正在核查",
        ),
        (_clue_from_closed_report(ClueState.HELD), OpinionVerdict.UNDER_VERIFICATION, "正在核查"),
        (_clue_from_closed_report(ClueState.TRANSFERRED), OpinionVerdict.UNDER_VERIFICATION, "正在核查"),
        (_clue_from_closed_report(ClueState.CLOSED), OpinionVerdict.REPORTED_CLOSED, "均已了结"),
        (_closed_report, OpinionVerdict.REPORTED_CLOSED, "均已了结"),
        (_sanction_over, OpinionVerdict.REPORTED_CLOSED, "均已了结"),
        (_open_report, OpinionVerdict.UNDER_VERIFICATION, "建议暂缓提拔任用"),
        (_sanction_in_effect, OpinionVerdict.IN_EFFECT, "不同意该同志提拔任用"),
    ],
)
def test_one_verdict_per_history(staff, tree, setup, verdict, words):
    person = _verdict(staff, tree, setup)
    assert person.verdict == verdict and words in person.wording


def test_the_facts_name_the_clues_by_state(staff, tree):
    def clues(keeper, archive, tree):
        report = linked_report(archive, tree.county, "421321-2026-0004", state=PetitionState.CLOSED)
        for state in (ClueState.TALK_OR_LETTER, ClueState.HELD, ClueState.TRANSFERRED, ClueState.CLOSED):
            _clue(tree.county, report=report, state=state)

    person = _verdict(staff, tree, clues)
    assert "问题线索：尚未了结2件，已转立案审查调查1件，已了结1件" in person.facts


def test_a_namesakes_clue_linked_to_no_archive_is_shown_for_checking_not_counted(staff, tree):
    def namesake(keeper, archive, tree):
        _clue(tree.county, accused="刘某", state=ClueState.PRELIMINARY_CHECK)  # no report: no link
        unlinked_report = linked_report(archive, tree.county, "421321-2026-0005")
        PetitionReport.objects.filter(pk=unlinked_report.pk).update(archive_id=None)
        _clue(tree.county, report=unlinked_report, accused="刘某")
        _clue(tree.county, accused="刘某", state=ClueState.CLOSED)  # closed: not listed
        _clue(tree.county, accused="别人")  # another name
        _clue(tree.other_county, accused="刘某")  # held outside the drafter's jurisdiction

    person = _verdict(staff, tree, namesake)
    assert person.verdict == OpinionVerdict.NO_OBJECTION
    assert any(f.startswith("另有被反映人与其同名的问题线索2件") for f in person.facts), person.facts


def test_an_id_number_of_another_persons_archive_gives_no_facts(staff, tree):
    make_archive(staff["keeper"], tree.township_a, name="王某", id_number=idn(3))
    services.sanction_add(
        actor=staff["keeper"],
        archive=IntegrityArchive.objects.get(name="王某"),
        kind="public_demerit",
        decided_on=timezone.localdate(),
        source="审理室",
    )
    request = opinions.opinion_submit(
        actor=staff["org"], ref_no="随组函9号", purpose="promotion", persons_text=f"刘某 {idn(3)}"
    )
    opinions.opinion_draft(actor=staff["keeper"], request=request, version=request.version)
    person = request.persons.get()
    assert person.verdict == OpinionVerdict.NOT_FOUND and person.archive_id is None
    assert person.facts == ["身份证号与姓名不符，请核实"]


def test_a_sanction_in_effect_wins_over_an_open_report(staff, tree):
    def both(keeper, archive, tree):
        _open_report(keeper, archive, tree)
        _sanction_in_effect(keeper, archive, tree)

    assert _verdict(staff, tree, both).verdict == OpinionVerdict.IN_EFFECT


def test_a_person_not_in_the_archives_is_answered_not_found(staff, tree):
    make_archive(staff["keeper"], tree.township_a, name="张某")
    make_archive(staff["keeper"], tree.township_b, name="张某")
    request = opinions.opinion_submit(
        actor=staff["org"],
        ref_no="随组函1号",
        purpose="commendation",
        persons_text=f"赵某\n张某\n钱某 {idn(9)}",
    )
    opinions.opinion_draft(actor=staff["keeper"], request=request, version=request.version)
    persons = list(request.persons.all())
    assert [p.verdict for p in persons] == [OpinionVerdict.NOT_FOUND] * 3
    assert persons[1].facts == ["同名档案多份，请提供身份证号"]
    assert persons[2].facts == ["按身份证号未找到廉情档案"]


def test_a_draft_leaves_each_persons_id_number_as_stored_and_decrypts_none(staff, tree, monkeypatch):
    make_archive(staff["keeper"], tree.township_a, name="孙某", id_number=idn(11))
    request = opinions.opinion_submit(
        actor=staff["org"], ref_no="随组函2号", purpose="promotion", persons_text=f"孙某 {idn(11)}\n李某"
    )

    def stored() -> list[tuple]:
        """The ID number's ciphertext and blind index as stored (a new encryption of the same
        number would differ: a fresh nonce)."""
        table = OpinionPerson._meta.db_table
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT id_number, id_number_index FROM {table} WHERE request_id = %s ORDER BY position",  # noqa: S608
                [request.pk],
            )
            return cursor.fetchall()

    before = stored()
    sm4 = []
    monkeypatch.setattr(crypto, "decrypt_text", lambda *a, **k: sm4.append("decrypt"))
    monkeypatch.setattr(crypto, "encrypt_text", lambda *a, **k: sm4.append("encrypt"))
    for _ in range(2):
        request.refresh_from_db()
        opinions.opinion_draft(actor=staff["keeper"], request=request, version=request.version)
    monkeypatch.undo()
    # The draft matches by blind index: no ID number (the persons' or the archives') is decrypted
    # or encrypted anew.
    assert sm4 == []
    assert stored() == before
    persons = list(request.persons.all())
    assert [p.id_number for p in persons] == [idn(11), ""]
    assert [p.verdict for p in persons] == [OpinionVerdict.NO_OBJECTION, OpinionVerdict.NOT_FOUND]
    assert persons[0].archive is not None and persons[0].archive.name == "孙某"


def test_a_missing_personal_matters_report_is_stated(staff, tree):
    archive = make_archive(staff["keeper"], tree.township_a, name="刘某", id_number=idn(1), level="division")
    request = opinions.opinion_submit(
        actor=staff["org"], ref_no="1号", purpose="promotion", persons_text=f"刘某 {idn(1)}"
    )
    opinions.opinion_draft(actor=staff["keeper"], request=request, version=request.version)
    person = request.persons.get()
    assert person.archive == archive and person.verdict == OpinionVerdict.NO_OBJECTION
    assert "个人有关事项报告未按期报告" in person.wording


def test_the_office_may_choose_another_verdict_and_it_is_audited(staff, tree):
    make_archive(staff["keeper"], tree.township_a, name="刘某", id_number=idn(1))
    request = opinions.opinion_submit(
        actor=staff["org"], ref_no="1号", purpose="promotion", persons_text=f"刘某 {idn(1)}"
    )
    pk = request.persons.get().pk
    opinions.opinion_draft(
        actor=staff["keeper"],
        request=request,
        version=request.version,
        chosen={pk: OpinionVerdict.UNDER_VERIFICATION},
    )
    assert request.persons.get().verdict == OpinionVerdict.UNDER_VERIFICATION
    assert AuditEvent.objects.get(action="opinion.draft").after["changed"] == [pk]


def test_a_stale_draft_changes_nothing(staff, tree):
    request = opinions.opinion_submit(
        actor=staff["org"], ref_no="1号", purpose="promotion", persons_text="刘某"
    )
    opinions.opinion_draft(actor=staff["keeper"], request=request, version=request.version)
    from jijian.core.services import ConcurrentEditError

    with pytest.raises(ConcurrentEditError):
        opinions.opinion_draft(actor=staff["keeper"], request=request, version=1)


def test_the_keeper_recused_from_a_person_cannot_draft(staff, tree):
    from jijian.core.models import StaffRelation

    make_archive(staff["keeper"], tree.township_a, name="刘某", id_number=idn(1))
    StaffRelation.objects.create(user=staff["keeper"], relative_name="刘某", kind="spouse")
    request = opinions.opinion_submit(
        actor=staff["org"], ref_no="1号", purpose="promotion", persons_text=f"刘某 {idn(1)}"
    )
    with pytest.raises(ValidationError, match="须回避"):
        opinions.opinion_draft(actor=staff["keeper"], request=request, version=request.version)
    request.refresh_from_db()
    assert request.state == OpinionState.SUBMITTED


def test_facts_are_gathered_in_a_constant_number_of_queries(staff, tree):
    for n in range(1, 9):
        a = make_archive(
            staff["keeper"], tree.township_a, name=f"干部{n}", id_number=idn(n), level="division"
        )
        services.sanction_add(
            actor=staff["keeper"], archive=a, kind="org_admonition", decided_on=D(2021, 1, 1), source="组织部"
        )
        report = linked_report(a, tree.county, f"421321-2026-{n:04d}")
        _clue(tree.county, report=report, accused=f"干部{n}")
        _clue(tree.county, accused=f"干部{n}")

    def count(k):
        request = opinions.opinion_submit(
            actor=staff["org"],
            ref_no=f"{k}号",
            purpose="promotion",
            persons_text="\n".join(f"干部{n} {idn(n)}" for n in range(1, k + 1)),
        )
        persons = list(request.persons.all())
        with CaptureQueriesContext(connection) as queries:
            facts = opinions.gather(staff["keeper"], persons)
        assert all(f.reports_open == 1 and f.sanctions_past for f in facts)
        assert all(f.clues_open == 1 and f.clues_unlinked == 1 for f in facts)
        return len(queries)

    assert count(2) == count(8)


# --- pages ---------------------------------------------------------------------------------------
def _client(user):
    from django.test import Client

    client = Client()
    sign_in(client, user)
    return client


def test_the_whole_flow_on_the_pages(staff, tree, tmp_path):
    staff["leader"].full_name = "吴书记"
    staff["leader"].save()
    a = make_archive(staff["keeper"], tree.township_a, name="刘某", id_number=idn(1))
    services.sanction_add(
        actor=staff["keeper"],
        archive=a,
        kind="public_warning",
        decided_on=timezone.localdate(),
        source="审理室",
    )
    make_archive(staff["keeper"], tree.township_a, name="张某", id_number=idn(2))
    org = _client(staff["org"])
    response = org.post(
        reverse("archives:opinion_create"),
        {
            "ref_no": "随组函〔2026〕12号",
            "purpose": "promotion",
            "persons": f"刘某 {idn(1)}\n张某 {idn(2)}\n赵某",
        },
    )
    request = OpinionRequest.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "archives:opinion_detail", args=[request.pk]
    )
    # Before the answer is signed the department sees the names only.
    assert "尚未拟定" not in org.get(response["Location"]).content.decode()

    keeper = _client(staff["keeper"])
    page = keeper.get(reverse("archives:opinion_detail", args=[request.pk])).content.decode()
    assert "拟定答复意见" in page
    keeper.post(reverse("archives:opinion_draft", args=[request.pk]), {"version": request.version})
    request.refresh_from_db()
    assert request.state == OpinionState.DRAFTED
    page = keeper.get(reverse("archives:opinion_detail", args=[request.pk])).content.decode()
    assert "处分（影响期内）" in page  # the facts, for the commission
    # Which archive each verdict stands on (刘某 and 张某 matched, 赵某 not).
    assert page.count('class="matched-archive"') == 2 and "所匹配档案：刘某，" in page
    body = org.get(reverse("archives:opinion_detail", args=[request.pk])).content.decode()
    assert "处分影响期内" not in body and "处分（影响期内）" not in body
    assert "所匹配档案" not in body
    assert org.get(reverse("archives:opinion_pdf", args=[request.pk])).status_code == 404

    office = _client(staff["case_review"])
    page = office.get(reverse("archives:opinion_detail", args=[request.pk])).content.decode()
    assert "以审理室名义会签" in page and "处分（影响期内）" in page
    leader = _client(staff["leader"])
    assert (
        "各室会签后方可审签"
        in leader.get(reverse("archives:opinion_detail", args=[request.pk])).content.decode()
    )
    for who in ("petition_office", "case_management", "case_review"):
        response = _client(staff[who]).post(
            reverse("archives:opinion_endorse", args=[request.pk]),
            {"version": request.version, "office": who, "note": "本室核查无异议"},
        )
        assert response.status_code == 302, who
    assert "审签" in leader.get(reverse("archives:opinion_detail", args=[request.pk])).content.decode()
    leader.post(reverse("archives:opinion_sign", args=[request.pk]), {"version": request.version})
    request.refresh_from_db()
    assert request.state == OpinionState.SIGNED and request.signed_by == staff["leader"]

    body = org.get(reverse("archives:opinion_detail", args=[request.pk])).content.decode()
    assert "处分影响期内，不同意" in body and "处分（影响期内）" not in body  # verdict yes, facts no
    response = org.get(reverse("archives:opinion_pdf", args=[request.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    pdf = tmp_path / "reply.pdf"
    pdf.write_bytes(response.content)
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    flat = "".join(text.split())
    for words in (
        "刘某",
        "张某",
        "赵某",
        "随组函〔2026〕12号",
        "吴书记",
        "处分影响期内，不同意",
        "无影响",
        "未建立廉情档案",
    ):
        assert words in flat, words
    assert AuditEvent.objects.filter(action="opinion.read", object_id=str(request.pk)).count() >= 5
    assert AuditEvent.objects.filter(action="opinion.sign").exists()

    # The same letter as a Word document in official document layout (GB/T 9704).
    reads = AuditEvent.objects.filter(action="opinion.read").count()
    response = org.get(reverse("archives:opinion_docx", args=[request.pk]))
    assert response.status_code == 200 and response["Content-Type"].endswith("wordprocessingml.document")
    assert AuditEvent.objects.filter(action="opinion.read").count() == reads + 1
    _check_docx(response.content, request, tree)
    org.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hant"  # a reader of Traditional gets the same letter
    assert "意見回覆" in org.get(reverse("archives:opinion_detail", args=[request.pk])).content.decode()
    _check_docx(org.get(reverse("archives:opinion_docx", args=[request.pk])).content, request, tree)


def _check_docx(content: bytes, request, tree) -> None:
    import io

    from docx import Document
    from docx.shared import Pt

    doc = Document(io.BytesIO(content))
    paragraphs = [p.text for p in doc.paragraphs]
    cells = ["".join(c.text for c in row.cells) for t in doc.tables for row in t.rows]
    text = "".join(paragraphs) + "".join(cells)
    for words in ("刘某", "张某", "赵某", "处分影响期内，不同意", "无影响", "未建立廉情档案"):
        assert words in "".join(cells), words
    assert f"{tree.county.name}纪委监委文件" == paragraphs[0]  # 红头: the issuing body's mark
    assert "复随组函〔2026〕12号" in paragraphs  # 发文字号 with the request's reference number
    assert "关于提拔任用人选党风廉政意见的回复" in paragraphs
    assert f"{tree.county.name}组织部：" in paragraphs  # 主送
    assert "随组函〔2026〕12号" in text and "特此函复" in text
    assert paragraphs[-2] == f"{tree.county.name}纪委监委"  # 落款 and the date
    assert paragraphs[-1] == f"{timezone.localtime(request.signed_at):%Y年%-m月%-d日}"
    mark = doc.paragraphs[0].runs[0]
    assert str(mark.font.color.rgb) == "E60012"
    section = doc.sections[0]
    margins = (section.top_margin, section.bottom_margin, section.left_margin, section.right_margin)
    assert [round(m.mm) for m in margins] == [37, 35, 28, 26]  # stored in twips
    body = next(p for p in doc.paragraphs if p.text.startswith("你部"))
    assert body.runs[0].font.size == Pt(16)  # 3号
    fonts = body.runs[0].element.rPr.find(
        "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}rFonts"
    )
    assert (
        fonts.get("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}eastAsia") == "仿宋_GB2312"
    )


def test_a_bad_list_on_the_page_names_the_lines_and_saves_nothing(staff, login):
    body = (
        login(staff["org"])
        .post(
            reverse("archives:opinion_create"),
            {"ref_no": "1号", "purpose": "promotion", "persons": "刘某\n刘某"},
        )
        .content.decode()
    )
    assert "第2行：与第1行重复" in body and not OpinionRequest.objects.exists()


def test_the_other_county_gets_404_on_every_opinion_page(staff, login):
    request = opinions.opinion_submit(
        actor=staff["org"], ref_no="1号", purpose="promotion", persons_text="刘某"
    )
    for who in ("other_org", "other_keeper", "other_leader"):
        client = login(staff[who])
        assert client.get(reverse("archives:opinion_detail", args=[request.pk])).status_code == 404
        assert (
            client.post(reverse("archives:opinion_draft", args=[request.pk]), {"version": 1}).status_code
            == 404
        )
        assert (
            client.post(reverse("archives:opinion_sign", args=[request.pk]), {"version": 1}).status_code
            == 404
        )
        assert client.get(reverse("archives:opinion_pdf", args=[request.pk])).status_code == 404
        assert client.get(reverse("archives:opinion_docx", args=[request.pk])).status_code == 404
        assert f"opinion-{request.pk}" not in client.get(reverse("archives:opinions")).content.decode()
    request.refresh_from_db()
    assert request.state == OpinionState.SUBMITTED
    assert not AuditEvent.objects.filter(action="opinion.read").exists()


def test_roles_without_a_part_get_404(staff, login, tree):
    request = opinions.opinion_submit(
        actor=staff["org"], ref_no="1号", purpose="promotion", persons_text="刘某"
    )
    outsider = make_user("df_sx", tree.county, "conduct_supervision")
    client = login(outsider)
    assert client.get(reverse("archives:opinions")).status_code == 404
    assert client.get(reverse("archives:opinion_detail", args=[request.pk])).status_code == 404
    # The department does not draft or sign, the office does not sign.
    org = login(staff["org"])
    assert org.post(reverse("archives:opinion_draft", args=[request.pk]), {"version": 1}).status_code == 404
    keeper = login(staff["keeper"])
    assert keeper.post(reverse("archives:opinion_sign", args=[request.pk]), {"version": 1}).status_code == 404
    assert keeper.get(reverse("archives:opinion_create")).status_code == 404


# --- endorsements --------------------------------------------------------------------------------
def test_the_leader_signs_only_once_every_office_has_endorsed(staff):
    request = opinions.opinion_submit(
        actor=staff["org"], ref_no="1号", purpose="promotion", persons_text="刘某"
    )
    opinions.opinion_draft(actor=staff["keeper"], request=request, version=request.version)
    opinions.opinion_endorse(
        actor=staff["petition_office"], request=request, version=request.version, office="petition_office"
    )
    with pytest.raises(ValidationError, match="尚待案件监督管理室、审理室会签"):
        opinions.opinion_sign(actor=staff["leader"], request=request, version=request.version)
    endorse_all_rest = ("case_management", "case_review")
    for office in endorse_all_rest:
        opinions.opinion_endorse(actor=staff[office], request=request, version=request.version, office=office)
    opinions.opinion_sign(actor=staff["leader"], request=request, version=request.version)
    assert request.state == OpinionState.SIGNED
    assert AuditEvent.objects.filter(action="opinion.endorse").count() == 3


def test_a_new_draft_is_endorsed_anew_and_a_stale_endorsement_changes_nothing(staff):
    from jijian.core.services import ConcurrentEditError

    request = opinions.opinion_submit(
        actor=staff["org"], ref_no="1号", purpose="promotion", persons_text="刘某"
    )
    opinions.opinion_draft(actor=staff["keeper"], request=request, version=request.version)
    seen = request.version
    endorse_all(staff, request)
    opinions.opinion_draft(actor=staff["keeper"], request=request, version=request.version)
    assert not request.endorsements.exists()
    with pytest.raises(ConcurrentEditError):
        opinions.opinion_endorse(
            actor=staff["case_review"], request=request, version=seen, office="case_review"
        )
    assert not request.endorsements.exists()


def test_an_office_endorses_in_its_own_name_once(staff):
    from django.core.exceptions import PermissionDenied

    request = opinions.opinion_submit(
        actor=staff["org"], ref_no="1号", purpose="promotion", persons_text="刘某"
    )
    with pytest.raises(ValidationError, match="待答复"):
        opinions.opinion_endorse(
            actor=staff["case_review"], request=request, version=request.version, office="case_review"
        )
    opinions.opinion_draft(actor=staff["keeper"], request=request, version=request.version)
    with pytest.raises(PermissionDenied):
        opinions.opinion_endorse(
            actor=staff["case_review"], request=request, version=request.version, office="petition_office"
        )
    opinions.opinion_endorse(
        actor=staff["case_review"], request=request, version=request.version, office="case_review"
    )
    with pytest.raises(ValidationError, match="本室已会签"):
        opinions.opinion_endorse(
            actor=staff["case_review"], request=request, version=request.version, office="case_review"
        )


def test_the_other_countys_office_cannot_endorse(staff, tree, login):
    other = make_user("xf_gs", tree.other_county, "petition_office")
    request = opinions.opinion_submit(
        actor=staff["org"], ref_no="1号", purpose="promotion", persons_text="刘某"
    )
    opinions.opinion_draft(actor=staff["keeper"], request=request, version=request.version)
    response = login(other).post(
        reverse("archives:opinion_endorse", args=[request.pk]),
        {"version": request.version, "office": "petition_office"},
    )
    assert response.status_code == 404 and not request.endorsements.exists()


# --- the list from Excel -------------------------------------------------------------------------
def _xlsx(rows, header=("姓名", "身份证号", "单位职务"), merge=None):
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(list(header))
    for row in rows:
        ws.append(row)
    if merge:
        ws.merge_cells(merge)
    out = io.BytesIO()
    wb.save(out)
    return SimpleUploadedFile("list.xlsx", out.getvalue())


def test_the_list_uploaded_from_excel(staff, login):
    data = {
        "ref_no": "随组函1号",
        "purpose": "election",
        "file": _xlsx([["刘某", idn(1), "副镇长"], ["张某", None, "站长"]]),
    }
    response = login(staff["org"]).post(reverse("archives:opinion_create"), data)
    assert response.status_code == 302
    persons = list(OpinionRequest.objects.get().persons.all())
    assert [(p.name, p.id_number, p.post) for p in persons] == [
        ("刘某", idn(1), "副镇长"),
        ("张某", "", "站长"),
    ]


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (lambda: _xlsx([["刘某", idn(1), ""], ["王某", "", ""], ["刘某", idn(1), ""]]), "第4行：与第2行重复"),
        (lambda: _xlsx([["刘某", "", ""]], merge="A2:C2"), "合并单元格"),
        (
            lambda: _xlsx([["刘某", "", "", "x"]], header=("姓名", "身份证号", "单位职务", "电话")),
            "无法识别的列：电话",
        ),
        (lambda: _xlsx([["", idn(1), "副镇长"]]), "第2行：姓名不能为空"),
    ],
)
def test_a_bad_excel_list_is_refused_with_its_rows_named(staff, login, upload, message):
    data = {"ref_no": "随组函1号", "purpose": "election", "file": upload()}
    body = login(staff["org"]).post(reverse("archives:opinion_create"), data).content.decode()
    assert message in body and not OpinionRequest.objects.exists()


def test_every_bad_row_of_an_excel_list_is_named_at_once(staff, login):
    """A row without a name does not hide the rows after it: both bad rows are named in one answer."""
    upload = _xlsx([["刘某", idn(1), "副镇长"], ["", "", "站长"], ["张某", "12345678", ""]])
    data = {"ref_no": "随组函1号", "purpose": "election", "file": upload}
    body = login(staff["org"]).post(reverse("archives:opinion_create"), data).content.decode()
    assert "第3行：姓名不能为空" in body and "第4行：身份证号应为18位" in body
    assert not OpinionRequest.objects.exists()


def test_typed_and_uploaded_together_is_refused(staff, login):
    data = {"ref_no": "1号", "purpose": "election", "persons": "刘某", "file": _xlsx([["张某", "", ""]])}
    body = login(staff["org"]).post(reverse("archives:opinion_create"), data).content.decode()
    assert "请只用一种方式提供名单" in body and not OpinionRequest.objects.exists()


def test_a_reply_due_in_a_provisional_year_is_marked(staff, login, monkeypatch):
    """2027 has no State Council arrangement yet: a reply due then shows 暂定 on the list and the
    request's page (and in the message after submitting); one due in 2026 shows none."""
    client = login(staff["org"])
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: D(2026, 12, 28))
    data = {"ref_no": "随组函9号", "purpose": "promotion", "persons": "刘某"}
    response = client.post(reverse("archives:opinion_create"), data, follow=True)
    assert "（暂定）" in response.content.decode()
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: D(2026, 11, 2))
    client.post(reverse("archives:opinion_create"), {**data, "ref_no": "随组函10号"})
    provisional = OpinionRequest.objects.get(ref_no="随组函9号")
    firm = OpinionRequest.objects.get(ref_no="随组函10号")
    assert provisional.due_on.year == 2027 and firm.due_on.year == 2026
    page = client.get(reverse("archives:opinions")).content.decode()
    assert "暂定" in page.split(f'id="opinion-{provisional.pk}"')[1].split("</tr>")[0]
    assert "暂定" not in page.split(f'id="opinion-{firm.pk}"')[1].split("</tr>")[0]
    due = 'id="opinion-due"'
    detail = client.get(reverse("archives:opinion_detail", args=[provisional.pk])).content.decode()
    assert "暂定" in detail.split(due)[1].split("</dd>")[0]
    detail = client.get(reverse("archives:opinion_detail", args=[firm.pk])).content.decode()
    assert "暂定" not in detail.split(due)[1].split("</dd>")[0]


def test_the_excel_list_is_kept_across_a_missing_reference_number(staff, login):
    """A form refused for another field (no 来函文号) keeps the chosen Excel, shows it as attached,
    and the corrected submit takes its list once."""
    client = login(staff["org"])
    url = reverse("archives:opinion_create")
    upload = _xlsx([["刘某", idn(1), "副镇长"], ["张某", None, "站长"]])
    refused = client.post(url, {"ref_no": "", "purpose": "election", "file": upload})
    body = refused.content.decode()
    assert refused.status_code == 200 and "请填写来函文号" in body
    assert 'id="held-files"' in body and "list.xlsx" in body
    assert not OpinionRequest.objects.exists()
    held_id = refused.context["held"][0]["id"]
    response = client.post(url, {"ref_no": "随组函1号", "purpose": "election", "held_keep": [held_id]})
    assert response.status_code == 302
    request = OpinionRequest.objects.get()
    assert [p.name for p in request.persons.all()] == ["刘某", "张某"]
    page = client.get(url)  # nothing is held any more
    assert 'id="held-files"' not in page.content.decode() and page.context["held"] == []


def test_a_held_excel_list_that_is_refused_is_let_go(staff, login):
    client = login(staff["org"])
    url = reverse("archives:opinion_create")
    bad = _xlsx([["刘某", "", ""]], merge="A2:C2")
    refused = client.post(url, {"ref_no": "", "purpose": "election", "file": bad})
    held_id = refused.context["held"][0]["id"]
    again = client.post(url, {"ref_no": "随组函1号", "purpose": "election", "held_keep": [held_id]})
    assert "合并单元格" in again.content.decode() and again.context["held"] == []
    assert not OpinionRequest.objects.exists()


def test_an_endorsement_refused_for_a_redraft_shows_the_current_draft_and_keeps_the_note(staff):
    """The keeper redrafts while 信访室 has the page open: its endorsement is refused (400) with a
    message, the page shows the request as it now stands, its form carries the current version and
    the note as typed, and sending it again endorses the new draft."""
    request = opinions.opinion_submit(
        actor=staff["org"], ref_no="1号", purpose="promotion", persons_text="刘某"
    )
    opinions.opinion_draft(actor=staff["keeper"], request=request, version=request.version)
    request.refresh_from_db()
    seen = request.version
    opinions.opinion_draft(actor=staff["keeper"], request=request, version=seen)  # redrafted meanwhile
    request.refresh_from_db()
    office = _client(staff["petition_office"])
    url = reverse("archives:opinion_endorse", args=[request.pk])
    data = {"version": seen, "office": "petition_office", "note": "本室未收到其他反映"}
    response = office.post(url, data)
    page = response.content.decode()
    assert response.status_code == 400
    assert "答复意见已在您打开页面后重新拟定，本次未会签" in page
    assert 'value="本室未收到其他反映"' in page
    assert (
        f'name="version" value="{request.version}"' in page and f'name="version" value="{seen}"' not in page
    )
    assert not request.endorsements.exists()
    assert office.post(url, {**data, "version": request.version}).status_code == 302
    assert request.endorsements.get().note == "本室未收到其他反映"


def test_a_person_endorsing_for_two_offices_gets_two_forms_with_ids_of_their_own(staff, tree):
    import re

    both = make_user("xf_sl_sx", tree.county, "petition_office", "case_review")
    request = opinions.opinion_submit(
        actor=staff["org"], ref_no="1号", purpose="promotion", persons_text="刘某"
    )
    opinions.opinion_draft(actor=staff["keeper"], request=request, version=request.version)
    page = _client(both).get(reverse("archives:opinion_detail", args=[request.pk])).content.decode()
    assert "以信访室名义会签" in page and "以审理室名义会签" in page
    ids = re.findall(r'\bid="([^"]+)"', page)
    assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)
    assert 'for="endorse-petition_office-note"' in page and 'for="endorse-case_review-note"' in page


def test_before_the_draft_the_others_read_what_comes_next(staff, tree):
    request = opinions.opinion_submit(
        actor=staff["org"], ref_no="随组函〔2026〕13号", purpose="promotion", persons_text="刘某"
    )
    url = reverse("archives:opinion_detail", args=[request.pk])
    for who in ("leader", "org", "case_review"):
        page = _client(staff[who]).get(url).content.decode()
        assert 'id="opinion-next"' in page and "由领导审签" in page, who
    # The office that drafts has the form and its own hint instead.
    page = _client(staff["keeper"]).get(url).content.decode()
    assert 'id="opinion-next"' not in page and "拟定答复意见" in page
    opinions.opinion_draft(actor=staff["keeper"], request=request, version=request.version)
    assert 'id="opinion-next"' not in _client(staff["leader"]).get(url).content.decode()


def test_a_draft_by_a_traditional_reader_keeps_the_letter_s_wording_in_simplified(staff, tree):
    """The wording drafted goes into the reply letter, an official document: in the platform's language
    whatever the drafting officer reads (here the purpose, 评先评优, read into it)."""
    from django.utils import translation

    make_archive(staff["keeper"], tree.township_a, name="刘某", id_number=idn(1), level="section")
    request = opinions.opinion_submit(
        actor=staff["org"], ref_no="随组函1号", purpose="commendation", persons_text=f"刘某 {idn(1)}"
    )
    with translation.override("zh-hant"):
        assert translation.gettext("评先评优") == "評先評優"  # the reader's language is really on
        opinions.opinion_draft(actor=staff["keeper"], request=request, version=request.version)
    person = request.persons.get()
    assert "未发现影响该同志评先评优的不廉洁问题" in person.wording, person.wording
