"""The integrity archive pages (module ARCHIVES: 干部监督室, 审理室, 组织部). None of the standard
personas holds the module, so every one of them gets 404 — the list and the create page included — and
anonymous the login redirect. The archive used here is in village A (随县), inside the county
officer's and township A's subtree: jurisdiction alone does not open it. The archive readers and keepers
themselves are tried in test_pages.py."""

import datetime

from jijian.archives.models import (
    ArchiveRecord,
    IntegrityArchive,
    OpinionPerson,
    OpinionRequest,
    OpinionState,
)
from tests.authz import UNAUTHORIZED, Entry

NOBODY = frozenset()
CITY_PETITION = frozenset({"city_petition"})


def archive_a(t, p):
    archive = IntegrityArchive.objects.create(
        name="王某", org_unit=t.village_a, post="村主任", level="village", notes="备注"
    )
    return [archive.pk]


def _form(t, p):
    return {"name": "李某", "org_unit": t.township_a.pk, "post": "副镇长", "level": "section", "version": 1}


def archive_and_section(section):
    def args(t, p):
        return [*archive_a(t, p), section]

    return args


def archive_entry(t, p):
    """An entry (an integrity talk) of the archive in village A, to withdraw."""
    [pk] = archive_a(t, p)
    record = ArchiveRecord.objects.create(
        archive_id=pk,
        kind="talk",
        summary="任前廉政谈话",
        source="随县纪委",
        recorded_on=datetime.date(2026, 1, 5),
        entered_by=p.county_officer,
    )
    return [pk, "record", record.pk]


def opinion(state=OpinionState.SUBMITTED):
    """A request of 随县's organisation department (the county's commission answers it)."""

    def args(t, p):
        request = OpinionRequest.objects.create(
            ref_no="随组函〔2026〕1号",
            purpose="promotion",
            org_unit=t.county,
            requested_by=p.county_officer,
            due_on=datetime.date(2026, 12, 31),
            state=state,
            signed_by=p.county_officer if state == OpinionState.SIGNED else None,
            signed_at=datetime.datetime(2026, 12, 1, tzinfo=datetime.UTC)
            if state == OpinionState.SIGNED
            else None,
        )
        OpinionPerson.objects.create(request=request, position=1, name="王某")
        return [request.pk]

    return args


ENTRIES = [
    Entry("archives:list", NOBODY),
    Entry("archives:create", NOBODY, methods=("GET", "POST"), post_data=_form),
    Entry("archives:export", NOBODY),
    Entry("archives:import", NOBODY, methods=("GET", "POST"), post_data=lambda t, p: {}),
    Entry("archives:unit_options", NOBODY, query="?unit_q=shn"),
    Entry(
        "archives:detail",
        NOBODY,
        args=archive_a,
        methods=("GET", "POST"),
        post_data=lambda t, p: {"reason": "党风廉政意见回复"},
    ),
    Entry("archives:edit", NOBODY, args=archive_a, methods=("GET", "POST"), post_data=_form),
    Entry(
        "archives:section_add",
        NOBODY,
        args=archive_and_section("family"),
        methods=("GET", "POST"),
        post_data=lambda t, p: {
            "relation": "spouse",
            "name": "李某",
            "source": "本人填报",
            "recorded_on": "2026-01-05",
        },
    ),
    Entry(
        "archives:entry_withdraw",
        NOBODY,
        args=archive_entry,
        methods=("GET", "POST"),
        post_data=lambda t, p: {"reason": "录入错误", "version": 1},
    ),
    Entry(
        "archives:merge",
        NOBODY,
        args=archive_a,
        methods=("GET", "POST"),
        post_data=lambda t, p: {"duplicate": "1", "reason": "重复建档"},
    ),
    Entry(
        "archives:print", NOBODY, args=archive_a, methods=("POST",), post_data=lambda t, p: {"reason": "打印"}
    ),
    Entry("archives:photo", NOBODY, args=archive_a),
    Entry(
        "archives:photo_upload",
        NOBODY,
        args=archive_a,
        methods=("POST",),
        post_data=lambda t, p: {},
    ),
    # 信访室 endorses replies: the city's petition office sees the county's requests (it may not draft,
    # sign or ask).
    Entry("archives:opinions", CITY_PETITION),
    Entry(
        "archives:opinion_create",
        NOBODY,
        methods=("GET", "POST"),
        post_data=lambda t, p: {"ref_no": "随组函〔2026〕2号", "purpose": "promotion", "persons": "王某"},
    ),
    Entry("archives:opinion_detail", CITY_PETITION, args=opinion()),
    Entry(
        "archives:opinion_endorse",
        CITY_PETITION,
        args=opinion(OpinionState.DRAFTED),
        methods=("POST",),
        post_data=lambda t, p: {"version": 1, "office": "petition_office"},
    ),
    Entry(
        "archives:opinion_draft",
        NOBODY,
        args=opinion(),
        methods=("POST",),
        post_data=lambda t, p: {"version": 1},
    ),
    Entry(
        "archives:opinion_sign",
        NOBODY,
        args=opinion(OpinionState.DRAFTED),
        methods=("POST",),
        post_data=lambda t, p: {"version": 1},
    ),
    Entry("archives:opinion_pdf", CITY_PETITION, args=opinion(OpinionState.SIGNED)),
    Entry("archives:opinion_docx", CITY_PETITION, args=opinion(OpinionState.SIGNED)),
    # The API.
    Entry("api:archive_list", NOBODY, anonymous=UNAUTHORIZED),
    Entry("api:opinion_list", CITY_PETITION, anonymous=UNAUTHORIZED),
    Entry(
        "api:opinion_submit",
        NOBODY,
        methods=("POST",),
        anonymous=UNAUTHORIZED,
        post_data=lambda t, p: {"ref_no": "1号", "purpose": "promotion", "persons": "王某"},
    ),
    Entry("api:opinion_detail", CITY_PETITION, args=opinion(), anonymous=UNAUTHORIZED),
    Entry(
        "api:opinion_draft",
        NOBODY,
        args=opinion(),
        methods=("POST",),
        anonymous=UNAUTHORIZED,
        post_data=lambda t, p: {"version": 1},
    ),
    Entry(
        "api:opinion_endorse",
        CITY_PETITION,
        args=opinion(OpinionState.DRAFTED),
        methods=("POST",),
        anonymous=UNAUTHORIZED,
        post_data=lambda t, p: {"version": 1, "office": "petition_office"},
    ),
    Entry(
        "api:opinion_sign",
        NOBODY,
        args=opinion(OpinionState.DRAFTED),
        methods=("POST",),
        anonymous=UNAUTHORIZED,
        post_data=lambda t, p: {"version": 1},
    ),
]
