"""Duty-manual pages: everyone signed in reads the manual of their city (every persona of the test
tree is in 随州市); only the city's 党风政风监督室 edits it, and no persona of the matrix is that (the
county, zone and outsider officers of the same office sit below the city): every editor page is 404
to all of them. The editor's own access is tested in tests/manual/test_pages.py."""

from jijian.manual import services
from tests.authz import ALL, PUBLIC, UNAUTHORIZED, Entry
from tests.manual.factories import city_editor, page

NOBODY = frozenset()


def topic(t, p):
    return [page(city_editor(t)).code]


def version(t, p):
    return [page(city_editor(t)).code, 1]


def published_case(t, p):
    editor = city_editor(t)
    case = services.case_create(
        actor=editor, page=page(editor), publish=True, title="案", situation="情况", lesson="启示"
    )
    return [case.pk]


def draft_case(t, p):
    editor = city_editor(t)
    return [services.case_create(actor=editor, title="案", situation="情况", lesson="启示").pk]


ENTRIES = [
    Entry("manual:home", ALL),
    Entry("manual:service_worker", ALL, anonymous=PUBLIC),
    Entry("manual:topic", ALL, args=topic),
    Entry("manual:version", ALL, args=version),
    Entry("manual:topic_pdf", ALL, args=topic),
    Entry("manual:case_detail", ALL, args=published_case),
    Entry("manual:page_create", NOBODY, methods=("GET", "POST"), post_data=lambda t, p: {"code": "x"}),
    Entry("manual:page_edit", NOBODY, args=topic, methods=("GET", "POST"), post_data=lambda t, p: {}),
    Entry("manual:case_list", NOBODY),
    Entry("manual:case_create", NOBODY, methods=("GET", "POST"), post_data=lambda t, p: {}),
    Entry("manual:case_edit", NOBODY, args=draft_case, methods=("GET", "POST"), post_data=lambda t, p: {}),
    Entry("api:manual_pages", ALL, anonymous=UNAUTHORIZED),
    Entry("api:manual_page", ALL, args=topic, anonymous=UNAUTHORIZED),
    Entry("api:manual_versions", ALL, args=topic, anonymous=UNAUTHORIZED),
    Entry("api:manual_cases", ALL, anonymous=UNAUTHORIZED),
    Entry("api:manual_case", ALL, args=published_case, anonymous=UNAUTHORIZED),
]
