"""Village affairs (issue 20): `village_risk_board` — the township's and the county's risk boards, the
app's own reads as the page `villageaffairs:flag_board` calls them (`selectors.risk_board` and
`reimbursements.split_board`, the split-expense flags with their answers and due dates), against raw SQL reading the same facts; and `public_board` — the 四亮
public page answered from the cache through Django's test client, against the static-file response
of the same stack (WhiteNoise answering /favicon.ico).

    .venv/bin/python bench/bench_village.py                          # province
    .venv/bin/python bench/bench_village.py --scale city --scale province

PostgreSQL only (DATABASE_URL names the server, default postgres://postgres@127.0.0.1:5432/test); it
creates and drops its own database (`--database`, default `jijian_bench_village`). The tree comes
from bench/generate.py; each village gets a year (2025) of 三重一大 decisions with their 四议两公开
steps, vouchers, a few township answers and a 四亮 board, COPYed in. Not part of `make bench`. See
bench/README.md, "Village affairs".
"""

from __future__ import annotations

import argparse
import gc
import itertools
import os
import sys
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "src")]

TARGETS = {"village_risk_board_township": 2.0, "village_risk_board_county": 2.0, "public_board": 3.0}
DECISIONS_PER_VILLAGE = 6  # a year of 三重一大 matters
VOUCHERS_PER_VILLAGE = 24  # two a month
REPEAT = {"city": 40, "province": 40, "nation": 5}
YEAR = 2025
CATEGORIES = ("major_matter", "cadre_appointment", "major_project", "large_fund")
PURPOSES = ("道路维修", "办公用品", "水渠清淤", "路灯更换", "村部水电", "环境整治")

DECISION_COLUMNS = (
    "id",
    "village_id",
    "category",
    "title",
    "description",
    "amount",
    "rules",
    "created_by_id",
    "created_at",
    "version",
)
STEP_COLUMNS = (
    "id",
    "decision_id",
    "step",
    "held_on",
    "roll",
    "attended",
    "attendees",
    "votes_for",
    "votes_against",
    "votes_abstain",
    "minutes",
    "attendees_digest",
    "minutes_digest",
    "out_of_sequence_reason",
    "member_present",
    "member_opinion",
    "duty_record_id",
    "recorded_by_id",
    "recorded_at",
    "version",
    "meeting_form",
)
VOUCHER_COLUMNS = (
    "id",
    "village_id",
    "purpose",
    "amount",
    "spent_on",
    "handler_name",
    "chain",
    "objection_working_days",
    "state",
    "objection_due",
    "booked_at",
    "created_by_id",
    "created_at",
    "version",
)
ANSWER_COLUMNS = ("id", "decision_id", "flag_key", "answer", "answered_by_id", "answered_at", "clue_serial")
BOARD_COLUMNS = (
    "id",
    "village_id",
    "member_id",
    "duties",
    "commitments",
    "contact",
    "phone_consent",
    "published_at",
    "version",
)


def _copy(table: str, columns, rows) -> int:
    from django.db import connection

    n = 0
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy,
    ):
        for row in rows:
            copy.write_row(row)
            n += 1
    return n


