"""Simplified Chinese is the source language; Traditional Chinese is its catalogue (src/jijian/locale,
`make messages`): chosen by the browser's language or the footer's switch, in pages, in messages and
in the scripts' words. Official documents stay in the source language. The catalogue is complete,
compiled, and holds every word the code has."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.core.cache import cache
from django.core.management import call_command
from django.test import Client, TestCase
from django.urls import reverse

import jijian

LOCALE = Path(jijian.__file__).parent / "locale" / "zh_Hant" / "LC_MESSAGES"
LOGIN = "/accounts/login/"


def test_the_browser_s_language_chooses_the_catalogue(db):
    simplified = Client().get(LOGIN).content.decode()
    assert '<html lang="zh-hans">' in simplified and "纪检监察工作平台" in simplified
    traditional = Client(HTTP_ACCEPT_LANGUAGE="zh-TW,zh;q=0.9").get(LOGIN).content.decode()
    assert '<html lang="zh-hant">' in traditional and "紀檢監察工作平臺" in traditional
    assert "纪检监察工作平台" not in traditional
    english = Client(HTTP_ACCEPT_LANGUAGE="en-US").get(LOGIN).content.decode()
    assert "纪检监察工作平台" in english  # no English catalogue yet: the source language


def test_the_footer_switches_language_and_back(db):
    client = Client()
    page = client.get(LOGIN).content.decode()
    assert 'name="language" value="zh-hant"' in page and "繁體中文" in page
    switched = client.post(reverse("set_language"), {"language": "zh-hant", "next": LOGIN})
    assert switched.status_code == 302 and switched["Location"] == LOGIN
    page = client.get(LOGIN).content.decode()
    assert "紀檢監察工作平臺" in page and 'value="zh-hans"' in page and "简体中文" in page
    client.post(reverse("set_language"), {"language": "zh-hans", "next": LOGIN})
    assert "纪检监察工作平台" in client.get(LOGIN).content.decode()


def test_a_refused_sign_in_is_told_in_the_reader_s_language(db, people):
    from jijian.core.accounts.security import LOGIN_FAILED  # a lazy text, evaluated per request

    words = str(LOGIN_FAILED)
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-TW")
    page = client.post(LOGIN, {"username": people.member_a.username, "password": "wrong"}).content.decode()
    converted = polib.pofile(str(LOCALE / "django.po")).find(words).msgstr
    assert converted and converted != words and converted in page and words not in page


def test_the_scripts_words_come_in_the_reader_s_language(db):
    body = Client(HTTP_ACCEPT_LANGUAGE="zh-TW").get(reverse("javascript-catalog")).content.decode()
    assert json.dumps("網絡良好") in body or "網絡良好" in body
    source = Client().get(reverse("javascript-catalog")).content.decode()
    assert json.dumps("網絡良好") not in source and "網絡良好" not in source


def test_the_public_board_is_cached_per_language(tree, people):
    from jijian.villageaffairs import board
    from tests.villageaffairs.helpers import publish

    published = publish(people.member_a)
    url = reverse("villageaffairs:board_public", args=[tree.village_a.pk])
    traditional = Client(HTTP_ACCEPT_LANGUAGE="zh-TW").get(url).content.decode()
    simplified = Client().get(url).content.decode()  # not the page cached for the first reader
    assert "纪检委员" in simplified and "纪检委员" not in traditional and "紀檢委員" in traditional
    assert '<html lang="zh-hant">' in traditional and '<html lang="zh-hans">' in simplified
    assert all(cache.get(key) is not None for key in board.cache_keys(tree.village_a.pk))
    with TestCase.captureOnCommitCallbacks(execute=True):
        publish(people.member_a, version=published.version, commitments="清正廉洁，敢于监督")
    assert all(cache.get(key) is None for key in board.cache_keys(tree.village_a.pk))


def test_a_select_s_options_are_in_the_reader_s_language(db):
    """A form's choices (请选择 and the like) are words of the page: Traditional for a Traditional reader."""
    url = reverse("reception:public_book")

    def level_options(client) -> str:  # the accused's level: a plain choices list
        page = client.get(url).content.decode()
        return page.split('name="accused_level"')[1].split("</select>")[0]

    assert '<option value="" selected>請選擇</option>' in level_options(Client(HTTP_ACCEPT_LANGUAGE="zh-TW"))
    assert '<option value="" selected>请选择</option>' in level_options(Client())


def test_the_statistics_and_lists_name_their_columns_in_the_reader_s_language(tree, people):
    """The words that Python or a template tag hands to a page (a table's columns, a filter's choices, a
    task's status, an include's heading) are msgids too: a Traditional reader reads all of them."""
    from jijian.core.models import User
    from tests.cadres.helpers import task
    from tests.conftest import sign_in

    def page(user: User, url: str) -> str:
        client = Client(HTTP_ACCEPT_LANGUAGE="zh-TW")
        sign_in(client, user)
        response = client.get(url)
        assert response.status_code == 200, url
        return response.content.decode()

    reception = page(people.city_petition, reverse("reception:stats"))
    assert "按接訪機關" in reception and "預約總數" in reception and "待確認" in reception
    assert "接访机关" not in reception and "待确认" not in reception
    board = page(people.city_petition, reverse("petitions_board:board"))
    assert "全部類型" in board and "全部类型" not in board
    stats = page(people.county_officer, reverse("reports:stats_node", args=[tree.county.pk]))
    assert "應報" in stats and "鄉鎮（街道）" in stats and "应报" not in stats
    task(people.township_a, people.member_a)
    tasks = page(people.member_a, reverse("cadres:task_list"))
    assert '<span class="state">辦理中</span>' in tasks and "办理中" not in tasks


