"""The forwards desk, the register export, the recusal declarations and the staff API of reports
(module PETITIONS: among the personas the city petition office and the two township committees).

Objects: a report held by township A (registered there), and a forward from the city down to
township A; their twins in township C (another county) are outside everyone but the city. The
builders are shared with tests/petitions/test_work*.py, test_export*.py and test_api_petitions.py."""

from __future__ import annotations

from jijian.core.models import StaffRelation, User
from jijian.core.roles import Role
from jijian.petitions import services
from jijian.petitions.models import PetitionForward, PetitionReport
from tests.authz import UNAUTHORIZED, Entry
from tests.conftest import make_user

PETITIONS = frozenset({"city_petition", "township_a", "township_b"})
OVER_A = frozenset({"city_petition", "township_a"})
OWN_A = frozenset({"township_a"})


def staff(username: str, unit, *roles) -> User:
    return User.objects.filter(username=username).first() or make_user(username, unit, *roles)


def register(actor, region, **extra) -> PetitionReport:
    data = {
        "channel": "letter",
        "category": "accusation",
        "region": region,
        "facts": "村主任王某在危房改造补贴发放中优亲厚友，多报冒领补贴两万元。",
        "is_anonymous": False,
        "accused_name": "王某",
        "accused_unit": "神农村村委会",
        "accused_post": "村主任",
        "accused_level": "village",
        "matter": "integrity",
        "reporter_name": "李举报",
        "reporter_id_number": "11010519491231002X",
        "reporter_phone": "13800138000",
    }
    data.update(extra)
    return services.petition_register(actor=actor, **data)


def report_held_by_a(t, p) -> PetitionReport:
    return register(p.township_a, t.township_a)


def report_held_by_c(t, p) -> PetitionReport:
    committee_c = staff("township_c", t.township_c, Role.TOWNSHIP_COMMITTEE)
    return register(committee_c, t.township_c, accused_name="赵某")


def forward_down(t, p, to_unit=None, **extra) -> PetitionForward:
    """The city petition office registers a letter about a village cadre of township A and routes
    it down to township A (the lower body must accept or transfer within 5 working days)."""
    to_unit = to_unit or t.township_a
    report = register(p.city_petition, to_unit, **extra)
    report = services.petition_route(
        actor=p.city_petition, report=report, managing=to_unit, about_own_head=False, version=report.version
    )
    return report.forwards.get()


def relation_of_a(t, p) -> StaffRelation:
    from jijian.petitions.handling.relations import staff_relation_declare

    return staff_relation_declare(
        actor=p.township_a, relative_name="王某", relative_unit="神农村", kind="spouse"
    )


def _pk(builder):
    return lambda t, p: [builder(t, p).pk]