def generate_village_affairs(gen) -> dict[str, int]:
    """A year of decisions (each walking some or all six steps; about one in ten with a short quorum,
    one in twenty a step dated before the one it depends on, one in fifteen minutes entered late, one in
    twenty-five the attendance list of another meeting of the village), vouchers (some split under
    the threshold), a township answer for one decision in eight, and every village's 四亮 board."""
    from django.db import connection

    from bench.generate import check_columns
    from jijian.villageaffairs.models import (
        DecisionStep,
        FlagAnswer,
        MajorDecision,
        PublicBoard,
        Voucher,
    )

    for model, columns in (
        (MajorDecision, DECISION_COLUMNS),
        (DecisionStep, STEP_COLUMNS),
        (Voucher, VOUCHER_COLUMNS),
        (FlagAnswer, ANSWER_COLUMNS),
        (PublicBoard, BOARD_COLUMNS),
    ):
        check_columns(model, columns)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT u.org_unit_id, u.id, o.parent_id FROM core_user u "
            "JOIN core_userrole r ON r.user_id = u.id AND r.role = 'village_member' "
            "JOIN core_orgunit o ON o.id = u.org_unit_id ORDER BY u.org_unit_id"
        )
        villages = cursor.fetchall()
        cursor.execute(
            "SELECT u.org_unit_id, u.id FROM core_user u "
            "JOIN core_userrole r ON r.user_id = u.id AND r.role = 'township_committee'"
        )
        township_user = dict(cursor.fetchall())
    rules = (
        '{"large_amount": "50000", "party_members": 45, "representatives": 30, "minutes_late_days": 7, '
        '"answer_working_days": 5, "rules_version": 1}'
    )
    start = date(YEAR, 1, 6)

    def decisions():
        did = 0
        for village_id, member_id, _parent in villages:
            for k in range(DECISIONS_PER_VILLAGE):
                did += 1
                day = start + timedelta(days=(k * 58 + village_id % 40))
                amount = None if k % 2 else 20000 + (village_id * 37 + k * 1000) % 200000
                yield (did, village_id, CATEGORIES[k % 4], f"事项{k + 1}：{PURPOSES[(village_id + k) % 6]}",
                       "", amount, rules, member_id, f"{day.isoformat()} 09:00:00+08", 1)  # fmt: skip

    def steps():
        sid = did = 0
        for village_id, member_id, _parent in villages:
            for k in range(DECISIONS_PER_VILLAGE):
                did += 1
                h = (village_id * 7919 + k * 104729) % 1000
                day0 = start + timedelta(days=(k * 58 + village_id % 40))
                # The year's last decisions are still under way: fewer steps recorded.
                last = 6 if k < DECISIONS_PER_VILLAGE - 2 else 2 + h % 4
                for s in range(1, last + 1):
                    if s == 3 and h % 50 == 7:
                        continue  # a missing step
                    sid += 1
                    held = day0 + timedelta(days=3 * s)
                    if s == 4 and h % 20 == 3:
                        held = day0  # dated before the step it depends on
                    late = 12 if s in (1, 2, 3, 4) and h % 15 == 4 else 1
                    meeting = s <= 4
                    roll = attended = votes = None
                    attendees = minutes = a_digest = m_digest = ""
                    if s in (3, 4):
                        roll = 45 if s == 3 else 30
                        attended = roll - 2 if h % 10 else roll // 2  # one in ten short of two thirds
                        votes = attended - 1
                        attendees = f"村民{village_id}-{k}-{s}"
                        same = h % 25 == 5 and k > 0  # the attendance list of the village's first decision
                        a_digest = f"{village_id:032x}{(0 if same else k):016x}{s:016x}"
                    if meeting:
                        minutes = f"第{k + 1}项{s}环节会议记录（村{village_id}）"
                        m_digest = f"m{village_id:031x}{k:016x}{s:016x}"
                    recorded = held + timedelta(days=late)
                    yield (sid, did, s, held.isoformat(), roll, attended, attendees, votes, 0 if votes else None,
                           None, minutes, a_digest, m_digest, "", True, "程序规范" if s % 2 else "", None,
                           member_id, f"{recorded.isoformat()} 18:00:00+08", 1,
                           "representatives" if s == 4 else "")  # fmt: skip

    def vouchers():
        vid = 0
        for village_id, member_id, _parent in villages:
            for k in range(VOUCHERS_PER_VILLAGE):
                vid += 1
                day = start + timedelta(days=k * 15 + village_id % 7)
                split = village_id % 30 == 1 and k in (4, 5)
                amount = 28000 if split else 300 + (village_id * 13 + k * 977) % 9000
                purpose = "村部维修" if split else PURPOSES[(village_id + k) % 6] + f"第{k + 1}笔"
                state = "booked" if k < VOUCHERS_PER_VILLAGE - 2 else "signing"
                booked = f"{(day + timedelta(days=5)).isoformat()} 10:00:00+08" if state == "booked" else None
                yield (vid, village_id, purpose, amount, day.isoformat(), "经手人", "[]", 5, state, None, booked,
                       member_id, f"{day.isoformat()} 09:00:00+08", 1)  # fmt: skip

    def answers():
        aid = did = 0
        for village_id, _member_id, parent_id in villages:
            for k in range(DECISIONS_PER_VILLAGE):
                did += 1
                h = (village_id * 7919 + k * 104729) % 1000
                if h % 10 == 0 and h % 8 == 0 and parent_id in township_user:  # some short quorums answered
                    aid += 1
                    yield (aid, did, "quorum:3", "已约谈村党支部书记，责令重新召开", township_user[parent_id],
                           f"{YEAR}-12-01 10:00:00+08", "")  # fmt: skip

    def boards():
        for village_id, member_id, _parent in villages:
            yield (village_id, village_id, member_id, "监督村务决策、村级财务和村干部履职。",
                   "依规监督，有问必答，每月公开履职情况。", "村委会办公室 0722-1234567", False,
                   f"{YEAR}-01-02 09:00:00+08", 1)  # fmt: skip

    counts = {
        "decisions": _copy(MajorDecision._meta.db_table, DECISION_COLUMNS, decisions()),
        "steps": _copy(DecisionStep._meta.db_table, STEP_COLUMNS, steps()),
        "vouchers": _copy(Voucher._meta.db_table, VOUCHER_COLUMNS, vouchers()),
        "answers": _copy(FlagAnswer._meta.db_table, ANSWER_COLUMNS, answers()),
        "boards": _copy(PublicBoard._meta.db_table, BOARD_COLUMNS, boards()),
    }
    with connection.cursor() as cursor:
        for model in (MajorDecision, DecisionStep, Voucher, FlagAnswer, PublicBoard):
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{model._meta.db_table}', 'id'), "
                f"(SELECT COALESCE(MAX(id), 1) FROM {model._meta.db_table}))"
            )
    return counts


