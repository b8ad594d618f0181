"""Registration of letters, visits, 12388 calls and video receptions by staff: channel, category,
accused, a region in the officer's jurisdiction only, real-name identity checked (GB 11643 ID with its
check digit, mobile or landline) or anonymous, received date not in the future, scanned letters (several
files). Clear Chinese messages; nothing saved on error."""

from __future__ import annotations

import io
from datetime import timedelta
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.utils import timezone

import jijian
from jijian.attachments.models import Attachment
from jijian.audit.models import AuditEvent
from jijian.petitions.models import Channel, DeadlineKind, PetitionReport, PetitionState, UnitCounter
from tests.petitions.helpers import png
from tests.petitions.triage_helpers import ID_NUMBER, officer

pytestmark = pytest.mark.django_db
URL = "/petitions/register/"


def letter(tree, **overrides):
    data = {
        "channel": "letter",
        "received_on": timezone.localdate().isoformat(),
        "category": "accusation",
        "region": tree.township_a.pk,
        "accused_name": "王某",
        "accused_unit": "神农村村委会",
        "accused_post": "村主任",
        "accused_level": "village",
        "matter": "integrity",
        "facts": "来信反映村主任王某在危房改造补贴发放中优亲厚友。",
        "is_anonymous": "0",
        "reporter_name": "李举报",
        "reporter_id_number": ID_NUMBER,
        "reporter_phone": "13800138000",
    }
    data.update(overrides)
    return data


@pytest.fixture
def county(tree, login):
    return login(officer("county_petition", tree.county))


def test_the_form_offers_only_regions_in_the_officers_jurisdiction(tree, county):
    page = county.get(URL)
    assert page.status_code == 200
    regions = set(page.context["form"].fields["region"].queryset)
    assert {tree.county, tree.township_a, tree.township_b} <= regions
    assert not regions & {tree.city, tree.other_county, tree.township_c, tree.zone}


def test_a_letter_with_two_scans_is_registered_numbered_and_given_its_limits(tree, county):
    response = county.post(URL, letter(tree, files=[png("p1.png"), png("p2.png")]))
    report = PetitionReport.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/petitions/{report.pk}/"
    assert report.channel == Channel.LETTER and report.state == PetitionState.RECEIVED
    assert report.received_unit == report.holder == tree.county
    assert report.serial_number == f"XF-421321-{timezone.localdate().year}-0001"
    assert report.reporter_name == "李举报" and report.reporter_id_number == ID_NUMBER
    assert Attachment.objects.filter(purpose="petition_evidence", object_id=str(report.pk)).count() == 2
    assert set(report.deadlines.values_list("kind", flat=True)) == {
        DeadlineKind.ROUTE,
        DeadlineKind.ACCEPTANCE_NOTICE,
    }
    assert AuditEvent.objects.filter(action="petition.register").count() == 1
    assert report.transitions.get().action == "register"


def test_a_12388_call_needs_its_area_code(tree, county):
    response = county.post(URL, letter(tree, channel="phone", phone_area_code=""))
    assert "电话举报请填写来电区号" in response.content.decode()
    assert not PetitionReport.objects.exists()
    county.post(URL, letter(tree, channel="phone", phone_area_code="0722"))
    assert PetitionReport.objects.get().phone_area_code == "0722"


def test_a_landline_is_a_valid_contact(tree, county):
    county.post(URL, letter(tree, reporter_id_number="", reporter_phone="0722-3456789"))
    assert PetitionReport.objects.get().reporter_phone == "0722-3456789"


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"reporter_id_number": "110105194912310021"}, "身份证号校验位错误"),
        ({"reporter_id_number": "11010519491331002X"}, "出生日期无效"),
        ({"reporter_id_number": "1101051949"}, "身份证号应为18位"),
        ({"reporter_phone": "1380013800"}, "联系电话应为11位手机号码"),
        ({"reporter_phone": "0722-12"}, "固定电话应写明区号"),
        ({"reporter_name": ""}, "实名举报请填写举报人姓名"),
        ({"reporter_id_number": "", "reporter_phone": ""}, "身份证号或联系电话"),
        ({"facts": "   "}, "请填写反映的主要问题和事实"),
        ({"received_on": "2999-01-01"}, "收到日期不能晚于今天"),
        ({"channel": "online"}, "请选择来信、来访、来电或视频接访"),
        ({"category": ""}, "请选择举报类别"),
    ],
)
def test_bad_input_gets_a_message_and_saves_nothing(tree, county, overrides, message):
    response = county.post(URL, letter(tree, files=[png()], **overrides))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not PetitionReport.objects.exists()
    assert not Attachment.objects.exists()
    assert not UnitCounter.objects.exists()  # no number spent either


