"""Courses (学): a keeper sets a course with a text and a video from the attachment store; a member of
a village below finds it, plays the video (range requests: 206 slices, 416 beyond the end), studies
each material — a video played to its end (the page then sends 我已学完), a text confirmed with 我已学完
once opened; opening alone is not learning — and completes the course, not before every material was
studied. People outside see 404. The video's end in a browser: tests/e2e/test_training_material.py."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import ValidationError

from jijian.audit.models import AuditEvent
from jijian.training import services
from jijian.training.models import CourseCompletion, MaterialView
from tests.attachments.samples import mp4
from tests.conftest import sign_in

pytestmark = pytest.mark.django_db


def video(name="廉政教育.mp4") -> io.BytesIO:
    f = io.BytesIO(mp4() + b"")
    f.name = name
    return f


def county_course(people):
    course = services.course_create(
        actor=people.county_officer,
        title="村级纪检委员履职必修课",
        description="",
        audience="village_members",
        year=2026,
        is_required=True,
    )
    text = services.material_add(
        actor=people.county_officer, course=course, title="履职手册导读", body="纪检委员的六项职责……"
    )
    film = services.material_add(actor=people.county_officer, course=course, title="警示教育片", file=video())
    return course, text, film


def learnt_url(course, material) -> str:
    return f"/training/courses/{course.pk}/materials/{material.pk}/learnt/"


def material_url(course, material) -> str:
    return f"/training/courses/{course.pk}/materials/{material.pk}/"


def test_a_member_below_plays_the_video_by_ranges_and_completes_the_course(client, people):
    course, text, film = county_course(people)
    size = film.attachment.size
    sign_in(client, people.member_a)
    home = client.get("/training/").content.decode()
    assert "村级纪检委员履职必修课" in home
    with pytest.raises(ValidationError, match="还有 2 份资料未学完"):
        services.course_complete(actor=people.member_a, course=course)
    page = client.get(f"/training/courses/{course.pk}/materials/{film.pk}/").content.decode()
    assert f'src="/files/{film.attachment.pk}/"' in page and "<video" in page
    whole = client.get(f"/files/{film.attachment.pk}/")
    assert whole.status_code == 200 and whole["Accept-Ranges"] == "bytes"
    content = b"".join(whole.streaming_content)
    part = client.get(f"/files/{film.attachment.pk}/", HTTP_RANGE="bytes=4-11")
    assert part.status_code == 206 and part["Content-Range"] == f"bytes 4-11/{size}"
    assert b"".join(part.streaming_content) == content[4:12]
    tail = client.get(f"/files/{film.attachment.pk}/", HTTP_RANGE="bytes=-5")
    assert b"".join(tail.streaming_content) == content[-5:]
    open_ended = client.get(f"/files/{film.attachment.pk}/", HTTP_RANGE="bytes=10-")
    assert b"".join(open_ended.streaming_content) == content[10:]
    beyond = client.get(f"/files/{film.attachment.pk}/", HTTP_RANGE=f"bytes={size}-")
    assert beyond.status_code == 416 and beyond["Content-Range"] == f"bytes */{size}"
    client.get(f"/training/courses/{course.pk}/materials/{text.pk}/")
    with pytest.raises(ValidationError, match="还有 2 份资料未学完"):  # opened both, studied none
        services.course_complete(actor=people.member_a, course=course)
    client.post(learnt_url(course, film))  # what the page sends at the video's end
    with pytest.raises(ValidationError, match="还有 1 份资料未学完"):
        services.course_complete(actor=people.member_a, course=course)
    client.post(learnt_url(course, text))  # 我已学完
    client.post(f"/training/courses/{course.pk}/complete/")
    assert CourseCompletion.objects.filter(user=people.member_a, course=course).exists()
    client.post(f"/training/courses/{course.pk}/complete/")  # twice: still one
    assert CourseCompletion.objects.count() == 1
    sign_in(client, people.county_officer)
    assert "本辖区已学完 1 人" in client.get(f"/training/courses/{course.pk}/").content.decode()


def test_outside_the_course_s_reach_the_course_and_its_video_are_404(client, people):
    course, _, film = county_course(people)
    for persona in (people.outsider, people.zone_officer, people.city_petition):
        sign_in(client, persona)
        assert client.get(f"/training/courses/{course.pk}/").status_code == 404
        assert client.get(f"/training/courses/{course.pk}/materials/{film.pk}/").status_code == 404
        assert client.get(f"/files/{film.attachment.pk}/", HTTP_RANGE="bytes=0-3").status_code == 404


def test_a_file_the_store_refuses_adds_nothing(people):
    course = services.course_create(
        actor=people.county_officer, title="课", description="", audience="all", year=2026, is_required=False
    )
    bad = io.BytesIO(b"MZ\x90\x00not a video")
    bad.name = "片.mp4"
    with pytest.raises(ValidationError):
        services.material_add(actor=people.county_officer, course=course, title="坏文件", file=bad)
    assert not course.materials.exists()


def test_a_material_refused_for_its_title_keeps_the_video_chosen(client, people):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    course, _, _ = county_course(people)
    sign_in(client, people.county_officer)
    url = reverse("training:material_add", args=[course.pk])
    film = SimpleUploadedFile("第二集.mp4", mp4(), content_type="video/mp4")
    refused = client.post(url, {"title": "", "body": "", "file": film})
    assert refused.status_code == 200 and "第二集.mp4" in refused.content.decode()
    assert course.materials.count() == 2
    held_id = refused.context["held"][0]["id"]
    response = client.post(url, {"title": "警示教育片（二）", "body": "", "held_keep": [held_id]})
    assert response.status_code == 302
    added = course.materials.get(title="警示教育片（二）")
    assert added.attachment is not None and added.attachment.original_name == "第二集.mp4"


def test_a_course_material_takes_a_video_and_a_recording_and_its_url_the_size_of_a_video(client, people):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    from jijian.attachments.services import size_limits
    from jijian.config.bodylimits import max_bytes_for, staff_max_bytes
    from tests.attachments.samples import wav

    course, _, film = county_course(people)
    assert film.attachment.kind == "video"
    sign_in(client, people.county_officer)
    url = reverse("training:material_add", args=[course.pk])
    recording = SimpleUploadedFile("讲座录音.wav", wav(), content_type="audio/wav")
    assert client.post(url, {"title": "专题讲座录音", "body": "", "file": recording}).status_code == 302
    assert course.materials.get(title="专题讲座录音").attachment.kind == "audio"
    # the body limit in front of Django follows the same kinds: a video's size, not a document's
    assert max_bytes_for("training:material_add") > size_limits()["video"]
    assert max_bytes_for("reports:duty_record_create") == staff_max_bytes("reports:duty_record_create")


def test_opening_a_material_is_not_learning_it(client, people):
    course, text, film = county_course(people)
    sign_in(client, people.member_a)
    for material in (text, film):
        assert client.get(material_url(course, material)).status_code == 200
    page = client.get(f"/training/courses/{course.pk}/").content.decode()
    assert "✔ 已学完" not in page and "完成学习</button>" in page and " disabled>完成学习" in page
    client.post(f"/training/courses/{course.pk}/complete/")
    assert not CourseCompletion.objects.exists()


def test_the_text_is_confirmed_with_a_button_and_the_video_by_playing_it_to_the_end(client, people):
    course, text, film = county_course(people)
    sign_in(client, people.member_a)
    text_page = client.get(material_url(course, text)).content.decode()
    assert f'action="{learnt_url(course, text)}"' in text_page
    assert '<button type="submit" class="primary">我已学完</button>' in text_page
    film_page = client.get(material_url(course, film)).content.decode()
    # The video's button waits for the script (training/material.js), which sends the form at the end.
    assert (
        "data-media" in film_page
        and '<button type="submit" class="primary" disabled>我已学完</button>' in film_page
    )
    assert "training/material.js" in film_page and "播放至结尾即计为已学完" in film_page
    done = client.post(learnt_url(course, text))
    assert done.status_code == 302 and done.url == f"/training/courses/{course.pk}/"
    assert "✔ 已学完" in client.get(material_url(course, text)).content.decode()
    detail = client.get(f"/training/courses/{course.pk}/").content.decode()
    assert detail.count("✔ 已学完") == 1


def test_i_have_learnt_it_before_opening_it_is_refused_and_records_nothing(client, people):
    course, text, _ = county_course(people)
    sign_in(client, people.member_a)
    refused = client.post(learnt_url(course, text))
    assert refused.status_code == 400
    assert "请先打开本资料学习" in refused.content.decode()
    assert not MaterialView.objects.filter(user=people.member_a).exists()


def test_a_second_i_have_learnt_it_keeps_the_first_time(client, people):
    course, text, _ = county_course(people)
    sign_in(client, people.member_a)
    client.get(material_url(course, text))
    client.post(learnt_url(course, text))
    first = MaterialView.objects.get(user=people.member_a, material=text).learnt_at
    client.post(learnt_url(course, text))
    assert (
        first is not None and MaterialView.objects.get(user=people.member_a, material=text).learnt_at == first
    )
    # Audited once, the first time, with the learner and the material.
    learnt = AuditEvent.objects.filter(action="training.material_learnt")
    assert [(e.actor_id, e.object_id, e.summary) for e in learnt] == [
        (people.member_a.pk, str(text.pk), "学完资料：履职手册导读（课程《村级纪检委员履职必修课》）")
    ]


def test_outsiders_cannot_mark_a_material_learnt(client, people):
    course, text, _ = county_course(people)
    sign_in(client, people.outsider)
    assert client.post(learnt_url(course, text)).status_code == 404
    assert not MaterialView.objects.exists()
