"""Month-end surge: how many member submits per second (`POST /api/reports/<id>/submit`, a real first
submission each) the server of `make run` sustains with PostgreSQL on this machine, with the 99th
percentile of the answer time under 500 ms.

The month's reports of a province (26,075 villages) arriving within one hour are 7.2 submits per
second: that is the floor. The server is the Procfile's `web` command (uvicorn, one process, the
project's ASGI application and settings) with the connection pool of docs/deploy.md. The load is
open: submits are sent at a given rate (random, Poisson arrivals, as independent members send them)
whether or not earlier ones have been answered, and each answer's time counts from when it was due,
so a server that falls behind shows it in the percentiles. The rate rises step by step from the
floor until a step misses (p99 at or over 500 ms, or any answer not a 200 with the submitted report);
two halving steps between the last rate met and the first missed then narrow it down. value = the
highest rate met; ratio = value / 7.2. Only 127.0.0.1, at most 1 + len(MULTIPLES) + REFINE steps,
and never more submits than there are prepared drafts. The server, the open load and the rate
steps are bench/httpload.py's (shared with bench_exam.py); what is this benchmark's own is the data,
the request and its success check.

Called by bench/run.py at province scale (same database, same people). See bench/README.md,
"Month-end surge".
"""

from __future__ import annotations

import json
import os
import secrets
import time
from datetime import date, timedelta

from bench.generate import Generated
from bench.httpload import Job, Server, answer_once, at_rate, rate_search

NAME = "month_end_surge"
SCALE = "province"  # the scale it runs at (the floor is a province's month)
VILLAGES = 26_075
FLOOR_RPS = VILLAGES / 3600  # a province's month of submits within one hour: 7.2 per second
TARGET_RATIO = 20.0
# bench/run.py: these ratios are "higher is better" (a throughput against its floor).
MIN_TARGETS = {NAME: TARGET_RATIO}
MEMBERS = 1500  # village members taking part (spread over the tree)
MONTHS = 11  # drafts per member: MEMBERS * MONTHS submits available in all
STEP_SECONDS = 5.0
FLOOR_SECONDS = 10.0  # the floor's step is longer: 72 submits for its percentiles
MULTIPLES = (5, 10, 15, 20, 25, 30, 35, 40, 50, 60, 70, 80, 100, 120)  # of the floor, after the floor
REFINE = 2  # halving steps between the last rate met and the first missed
BODY = json.dumps({"version": 1, "endorse": True}).encode()
SUMMARY = "本月开展廉情走访三次，列席村两委会议一次，监督村务公开一次。"


def _months(today: date, n: int) -> list[date]:
    """The n months before today's month, oldest first: month end's surge submits the month just
    ended (a month still running would need the member's early-submit confirmation)."""
    months, m = [], (date(today.year, today.month, 1) - timedelta(days=1)).replace(day=1)
    for _ in range(n):
        months.append(m)
        m = (m - timedelta(days=1)).replace(day=1)
    return months[::-1]


