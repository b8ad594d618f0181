"""Issue 16, item 3: photo thumbnails for the member and the reviewer, served only through the
attachments access check (the same 404 as a missing file), never from a public URL."""

import io

from django.urls import reverse
from PIL import Image

from jijian.attachments.services import THUMBNAIL_SIDE
from jijian.audit.models import AuditEvent

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