def page_reads(user_id: int):
    """What the risk-board page reads for its user: the user as the auth middleware loads it (a fresh
    row, nothing cached), then the app's own selectors exactly as views.flag_board calls them."""
    from jijian.core.models import User
    from jijian.villageaffairs import reimbursements, selectors

    def read():
        user = User.objects.get(pk=user_id)
        rows = selectors.risk_board(user)
        splits = reimbursements.split_board(user)
        return rows, splits

    return read


def raw_reads(statements: list[str]):
    """The floor: the same statements the page's reads sent (captured once, as psycopg's client-side
    binding sends them, parameters in the text), through the same connection, rows fetched as tuples."""
    from django.db import connection

    def read():
        out = []
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)
                out.append(cursor.fetchall())
        return out

    return read


def captured(fn) -> list[str]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        fn()
    return [q["sql"] for q in queries.captured_queries]


def run_scale(scale: str, repeat: int | None) -> dict[str, float]:
    from django.db import connection, transaction
    from django.test import Client
    from django.urls import reverse

    from bench.generate import SCALES, generate
    from bench.run import measure, report
    from jijian.core.models import TOWNSHIP_KINDS, OrgUnit

    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE villageaffairs_publicboard, villageaffairs_flaganswer, villageaffairs_decisionstep, "
            "villageaffairs_majordecision, villageaffairs_voucher, core_userrole, core_user, core_orgunit "
            "RESTART IDENTITY CASCADE"
        )
    t = time.perf_counter()
    with transaction.atomic():
        gen = generate(SCALES[scale])
        counts = generate_village_affairs(gen)
    with connection.cursor() as cursor:
        cursor.execute(
            "VACUUM (ANALYZE) villageaffairs_majordecision, villageaffairs_decisionstep, villageaffairs_voucher, "
            "villageaffairs_flaganswer, villageaffairs_publicboard, villageaffairs_villagerules, core_orgunit, "
            "core_user, core_userrole"
        )
        cursor.execute("CHECKPOINT")
    print(
        f"GEN scale={scale} villages={len(gen.village_ids)} "
        + " ".join(f"{k}={v}" for k, v in counts.items())
        + f" seconds={time.perf_counter() - t:.1f}",
        flush=True,
    )
    # A county in the middle of the tree, its conduct-supervision officer, and the committee of one of
    # its townships.
    county_id = gen.county_ids[len(gen.county_ids) // 2]
    township = OrgUnit.objects.filter(parent_id=county_id, kind__in=TOWNSHIP_KINDS).order_by("pk").first()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT u.id FROM core_user u JOIN core_userrole r ON r.user_id = u.id "
            "AND r.role = 'township_committee' WHERE u.org_unit_id = %s",
            [township.pk],
        )
        township_user_id = cursor.fetchone()[0]
    sides = {
        "village_risk_board_township": township_user_id,
        "village_risk_board_county": gen.county_officer_ids[county_id],
    }
    pairs = {}
    for name, user_id in sides.items():
        value = page_reads(user_id)
        rows, splits = value()
        statements = captured(value)
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT COUNT(*) FROM core_orgunit v JOIN core_user u ON u.id = %s "
                "JOIN core_orgunit o ON o.id = u.org_unit_id WHERE v.path LIKE o.path || '%%' "
                "AND v.kind IN ('village', 'community')",
                [user_id],
            )
            villages = cursor.fetchone()[0]
        print(
            f"# {name} {scale}: {villages} villages, {len(rows)} open flags, {len(splits)} split expenses, "
            f"{len(statements)} queries",
            flush=True,
        )
        with connection.cursor() as cursor:
            for sql in statements:
                t = time.perf_counter()
                cursor.execute(sql)
                n = len(cursor.fetchall())
                ms = (time.perf_counter() - t) * 1000
                print(f"#   {ms:8.1f} ms {n:6d} rows  {sql[:160]}", flush=True)
        floor = raw_reads(statements)
        assert [len(r) for r in floor()] and len(captured(value)) == len(statements)
        pairs[name] = (value, floor)

    # The 四亮 page from the cache, and WhiteNoise's answer for a static file, through the same client.
    from django.core.cache import cache, caches

    village_id = gen.village_ids[len(gen.village_ids) // 2]
    client = Client()
    board_url = reverse("villageaffairs:board_public", args=[village_id])
    cache.clear()
    first = client.get(board_url)
    assert first.status_code == 200, first.status_code
    page = client.get(board_url)
    assert page.content == first.content and len(captured(lambda: client.get(board_url))) == 0
    static = client.get("/favicon.ico")
    assert static.status_code == 200, static.status_code
    b"".join(static.streaming_content)
    print(
        f"# public_board {scale}: page {len(page.content)} bytes, 0 queries from the cache "
        f"({caches['default'].__class__.__name__}); floor /favicon.ico by WhiteNoise",
        flush=True,
    )

    # Phones scanning a township's printed posters: each request from its own address, so the page
    # pays the anonymous rate limit's counter (as it does in production) without reaching its limit.
    addresses = (f"10.{i // 65536 % 256}.{i // 256 % 256}.{i % 256}" for i in itertools.count(1))

    def board_page():
        response = client.get(board_url, REMOTE_ADDR=next(addresses))
        assert response.status_code == 200, response.status_code
        return response.content

    def static_file():
        response = client.get("/favicon.ico", REMOTE_ADDR=next(addresses))
        assert response.status_code == 200
        return b"".join(response.streaming_content)

    gc.collect()
    results = {}
    n = repeat or REPEAT[scale]
    timings = measure(pairs, repeat=n, warmup=3)
    for name in pairs:
        values, floors = timings[name]
        results[name] = report(name, scale, values, floors, target=TARGETS[name])
    timings = measure({"public_board": (board_page, static_file)}, repeat=n * 50, warmup=20)
    values, floors = timings["public_board"]
    results["public_board"] = report("public_board", scale, values, floors, target=TARGETS["public_board"])
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", action="append", choices=("city", "province", "nation"))
    parser.add_argument("--repeat", type=int, default=None)
    parser.add_argument("--database", default="jijian_bench_village")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a ratio misses its target")
    parser.add_argument("--keep", action="store_true", help="do not drop the database at the end")
    args = parser.parse_args(argv)

    from bench.run import DEFAULT_URL, _admin, _with_database

    server_url = os.environ.get("DATABASE_URL") or DEFAULT_URL
    if not server_url.startswith(("postgres://", "postgresql://")):
        print(f"bench 需要 PostgreSQL：DATABASE_URL={server_url!r}", file=sys.stderr)
        return 2
    name = args.database
    _admin(server_url, f'DROP DATABASE IF EXISTS "{name}"')
    _admin(server_url, f'CREATE DATABASE "{name}"')
    os.environ.update(
        JIJIAN_ENV="test",
        DJANGO_SETTINGS_MODULE="jijian.config.settings",
        DATABASE_URL=_with_database(server_url, name),
    )
    os.environ.pop("JIJIAN_DATABASE_REPLICAS", None)
    missed = {}
    try:
        import django

        django.setup()
        from django.conf import settings
        from django.core.management import call_command

        settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
        call_command("migrate", verbosity=0)
        for scale in args.scale or ["province"]:
            for bench_name, ratio in run_scale(scale, args.repeat).items():
                if ratio > TARGETS[bench_name]:
                    missed[f"{scale}:{bench_name}"] = ratio
        if missed:
            print("# target missed: " + ", ".join(f"{k}={v:.2f}" for k, v in missed.items()), flush=True)
    finally:
        from django.db import connections

        connections.close_all()
        if not args.keep:
            _admin(server_url, f'DROP DATABASE IF EXISTS "{name}"')
    return 1 if args.strict and missed else 0


if __name__ == "__main__":
    sys.exit(main())
