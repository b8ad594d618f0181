"""The public portal: submitting a report (anonymous and real-name), bad input, evidence, the receipt
code and following a report with it."""

from __future__ import annotations

import io

import pytest
from django.db import connection
from django.urls import reverse

from jijian.attachments.models import Attachment
from jijian.audit.models import AuditEvent
from jijian.core.sensitive.crypto import blind_index
from jijian.petitions import services
from jijian.petitions.access import FOLLOW_SESSION_KEY
from jijian.petitions.intake import receipt
from jijian.petitions.models import Direction, PetitionMessage, PetitionReport, PetitionState
from tests.petitions.helpers import ID_NUMBER, form_data, only_report, real_name, receipt_from, submit

pytestmark = pytest.mark.django_db


def png_file(name="photo.png"):
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(buf, format="PNG")
    buf.seek(0)
    buf.name = name
    return buf


def test_the_login_page_links_to_the_portal(client, tree):
    page = client.get(reverse("core:login")).content.decode()
    assert reverse("petitions:home") in page and "我要举报 / 查询举报进度" in page


def test_the_report_form_leads_back_to_the_portal(client, tree):
    back = f'<a href="{reverse("petitions:home")}">返回</a>'
    assert back in client.get(reverse("petitions:submit")).content.decode()
    assert back in submit(client, form_data(tree, facts="")).content.decode()  # also after a refusal


def test_an_anonymous_report_is_registered_with_no_identity_and_a_receipt_shown_once(client, tree):
    response = submit(client, form_data(tree, reporter_name="不该保存", reporter_phone="13900000000"))
    assert response.status_code == 200
    code = receipt_from(response)
    assert len(code) == 20 and code.isdigit()
    assert "请抄写保存，遗失无法找回" in response.content.decode()
    assert response["Cache-Control"].startswith("max-age=0") or "no-store" in response["Cache-Control"]
    report = only_report()
    assert report.is_anonymous and report.state == PetitionState.RECEIVED and report.channel == "online"
    assert (report.reporter_name, report.reporter_id_number, report.reporter_phone) == ("", "", "")
    assert report.region == tree.township_a and report.category == "accusation"
    assert report.receipt_hash == receipt.receipt_hash(code)
    event = AuditEvent.objects.get(action="petition.submit")
    assert event.actor_id is None and event.ip_address == "" and event.org_unit_id == tree.township_a.pk


def test_a_real_name_report_keeps_the_identity_encrypted_with_a_blind_index(client, tree):
    response = submit(client, real_name(tree))
    assert response.status_code == 200, response.content.decode()
    report = only_report()
    assert not report.is_anonymous
    assert (report.reporter_name, report.reporter_id_number, report.reporter_phone) == (
        "李举报",
        ID_NUMBER,
        "13800138000",
    )
    assert report.reporter_id_index == blind_index(ID_NUMBER)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT reporter_name, reporter_id_number, reporter_phone FROM petitions_petitionreport"
        )
        raw = cursor.fetchone()
    assert all(value.startswith("sm4g2$") for value in raw)
    assert not any("李举报" in v or ID_NUMBER in v or "13800138000" in v for v in raw)


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"reporter_id_number": "110105194912310021"}, "身份证号校验位错误"),
        ({"reporter_id_number": ""}, "实名举报请填写身份证号"),
        ({"reporter_phone": "12345"}, "手机号码应为11位"),
        ({"reporter_name": "  "}, "实名举报请填写姓名"),
        ({"facts": ""}, "请填写反映的主要问题和事实"),
        ({"facts": "有问题"}, "过于简单"),
        ({"region": "999999"}, "请从列表中选择地区"),
        ({"region": ""}, "请选择问题发生地（县市区或乡镇），可输入名称或拼音首字母查找"),
        ({"category": "gossip"}, "选择一个有效的选项"),
    ],
)
def test_bad_input_is_explained_and_nothing_is_stored(client, tree, overrides, message):
    response = submit(client, real_name(tree, **overrides))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert "未能提交，请检查以下内容：" in response.content.decode()
    assert 'id="receipt-code"' not in response.content.decode()
    assert (
        not PetitionReport.objects.exists()
        and not AuditEvent.objects.filter(action="petition.submit").exists()
    )


