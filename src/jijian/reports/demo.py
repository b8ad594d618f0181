"""Demo reports for the Suizhou demo: the last three months mostly reported (some late, some returned,
a few zero reports, most approved) and the current month opened, so every page has something real to
show. Rows are written in bulk (one audit entry for the whole load, written by the caller)."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from jijian.core.models import User

from .models import (
    SUBMITTED_STATES,
    DutyRecord,
    MemberKind,
    MissingReportTalk,
    MonthlyReport,
    ReportState,
    ReportTransition,
)
from .services import (
    DIGEST_RECORD_FIELDS,
    duty_types_for,
    month_start,
    monthly_reports_open,
    next_month,
    report_digest,
    reports_config_seed,
)


def _previous_months(n: int):
    month = month_start(timezone.localdate())
    months = []
    for _ in range(n):
        month = (month - timedelta(days=1)).replace(day=1)
        months.append(month)
    return list(reversed(months))


@transaction.atomic
def load_reports_demo(*, seed: int = 2020, months_back: int = 3) -> int:
    rng = random.Random(seed)
    today = timezone.localdate()
    now = timezone.now()
    current = month_start(today)
    months = _previous_months(months_back)
    for year in {m.year for m in months} | {current.year}:
        reports_config_seed(year=year)
        reports_config_seed(year=year, member_kind=MemberKind.DEPARTMENT)
    for month in [*months, current]:
        monthly_reports_open(month=month)
    reviewers: dict[int | None, User] = {
        u.org_unit_id: u for u in User.objects.filter(roles__role="township_committee").order_by("pk")
    }
    records, transitions = [], []
    for month in months:
        types = list(duty_types_for(month.year))
        by_code = {t.code: t for t in types}
        last_day = (next_month(month) - timedelta(days=1)).day
        reports = list(
            MonthlyReport.objects.filter(month=month, member_kind=MemberKind.VILLAGE).select_related(
                "village"
            )
        )
        for report in reports:
            if report.member_id is None:
                continue  # no member: nobody to report
            roll = rng.random()
            if roll < 0.06:
                continue  # missing: never started
            zero = roll < 0.10
            counts: dict[str, int] = {}
            if not zero:
                for code, low, high in (
                    ("household_visit", 2, 5),
                    ("reimbursement_check", 0, 2),
                    ("decision_meeting", 0, 1),
                    ("openness_check", 0, 1),
                    ("villager_request", 0, 2),
                    ("clue_found", 0, 1),
                ):
                    for _ in range(
                        rng.randint(low, high) if code != "clue_found" or rng.random() < 0.15 else 0
                    ):
                        day = month.replace(day=rng.randint(1, last_day))
                        duty_type = by_code[code]
                        data = _demo_data(code, rng)
                        records.append(
                            DutyRecord(
                                member_id=report.member_id,
                                village_id=report.village_id,
                                month=month,
                                city_id_at=report.city_id_at,
                                county_id_at=report.county_id_at,
                                township_id_at=report.township_id_at,
                                duty_type=duty_type,
                                occurred_on=day,
                                place=report.village.name,
                                notes="",
                                data=data,
                            )
                        )
                        counts[code] = counts.get(code, 0) + 1
            late = rng.random() < 0.12
            submitted_on = (
                report.deadline + timedelta(days=rng.randint(1, 6))
                if late
                else report.deadline - timedelta(days=rng.randint(0, 6))
            )
            submitted_at = timezone.make_aware(
                datetime.combine(submitted_on, datetime.min.time())
            ) + timedelta(hours=rng.randint(8, 20))
            if submitted_at > now:  # no timestamp in the future: submitted a few hours ago at most
                submitted_at = now - timedelta(hours=rng.randint(1, 6))
                submitted_on = timezone.localtime(submitted_at).date()
                late = submitted_on > report.deadline
            report.counts, report.is_zero_report = counts, zero
            report.summary = (
                "本月无履职事项可报。" if zero else f"本月走访农户、复审报账等共 {sum(counts.values())} 项。"
            )
            report.first_submitted_at = report.submitted_at = submitted_at
            report.endorsed_by_id, report.endorsed_at = report.member_id, submitted_at
            report.endorsement_statement = (
                "本人承诺：以上履职情况真实、准确、完整，如有不实，愿承担相应责任。"
            )
            report.is_late, report.late_days = late, max((submitted_on - report.deadline).days, 0)
            reviewer = reviewers.get(report.township_id_at)
            transitions.append(
                ReportTransition(
                    report=report,
                    from_state=ReportState.DRAFT,
                    to_state=ReportState.SUBMITTED,
                    actor_id=report.member_id,
                    at=submitted_at,
                )
            )
            if (month == months[-1] and rng.random() < 0.35) or submitted_at + timedelta(days=2) > now:
                report.state = ReportState.SUBMITTED  # waiting in the township's queue
            elif rng.random() < 0.05 and reviewer:
                report.state, report.return_count = ReportState.RETURNED, 1
                report.return_reason = "请补充走访农户的具体情况和佐证照片"
                transitions.append(
                    ReportTransition(
                        report=report,
                        from_state=ReportState.SUBMITTED,
                        to_state=ReportState.RETURNED,
                        actor=reviewer,
                        reason=report.return_reason,
                        at=submitted_at + timedelta(days=1),
                    )
                )
            else:
                report.state = ReportState.APPROVED
                report.approved_by, report.approved_at = reviewer, submitted_at + timedelta(days=2)
                report.score = rng.choice([78, 82, 85, 88, 90, 92, 95])
                transitions.append(
                    ReportTransition(
                        report=report,
                        from_state=ReportState.SUBMITTED,
                        to_state=ReportState.APPROVED,
                        actor=reviewer,
                        at=submitted_at + timedelta(days=2),
                    )
                )
        MonthlyReport.objects.bulk_update(
            reports,
            [
                "counts",
                "is_zero_report",
                "summary",
                "first_submitted_at",
                "submitted_at",
                "endorsed_by",
                "endorsed_at",
                "endorsement_statement",
                "is_late",
                "late_days",
                "state",
                "return_count",
                "return_reason",
                "approved_by",
                "approved_at",
                "score",
            ],
            batch_size=500,
        )
    DutyRecord.objects.bulk_create(records, batch_size=1000)
    ReportTransition.objects.bulk_create(transitions, batch_size=1000)
    made = len(records) + _department_reports_demo(months[:-1], seed=seed)
    _endorsement_digests(months)
    _missing_report_talks_demo(reviewers, today)
    return made


def _missing_report_talks_demo(reviewers: dict[int | None, User], today) -> None:
    """In each township, the first member with two months missing had a reminder talk the day after the
    first one's deadline: 未报谈话 shows a member due an interview beside those due a reminder talk."""
    missing: dict[int, list[MonthlyReport]] = {}
    for report in (
        MonthlyReport.objects.filter(member_kind=MemberKind.VILLAGE, member__isnull=False, deadline__lt=today)
        .exclude(state__in=SUBMITTED_STATES)
        .select_related("village")
        .order_by("village__path", "month")
    ):
        if report.member_id is not None:  # always, by the filter; the type checker cannot know it
            missing.setdefault(report.member_id, []).append(report)
    talks, townships = [], set()
    for member_id, reports in missing.items():
        township = reports[0].village.parent_id
        if len(reports) < 2 or township in townships or township not in reviewers:
            continue
        held_on = reports[0].deadline + timedelta(days=1)
        if held_on > reports[1].deadline or held_on > today or held_on.year != reports[0].month.year:
            continue
        townships.add(township)
        talks.append(
            MissingReportTalk(
                member_id=member_id,
                village_id=reports[0].village_id,
                kind=MissingReportTalk.Kind.REMINDER_TALK,
                held_on=held_on,
                months=[
                    r.month.isoformat()
                    for r in reports
                    if r.deadline < held_on and r.month.year == held_on.year
                ],
                notes="说明因农忙未按时报送，表示今后按时报送。",
                held_by=reviewers[township],
            )
        )
    MissingReportTalk.objects.bulk_create(talks)


