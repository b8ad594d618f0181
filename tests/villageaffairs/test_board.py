"""四亮 public board: the member publishes it, anyone reads it without signing in, a mobile number only
with consent, the page served from the cache until the board changes, no board without a member."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from jijian.core.services import ConcurrentEditError
from tests.villageaffairs.helpers import publish, record, register

pytestmark = pytest.mark.django_db


def test_anyone_reads_the_board_without_signing_in(people, tree):
    decision = register(people.member_a)
    record(people.member_a, decision, 1, member_opinion="程序规范")
    publish(people.member_a)
    page = Client().get(reverse("villageaffairs:board_public", args=[tree.village_a.pk])).content.decode()
    assert people.member_a.full_name in page and "公道正派" in page and "0722-1234567" in page
    assert "监督“三重一大”事项</dt><dd>1 件" in page


def test_a_mobile_number_needs_the_members_consent(people, tree):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as info:
        publish(people.member_a, contact="手机 13907221234")
    assert "须本人勾选同意" in info.value.messages[0]
    publish(people.member_a, contact="手机 13907221234", phone_consent=True)
    page = Client().get(reverse("villageaffairs:board_public", args=[tree.village_a.pk])).content.decode()
    assert "13907221234" in page


def test_the_page_comes_from_the_cache_until_the_board_changes(people, tree):
    board = publish(people.member_a)
    url = reverse("villageaffairs:board_public", args=[tree.village_a.pk])
    client = Client()
    client.get(url)
    with CaptureQueriesContext(connection) as ctx:
        assert "公道正派" in client.get(url).content.decode()
    assert len(ctx.captured_queries) == 0
    from django.test import TestCase

    with TestCase.captureOnCommitCallbacks(execute=True):
        publish(people.member_a, version=board.version, commitments="清正廉洁，敢于监督")
    assert "清正廉洁" in client.get(url).content.decode()


def test_a_stale_edit_is_refused(people):
    board = publish(people.member_a)
    publish(people.member_a, version=board.version)
    with pytest.raises(ConcurrentEditError):
        publish(people.member_a, version=board.version)


def test_a_village_without_a_member_or_a_board_has_no_public_page(people, tree):
    assert Client().get(reverse("villageaffairs:board_public", args=[tree.village_a2.pk])).status_code == 404
    publish(people.member_a)
    people.member_a.is_active = False
    people.member_a.save(update_fields=["is_active"])
    assert Client().get(reverse("villageaffairs:board_public", args=[tree.village_a.pk])).status_code == 404


def _pdf_text(content: bytes, tmp_path) -> str:
    import subprocess

    path = tmp_path / "poster.pdf"
    path.write_bytes(content)
    return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout


def test_the_township_prints_every_villages_poster_at_once(people, tree, login, tmp_path):
    from jijian.core.roles import Role
    from tests.conftest import make_user

    publish(people.member_a)
    member_a2 = make_user("member_a2", tree.village_a2, Role.VILLAGE_MEMBER)
    publish(member_a2, commitments="凤凰村承诺")
    response = login(people.township_a).get(reverse("villageaffairs:board_posters"))
    assert response["Content-Type"] == "application/pdf"
    text = _pdf_text(response.content, tmp_path)
    assert "公道正派" in text and "凤凰村承诺" in text
    assert f"/village/board/{tree.village_a.pk}/" in text  # the QR code's address, printed under it


def test_a_poster_for_a_village_without_a_board_says_so(people, tree, login, tmp_path):
    response = login(people.member_a).get(reverse("villageaffairs:board_posters"))
    assert response.status_code == 302
    page = login(people.member_a).get(response["Location"]).content.decode()
    assert "没有可打印的四亮公示" in page
    publish(people.member_a)
    text = _pdf_text(login(people.township_a).get(reverse("villageaffairs:board_posters")).content, tmp_path)
    assert "未能生成公示的村（社区）" in text and tree.village_a2.name in text


# --- a mobile number however it is written (until 2026-12: only 11 digits in a row were seen) -------
WRITTEN_MOBILES = [
    "13907221234",
    "139-0722-1234",
    "139 0722 1234",
    "139.0722.1234",
    "１３９０７２２１２３４",  # full-width digits
    "１３９－０７２２－１２３４",  # full-width digits and hyphens
    "+86 139 0722 1234",
    "+86-13907221234",
    "8613907221234",
    "0086 13907221234",
    "（＋８６）１３９　０７２２　１２３４",  # full-width brackets, plus and spaces
]
OFFICE = "办公室 0722-3581234，举报电话 12388"


def _public_page(village_id) -> str:
    return Client().get(reverse("villageaffairs:board_public", args=[village_id])).content.decode()


def _digits(text: str) -> str:
    import re
    import unicodedata

    return re.sub(r"\D", "", unicodedata.normalize("NFKC", text))


@pytest.mark.parametrize("mobile", WRITTEN_MOBILES)
def test_a_mobile_number_however_written_needs_the_members_consent(people, tree, mobile):
    from django.core.exceptions import ValidationError

    from jijian.audit.models import AuditEvent
    from jijian.villageaffairs.models import PublicBoard

    with pytest.raises(ValidationError) as info:
        publish(people.member_a, contact=f"手机 {mobile}（工作日）")
    assert "公开手机号码须本人勾选同意" in info.value.messages[0]
    assert not PublicBoard.objects.exists()
    assert not AuditEvent.objects.filter(action="public_board.publish").exists()
    board = publish(people.member_a, contact=f"手机 {mobile}（工作日）", phone_consent=True)
    assert board.phone_consent is True  # the consent is recorded: the number was recognised
    assert f"手机 {mobile}（工作日）" in _public_page(tree.village_a.pk)


@pytest.mark.parametrize("mobile", WRITTEN_MOBILES)
def test_a_mobile_number_without_consent_is_masked_however_written(people, tree, mobile):
    """A board saved before the number was recognised (no consent recorded): the public page hides the
    whole written number, its country code included, and keeps the rest of the line."""
    from jijian.villageaffairs.models import PublicBoard

    publish(people.member_a)
    PublicBoard.objects.filter(village=tree.village_a).update(contact=f"手机 {mobile}；{OFFICE}")
    page = _public_page(tree.village_a.pk)
    assert f"手机 （未公开）；{OFFICE}" in page
    assert "13907221234" not in _digits(page)


def test_landlines_and_short_numbers_need_no_consent_and_are_shown(people, tree):
    board = publish(people.member_a, contact=OFFICE)
    assert board.phone_consent is False
    page = _public_page(tree.village_a.pk)
    assert OFFICE in page and "未公开" not in page


def test_the_poster_masks_a_mobile_number_without_consent(people, tree, login, tmp_path):
    from jijian.villageaffairs.models import PublicBoard

    publish(people.member_a)
    contact = "手机 139-0722-1234，１３９ ０７２２ １２３４，+86 139.0722.1234；办公室 0722-3581234"
    PublicBoard.objects.filter(village=tree.village_a).update(contact=contact)
    text = _pdf_text(login(people.township_a).get(reverse("villageaffairs:board_posters")).content, tmp_path)
    assert text.count("（未公开）") == 3 and "0722-3581234" in text
    assert "13907221234" not in _digits(text)
    PublicBoard.objects.filter(village=tree.village_a).update(phone_consent=True)  # the member consents
    text = _pdf_text(login(people.township_a).get(reverse("villageaffairs:board_posters")).content, tmp_path)
    assert "139-0722-1234" in text and "未公开" not in text
