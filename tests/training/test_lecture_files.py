"""Lecture files (讲): the keeper uploads the slides and the recording of a lecture through the attachment
store, as a course's materials; the people the lecture is for find them on its sign-in page and play
the recording by ranges; anyone else — outside the lecture's reach, or inside it but not its audience
— gets 404 on the page and on the file. A file the store refuses, a lecture with its files full or a
missing title adds nothing (a file chosen is held for the corrected post)."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from jijian.audit.models import AuditEvent
from jijian.training import services
from jijian.training.models import LectureMaterial
from tests.attachments.samples import mp4, pdf
from tests.conftest import sign_in

pytestmark = pytest.mark.django_db


def county_lecture(people, audience="village_members"):
    return services.lecture_create(
        actor=people.county_officer,
        topic="“四议两公开”监督要点",
        lecturer="县纪委党风政风监督室主任",
        held_at=timezone.now(),
        location="县纪委三楼会议室",
        materials="讲义一份",
        audience=audience,
    )


def named(data: bytes, name: str) -> io.BytesIO:
    f = io.BytesIO(data)
    f.name = name
    return f


def signin_url(lecture) -> str:
    return reverse("training:lecture_signin", args=[lecture.pk, lecture.signin_token])


def test_the_keeper_uploads_and_the_audience_opens_and_plays_the_files(client, people):
    talk = county_lecture(people)
    sign_in(client, people.county_officer)
    add = reverse("training:lecture_material_add", args=[talk.pk])
    assert "上传课件资料" in client.get(add).content.decode()
    posted = client.post(
        add, {"title": "讲稿", "file": SimpleUploadedFile("讲稿.pdf", pdf(), content_type="application/pdf")}
    )
    assert posted.status_code == 302 and posted["Location"] == reverse(
        "training:lecture_detail", args=[talk.pk]
    )
    film = services.lecture_material_add(
        actor=people.county_officer, lecture=talk, title="授课录像", file=named(mp4(), "录像.mp4")
    )
    slides = LectureMaterial.objects.get(title="讲稿")
    assert slides.attachment.kind == "pdf" and film.attachment.kind == "video"
    assert AuditEvent.objects.filter(action="training.lecture_material_add").count() == 2
    page = client.get(reverse("training:lecture_detail", args=[talk.pk])).content.decode()
    assert "讲稿.pdf" in page and f'src="/files/{film.attachment.pk}/"' in page

    sign_in(client, people.member_a)  # a village member below the county: the lecture's audience
    page = client.get(signin_url(talk)).content.decode()
    assert "课件资料" in page and "讲稿.pdf" in page and "<video" in page
    assert client.get(f"/files/{slides.attachment.pk}/").status_code == 200
    size = film.attachment.size
    part = client.get(f"/files/{film.attachment.pk}/", HTTP_RANGE="bytes=4-11")
    assert part.status_code == 206 and part["Content-Range"] == f"bytes 4-11/{size}"


def test_outside_the_lecture_s_reach_the_page_and_its_files_are_404(client, people):
    talk = county_lecture(people)  # 随县's, for village members
    film = services.lecture_material_add(
        actor=people.county_officer, lecture=talk, title="授课录像", file=named(mp4(), "录像.mp4")
    )
    # Outside the county; the zone's; another office; a township committee below that is not the audience.
    for persona in (people.outsider, people.zone_officer, people.city_petition, people.township_a):
        sign_in(client, persona)
        assert client.get(f"/files/{film.attachment.pk}/").status_code == 404
        assert client.get(f"/files/{film.attachment.pk}/", HTTP_RANGE="bytes=0-3").status_code == 404
        assert client.get(signin_url(talk)).status_code == 404
    # Only its keepers add files.
    sign_in(client, people.member_a)
    assert client.get(reverse("training:lecture_material_add", args=[talk.pk])).status_code == 404
    sign_in(client, people.outsider)
    assert client.get(reverse("training:lecture_material_add", args=[talk.pk])).status_code == 404


def test_a_refused_file_a_full_lecture_or_a_missing_title_adds_nothing(client, people, monkeypatch):
    talk = county_lecture(people)
    with pytest.raises(ValidationError):
        services.lecture_material_add(
            actor=people.county_officer,
            lecture=talk,
            title="坏文件",
            file=named(b"MZ\x90\x00not a video", "片.mp4"),
        )
    with pytest.raises(ValidationError, match="请选择要上传的文件"):
        services.lecture_material_add(actor=people.county_officer, lecture=talk, title="空", file=None)
    with pytest.raises(ValidationError, match="请填写标题"):
        services.lecture_material_add(
            actor=people.county_officer, lecture=talk, title=" ", file=named(pdf(), "a.pdf")
        )
    assert not LectureMaterial.objects.exists()

    monkeypatch.setattr(services, "MAX_LECTURE_FILES", 1)
    services.lecture_material_add(
        actor=people.county_officer, lecture=talk, title="讲稿", file=named(pdf(), "a.pdf")
    )
    with pytest.raises(ValidationError, match="每次授课最多上传 1 份资料"):
        services.lecture_material_add(
            actor=people.county_officer, lecture=talk, title="讲义", file=named(pdf(), "b.pdf")
        )
    assert LectureMaterial.objects.count() == 1

    # On the page: a missing title comes back 400, the file chosen held and shown.
    monkeypatch.setattr(services, "MAX_LECTURE_FILES", 20)
    sign_in(client, people.county_officer)
    add = reverse("training:lecture_material_add", args=[talk.pk])
    film = SimpleUploadedFile("第二讲.mp4", mp4(), content_type="video/mp4")
    refused = client.post(add, {"title": "", "file": film})
    assert refused.status_code == 400 and "第二讲.mp4" in refused.content.decode()
    assert LectureMaterial.objects.count() == 1
    [held] = refused.context["held"]
    kept = client.post(add, {"title": "第二讲录像", "held_keep": held["id"]})
    assert kept.status_code == 302  # the held file is the one added
    assert LectureMaterial.objects.get(title="第二讲录像").attachment.original_name == "第二讲.mp4"