def test_the_sign_in_notice_and_the_member_s_month_in_traditional(tree, people):
    """A notice the sign-in page gives, and the choice the member makes on the month's report."""
    from tests.conftest import sign_in
    from tests.reports.helpers import DAY, OCT, at, open_month

    notice = Client(HTTP_ACCEPT_LANGUAGE="zh-TW").get(LOGIN + "?reason=idle").content.decode()
    assert "您已長時間未操作" in notice and "长时间" not in notice
    report = open_month(tree, OCT)
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-TW")
    sign_in(client, people.member_a)
    with at(DAY):
        page = client.get(reverse("reports:report_detail", args=[report.pk])).content.decode()
    assert "零報告：本月無履職事項可報" in page and "零报告：" not in page


def test_what_an_action_keeps_is_in_the_platform_s_language(tree, people):
    """A township officer reading Traditional issues a task: the member's notice and the audit trail's
    summary name its kind (派单) in the platform's language, as every reader of a record sees it."""
    from django.utils import translation

    from jijian.audit.models import AuditEvent
    from jijian.core.models import Notification
    from tests.cadres.helpers import task

    with translation.override("zh-hant"):
        assert str(translation.gettext("派单")) == "派單"  # the reader's language is really on
        task(people.township_a, people.member_a)
    assert Notification.objects.get(recipient=people.member_a).title == "乡镇纪委派单：核查低保公示"
    assert AuditEvent.objects.get(action="guidance_task.issue").summary.startswith("派单：核查低保公示")


def test_a_nomination_keeps_the_archive_s_opinion_in_the_platform_s_language(tree, people):
    """The township reads Traditional; the vetting the nomination keeps for the county does not."""
    from django.utils import translation

    from tests.cadres.helpers import candidate, nominate

    person = candidate(tree.village_a)
    with translation.override("zh-hant"):
        nomination = nominate(people.township_a, tree.village_a, person)
    assert nomination.vetting["verdict_label"] == "档案中未查到"


def test_a_certificate_keeps_the_source_language_for_a_traditional_reader(tree, people, tmp_path):
    from jijian.training import services
    from tests.conftest import sign_in
    from tests.training.factories import bank, exam, right_values
    from tests.training.helpers import answer_all

    bank(tree.county)
    sitting = services.sitting_start(actor=people.member_a, exam=exam(tree.county), device="d1")
    answer_all(sitting, people.member_a, right_values)
    services.sitting_submit(actor=people.member_a, sitting=sitting, device="d1")
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-TW")
    sign_in(client, people.member_a)
    assert "學習考試" in client.get("/training/").content.decode()  # the pages follow the reader
    pdf = tmp_path / "certificate.pdf"
    pdf.write_bytes(client.get(f"/training/sittings/{sitting.pk}/certificate.pdf").content)
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "证书编号" in text and "證書" not in text


@pytest.mark.parametrize("domain", ["django", "djangojs"])
def test_the_catalogue_is_complete_and_compiled(domain):
    catalogue = polib.pofile(str(LOCALE / f"{domain}.po"))
    assert len(catalogue) > (1000 if domain == "django" else 50)
    untranslated = [
        e.msgid for e in catalogue if not e.obsolete and (not e.translated() or "fuzzy" in e.flags)
    ]
    assert untranslated == []
    compiled = {e.msgid: e.msgstr for e in polib.mofile(str(LOCALE / f"{domain}.mo"))}
    written = {e.msgid: e.msgstr for e in catalogue if not e.obsolete and not e.msgid_plural}
    assert {k: v for k, v in compiled.items() if k in written} == written, "run `make messages`"


@pytest.mark.skipif(
    shutil.which("xgettext") is None, reason="xgettext (Debian's gettext) is missing: make sysdeps-test"
)
def test_the_catalogue_holds_every_word_of_the_code(tmp_path, settings):
    """`make messages` gathers the msgids again into a copy of the source: none may be missing from the
    committed catalogue (a new text without its Traditional form would show in Simplified)."""
    source = Path(jijian.__file__).parent
    copy = tmp_path / "jijian"
    shutil.copytree(source, copy, ignore=shutil.ignore_patterns("__pycache__", "vendor", "*.mo"))
    settings.LOCALE_PATHS = [str(copy / "locale")]
    import os

    here = os.getcwd()
    os.chdir(copy)
    try:
        for domain, ignore in (("django", "*/migrations/*"), ("djangojs", "*/vendor/*")):
            call_command(
                "makemessages",
                locale=["zh_Hant"],
                domain=domain,
                ignore_patterns=[ignore],
                no_obsolete=True,
                add_location="file",
                verbosity=0,
            )
    finally:
        os.chdir(here)
    for domain in ("django", "djangojs"):
        committed = {e.msgid for e in polib.pofile(str(LOCALE / f"{domain}.po")) if not e.obsolete}
        gathered = polib.pofile(str(copy / "locale" / "zh_Hant" / "LC_MESSAGES" / f"{domain}.po"))
        missing = sorted(e.msgid for e in gathered if not e.obsolete and e.msgid not in committed)
        assert missing == [], f"{domain}: run `make messages` ({len(missing)} new: {missing[:5]})"


def test_languages_offered_are_those_with_a_catalogue():
    offered = [code for code, _ in settings.LANGUAGES]
    assert offered[0] == settings.LANGUAGE_CODE == "zh-hans"
    for code in offered[1:]:
        assert (
            Path(jijian.__file__).parent / "locale" / code.replace("-h", "_H") / "LC_MESSAGES" / "django.mo"
        ).exists()
