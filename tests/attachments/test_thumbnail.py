"""Issue 16, item 3: photo thumbnails for the member and the reviewer, served only through the
attachments access check (the same 404 as a missing file), never from a public URL."""

import io
from datetime import timedelta

from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse
from PIL import Image

from jijian.attachments.services import THUMBNAIL_SIDE
from jijian.audit.models import AuditEvent
from jijian.core.sensitive import crypto

from . import samples
from .factories import make_attachment


def _photo(tree, people, **kw):
    return make_attachment(tree, people, name="走访.jpg", content=samples.photo(size=(1200, 800)), **kw)


def test_a_photo_has_a_small_jpeg_thumbnail_for_those_who_may_see_it(tree, people, login):
    attachment = _photo(tree, people)
    for persona in (people.member_a, people.township_a):
        response = login(persona).get(reverse("attachments:thumbnail", args=[attachment.pk]))
        assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
        assert "no-store" in response["Cache-Control"] and "public" not in response["Cache-Control"]
        image = Image.open(io.BytesIO(response.content))
        assert max(image.size) == THUMBNAIL_SIDE and image.format == "JPEG"


def test_a_thumbnail_is_a_404_outside_jurisdiction_and_for_a_document(tree, people, login):
    photo = _photo(tree, people)
    document = make_attachment(tree, people)
    assert login(people.outsider).get(reverse("attachments:thumbnail", args=[photo.pk])).status_code == 404
    assert login(people.township_b).get(reverse("attachments:thumbnail", args=[photo.pk])).status_code == 404
    assert login(people.member_a).get(reverse("attachments:thumbnail", args=[document.pk])).status_code == 404
    assert login(people.member_a).get(reverse("attachments:thumbnail", args=[999999])).status_code == 404


def test_a_thumbnail_view_is_not_a_download_in_the_trail(tree, people, login):
    photo = _photo(tree, people)
    login(people.member_a).get(reverse("attachments:thumbnail", args=[photo.pk]))
    assert not AuditEvent.objects.filter(action="attachment.download").exists()


# --- kept after the first view ---------------------------------------------------------------------


def _thumbnail(client, attachment) -> bytes:
    response = client.get(reverse("attachments:thumbnail", args=[attachment.pk]))
    assert response.status_code == 200, response.status_code
    return response.content


def test_a_photo_s_thumbnail_is_kept_after_its_first_view_and_read_from_then_on(
    tree, people, login, files_dir
):
    attachment = _photo(tree, people)
    client = login(people.township_a)
    first = _thumbnail(client, attachment)
    attachment.refresh_from_db()
    kept = files_dir / attachment.thumbnail_storage_name
    assert attachment.thumbnail_storage_name.endswith(".thumb.jpg") and kept.read_bytes() == first
    # From then on the photo itself is not read: with the photo gone, the thumbnail still comes.
    (files_dir / attachment.storage_name).unlink()
    assert _thumbnail(client, attachment) == first
    assert _thumbnail(login(people.member_a), attachment) == first


def test_the_thumbnail_of_evidence_is_kept_encrypted_under_the_originals_key(tree, people, login, files_dir):
    """An image stored once (keep_original) has no plaintext in storage, and neither has its thumbnail."""
    attachment = _photo(tree, people, keep_original=True)
    assert attachment.storage_name == attachment.evidence_storage_name
    first = _thumbnail(login(people.township_a), attachment)
    assert Image.open(io.BytesIO(first)).format == "JPEG"
    attachment.refresh_from_db()
    name = attachment.thumbnail_storage_name
    assert name.startswith("evidence/") and name.endswith(".thumb.sm4")
    stored = (files_dir / name).read_bytes()
    assert not stored.startswith(b"\xff\xd8") and first not in stored and len(stored) == len(first) + 28
    (files_dir / attachment.storage_name).unlink()  # the original gone: the kept thumbnail still opens
    assert _thumbnail(login(people.township_a), attachment) == first


def test_a_kept_thumbnail_that_cannot_be_read_is_made_again_and_replaced(tree, people, login, files_dir):
    attachment = _photo(tree, people, keep_original=True)
    client = login(people.township_a)
    first = _thumbnail(client, attachment)
    attachment.refresh_from_db()
    broken = files_dir / attachment.thumbnail_storage_name
    altered = bytearray(broken.read_bytes())
    altered[20] ^= 0xFF  # the GCM tag no longer matches
    broken.write_bytes(bytes(altered))
    assert _thumbnail(client, attachment) == first
    attachment.refresh_from_db()
    assert not broken.exists() and (files_dir / attachment.thumbnail_storage_name).exists()


def test_of_two_first_views_at_once_one_thumbnail_is_kept(tree, people, files_dir):
    """Both views read the row before either kept its thumbnail: the second finds the row changed and
    deletes its own file, so storage holds one thumbnail, the one the row names."""
    from jijian.attachments.models import Attachment
    from jijian.attachments.services import attachment_thumbnail

    attachment = _photo(tree, people)
    first_view, second_view = (Attachment.objects.get(pk=attachment.pk) for _ in range(2))
    attachment_thumbnail(attachment=first_view)
    attachment_thumbnail(attachment=second_view)
    attachment.refresh_from_db()
    kept = sorted(p.name for p in (files_dir / attachment.storage_name).parent.glob("*.thumb.jpg"))
    assert kept == [attachment.thumbnail_storage_name.rsplit("/", 1)[-1]]


def test_the_orphan_sweep_keeps_a_kept_thumbnail(tree, people, login, files_dir):
    from jijian.attachments.services import attachment_orphans_sweep

    attachment = _photo(tree, people)
    _thumbnail(login(people.member_a), attachment)
    attachment.refresh_from_db()
    assert attachment_orphans_sweep(older_than=timedelta(hours=-1)) == 0
    assert (files_dir / attachment.thumbnail_storage_name).exists()


def test_re_encrypting_evidence_under_a_new_key_drops_its_thumbnail_which_is_made_again(
    tree, people, login, files_dir
):
    K1, K2 = "k1:" + "11" * 16, "k2:" + "33" * 16
    try:
        with override_settings(DATA_KEYS=K1):
            crypto.reload_keyring()
            attachment = _photo(tree, people, keep_original=True)
            first = _thumbnail(login(people.township_a), attachment)
            attachment.refresh_from_db()
            old = attachment.thumbnail_storage_name
        with override_settings(DATA_KEYS=f"{K2},{K1}"):
            crypto.reload_keyring()
            call_command("attachments", "rekey-evidence", stdout=io.StringIO())
            attachment.refresh_from_db()
            assert attachment.evidence_key_id == "k2" and attachment.thumbnail_storage_name == ""
            assert not (files_dir / old).exists()
        with override_settings(DATA_KEYS=K2):  # the old key gone: the thumbnail is made under the new one
            crypto.reload_keyring()
            assert _thumbnail(login(people.township_a), attachment) == first
            attachment.refresh_from_db()
            assert attachment.thumbnail_storage_name not in ("", old)
    finally:
        crypto.reload_keyring()