def test_evidence_is_stored_as_evidence_with_the_original_kept(client, tree):
    response = submit(client, {**form_data(tree), "evidence": [png_file("a.png"), png_file("b.png")]})
    assert response.status_code == 200, response.content.decode()
    report = only_report()
    files = list(services.petition_evidence(report))
    assert len(files) == 2
    for attachment in files:
        assert attachment.module == "petitions" and attachment.purpose == "petition_evidence"
        assert attachment.object_id == str(report.pk) and attachment.org_unit_id == tree.township_a.pk
        assert attachment.uploaded_by_id is None and attachment.evidence_storage_name
    assert not AuditEvent.objects.filter(action="attachment.upload").exclude(ip_address="").exists()


def test_a_disguised_file_refuses_the_whole_report(client, tree):
    fake = io.BytesIO(b"MZ\x90\x00 this is not a picture at all" * 50)
    fake.name = "photo.jpg"
    response = submit(client, {**form_data(tree), "evidence": [png_file(), fake]})
    assert response.status_code == 400
    assert 'id="receipt-code"' not in response.content.decode()
    assert 'class="error"' in response.content.decode()
    assert not PetitionReport.objects.exists()
    assert not Attachment.objects.exists()


def test_too_many_files_are_refused(client, tree):
    response = submit(client, {**form_data(tree), "evidence": [png_file(f"{i}.png") for i in range(6)]})
    assert "最多上传 5 个文件" in response.content.decode()
    assert not PetitionReport.objects.exists()


# --- following a report ------------------------------------------------------------------------------
def _submitted(client, tree, data=None) -> tuple[str, PetitionReport]:
    code = receipt_from(submit(client, data or form_data(tree)))
    return code, only_report()


def test_the_receipt_code_opens_the_report_with_the_office_messages(client, tree, people):
    code, report = _submitted(client, tree)
    services.petition_message_send(actor=people.city_petition, report=report, body="请补充发放名单")
    client.cookies.clear()  # a new visit
    spaced = receipt.display(code)
    response = client.post(reverse("petitions:follow"), {"code": spaced})
    assert response.status_code == 302 and response["Location"] == reverse("petitions:follow")
    assert client.session[FOLLOW_SESSION_KEY]["id"] == report.pk
    page = client.get(reverse("petitions:follow")).content.decode()
    assert "已收到" in page and "请补充发放名单" in page
    assert "测试city_petition" not in page  # the reporter never learns who wrote
    event = AuditEvent.objects.get(action="petition.follow")
    assert event.actor_id is None and event.ip_address == ""


def test_a_report_not_yet_triaged_tells_the_reporter_what_comes_next(client, tree):
    code, _report = _submitted(client, tree)
    client.post(reverse("petitions:follow"), {"code": code})
    page = client.get(reverse("petitions:follow")).content.decode()
    assert 'id="petition-next"' in page and "正在审查" in page
    assert "15 个工作日内告知是否受理" not in page  # an anonymous reporter is not notified

    client.cookies.clear()
    code = receipt_from(submit(client, real_name(tree)))
    client.post(reverse("petitions:follow"), {"code": code})
    page = client.get(reverse("petitions:follow")).content.decode()
    assert "将在收到后 15 个工作日内告知是否受理" in page


def test_a_triaged_report_drops_the_waiting_hint(client, tree, people):
    code, report = _submitted(client, tree)
    PetitionReport.objects.filter(pk=report.pk).update(state=PetitionState.ACCEPTED)
    client.post(reverse("petitions:follow"), {"code": code})
    page = client.get(reverse("petitions:follow")).content.decode()
    assert "已受理" in page and 'id="petition-next"' not in page


