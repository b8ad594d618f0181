"""The member's photo on the 四亮 board (through the attachment service), shown on the public page and
the poster; the poster's QR code opens the public report form filled in with the village."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client, TestCase
from django.urls import reverse

from jijian.audit.models import AuditEvent
from jijian.villageaffairs.board import public_board_photo_set, public_board_publish
from jijian.villageaffairs.models import PublicBoard
from tests.villageaffairs.helpers import png

pytestmark = pytest.mark.django_db


def publish(member):
    return public_board_publish(actor=member, version=0, duties="监督“三重一大”决策", commitments="公道正派")


def jpeg_of(data: bytes) -> tuple[int, int]:
    from PIL import Image

    image = Image.open(io.BytesIO(data))
    assert image.format == "JPEG"
    return image.size


def test_the_member_sets_the_photo_and_the_public_page_shows_it(people, tree):
    publish(people.member_a)
    public = Client()
    url = reverse("villageaffairs:board_public", args=[tree.village_a.pk])
    assert "board-photo" not in public.get(url).content.decode()  # cached without a photo
    with TestCase.captureOnCommitCallbacks(execute=True):
        board = public_board_photo_set(
            actor=people.member_a, village_id=tree.village_a.pk, file=png("me.png")
        )
    assert board.photo_id is not None
    photo_url = reverse("villageaffairs:board_photo", args=[tree.village_a.pk])
    assert (
        f'src="{photo_url}?v={board.photo_id}"' in public.get(url).content.decode()
    )  # the cache was dropped
    response = public.get(photo_url)
    assert response["Content-Type"] == "image/jpeg" and jpeg_of(response.content) == (8, 8)
    assert AuditEvent.objects.filter(action="public_board.photo").count() == 1


def test_the_township_sets_the_photo_of_its_villages_only(people, tree):
    publish(people.member_a)
    public_board_photo_set(actor=people.township_a, village_id=tree.village_a.pk, file=png())
    for actor in (people.township_b, people.county_officer, people.outsider):
        with pytest.raises(PermissionDenied):
            public_board_photo_set(actor=actor, village_id=tree.village_a.pk, file=png())
    assert AuditEvent.objects.filter(action="public_board.photo").count() == 1


def test_a_file_that_is_not_an_image_is_refused_and_nothing_changes(people, tree):
    publish(people.member_a)
    pdf = io.BytesIO(b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")
    pdf.name = "me.pdf"
    with pytest.raises(ValidationError):
        public_board_photo_set(actor=people.member_a, village_id=tree.village_a.pk, file=pdf)
    assert PublicBoard.objects.get().photo_id is None


def test_no_photo_before_the_board_is_published(people, tree):
    with pytest.raises(ValidationError) as info:
        public_board_photo_set(actor=people.member_a, village_id=tree.village_a.pk, file=png())
    assert "尚未发布四亮公示" in info.value.messages[0]
    assert Client().get(reverse("villageaffairs:board_photo", args=[tree.village_a.pk])).status_code == 404


def test_the_upload_page_for_the_member_and_the_township(people, tree, login):
    publish(people.member_a)
    url = reverse("villageaffairs:board_photo_upload", args=[tree.village_a.pk])
    response = login(people.member_a).post(url, {"photo": png("me.png")}, follow=True)
    assert "已更新四亮公示照片" in response.content.decode()
    township = login(people.township_a)
    page = township.get(reverse("villageaffairs:board_villages")).content.decode()
    photo_id = PublicBoard.objects.get().photo_id
    assert (
        tree.village_a.name in page
        and f'src="/village/board/{tree.village_a.pk}/photo/?v={photo_id}"' in page
    )
    assert login(people.township_b).post(url, {"photo": png()}).status_code == 404


def test_a_new_photo_is_shown_at_once_not_the_one_the_phone_kept(people, tree, login):
    """The photo is served with an hour's Cache-Control; its address changes with each new photo, so
    the member who replaces it sees the new one on the page they come back to, not the kept copy."""
    publish(people.member_a)
    member = login(people.member_a)
    upload = reverse("villageaffairs:board_photo_upload", args=[tree.village_a.pk])
    photo_url = reverse("villageaffairs:board_photo", args=[tree.village_a.pk])
    first = member.post(upload, {"photo": png("one.png")}, follow=True).content.decode()
    second = member.post(upload, {"photo": png("two.png")}, follow=True).content.decode()
    srcs = [page.split(f'src="{photo_url}', 1)[1].split('"', 1)[0] for page in (first, second)]
    assert srcs[0] != srcs[1]
    assert srcs[1] == f"?v={PublicBoard.objects.get().photo_id}"
    assert "max-age" in Client().get(photo_url + srcs[1])["Cache-Control"]


def _pdf_text(content: bytes, tmp_path) -> str:
    import subprocess

    path = tmp_path / "poster.pdf"
    path.write_bytes(content)
    return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout


def _pdf_images(content: bytes, tmp_path) -> int:
    import subprocess

    path = tmp_path / "poster.pdf"
    path.write_bytes(content)
    listing = subprocess.run(["pdfimages", "-list", str(path)], capture_output=True, text=True, check=True)
    return len(listing.stdout.strip().splitlines()) - 2  # two header lines


def test_the_poster_shows_the_photo_and_its_qr_code_opens_the_filled_report_form(
    people, tree, login, tmp_path
):
    publish(people.member_a)
    client = login(people.member_a)
    without = client.get(reverse("villageaffairs:board_posters")).content
    public_board_photo_set(actor=people.member_a, village_id=tree.village_a.pk, file=png())
    with_photo = client.get(reverse("villageaffairs:board_posters")).content
    assert _pdf_images(with_photo, tmp_path) == _pdf_images(without, tmp_path) + 1
    text = _pdf_text(with_photo, tmp_path)
    assert f"/report/new/?region={tree.village_a.pk}" in text


def test_the_report_form_is_filled_in_with_the_village(tree):
    page = Client().get(reverse("petitions:submit") + f"?region={tree.village_a.pk}").content.decode()
    assert f'<option value="{tree.village_a.parent_id}" selected' in page
    assert f'value="{tree.village_a.name}"' in page


@pytest.mark.parametrize("value", ["abc", "999999", ""])
def test_a_bad_region_fills_in_nothing(tree, value):
    page = Client().get(reverse("petitions:submit") + f"?region={value}").content.decode()
    region = page.split('name="region"')[1].split("</select>")[0]
    assert region.count(" selected>") == 1 and '<option value="" selected>' in region