ENTRIES = [
    # Pages
    Entry("petitions_work:inbox", PETITIONS, note="lists only forwards into the persona's jurisdiction"),
    Entry(
        "petitions_work:answer",
        OVER_A,
        args=_pk(forward_down),
        extra_outside=lambda t, p: [forward_down(t, p, to_unit=t.township_c).pk],
        methods=("GET", "POST"),
        post_data=lambda t, p: {"answer": "accepted", "note": "本级办理"},
    ),
    Entry("petitions_work:sent", PETITIONS),
    Entry(
        "petitions_work:export",
        PETITIONS,
        methods=("GET", "POST"),
        post_data=lambda t, p: {"include_identity": "1", "reason": "年度核对"},
        note="GET shows the form; tests/petitions/test_export_register.py covers the CSV",
    ),
    Entry(
        "petitions_work:relations",
        PETITIONS,
        methods=("GET", "POST"),
        post_data=lambda t, p: {"relative_name": "钱某", "relative_unit": "某单位", "kind": "spouse"},
        note="a staff member's own declarations",
    ),
    Entry(
        "petitions_work:relation_withdraw",
        OWN_A,
        args=_pk(relation_of_a),
        methods=("POST",),
        note="only the declarer may withdraw (the city office gets 404 too)",
    ),
    # API
    Entry("api:petition_report_list", PETITIONS, anonymous=UNAUTHORIZED),
    Entry(
        "api:petition_report_register",
        PETITIONS,
        methods=("POST",),
        anonymous=UNAUTHORIZED,
        post_data=lambda t, p: {
            "channel": "visit",
            "category": "complaint",
            "region_id": t.township_b.pk,
            "facts": "来访反映问题",
            "is_anonymous": True,
        },
        note="township B is outside township A's jurisdiction: 400 with a message (not 404)",
    ),
    Entry(
        "api:petition_report_register_files",
        PETITIONS,
        methods=("POST",),
        anonymous=UNAUTHORIZED,
        note="multipart; the matrix posts JSON (422) — tests/petitions/test_api_petitions.py posts files",
    ),
    Entry("api:petition_forward_inbox", PETITIONS, anonymous=UNAUTHORIZED),
    Entry("api:petition_forward_sent", PETITIONS, anonymous=UNAUTHORIZED),
    Entry(
        "api:petition_forward_answer_post",
        OVER_A,
        args=_pk(forward_down),
        methods=("POST",),
        anonymous=UNAUTHORIZED,
        post_data=lambda t, p: {"answer": "accepted"},
    ),
    Entry(
        "api:petition_report_detail",
        OVER_A,
        args=_pk(report_held_by_a),
        extra_outside=_pk(report_held_by_c),
        anonymous=UNAUTHORIZED,
    ),
    Entry(
        "api:petition_report_deadlines",
        OVER_A,
        args=_pk(report_held_by_a),
        extra_outside=_pk(report_held_by_c),
        anonymous=UNAUTHORIZED,
    ),
    Entry(
        "api:petition_archive_candidates",
        OVER_A,
        args=_pk(report_held_by_a),
        extra_outside=_pk(report_held_by_c),
        anonymous=UNAUTHORIZED,
    ),
    Entry(
        "api:petition_link_archive",
        OVER_A,
        args=_pk(report_held_by_a),
        methods=("POST",),
        anonymous=UNAUTHORIZED,
        post_data=lambda t, p: {"archive_id": 1, "version": 1},
        note="an allowed persona gets 400 (no such candidate) — the matrix checks only who gets 404",
    ),
    Entry(
        "api:petition_unlink_archive",
        OVER_A,
        args=_pk(report_held_by_a),
        methods=("POST",),
        anonymous=UNAUTHORIZED,
        post_data=lambda t, p: {"version": 1},
    ),
    Entry(
        "api:petition_report_mark_repeat",
        OVER_A,
        args=_pk(report_held_by_a),
        methods=("POST",),
        anonymous=UNAUTHORIZED,
        post_data=lambda t, p: {"original_id": report_held_by_a(t, p).pk, "version": 1},
    ),
    Entry(
        "api:petition_report_not_accept",
        OVER_A,
        args=_pk(report_held_by_a),
        methods=("POST",),
        anonymous=UNAUTHORIZED,
        post_data=lambda t, p: {"reason": "other_body", "reply": "请向人民法院反映", "version": 1},
    ),
    Entry(
        "api:petition_report_route",
        OVER_A,
        args=_pk(report_held_by_a),
        methods=("POST",),
        anonymous=UNAUTHORIZED,
        post_data=lambda t, p: {"managing_id": t.township_a.pk, "version": 1},
    ),
    Entry(
        "api:petition_report_acceptance_notify",
        OVER_A,
        args=_pk(report_held_by_a),
        methods=("POST",),
        anonymous=UNAUTHORIZED,
        post_data=lambda t, p: {"text": "已受理", "version": 1},
        note="not yet accepted: 400 with the state message",
    ),
    Entry(
        "api:petition_report_close",
        OVER_A,
        args=_pk(report_held_by_a),
        methods=("POST",),
        anonymous=UNAUTHORIZED,
        post_data=lambda t, p: {"result": "查无实据", "version": 1},
    ),
    Entry(
        "api:petition_report_result_notify",
        OVER_A,
        args=_pk(report_held_by_a),
        methods=("POST",),
        anonymous=UNAUTHORIZED,
        post_data=lambda t, p: {"text": "办理结果", "version": 1},
    ),
    Entry(
        "api:petition_report_objection",
        OVER_A,
        args=_pk(report_held_by_a),
        methods=("POST",),
        anonymous=UNAUTHORIZED,
        post_data=lambda t, p: {
            "channel": "letter",
            "received_on": "2026-01-05",
            "text": "不服",
            "version": 1,
        },
        note="not closed: 400 with the state message",
    ),
    Entry(
        "api:petition_report_objection_answer",
        OVER_A,
        args=_pk(report_held_by_a),
        methods=("POST",),
        anonymous=UNAUTHORIZED,
        post_data=lambda t, p: {"outcome": "upheld", "answer": "维持原结论", "version": 1},
        note="no open objection: 400 with the message",
    ),
    Entry(
        "api:petition_report_message",
        OVER_A,
        args=_pk(report_held_by_a),
        methods=("POST",),
        anonymous=UNAUTHORIZED,
        post_data=lambda t, p: {"body": "请补充材料"},
    ),
]