def test_a_wrong_code_fails_and_is_audited_without_address_or_code(client, tree):
    code, _report = _submitted(client, tree)
    wrong = ("1" if code[0] != "1" else "2") + code[1:]
    response = client.post(reverse("petitions:follow"), {"code": wrong}, REMOTE_ADDR="198.51.100.9")
    assert response.status_code == 400
    assert "查询码不正确" in response.content.decode()
    # A lookup, not a submission: the summary says what failed.
    assert "未能查询，请检查以下内容：" in response.content.decode()
    assert "未能提交" not in response.content.decode()
    assert FOLLOW_SESSION_KEY not in client.session
    event = AuditEvent.objects.get(action="petition.follow_failed")
    assert event.actor_id is None and event.ip_address == ""
    assert wrong not in f"{event.summary}{event.before}{event.after}{event.object_id}"


def test_the_reporter_can_add_facts_and_files(client, tree):
    code, report = _submitted(client, tree)
    client.post(reverse("petitions:follow"), {"code": code})
    response = client.post(
        reverse("petitions:follow_reply"), {"body": "还有一份名单", "evidence": [png_file()]}
    )
    assert response.status_code == 302
    message = PetitionMessage.objects.get()
    assert message.direction == Direction.FROM_REPORTER and message.author_id is None
    assert message.body == "还有一份名单"
    assert services.petition_evidence(report).count() == 1
    empty = client.post(reverse("petitions:follow_reply"), {"body": "  "})
    assert "请填写补充说明或选择要补充的材料" in empty.content.decode()
    assert PetitionMessage.objects.count() == 1


def test_a_reply_without_an_open_lookup_goes_back_to_the_code_form(client, tree):
    _submitted(client, tree)
    response = client.post(reverse("petitions:follow_reply"), {"body": "冒充"})
    assert response.status_code == 302 and response["Location"] == reverse("petitions:follow")
    assert not PetitionMessage.objects.exists()


def test_a_closed_report_takes_no_more_material(client, tree):
    code, report = _submitted(client, tree)
    PetitionReport.objects.filter(pk=report.pk).update(
        state=PetitionState.CLOSED, result_notice="经核查，问题属实。"
    )
    client.post(reverse("petitions:follow"), {"code": code})
    page = client.get(reverse("petitions:follow")).content.decode()
    assert "经核查，问题属实。" in page and "提交补充" not in page
    response = client.post(reverse("petitions:follow_reply"), {"body": "再补充"})
    assert "已办结" in response.content.decode()
    assert not PetitionMessage.objects.exists()


def test_ending_the_lookup_forgets_the_report(client, tree):
    code, _report = _submitted(client, tree)
    client.post(reverse("petitions:follow"), {"code": code})
    client.post(reverse("petitions:follow_end"))
    assert FOLLOW_SESSION_KEY not in client.session
    assert 'name="code"' in client.get(reverse("petitions:follow")).content.decode()


def test_the_lookup_expires(client, tree):
    code, _report = _submitted(client, tree)
    client.post(reverse("petitions:follow"), {"code": code})
    session = client.session
    session[FOLLOW_SESSION_KEY] = {**session[FOLLOW_SESSION_KEY], "until": 1}
    session.save()
    assert 'name="code"' in client.get(reverse("petitions:follow")).content.decode()


# --- files kept across a form error (issue 16, item 10) -------------------------------------------
def test_files_chosen_survive_a_form_error_and_are_stored_with_the_report(client, tree, settings):
    settings.PETITION_SUBMIT_PER_MINUTE = 10
    bad = real_name(tree, reporter_id_number=ID_NUMBER[:-1] + ("0" if ID_NUMBER[-1] != "0" else "1"))
    response = submit(client, {**bad, "evidence": [png_file("现场.png")]})
    page = response.content.decode()
    assert 'class="error"' in page and not PetitionReport.objects.exists()
    assert not Attachment.objects.exists()  # held, not stored as an attachment
    [held_file] = response.context["held"]
    assert held_file["name"] == "现场.png"
    assert f'name="held_keep" value="{held_file["id"]}" checked' in page
    # Corrected, with the held file kept and one more chosen now: both are stored. (The page sent
    # back carries a solved token: no new form page is loaded, which would let the held files go.)
    response = client.post(
        reverse("petitions:submit"),
        {
            **real_name(tree),
            "pow_solved": response.context["solved"],
            "held_keep": [held_file["id"]],
            "evidence": [png_file("第二张.png")],
        },
    )
    assert 'id="receipt-code"' in response.content.decode()
    names = [a.original_name for a in services.petition_evidence(only_report())]
    assert names == ["现场.png", "第二张.png"]
    assert response.wsgi_request.session.get("attachments.held", {}).get("petitions.public") is None