def test_a_region_outside_the_jurisdiction_is_refused(tree, county):
    response = county.post(URL, letter(tree, region=tree.township_c.pk))
    assert "所选地区不在本机关管辖范围内" in response.content.decode()
    assert not PetitionReport.objects.exists()


def test_a_disguised_scan_refuses_the_whole_registration(tree, county):
    fake = io.BytesIO(b"MZ\x90\x00 this is not a scan" * 50)
    fake.name = "scan.jpg"
    response = county.post(URL, letter(tree, files=[png(), fake]))
    assert response.status_code == 200 and 'class="error"' in response.content.decode()
    assert not PetitionReport.objects.exists()
    assert not Attachment.objects.exists()


def test_anonymous_keeps_no_identity(tree, county):
    county.post(URL, letter(tree, is_anonymous="1"))
    report = PetitionReport.objects.get()
    assert report.is_anonymous and not (
        report.reporter_name or report.reporter_id_number or report.reporter_phone
    )
    assert not report.deadlines.filter(kind=DeadlineKind.ACCEPTANCE_NOTICE).exists()


def test_a_letter_received_last_week_counts_from_that_day(tree, county):
    day = timezone.localdate() - timedelta(days=7)
    county.post(URL, letter(tree, received_on=day.isoformat()))
    report = PetitionReport.objects.get()
    assert timezone.localtime(report.received_at).date() == day
    assert report.deadlines.get(kind=DeadlineKind.ROUTE).starts_on == day


def test_those_who_do_not_triage_cannot_register(tree, login, people):
    manager = officer("county_cases", tree.county, "case_management")
    assert login(manager).get(URL).status_code == 404
    assert login(people.county_officer).get(URL).status_code == 404


def test_a_township_committee_registers_at_its_township(tree, login, people):
    client = login(people.township_a)
    page = client.get(URL)
    assert set(page.context["form"].fields["region"].queryset) == {tree.township_a}
    client.post(URL, letter(tree))
    assert PetitionReport.objects.get().holder == tree.township_a


def test_scans_chosen_survive_a_form_error(tree, county):
    """Issue 16, item 10: a wrong ID number sends the form back; the scans are held and shown as
    attached, and stored with the registration once it is corrected."""
    response = county.post(URL, letter(tree, reporter_id_number="420000000000000000", files=[png("信.png")]))
    assert response.status_code == 200 and not PetitionReport.objects.exists()
    assert not Attachment.objects.exists()
    [scan] = response.context["held"]
    assert scan["name"] == "信.png" and f'value="{scan["id"]}" checked' in response.content.decode()
    response = county.post(URL, {**letter(tree), "held_keep": [scan["id"]]})
    report = PetitionReport.objects.get()
    assert response.status_code == 302
    stored = Attachment.objects.filter(purpose="petition_evidence", object_id=str(report.pk))
    assert [a.original_name for a in stored] == ["信.png"]


def test_a_file_the_channel_does_not_take_is_named_at_once_and_not_held(tree, county):
    """A program (or a recording on a letter) chosen with a missing field is not held and ticked, to
    be refused at every 登记 until unticked: the files field says why at once; the scan is held."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.attachments.samples import webm

    program = SimpleUploadedFile("材料.exe", b"MZ\x90\x00" + b"\x00" * 200)
    recording = SimpleUploadedFile("录像.webm", webm())
    response = county.post(URL, letter(tree, facts="", files=[png("信.png"), program, recording]))
    assert response.status_code == 200 and not PetitionReport.objects.exists()
    assert [h["name"] for h in response.context["held"]] == ["信.png"]
    assert response.context["form"].errors["files"] == [
        "不支持的文件类型：可执行程序。可上传图片、PDF、Office 文档",
        "不接收WebM 视频：只接收图片、PDF、Office 文档",
    ]
    page = response.content.decode()
    assert "材料.exe" not in page and "不接收WebM 视频" in page
    # A video reception takes the recording: it is held with the scan.
    recording.seek(0)
    response = county.post(URL, letter(tree, channel="video", facts="", files=[png("信.png"), recording]))
    assert [h["name"] for h in response.context["held"]] == ["信.png", "录像.webm"]
    assert "files" not in response.context["form"].errors


def test_a_recording_held_for_a_video_reception_is_let_go_when_the_channel_becomes_a_letter(tree, county):
    """A recording held under 视频接访 and the channel then switched to 来信: the held recording is
    named and let go (a letter does not take it) instead of being refused at every 登记; the scan held
    with it, the file chosen with this post and everything typed are kept, and the next 登记 goes
    through."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.attachments.samples import webm

    recording = SimpleUploadedFile("录像.webm", webm())
    response = county.post(URL, letter(tree, channel="video", facts="", files=[png("信.png"), recording]))
    held = {h["name"]: h["id"] for h in response.context["held"]}
    assert list(held) == ["信.png", "录像.webm"]
    response = county.post(
        URL, {**letter(tree), "held_keep": list(held.values()), "files": [png("补充.png")]}
    )
    assert response.status_code == 200 and not PetitionReport.objects.exists()
    assert response.context["form"].errors["files"] == [
        "已附的文件“录像.webm”已移除：不接收WebM 视频：只接收图片、PDF、Office 文档"
    ]
    page = response.content.decode()
    assert "已附的文件“录像.webm”已移除" in page and "危房改造补贴" in page  # the facts as typed
    kept = {h["name"]: h["id"] for h in response.context["held"]}
    assert list(kept) == ["信.png", "补充.png"]
    response = county.post(URL, {**letter(tree), "held_keep": list(kept.values())})
    assert response.status_code == 302
    report = PetitionReport.objects.get()
    stored = Attachment.objects.filter(purpose="petition_evidence", object_id=str(report.pk))
    assert sorted(a.original_name for a in stored) == ["信.png", "补充.png"]


