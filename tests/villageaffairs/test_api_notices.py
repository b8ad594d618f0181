"""The two public-notice steps (5 决议公开, 6 实施结果公开) through the API: multipart/form-data with the
notice-board photos, recorded by the same service as the page (decision_step_record), within the
attachment service's limits. A refusal is a 400 in Chinese with nothing stored — no step, no
attachment row, no bytes on disk; outsiders get 404."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from jijian.attachments.models import Attachment
from jijian.audit.models import AuditEvent
from jijian.villageaffairs.models import DecisionStep, Step
from tests.villageaffairs.helpers import days_ago, record, register

pytestmark = pytest.mark.django_db


def jpeg(name="公开栏.jpg", size=(64, 48)) -> SimpleUploadedFile:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", size, (30, 120, 200)).save(buf, format="JPEG", quality=80)
    return SimpleUploadedFile(name, buf.getvalue(), content_type="image/jpeg")


def stored_files(root) -> list:
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def decision_with_meetings(member):
    """A decision whose four meetings are recorded: the next step is 决议公开."""
    decision = register(member)
    for step in (Step.PROPOSAL, Step.TWO_COMMITTEES, Step.PARTY_MEETING, Step.VILLAGERS_MEETING):
        record(member, decision, step, held_on=days_ago(6 - step))
    return decision


def url(decision) -> str:
    return f"/api/village/decisions/{decision.pk}/notices"


def notice(step=Step.RESOLUTION_PUBLIC, **overrides) -> dict:
    data = {
        "step": int(step),
        "held_on": days_ago(1).isoformat(),
        "minutes": "在村务公开栏张贴决议，公示7天。",
        "member_present": "true",
        "member_opinion": "公开及时",
    }
    data.update(overrides)
    return data


def test_the_member_records_a_notice_with_its_photos(people, login, files_dir):
    decision = decision_with_meetings(people.member_a)
    before = stored_files(files_dir)
    response = login(people.member_a).post(
        url(decision), data={**notice(), "photos": [jpeg("公开栏1.jpg"), jpeg("公开栏2.jpg")]}
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["step"]["step"] == Step.RESOLUTION_PUBLIC and body["step"]["label"] == "决议公开"
    step = DecisionStep.objects.get(decision=decision, step=Step.RESOLUTION_PUBLIC)
    assert step.recorded_by == people.member_a and step.minutes == "在村务公开栏张贴决议，公示7天。"
    photos = Attachment.objects.filter(purpose="villageaffairs.step", object_id=str(step.pk))
    assert sorted(p.original_name for p in photos) == ["公开栏1.jpg", "公开栏2.jpg"]
    assert {p.kind for p in photos} == {"image"}
    assert len(stored_files(files_dir)) == len(before) + 2
    audited = AuditEvent.objects.filter(action="decision_step.record", object_id=str(step.pk)).get()
    assert audited.after["files"] == 2


def test_the_implementation_notice_follows(people, login):
    decision = decision_with_meetings(people.member_a)
    record(people.member_a, decision, Step.RESOLUTION_PUBLIC, held_on=days_ago(1))
    response = login(people.member_a).post(
        url(decision), data={**notice(Step.RESULT_PUBLIC), "photos": [jpeg()]}
    )
    assert response.status_code == 201, response.content
    assert response.json()["step"]["label"] == "实施结果公开"
    assert DecisionStep.objects.filter(decision=decision).count() == 6


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "请上传公开栏照片"),
        ({"minutes": ""}, "请填写公开内容"),
        ({"held_on": None}, "请填写日期"),  # left out
        ({"step": 2}, "此接口只登记“决议公开”“实施结果公开”两个公开环节"),
        ({"step": 6}, "“决议公开”尚未登记"),
    ],
)
def test_a_refused_notice_is_a_400_in_chinese(people, login, files_dir, data, message):
    decision = decision_with_meetings(people.member_a)
    before_files, before_steps = stored_files(files_dir), DecisionStep.objects.count()
    before_attachments = Attachment.objects.count()
    photos = {} if not data else {"photos": [jpeg()]}
    sent = {k: v for k, v in {**notice(), **data, **photos}.items() if v is not None}
    response = login(people.member_a).post(url(decision), data=sent)
    assert response.status_code == 400, response.content
    assert message in response.json()["error"]["message"]
    assert DecisionStep.objects.count() == before_steps
    assert Attachment.objects.count() == before_attachments
    assert stored_files(files_dir) == before_files


def test_a_refused_photo_refuses_the_step_and_leaves_no_file_behind(people, login, files_dir):
    """The first photo is good and stored, the second is not an image the attachment service takes:
    the step, both attachment rows and the first photo's bytes are all gone."""
    decision = decision_with_meetings(people.member_a)
    before_files = stored_files(files_dir)
    before_attachments = Attachment.objects.count()
    fake = SimpleUploadedFile("公开栏.jpg", b"MZ\x90\x00 not a picture" * 100, content_type="image/jpeg")
    response = login(people.member_a).post(url(decision), data={**notice(), "photos": [jpeg(), fake]})
    assert response.status_code == 400, response.content
    assert response.json()["error"]["code"] == "rejected"
    assert response.json()["error"]["message"]  # the attachment service's reason, in Chinese
    assert not DecisionStep.objects.filter(step=Step.RESOLUTION_PUBLIC).exists()
    assert Attachment.objects.count() == before_attachments
    assert stored_files(files_dir) == before_files


