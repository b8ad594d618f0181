"""Reminders and escalation for missing monthly reports.

What is due is derived from the dates alone, never from "did the job run yesterday": each run looks
at every month whose deadline is near or recently passed and sends whatever is due and not sent
yet. Every message carries a dedup_key (jijian.core.notify), so a run repeated, or two workers at
once, send nothing twice; a skipped day (restart, outage) is caught up by the next run.

A report is *missing* while the township does not have it: never submitted, or returned and not
resubmitted (the return also sends its own notice at once). For one month with deadline D (already a working day,
services.report_deadline), with the city's N = remind_days_before and M = escalate_county_after_days:

- before: D − N ≤ today < D — the member (in-app + SMS), once. Once the deadline has come, this one
  no longer makes sense and the deadline notice replaces it;
- deadline: today ≥ D — the member still missing (in-app + SMS), once;
- township: today > D — each township committee officer of the village's township, with the list
  of missing villages, once per township and month;
- reviewer (a department member's report, MemberKind.DEPARTMENT): today > D — each officer of the
  resident group (派驻纪检监察组) overseeing the department, or, where none does, of the 党风政风监督室
  of the department's commission (the reviewer rule, services.may_review), with the list of missing
  departments, once per reviewing unit and month;
- county: today ≥ D + M working days — each county officer of 党风政风监督室 (conduct_supervision, the county's
  REPORTS module), with the missing villages per township, once per county and month.

Months whose deadline is more than STALE_AFTER_DAYS behind are left alone: a reminder about a month
long past (e.g. the first run after installing) helps nobody."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta

from jijian.core.models import User
from jijian.core.notify import notify
from jijian.core.orgs.workdays import add_working_days, is_provisional
from jijian.core.roles import Role

from . import services
from .models import SUBMITTED_STATES, MemberKind, MonthlyReport, ReportSettings

STALE_AFTER_DAYS = 45


def _missing(today: date):
    """Reports the township does not have (never submitted, or returned) whose deadline lies between
    'stale' and a month ahead (the exact window of each kind is checked per report, with its city's
    settings)."""
    return (
        MonthlyReport.objects.exclude(state__in=SUBMITTED_STATES)
        .filter(
            member__isnull=False,
            deadline__gte=today - timedelta(days=STALE_AFTER_DAYS),
            deadline__lte=today + timedelta(days=31),
        )
        .select_related("village__parent", "member")
        .order_by("month", "village__path")
    )


def _officers(role: str, unit_ids: set[int]) -> dict[int, list[User]]:
    by_unit: dict[int, list[User]] = defaultdict(list)
    for user in User.objects.filter(roles__role=role, is_active=True, org_unit_id__in=unit_ids).distinct():
        by_unit[user.org_unit_id].append(user)
    return by_unit


def reminders_send(*, today: date | None = None) -> dict[str, int]:
    """Send every reminder due on `today` that was not sent before. Returns how many were created
    per kind (duplicates suppressed by notify's dedup_key are not counted)."""
    today = today or services.today()
    sent = {"before": 0, "deadline": 0, "township": 0, "county": 0, "reviewer": 0}
    reviewer_missing: dict[tuple[date, str, int], list[MonthlyReport]] = defaultdict(list)
    configs: dict[int | None, ReportSettings] = {}
    escalate_dates: dict[tuple[date, int], date] = {}
    township_missing: dict[tuple[date, int], list[MonthlyReport]] = defaultdict(list)
    county_missing: dict[tuple[date, int], list[MonthlyReport]] = defaultdict(list)

    for report in _missing(today):
        if report.city_id_at not in configs:
            configs[report.city_id_at] = services.settings_for_city(report.city_id_at)
        config = configs[report.city_id_at]
        deadline = report.deadline
        label = f"{report.month:%Y年%m月}"
        if deadline - timedelta(days=config.remind_days_before) <= today < deadline:
            kind = "before"
            title = f"请在 {deadline:%m月%d日} 前提交{label}履职月报"
            body = (
                f"{report.village.name}{label}履职月报尚未提交，距截止还有 {(deadline - today).days} 天。"
                "无履职事项请提交零报告。"
            )
        elif today >= deadline:
            kind = "deadline"
            title = f"{label}履职月报已到截止日期，请立即提交"
            body = f"{report.village.name}{label}履职月报截止日期为 {deadline:%Y-%m-%d}，至今尚未提交。"
        else:
            kind = ""
        if kind and is_provisional(deadline):
            body += "（截止日期为暂定：该年国务院放假安排尚未公布。）"
        if kind and notify(
            recipient=report.member,
            title=title,
            body=body,
            link=f"/reports/{report.pk}/",
            channels=("sms",),
            dedup_key=f"report-remind-{kind}:{report.pk}",
        ):
            sent[kind] += 1
        village = report.village
        if report.member_kind == MemberKind.DEPARTMENT:
            if today > deadline:
                reviewer = (
                    (Role.RESIDENT_GROUP, village.resident_group_id)
                    if village.resident_group_id
                    else (Role.CONDUCT_SUPERVISION, village.county_id or village.city_id)
                )
                if reviewer[1]:
                    reviewer_missing[(report.month, *reviewer)].append(report)
            continue
        if today > deadline and village.township_id:
            township_missing[(report.month, village.township_id)].append(report)
        # 逾期几天报县级 counts working days after the deadline.
        escalate_on = (deadline, config.escalate_county_after_days)
        if escalate_on not in escalate_dates:
            escalate_dates[escalate_on] = add_working_days(*escalate_on)
        if today >= escalate_dates[escalate_on] and village.county_id:
            county_missing[(report.month, village.county_id)].append(report)

    township_officers = _officers(Role.TOWNSHIP_COMMITTEE, {t for _, t in township_missing})
    for (month, township_id), reports in township_missing.items():
        names = "、".join(r.village.name for r in reports)
        for officer in township_officers.get(township_id, []):
            if notify(
                recipient=officer,
                title=f"{month:%Y年%m月}履职月报逾期未交 {len(reports)} 个村（社区）",
                body=f"截止日期已过，以下村（社区）纪检委员尚未提交：{names}。请督促报送。",
                link="/reports/review/?state=missing&month=" + f"{month:%Y-%m}",
                dedup_key=f"report-overdue-township:{month:%Y-%m}:{township_id}",
            ):
                sent["township"] += 1

    for (month, role, unit_id), reports in reviewer_missing.items():
        names = "、".join(r.village.name for r in reports)
        for officer in _officers(role, {unit_id}).get(unit_id, []):
            if notify(
                recipient=officer,
                title=f"{month:%Y年%m月}市直单位纪检委员月报逾期未交 {len(reports)} 个单位",
                body=f"截止日期已过，以下单位纪检委员尚未提交：{names}。请督促报送。",
                link="/reports/review/?state=missing&month=" + f"{month:%Y-%m}",
                dedup_key=f"report-overdue-reviewer:{month:%Y-%m}:{role}:{unit_id}",
            ):
                sent["reviewer"] += 1

    county_officers = _officers(Role.CONDUCT_SUPERVISION, {c for _, c in county_missing})
    for (month, county_id), reports in county_missing.items():
        per_township: dict[str, list[str]] = defaultdict(list)
        for r in reports:
            per_township[r.village.parent.name if r.village.parent else "—"].append(r.village.name)
        lines = "；".join(f"{t}：{'、'.join(v)}" for t, v in per_township.items())
        for officer in county_officers.get(county_id, []):
            if notify(
                recipient=officer,
                title=f"{month:%Y年%m月}履职月报逾期未交 {len(reports)} 个村（社区）（{len(per_township)} 个乡镇）",
                body=f"逾期未交名单——{lines}",
                link="/reports/review/?state=missing&month=" + f"{month:%Y-%m}",
                dedup_key=f"report-overdue-county:{month:%Y-%m}:{county_id}",
            ):
                sent["county"] += 1
    return sent


def months_open(*, today: date | None = None) -> dict[str, int]:
    """Open the current month, and the previous one if it was never opened (the system was down on
    the 1st, or was installed mid-month). Returns rows created per month; safe to run again."""
    today = today or services.today()
    current = services.month_start(today)
    previous = services.month_start(current - timedelta(days=1))
    created = {}
    if not MonthlyReport.objects.filter(month=previous).exists():
        created[f"{previous:%Y-%m}"] = services.monthly_reports_open(month=previous)
    created[f"{current:%Y-%m}"] = services.monthly_reports_open(month=current)
    return created