class _Radios(HTMLParser):
    """Each radio input with the stack of elements (tag, attributes) it sits in."""

    VOID = {"input", "br", "img", "meta", "link", "hr", "source", "col", "wbr"}

    def __init__(self):
        super().__init__()
        self.stack: list[tuple[str, dict]] = []
        self.radios: list[tuple[dict, list[tuple[str, dict]]]] = []
        self.label_text: dict[str, str] = {}

    def handle_starttag(self, tag, attrs):
        attributes = {k: v or "" for k, v in attrs}
        if tag == "input" and attributes.get("type") == "radio":
            self.radios.append((attributes, list(self.stack)))
        if tag not in self.VOID:
            self.stack.append((tag, attributes))

    def handle_endtag(self, tag):
        while self.stack:
            if self.stack.pop()[0] == tag:
                break

    def handle_data(self, data):
        for tag, attributes in reversed(self.stack):
            if tag == "label" and attributes.get("for"):
                self.label_text[attributes["for"]] = self.label_text.get(attributes["for"], "") + data
                break


def test_the_anonymous_or_real_name_radios_sit_inside_their_own_labels(tree, county):
    """Issue 16, item 9, on the staff registration form (the public form's browser test measures the
    same at 360 px): each radio is inside the <label> that names it, within a .field, so the base
    styles (core/static/core/app.css) put it on its label's line and the two options side by side."""
    parser = _Radios()
    parser.feed(county.get(URL).content.decode())
    radios = [(a, stack) for a, stack in parser.radios if a["name"] == "is_anonymous"]
    assert [a["value"] for a, _ in radios] == ["1", "0"]
    for attributes, stack in radios:
        tag, parent = stack[-1]
        assert tag == "label" and parent.get("for") == attributes["id"], "the radio is not in its label"
        assert stack[-2][0] == "div", "each option is its own inline block"
        assert any("field" in a.get("class", "").split() for _, a in stack), "not inside a .field"
    assert [parser.label_text[a["id"]].strip() for a, _ in radios] == ["匿名", "实名"]
    css = (Path(jijian.__file__).parent / "core/static/core/app.css").read_text(encoding="utf-8")
    assert (
        ".field label:has(> input[type=radio])" in css
        and ".field div:has(> label > input[type=radio])" in css
    )


def test_a_registered_letter_refuses_a_video_a_video_reception_keeps_its_recording(tree, files_dir):
    import pytest as _pytest
    from django.core.exceptions import ValidationError
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.attachments.samples import webm
    from tests.petitions.triage_helpers import register

    actor = officer("county_petition", tree.county)
    with _pytest.raises(ValidationError) as info:
        register(actor, tree.village_a, files=[SimpleUploadedFile("录像.webm", webm())])
    assert "不接收WebM 视频：只接收图片、PDF、Office 文档" in info.value.messages[0]
    assert not PetitionReport.objects.exists() and not Attachment.objects.exists()
    assert not [p for p in files_dir.rglob("*") if p.is_file()]
    report = register(actor, tree.village_a, channel="video", files=[SimpleUploadedFile("录像.webm", webm())])
    assert Attachment.objects.get(object_id=str(report.pk)).kind == "video"


def test_a_clue_found_in_supervision_is_not_registered_by_hand(tree, county):
    """日常监督发现 comes from a village risk flag (core.links.petition_register), never from the staff
    register: the form does not offer it and refuses it when posted."""
    page = county.get(URL)
    offered = {value for value, _label in page.context["form"].fields["channel"].choices}
    assert Channel.SUPERVISION not in offered and Channel.LETTER in offered
    refused = county.post(URL, letter(tree, channel=Channel.SUPERVISION))
    assert refused.status_code == 200 and 'class="error"' in refused.content.decode()
    assert not PetitionReport.objects.exists()