def test_too_many_photos_are_refused(people, login, files_dir):
    decision = decision_with_meetings(people.member_a)
    before_files = stored_files(files_dir)
    response = login(people.member_a).post(
        url(decision), data={**notice(), "photos": [jpeg(f"{i}.jpg", (8, 8)) for i in range(10)]}
    )
    assert response.status_code == 400
    assert "每个环节最多上传 9 个文件" in response.json()["error"]["message"]
    assert not DecisionStep.objects.filter(step=Step.RESOLUTION_PUBLIC).exists()
    assert stored_files(files_dir) == before_files


def test_outsiders_and_other_roles_get_404_and_nothing_is_stored(people, login, files_dir):
    decision = decision_with_meetings(people.member_a)
    before_files, before_attachments = stored_files(files_dir), Attachment.objects.count()
    for who in ("township_a", "township_b", "county_officer", "outsider", "zone_officer"):
        response = login(getattr(people, who)).post(url(decision), data={**notice(), "photos": [jpeg()]})
        assert response.status_code == 404, who
    assert not DecisionStep.objects.filter(step=Step.RESOLUTION_PUBLIC).exists()
    assert Attachment.objects.count() == before_attachments
    assert stored_files(files_dir) == before_files


def test_the_api_document_describes_the_multipart_body(client):
    operation = client.get("/api/openapi.json").json()["paths"][
        "/api/village/decisions/{decision_id}/notices"
    ]
    body = operation["post"]["requestBody"]["content"]
    assert list(body) == ["multipart/form-data"]
    assert body["multipart/form-data"]["schema"]["properties"]["photos"]["type"] == "array"


@pytest.mark.parametrize(
    ("other_kinds_mb", "message"),
    [
        (1, "上传的内容超过大小上限"),  # over every limit: refused while the body arrives
        (5, "图片超过 1 MB 的大小上限"),  # over the image limit only: refused by attachment_store
    ],
)
def test_a_photo_over_the_size_limit_is_refused_and_nothing_is_stored(
    people, login, files_dir, settings, other_kinds_mb, message
):
    """The attachment service's limits (here 1 MB for images) apply to the API too, in its JSON format."""
    settings.ATTACHMENT_LIMITS_MB = {"image": 1} | {
        kind: other_kinds_mb for kind in ("pdf", "office", "audio", "video")
    }
    decision = decision_with_meetings(people.member_a)
    before_files = stored_files(files_dir)
    big = jpeg("大.jpg", (1200, 1200))
    big = SimpleUploadedFile("大.jpg", big.read() + b"\0" * (1024 * 1024), content_type="image/jpeg")
    response = login(people.member_a).post(url(decision), data={**notice(), "photos": [big]})
    assert response.status_code == 400, response.content
    assert message in response.json()["error"]["message"]
    assert not DecisionStep.objects.filter(step=Step.RESOLUTION_PUBLIC).exists()
    assert stored_files(files_dir) == before_files