def _endorsement_digests(months) -> None:
    """Each endorsed demo report gets the SM3 digest a real submit computes (services.report_digest over
    the report and its month's duty records, read as the submit reads them), so the reviewer's page
    shows one as it would."""
    by_month: dict[tuple[int, object], list[dict]] = {}
    rows = (
        DutyRecord.objects.filter(month__in=months, is_deleted=False)
        .order_by("pk")
        .values("village_id", "month", *DIGEST_RECORD_FIELDS)
    )
    for row in rows:
        key = (row.pop("village_id"), row.pop("month"))
        by_month.setdefault(key, []).append(row)
    reports = list(MonthlyReport.objects.filter(month__in=months, endorsed_at__isnull=False))
    for report in reports:
        report.endorsement_digest = report_digest(report, by_month.get((report.village_id, report.month), []))
    MonthlyReport.objects.bulk_update(reports, ["endorsement_digest"], batch_size=500)


# What a department discipline member did in a demo month: (code, data) per duty record.
DEPARTMENT_DEMO = [
    ("leadership_meeting", {"meeting": "局党组会", "opinion": "建议采购事项按程序集体研究"}),
    ("integrity_ten_minutes", {"meeting": "局党组会", "topic": "通报违反中央八项规定精神典型问题"}),
    ("risk_check", {"risk_point": "三重一大决策", "result": "未发现问题"}),
    ("peer_reminder", {"person": "分管财务的班子成员"}),
]