def test_held_files_belong_to_one_browser_and_can_be_let_go(client, tree, settings):
    from django.test import Client

    settings.PETITION_SUBMIT_PER_MINUTE = 10
    response = submit(client, {**form_data(tree, facts=""), "evidence": [png_file("a.png")]})
    [held_file] = response.context["held"]
    solved = response.context["solved"]
    # Another browser naming the same id gets nothing of it.
    other = Client()
    submit(other, {**form_data(tree), "held_keep": [held_file["id"]]})
    assert PetitionReport.objects.count() == 1 and not Attachment.objects.exists()
    # Unticked in this browser: let go, not stored.
    response = client.post(reverse("petitions:submit"), {**form_data(tree), "pow_solved": solved})
    assert 'id="receipt-code"' in response.content.decode()
    assert PetitionReport.objects.count() == 2 and not Attachment.objects.exists()
    # A new form page lets held files go too.
    response = client.post(
        reverse("petitions:submit"), {**form_data(tree, facts=""), "evidence": [png_file()]}
    )
    assert response.context["held"]
    assert client.get(reverse("petitions:submit")).context["held"] == []


def test_files_chosen_on_a_follow_up_survive_a_form_error_and_are_stored(client, tree, settings):
    settings.PETITION_SUBMIT_PER_MINUTE = 10
    code, report = _submitted(client, tree)
    client.post(reverse("petitions:follow"), {"code": code})
    too_long = "补" * 20001
    response = client.post(
        reverse("petitions:follow_reply"), {"body": too_long, "evidence": [png_file("名单.png")]}
    )
    page = response.content.decode()
    assert response.status_code == 400 and 'class="error"' in page
    assert not PetitionMessage.objects.exists() and not Attachment.objects.exists()
    [held_file] = response.context["held"]
    assert held_file["name"] == "名单.png"
    assert f'name="held_keep" value="{held_file["id"]}" checked' in page and "已附的文件" in page
    # Corrected with no new file chosen: the held one alone is enough and is stored.
    response = client.post(
        reverse("petitions:follow_reply"), {"body": "名单见附件", "held_keep": [held_file["id"]]}
    )
    assert response.status_code == 302
    assert PetitionMessage.objects.get().body == "名单见附件"
    assert [a.original_name for a in services.petition_evidence(report)] == ["名单.png"]
    assert client.get(reverse("petitions:follow")).context["held"] == []


def test_held_follow_up_files_count_against_the_limit_and_another_report_never_sees_them(
    client, tree, settings
):
    settings.PETITION_SUBMIT_PER_MINUTE = 20
    code, report = _submitted(client, tree)
    client.post(reverse("petitions:follow"), {"code": code})
    response = client.post(
        reverse("petitions:follow_reply"),
        {"body": "补" * 20001, "evidence": [png_file(f"{i}.png") for i in range(3)]},
    )
    keep = [f["id"] for f in response.context["held"]]
    assert len(keep) == 3
    response = client.post(
        reverse("petitions:follow_reply"),
        {"body": "再补", "held_keep": keep, "evidence": [png_file(f"n{i}.png") for i in range(3)]},
    )
    assert "最多上传 5 个文件（含已附的文件）" in response.content.decode()
    assert not Attachment.objects.exists()
    # Another report followed in the same browser is not offered them.
    other_code = receipt_from(submit(client, form_data(tree)))
    client.post(reverse("petitions:follow"), {"code": other_code})
    assert client.get(reverse("petitions:follow")).context["held"] == []
