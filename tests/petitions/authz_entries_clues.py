"""Problem clues (问题线索): pages and API. Module PETITIONS over the clue's holder: among the personas
the city petition office (whole city) and the township committees (their township). The matrix clue
is held by 厉山镇 (township A, registered by its case manager): city_petition and township_a see it,
township_b and everyone without PETITIONS get 404. The outside clue is held by 广水市 (another
county): only the city sees it. Registration is the case management office's alone — no fixed
persona has that role, so every persona gets 404 there (tests/petitions/test_clue_pages.py covers a
case manager registering). The builders here are shared with the clue tests."""

from __future__ import annotations

from jijian.core.models import User
from jijian.core.roles import Role
from jijian.petitions.clues import services as clues
from jijian.petitions.models import Clue, ClueSource, PetitionReport, PetitionState
from tests.authz import UNAUTHORIZED, Entry
from tests.conftest import make_user

SEE_TA = frozenset({"city_petition", "township_a"})
PETITION_STAFF = frozenset({"city_petition", "township_a", "township_b"})
NOBODY = frozenset()


def user(username: str, unit, role: str) -> User:
    found = User.objects.filter(username=username).first()
    return found or make_user(username, unit, role)


def case_manager(unit, name: str | None = None) -> User:
    return user(name or f"cm_{unit.pk}", unit, Role.CASE_MANAGEMENT)


def leader(unit, name: str | None = None) -> User:
    return user(name or f"leader_{unit.pk}", unit, Role.COMMISSION_LEADER)


def accepted_report(
    unit, region=None, *, accused_name="王某", state=PetitionState.ACCEPTED
) -> PetitionReport:
    """A report handled at `unit`'s level (the triage that leads here is the intake helper's)."""
    return PetitionReport.objects.create(
        category="accusation",
        region=region or unit,
        holder=unit,
        received_unit=unit,
        serial_number=f"XF-{unit.code or unit.pk}-2026-{PetitionReport.objects.count() + 1:04d}",
        accused_name=accused_name,
        accused_unit="神农村村委会",
        accused_post="村主任",
        accused_level="village",
        matter="integrity",
        facts="村主任在危房改造补贴发放中优亲厚友。",
        is_anonymous=True,
        state=state,
    )


def registered_clue(unit, *, accused_name="王某", source=ClueSource.SUPERVISION, **extra) -> Clue:
    return clues.clue_register(
        actor=case_manager(unit),
        source=source,
        accused_name=accused_name,
        accused_post="村主任",
        accused_level="village",
        matter="integrity",
        summary="日常监督中发现村主任在低保评定中优亲厚友。",
        endorse=True,
        **extra,
    )


def clue_ta(t, p) -> list:
    return [registered_clue(t.township_a).pk]


def clue_other(t, p) -> list:
    return [registered_clue(t.other_county).pk]


def report_ta(t, p) -> list:
    case_manager(t.township_a)
    return [accepted_report(t.township_a).pk]


def _propose(t, p):
    return {"disposal": "hold", "note": "暂无可查证据", "version": 1, "endorse": True}


def _version(t, p):
    return {
        "version": 1,
        "endorse": True,
        "reason": "理由",
        "note": "新证据",
        "reply": "回复",
        "endorser": "李某 书记",
    }


ENTRIES = [
    Entry("petitions_clues:list", PETITION_STAFF),
    Entry("petitions_clues:stats", PETITION_STAFF),
    Entry("petitions_clues:stats_export", PETITION_STAFF),
    Entry(
        "petitions_clues:register",
        NOBODY,
        methods=("GET", "POST"),
        post_data=lambda t, p: {
            "source": "supervision",
            "accused_name": "王某",
            "summary": "x",
            "endorse": "on",
        },
        note="case management office only (no fixed persona)",
    ),
    Entry(
        "petitions_clues:register_from_report",
        NOBODY,
        args=report_ta,
        methods=("GET", "POST"),
        post_data=lambda t, p: {"source": "petition", "endorse": "on"},
        note="case management office only (no fixed persona)",
    ),
    Entry("petitions_clues:detail", SEE_TA, args=clue_ta, extra_outside=clue_other),
    Entry("petitions_clues:propose", SEE_TA, args=clue_ta, methods=("POST",), post_data=_propose),
    Entry("petitions_clues:approve", SEE_TA, args=clue_ta, methods=("POST",), post_data=_version),
    Entry("petitions_clues:reject", SEE_TA, args=clue_ta, methods=("POST",), post_data=_version),
    Entry("petitions_clues:letter_reply", SEE_TA, args=clue_ta, methods=("POST",), post_data=_version),
    Entry("petitions_clues:reopen", SEE_TA, args=clue_ta, methods=("POST",), post_data=_version),
    Entry(
        "petitions_clues:link_archive",
        SEE_TA,
        args=clue_ta,
        methods=("POST",),
        post_data=lambda t, p: {"version": 1, "archive": 1},
        note="an allowed persona gets the page back with its reason (no such candidate, or not the holder)",
    ),
    Entry("petitions_clues:unlink_archive", SEE_TA, args=clue_ta, methods=("POST",), post_data=_version),
    # API
    Entry("api:clue_list", PETITION_STAFF, anonymous=UNAUTHORIZED),
    Entry("api:clue_stats", PETITION_STAFF, anonymous=UNAUTHORIZED),
    Entry("api:clue_detail", SEE_TA, args=clue_ta, anonymous=UNAUTHORIZED, extra_outside=clue_other),
    Entry(
        "api:clue_register",
        NOBODY,
        methods=("POST",),
        anonymous=UNAUTHORIZED,
        post_data=lambda t, p: {
            "source": "supervision",
            "accused_name": "王某",
            "summary": "x",
            "endorse": True,
        },
    ),
    Entry(
        "api:clue_propose",
        SEE_TA,
        args=clue_ta,
        methods=("POST",),
        anonymous=UNAUTHORIZED,
        post_data=_propose,
    ),
    Entry(
        "api:clue_approve",
        SEE_TA,
        args=clue_ta,
        methods=("POST",),
        anonymous=UNAUTHORIZED,
        post_data=_version,
    ),
    Entry(
        "api:clue_reject", SEE_TA, args=clue_ta, methods=("POST",), anonymous=UNAUTHORIZED, post_data=_version
    ),
    Entry(
        "api:clue_letter_reply",
        SEE_TA,
        args=clue_ta,
        methods=("POST",),
        anonymous=UNAUTHORIZED,
        post_data=_version,
    ),
    Entry(
        "api:clue_reopen", SEE_TA, args=clue_ta, methods=("POST",), anonymous=UNAUTHORIZED, post_data=_version
    ),
    Entry(
        "api:clue_archive_candidates",
        frozenset({"township_a"}),
        args=clue_ta,
        anonymous=UNAUTHORIZED,
        extra_outside=clue_other,
        note="the clue's handlers only (the holding commission): the city's office reads the clue, links nothing",
    ),
    Entry(
        "api:clue_link_archive",
        SEE_TA,
        args=clue_ta,
        methods=("POST",),
        anonymous=UNAUTHORIZED,
        post_data=lambda t, p: {"archive_id": 1, "version": 1},
        note="an allowed persona gets 400 (no such candidate, or not the holder) — the matrix checks who gets 404",
    ),
    Entry(
        "api:clue_unlink_archive",
        SEE_TA,
        args=clue_ta,
        methods=("POST",),
        anonymous=UNAUTHORIZED,
        post_data=_version,
    ),
]