def prepare(gen: Generated, *, members: int = MEMBERS, months: int = MONTHS) -> list[tuple[str, int]]:
    """Draft reports (summary filled in, version 1, never submitted) for the `months` months before
    the current one for `members` village members spread over the tree (`gen`'s villages), and one
    bearer token per member. Returns the jobs (token, report id), ordered month by month so that
    consecutive requests are different members' reports."""
    from django.db import connection
    from django.utils import timezone

    from jijian.core.api.models import ApiToken
    from jijian.core.models import User
    from jijian.core.roles import Role
    from jijian.core.sensitive.crypto import sm3_hex
    from jijian.reports.models import MonthlyReport, ReportState
    from jijian.reports.services import today

    everyone = list(
        User.objects.filter(org_unit__city_id=gen.city_id, roles__role=Role.VILLAGE_MEMBER)
        .order_by("org_unit_id")
        .values_list("pk", "org_unit_id", "org_unit__city_id", "org_unit__county_id", "org_unit__township_id")
    )
    step = max(1, len(everyone) // members)
    chosen = everyone[::step][:members]
    month_list = _months(today(), months)
    # Rows that exist already (the statistics bench's months are 2025) are left alone.
    taken = set(
        MonthlyReport.objects.filter(village_id__in=[c[1] for c in chosen], month__in=month_list).values_list(
            "village_id", "month"
        )
    )
    new = [
        MonthlyReport(
            village_id=village_id,
            month=month,
            member_id=user_id,
            city_id_at=city_id,
            county_id_at=county_id,
            township_id_at=township_id,
            state=ReportState.DRAFT,
            deadline=(month + timedelta(days=32)).replace(day=5),
            summary=SUMMARY,
        )
        for month in month_list
        for user_id, village_id, city_id, county_id, township_id in chosen
        if (village_id, month) not in taken
    ]
    reports = MonthlyReport.objects.bulk_create(new, batch_size=2000)
    if connection.vendor == "postgresql" and not connection.in_atomic_block:
        with connection.cursor() as cursor:
            cursor.execute("VACUUM (ANALYZE) reports_monthlyreport")
    now = timezone.now()
    tokens: dict[int, str] = {}
    rows = []
    for user_id, village_id, *_ in chosen:
        raw = "jj_" + secrets.token_urlsafe(32)
        tokens[village_id] = raw
        rows.append(
            ApiToken(
                user_id=user_id,
                name="bench",
                key_hash=sm3_hex(raw.encode()),
                prefix=raw[3:9],
                expires_at=now + timedelta(days=1),
                last_used_at=now,  # as a token in use: not rewritten on every request
            )
        )
    ApiToken.objects.filter(name="bench").delete()
    ApiToken.objects.bulk_create(rows, batch_size=2000)
    return [(tokens[r.village_id], r.pk) for r in reports]


def _request_bytes(token: str, report_id: int) -> bytes:
    return (
        f"POST /api/reports/{report_id}/submit HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        f"Authorization: Bearer {token}\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(BODY)}\r\n\r\n"
    ).encode() + BODY


def _submitted(status: int, body: bytes) -> bool:
    return status == 200 and (b'"state": "submitted"' in body or b'"state":"submitted"' in body)


def run_surge(scale: str, gen: Generated) -> dict[str, float]:
    """Prepare, start the server, check one submission end to end, then raise the rate step by step.
    Prints each step, the p50/p99 at the floor's rate and at the rate sustained, and the BENCH line."""
    from jijian.reports.models import MonthlyReport, ReportTransition

    t = time.perf_counter()
    jobs = prepare(gen)
    print(
        f"GEN scale={scale} surge_reports={len(jobs)} members={len({j[0] for j in jobs})} "
        f"seconds={time.perf_counter() - t:.1f}",
        flush=True,
    )
    pending = [(_request_bytes(token, report_id), report_id) for token, report_id in jobs]

    def take(n: int) -> list[Job]:
        taken = pending[:n]
        del pending[:n]
        return taken

    with Server() as server:
        # One submission end to end first (state, version, time), then a short warm-up.
        status, payload = answer_once(server.port, take(1)[0][0])
        assert status == 200, (status, payload[:500])
        answer = json.loads(payload)
        assert answer["state"] == "submitted" and answer["version"] == 2 and answer["submitted_at"]
        warm = at_rate(server.port, take(int(FLOOR_RPS * 5 * 2)), FLOOR_RPS * 5, _submitted)
        search = rate_search(
            server.port,
            take,
            _submitted,
            floor_rps=FLOOR_RPS,
            multiples=MULTIPLES,
            floor_seconds=FLOOR_SECONDS,
            step_seconds=STEP_SECONDS,
            refine=REFINE,
            label=f"{NAME} {scale}",
            per="submit",
            pids=server.pids,
        )
        answered = 1 + len(warm.answered) + sum(len(s.answered) for s in search.steps)

    # Every right answer was a real first submission: exactly that many reports went draft -> submitted.
    ids = [rid for _, rid in jobs]
    submitted = MonthlyReport.objects.filter(pk__in=ids, state="submitted", version=2).count()
    transitions = ReportTransition.objects.filter(report_id__in=ids, to_state="submitted").count()
    assert submitted == transitions >= answered, (submitted, transitions, answered)

    value = search.value
    ratio = value / FLOOR_RPS
    print(
        f"# {NAME} {scale}: {server.about()}; Poisson arrivals, {STEP_SECONDS:g} s per step; {submitted} reports "
        f"submitted; load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs",
        flush=True,
    )
    if search.steps:
        print(f"# {NAME} {scale}: {search.summary(FLOOR_RPS)}", flush=True)
    print(
        f"BENCH name={NAME} scale={scale} value={value:.1f} unit=rps floor={FLOOR_RPS:.1f} ratio={ratio:.1f} "
        f"target={TARGET_RATIO:g}",
        flush=True,
    )
    return {NAME: ratio}