def _department_reports_demo(months, *, seed: int) -> int:
    """The department discipline members' reports of the months before last: their duty records (as
    the responsibility pages would have fed them), submitted, and reviewed by the resident group
    overseeing the department (the city's 党风政风监督室 where none does) — the latest month partly
    still waiting in the group's queue. Last month and this one are left to the responsibility demo,
    which records through the pages' services (core.links.duty_log_record)."""
    rng = random.Random(seed + 6)
    city_office = User.objects.filter(username="shidangfeng").first()
    group_staff = {
        u.org_unit_id: u for u in User.objects.filter(roles__role="resident_group").order_by("-is_demo", "pk")
    }
    records, transitions, made = [], [], 0
    for month in months:
        by_code = {t.code: t for t in duty_types_for(month.year, MemberKind.DEPARTMENT)}
        rows = list(
            MonthlyReport.objects.filter(month=month, member_kind=MemberKind.DEPARTMENT).select_related(
                "village"
            )
        )
        for report in rows:
            if report.member_id is None:
                continue
            group_id = report.village.resident_group_id
            reviewer = (group_staff.get(group_id) if group_id else None) or city_office
            counts: dict[str, int] = {}
            for code, data in DEPARTMENT_DEMO:
                day = month.replace(day=rng.randint(3, 24))
                records.append(
                    DutyRecord(
                        member_id=report.member_id,
                        village_id=report.village_id,
                        month=month,
                        city_id_at=report.city_id_at,
                        county_id_at=report.county_id_at,
                        township_id_at=report.township_id_at,
                        duty_type=by_code[code],
                        occurred_on=day,
                        data=data,
                    )
                )
                counts[code] = counts.get(code, 0) + 1
            submitted_at = timezone.make_aware(
                datetime.combine(report.deadline - timedelta(days=rng.randint(0, 4)), datetime.min.time())
            ) + timedelta(hours=10)
            report.counts, report.summary = counts, "列席局党组会并开展会前廉政十分钟，检查廉政风险点一个。"
            report.first_submitted_at = report.submitted_at = submitted_at
            report.endorsed_by_id, report.endorsed_at = report.member_id, submitted_at
            report.endorsement_statement = (
                "本人承诺：以上履职情况真实、准确、完整，如有不实，愿承担相应责任。"
            )
            transitions.append(
                ReportTransition(
                    report=report,
                    from_state=ReportState.DRAFT,
                    to_state=ReportState.SUBMITTED,
                    actor_id=report.member_id,
                    at=submitted_at,
                )
            )
            if month == months[-1] and rng.random() < 0.5:
                report.state = ReportState.SUBMITTED  # waiting for the group
            else:
                report.state = ReportState.APPROVED
                report.approved_by, report.approved_at = reviewer, submitted_at + timedelta(days=2)
                transitions.append(
                    ReportTransition(
                        report=report,
                        from_state=ReportState.SUBMITTED,
                        to_state=ReportState.APPROVED,
                        actor=reviewer,
                        at=submitted_at + timedelta(days=2),
                    )
                )
            made += len(DEPARTMENT_DEMO)
        MonthlyReport.objects.bulk_update(
            rows,
            [
                "counts",
                "summary",
                "first_submitted_at",
                "submitted_at",
                "endorsed_by",
                "endorsed_at",
                "endorsement_statement",
                "state",
                "approved_by",
                "approved_at",
            ],
        )
    DutyRecord.objects.bulk_create(records)
    ReportTransition.objects.bulk_create(transitions)
    return made


def _demo_data(code: str, rng: random.Random) -> dict:
    if code == "household_visit":
        return {"households": rng.randint(2, 6)}
    if code == "reimbursement_check":
        return {"count": rng.randint(1, 12), "amount": f"{rng.randint(500, 80000)}.00", "objections": 0}
    if code == "decision_meeting":
        return {
            "topic": rng.choice(["村级道路硬化项目", "集体土地流转", "村部维修", "低保评议"]),
            "deliberations": ["党支部提议", "两委会商议", "党员大会审议", "村民（代表）会议决议"],
        }
    if code == "openness_check":
        return {"items": "三资管理、惠民资金发放", "compliant": True}
    if code == "villager_request":
        return {"requests": rng.randint(1, 3)}
    if code == "clue_found":
        return {"matter": "低保评定中疑似优亲厚友", "handed_to": "乡镇纪委"}
    return {}
