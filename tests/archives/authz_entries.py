"""The integrity archive pages (module ARCHIVES: 干部监督室, 审理室, 组织部). None of the standard
personas holds the module, so every one of them gets 404 — the list and the create page included — and
anonymous the login redirect. The archive used here is in village A (随县), inside the county
officer's and township A's subtree: jurisdiction alone does not open it. The archive readers and keepers
themselves are tried in test_pages.py."""

from jijian.archives.models import IntegrityArchive
from tests.authz import Entry

NOBODY = frozenset()


def archive_a(t, p):
    archive = IntegrityArchive.objects.create(
        name="王某", org_unit=t.village_a, post="村主任", level="village", notes="备注"
    )
    return [archive.pk]


def _form(t, p):
    return {"name": "李某", "org_unit": t.township_a.pk, "post": "副镇长", "level": "section", "version": 1}


ENTRIES = [
    Entry("archives:list", NOBODY),
    Entry("archives:create", NOBODY, methods=("GET", "POST"), post_data=_form),
    Entry("archives:unit_options", NOBODY, query="?unit_q=shn"),
    Entry(
        "archives:detail",
        NOBODY,
        args=archive_a,
        methods=("GET", "POST"),
        post_data=lambda t, p: {"reason": "党风廉政意见回复"},
    ),
    Entry("archives:edit", NOBODY, args=archive_a, methods=("GET", "POST"), post_data=_form),
]
