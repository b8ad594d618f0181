"""Integrity archives (issue 18): the archive list's search by name, by pinyin initials and by ID
number over generated persons, and an integrity opinion request of 500 persons drafted, each against
the raw indexed SQL doing the same work through the same connection, interleaved in one run.

    .venv/bin/python bench/bench_archives.py                       # 1,000,000 persons
    .venv/bin/python bench/bench_archives.py --persons 100000 --database jijian_bench_b18

PostgreSQL only (DATABASE_URL names the server, default postgres://postgres@127.0.0.1:5432/test); it
creates and drops its own database (`--database`, default `jijian_bench_archives`). The tree is
bench/generate.py's province (28,778 units, one root city); the persons are spread over all its
units and COPYed into archives_integrityarchive with their name's blind index, pinyin keys and an
encrypted, blind-indexed valid ID number (through the model fields, as on save()); sections: a family
member for one person in four, a sanction for one in ten, an archive record for one in four, the
yearly personal-matters reports of the 县处级 persons (one in twenty; one in four of them missing the
year due), and 200,000 petition reports (bench_petitions.generate_petitions) of which one in four is
linked to an archive.

Searches run as the city's cadre supervision office (the widest jurisdiction: every person), each
through `selectors.archive_list` and the list page's paginator (the first page of 50, counted only
when full, as views.archive_list does), against hand-written SQL with the same scope, recusal, filter,
order, limit and columns, also counting only a full page. 200 different terms per search; median and p95 of each side. See bench/README.md,
"Integrity archives".
"""

from __future__ import annotations

import argparse
import gc
import os
import statistics
import sys
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if __name__ == "__main__":
    sys.path[:0] = [str(ROOT), str(ROOT / "src")]

TARGETS = {
    "archive_search_name": 2.0,
    "archive_search_initials": 2.0,
    "archive_search_id": 2.0,
    "integrity_opinion_500": 3.0,
}
SEARCHES = 200
OPINION_REPEAT = 20
PETITION_REPORTS = 200_000
PAGE = 50  # views.PAGE

_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
_GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超英霞平刚华国志兰燕梅庆红德胜玉文立新永建海春秀"
_SECOND = [""] + list("军华明强平东峰林斌辉红玲")

ARCHIVE_COLUMNS = (
    "id", "name", "name_index", "name_initials", "name_pinyin", "id_number", "id_number_index", "org_unit_id",
    "post", "level", "category", "party_status", "notes", "merged_into_id", "is_active", "created_by_id",
    "created_at", "updated_at", "version", "photo_id",
)  # fmt: skip
ENTRY = (
    "id",
    "archive_id",
    "source",
    "recorded_on",
    "entered_by_id",
    "entered_at",
    "withdrawal_reason",
    "version",
)
FAMILY_COLUMNS = (*ENTRY, "relation", "name", "name_index", "employer", "occupation")
SANCTION_COLUMNS = (
    *ENTRY, "kind", "decided_on", "authority", "probation_months", "effect_ends_on", "reason", "source_ref",
)  # fmt: skip
MATTERS_COLUMNS = (*ENTRY, "year", "items", "summary")
RECORD_COLUMNS = (*ENTRY, "kind", "summary", "amount", "source_ref")


def person_name(n: int) -> str:
    """About 52,000 names (a surname, one or two given characters): at a million persons a name is
    shared by about twenty people, pinyin initials by a few hundred."""
    k = n * 2654435761 % 4294967296
    return (
        _SURNAMES[k % len(_SURNAMES)] + _GIVEN[(k // 127) % len(_GIVEN)] + _SECOND[(k // 7919) % len(_SECOND)]
    )


def id_number(n: int) -> str:
    """A valid ID number (check digit, real birth date), distinct for each n < 10,000,000."""
    from jijian.core.validators import id_number_check_digit

    born = date(1960, 1, 1) + timedelta(days=n % 14000)
    first17 = f"4213{(n // 14000) % 100:02d}{born:%Y%m%d}{(n // 1400000) % 10}{n % 100:02d}"
    return first17 + id_number_check_digit(first17)


def _copy(cursor, table: str, columns, rows) -> None:
    with cursor.cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def check_tables() -> None:
    """Fail loudly when an archives model gained a column the COPY does not fill (bench.generate)."""
    from bench.generate import check_columns
    from jijian.archives import models as m

    for model, columns in (
        (m.IntegrityArchive, ARCHIVE_COLUMNS),
        (m.FamilyMember, FAMILY_COLUMNS),
        (m.Sanction, SANCTION_COLUMNS),
        (m.PersonalMattersReport, MATTERS_COLUMNS),
        (m.ArchiveRecord, RECORD_COLUMNS),
    ):
        check_columns(model, columns)


def generate_archives(n: int, *, unit_ids: list[int], user_id: int, today: date) -> dict:
    """COPY `n` archives and their sections; returns what the searches and the request pick from."""
    from functools import lru_cache

    from django.db import connection, transaction

    from jijian.archives.models import FamilyMember, IntegrityArchive, name_keys
    from jijian.archives.sanctions import SANCTIONS, effect_ends_on, matters_year_due
    from jijian.core.sensitive.crypto import blind_index

    check_tables()
    steps: dict[str, float] = {}
    t = time.perf_counter()
    id_field = IntegrityArchive._meta.get_field("id_number")
    fam_field = FamilyMember._meta.get_field("name")
    keys = lru_cache(maxsize=None)(lambda name: (blind_index(name), *name_keys(name)))
    fam_cipher = lru_cache(maxsize=None)(lambda name: (fam_field.get_prep_value(name), blind_index(name)))
    now = f"{today:%Y-%m-%d} 09:00:00+08"
    kinds = list(SANCTIONS)
    due = matters_year_due(today)

    def archives():
        for i in range(1, n + 1):
            name = person_name(i)
            index, ini, pin = keys(name)
            plain = id_number(i)
            level = "division" if i % 20 == 0 else ("section" if i % 5 == 0 else "staff")
            updated = f"{today - timedelta(days=i % 1500):%Y-%m-%d} 09:{i % 60:02d}:00+08"
            yield (i, name, index, ini, pin, id_field.get_prep_value(plain), blind_index(plain),
                   unit_ids[i % len(unit_ids)], "科员", level, "civil_servant", "member", "", None, True,
                   user_id, updated, updated, 1, None)  # fmt: skip

    def family():
        for k, i in enumerate(range(4, n + 1, 4), start=1):
            cipher, index = fam_cipher(person_name(i * 31 + 7))
            yield (k, i, "干部档案", today, user_id, now, "", 1, "spouse", cipher, index, "某单位", "职员")

    def sanctions():
        for k, i in enumerate(range(10, n + 1, 10), start=1):
            kind = kinds[i % len(kinds)]
            decided = today - timedelta(days=(i * 7) % 2200)
            probation = 12 if SANCTIONS[kind].probation else 0
            yield (k, i, "审理室", decided, user_id, now, "", 1, kind, decided, "县纪委监委", probation,
                   effect_ends_on(kind, decided, probation), "生成的基准数据", "")  # fmt: skip

    def matters():
        k = 0
        for i in range(20, n + 1, 20):
            for year in (due - 1, due):
                if year == due and i % 80 == 0:
                    continue  # one in four 县处级 persons has not filed the year due
                k += 1
                yield (k, i, "本人报告", date(year + 1, 1, 20), user_id, now, "", 1, year, "[]", "")

    def records():
        for k, i in enumerate(range(3, n + 1, 4), start=1):
            yield (
                k,
                i,
                "党风室",
                today - timedelta(days=i % 700),
                user_id,
                now,
                "",
                1,
                "talk",
                "廉政谈话",
                None,
                "",
            )

    with transaction.atomic(), connection.cursor() as cursor:
        for table, columns, rows in (
            ("archives_integrityarchive", ARCHIVE_COLUMNS, archives()),
            ("archives_familymember", FAMILY_COLUMNS, family()),
            ("archives_sanction", SANCTION_COLUMNS, sanctions()),
            ("archives_personalmattersreport", MATTERS_COLUMNS, matters()),
            ("archives_archiverecord", RECORD_COLUMNS, records()),
        ):
            t = time.perf_counter()
            _copy(cursor, table, columns, rows)
            steps[table.removeprefix("archives_")] = time.perf_counter() - t
        for table in (
            "archives_integrityarchive",
            "archives_familymember",
            "archives_sanction",
            "archives_personalmattersreport",
            "archives_archiverecord",
        ):
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"  # noqa: S608
            )
    return steps


def link_reports(n_archives: int) -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE petitions_petitionreport SET archive_id = 1 + mod(id * 7919, %s) WHERE mod(id, 4) = 0",
            [n_archives],
        )
        return cursor.rowcount


def _p95(xs: list[float]) -> float:
    return statistics.quantiles(xs, n=20)[-1]


def report(name: str, values: list[float], floors: list[float], extra: str = "") -> float:
    value, floor = statistics.median(values), statistics.median(floors)
    ratio = value / floor
    print(
        f"# {name}: n={len(values)} value p95 {_p95(values):.3f} ms, floor p95 {_p95(floors):.3f} ms, "
        f"p95 ratio {_p95(values) / _p95(floors):.2f}, load average {os.getloadavg()[0]:.2f} on "
        f"{os.cpu_count()} CPUs{extra}",
        flush=True,
    )
    print(
        f"BENCH name={name} scale=persons value={value:.3f} unit=ms floor={floor:.3f} ratio={ratio:.2f} "
        f"target={TARGETS[name]:g} p95={_p95(values):.3f} floor_p95={_p95(floors):.3f}",
        flush=True,
    )
    return ratio


def _interleaved(terms, value_fn, floor_fn) -> tuple[list[float], list[float]]:
    values: list[float] = []
    floors: list[float] = []
    for i, term in enumerate(terms):
        sides = [(value_fn, values), (floor_fn, floors)]
        for fn, out in sides if i % 2 else sides[::-1]:
            t = time.perf_counter()
            fn(term)
            out.append((time.perf_counter() - t) * 1000.0)
    return values, floors


def _relations() -> str:
    from jijian.core.models import StaffRelation

    return StaffRelation._meta.db_table


# --- the searches ---------------------------------------------------------------------------------
RAW_SEARCH = """
FROM archives_integrityarchive a JOIN core_orgunit o ON o.id = a.org_unit_id
WHERE a.is_active AND (o.city_id = %(city)s OR a.org_unit_id = %(city)s) AND {match}
  AND NOT (a.name_index = %(own)s AND a.org_unit_id = %(unit)s)
  AND a.name_index NOT IN (SELECT r.relative_name_index FROM core_staffrelation r
                           WHERE r.user_id = %(uid)s AND r.is_active AND r.relative_name_index <> '')
  AND a.id NOT IN (SELECT f.archive_id FROM archives_familymember f WHERE f.name_index = %(own)s
                   AND f.withdrawn_at IS NULL)
  AND a.name_index NOT IN (SELECT f.name_index FROM archives_familymember f WHERE f.name_index <> ''
                           AND f.withdrawn_at IS NULL
                           AND f.archive_id IN (SELECT m.id FROM archives_integrityarchive m
                                                WHERE m.name_index = %(own)s AND m.org_unit_id = %(unit)s))
"""
# The recusal as NOT IN of the two short lists (both columns NOT NULL, so the same rows as NOT
# EXISTS): PostgreSQL hashes each list once. With 670 matches a term (initials, 1,000,000 persons)
# this was faster than the correlated NOT EXISTS the floor used before, which the app had left.
MATCH = {
    "name": "a.name_index = %(term)s",
    "initials": "(a.name_initials = %(term)s OR a.name_pinyin = %(term)s)",
    "id": "a.id_number_index = %(term)s",
}


def bench_searches(user, n: int, *, explain: bool) -> dict[str, float]:
    import random

    from django.db import connection

    from jijian.archives import selectors
    from jijian.archives.models import name_keys
    from jijian.core.paging import ShortPagePaginator
    from jijian.core.sensitive.crypto import blind_index

    rng = random.Random(18)
    picks = [rng.randrange(1, n + 1) for _ in range(SEARCHES)]
    terms = {
        "name": [person_name(i) for i in picks],
        "initials": [name_keys(person_name(i))[0] for i in picks],
        "id": [id_number(i) for i in picks],
    }
    base = {
        "city": user.org_unit_id,
        "unit": user.org_unit_id,
        "uid": user.pk,
        "own": blind_index(user.full_name),
    }
    # The columns a row of the list shows (selectors.LIST_FIELDS), as the page reads them.
    columns = (
        "a.id, a.name, a.org_unit_id, a.post, a.level, a.category, a.party_status, a.updated_at, o.id, o.name"
    )

    def app(term: str) -> tuple[int, list]:
        page = ShortPagePaginator(selectors.archive_list(user, q=term), PAGE).get_page(1)
        return page.paginator.count, [a["id"] for a in page.object_list]

    def raw(kind: str):
        where = RAW_SEARCH.format(match=MATCH[kind]).replace("core_staffrelation", _relations())
        count_sql = f"SELECT count(*) {where}"  # noqa: S608
        page_sql = f"SELECT {columns} {where} ORDER BY a.updated_at DESC, a.id DESC LIMIT {PAGE}"  # noqa: S608

        def run(term: str) -> tuple[int, list]:
            # The raw side is given the term's key as the app computes it (the blind index of a name
            # or ID number: one HMAC-SM3 in Python, paid on both sides). The page first; the count
            # only when the page is full (fewer rows than a page: they are all there is).
            key = blind_index(term.upper()) if kind == "id" else blind_index(term) if kind == "name" else term
            with connection.cursor() as cursor:
                params = {**base, "term": key}
                cursor.execute(page_sql, params)
                rows = [row[0] for row in cursor.fetchall()]
                if len(rows) < PAGE:
                    return len(rows), rows
                cursor.execute(count_sql, params)
                return cursor.fetchone()[0], rows

        run.page_sql = page_sql  # type: ignore[attr-defined]
        return run

    ratios = {}
    for kind in ("name", "initials", "id"):
        floor = raw(kind)
        for term in terms[kind][:20]:
            assert app(term) == floor(term), f"{kind} {term}: the app and the raw SQL disagree"
        sizes = []
        for term in terms[kind]:
            sizes.append(len(selectors.archive_list(user, q=term)))
        if explain:
            key = terms[kind][0]
            key = blind_index(key.upper()) if kind == "id" else blind_index(key) if kind == "name" else key
            with connection.cursor() as cursor:
                cursor.execute("EXPLAIN ANALYZE " + floor.page_sql, {**base, "term": key})  # type: ignore[attr-defined]
                print("\n".join("#   " + r[0] for r in cursor.fetchall()), flush=True)
        for term in terms[kind][:5]:
            app(term)
            floor(term)
        gc.collect()
        values, floors = _interleaved(terms[kind], app, floor)
        name = f"archive_search_{kind}"
        ratios[name] = report(
            name,
            values,
            floors,
            extra=f"; matches per term: median {statistics.median(sizes):g}, max {max(sizes)}",
        )
    return ratios


# --- the integrity opinion ------------------------------------------------------------------------
def opinion_persons(n_archives: int, count: int) -> list[dict]:
    """`count` persons: nine in ten by ID number (one in fifty of those not in the archives), the rest
    by name alone (found when the name is unique, else answered as ambiguous)."""
    import random

    rng = random.Random(count)
    seen: set[str] = set()
    persons: list[dict] = []
    while len(persons) < count:
        i = rng.randrange(1, n_archives + 1)
        if len(persons) % 10 == 9:
            name, number = person_name(i), ""
            key = f"name:{name}"
        else:
            number = id_number(i if len(persons) % 50 else n_archives + 1 + i)
            name, key = person_name(i), f"id:{number}"
        if key in seen:
            continue
        seen.add(key)
        persons.append({"name": name, "id_number": number, "post": "拟提拔"})
    return persons


RAW_OPINION = {
    "persons": "SELECT id, name, id_number_index FROM archives_opinionperson WHERE request_id = %s ORDER BY position",
    "by_id": "SELECT a.id, a.name_index, a.id_number_index, a.level FROM archives_integrityarchive a JOIN core_orgunit o ON o.id = a.org_unit_id "
    "WHERE a.is_active AND (o.city_id = %(city)s OR a.org_unit_id = %(city)s) AND a.id_number_index = ANY(%(ids)s)",
    "by_name": "SELECT a.id, a.name_index, a.id_number_index, a.level FROM archives_integrityarchive a JOIN core_orgunit o ON o.id = a.org_unit_id "
    "WHERE a.is_active AND (o.city_id = %(city)s OR a.org_unit_id = %(city)s) AND a.name_index = ANY(%(names)s)",
    "merged": "SELECT id, merged_into_id FROM archives_integrityarchive WHERE merged_into_id = ANY(%(archives)s)",
    "sanctions": "SELECT archive_id, kind, decided_on, effect_ends_on, authority, source FROM archives_sanction "
    "WHERE archive_id = ANY(%(archives)s) AND withdrawn_at IS NULL ORDER BY decided_on",
    "handlings": "SELECT archive_id, kind, recorded_on, source FROM archives_archiverecord WHERE archive_id = ANY(%(archives)s) "
    "AND kind IN ('talk_reminder', 'criticism', 'ordered_review') AND withdrawn_at IS NULL ORDER BY recorded_on, id",
    "matters": "SELECT archive_id FROM archives_personalmattersreport WHERE archive_id = ANY(%(archives)s) AND year = %(year)s "
    "AND withdrawn_at IS NULL",
    "reports": "SELECT p.archive_id, p.state, count(*) FROM petitions_petitionreport p JOIN core_orgunit h ON h.id = p.holder_id "
    "WHERE p.archive_id = ANY(%(archives)s) AND (h.city_id = %(city)s OR p.holder_id = %(city)s) GROUP BY 1, 2",
    "clues": "SELECT COALESCE(c.archive_id, r.archive_id), c.state, count(*) FROM petitions_clue c "
    "LEFT JOIN petitions_petitionreport r ON r.id = c.report_id JOIN core_orgunit h ON h.id = c.holder_id "
    "WHERE (c.archive_id = ANY(%(archives)s) OR (c.archive_id IS NULL AND r.archive_id = ANY(%(archives)s))) "
    "AND (h.city_id = %(city)s OR c.holder_id = %(city)s) GROUP BY 1, 2",
    "namesakes": "SELECT c.accused_name_index, count(*) FROM petitions_clue c JOIN core_orgunit h ON h.id = c.holder_id "
    "LEFT JOIN petitions_petitionreport r ON r.id = c.report_id "
    "WHERE c.accused_name_index = ANY(%(name_indexes)s) AND c.archive_id IS NULL AND (r.id IS NULL OR r.archive_id IS NULL) "
    "AND c.state <> 'closed' AND (h.city_id = %(city)s OR c.holder_id = %(city)s) GROUP BY 1",
    "visible": "SELECT a.id FROM archives_integrityarchive a JOIN core_orgunit o ON o.id = a.org_unit_id "
    "WHERE a.is_active AND (o.city_id = %(city)s OR a.org_unit_id = %(city)s) AND a.id = ANY(%(archives)s) "
    "AND NOT (a.name_index = %(own)s AND a.org_unit_id = %(unit)s) "
    "AND a.name_index NOT IN (SELECT r.relative_name_index FROM core_staffrelation r WHERE r.user_id = %(uid)s "
    "AND r.is_active AND r.relative_name_index <> '') "
    "AND a.id NOT IN (SELECT f.archive_id FROM archives_familymember f WHERE f.name_index = %(own)s AND f.withdrawn_at IS NULL) "
    "AND a.name_index NOT IN (SELECT f.name_index FROM archives_familymember f WHERE f.name_index <> '' AND f.withdrawn_at IS NULL "
    "AND f.archive_id IN (SELECT m.id FROM archives_integrityarchive m WHERE m.name_index = %(own)s AND m.org_unit_id = %(unit)s))",
}


def bench_opinion(officer, requester, n_archives: int, today: date) -> tuple[float, dict[int, int]]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from jijian.archives import opinions
    from jijian.archives.models import OpinionRequest
    from jijian.archives.sanctions import matters_year_due
    from jijian.core.sensitive.crypto import blind_index

    counts: dict[int, int] = {}
    requests = {}
    for size in (50, 500):
        req = opinions.opinion_submit(
            actor=requester, ref_no=f"组干函〔2026〕{size}号", purpose="promotion",
            persons=opinion_persons(n_archives, size),
        )  # fmt: skip
        with CaptureQueriesContext(connection) as queries:
            opinions.opinion_draft(actor=officer, request=req, version=req.version)
        counts[size] = len(queries.captured_queries)
        requests[size] = req
    req = requests[500]
    from collections import Counter

    verdicts = Counter(req.persons.values_list("verdict", flat=True))
    print(
        f"# integrity_opinion_500: queries of a draft: {counts[50]} for 50 persons, {counts[500]} for 500; "
        f"verdicts of the 500: {dict(sorted(verdicts.items()))}",
        flush=True,
    )
    base = {
        "city": officer.org_unit_id, "unit": officer.org_unit_id, "uid": officer.pk,
        "own": blind_index(officer.full_name), "year": matters_year_due(today),
    }  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute(RAW_OPINION["persons"], [req.pk])
        persons = cursor.fetchall()
    names = sorted({blind_index(name) for _, name, index in persons if not index})

    def draft(_=None) -> None:
        fresh = OpinionRequest.objects.get(pk=req.pk)
        opinions.opinion_draft(actor=officer, request=fresh, version=fresh.version)

    def raw(_=None) -> None:
        with connection.cursor() as cursor:
            cursor.execute(RAW_OPINION["persons"], [req.pk])
            rows = cursor.fetchall()
            ids = [index for _, _, index in rows if index]
            cursor.execute(RAW_OPINION["by_id"], {**base, "ids": ids})
            archives = cursor.fetchall()
            cursor.execute(RAW_OPINION["by_name"], {**base, "names": names})
            archives += cursor.fetchall()
            found = [r[0] for r in archives]
            params = {**base, "archives": found, "name_indexes": sorted({r[1] for r in archives})}
            for key in (
                "merged",
                "sanctions",
                "handlings",
                "matters",
                "reports",
                "clues",
                "namesakes",
                "visible",
            ):
                cursor.execute(RAW_OPINION[key].replace("core_staffrelation", _relations()), params)
                cursor.fetchall()

    def gather_only(_=None) -> None:
        opinions.gather(officer, list(OpinionRequest.objects.get(pk=req.pk).persons.all()))

    for _ in range(3):
        draft()
        raw()
    gc.collect()
    values, floors = _interleaved(range(OPINION_REPEAT), draft, raw)
    ratio = report("integrity_opinion_500", values, floors)
    gathered, floors = _interleaved(range(OPINION_REPEAT), gather_only, raw)
    print(
        f"# integrity_opinion_500: of which gathering the facts alone (opinions.gather, no proposal, no "
        f"write): median {statistics.median(gathered):.3f} ms, ratio {statistics.median(gathered) / statistics.median(floors):.2f} "
        f"to the same raw SQL (median {statistics.median(floors):.3f} ms)",
        flush=True,
    )
    return ratio, counts


# --- main -----------------------------------------------------------------------------------------
def run(n: int, *, explain: bool, reuse: bool = False) -> dict[str, float]:
    from django.db import connection, transaction
    from django.utils import timezone

    from bench.bench_petitions import generate_petitions
    from bench.generate import SCALES, generate
    from jijian.core.models import OrgUnit, User, UserRole
    from jijian.core.roles import Role

    today = timezone.localdate()
    if reuse:
        officer = User.objects.get(username="bench_cadre")
        print(f"# reusing the kept database: {n} persons, nothing generated", flush=True)
        ratios = bench_searches(officer, n, explain=explain)
        ratio, counts = bench_opinion(officer, User.objects.get(username="bench_orgdept"), n, today)
        ratios["integrity_opinion_500"] = ratio
        return ratios
    t = time.perf_counter()
    with transaction.atomic():
        gen = generate(SCALES["province"])
    city = OrgUnit.objects.get(pk=gen.city_id)
    people = {}
    for username, full_name, role in (
        ("bench_cadre", "干部监督员", Role.CADRE_SUPERVISION),
        ("bench_orgdept", "组织部干部科", Role.ORG_DEPARTMENT),
    ):
        user = User.objects.create(username=username, full_name=full_name, org_unit=city, password="!bench")
        UserRole.objects.create(user=user, role=role)
        people[role] = User.objects.get(pk=user.pk)
    unit_ids = list(OrgUnit.objects.order_by("pk").values_list("pk", flat=True))
    tree_seconds = time.perf_counter() - t
    t = time.perf_counter()
    steps = generate_archives(n, unit_ids=unit_ids, user_id=people[Role.CADRE_SUPERVISION].pk, today=today)
    archive_seconds = time.perf_counter() - t
    t = time.perf_counter()
    reports = generate_petitions(gen.city_id, PETITION_REPORTS)[0]
    linked = link_reports(n)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE)")
        cursor.execute("CHECKPOINT")
    print(
        f"GEN persons={n} units={len(unit_ids)} reports={reports} linked={linked} tree_seconds={tree_seconds:.1f} "
        f"archive_seconds={archive_seconds:.1f} ({', '.join(f'{k} {v:.1f}' for k, v in steps.items())}) "
        f"reports_and_vacuum_seconds={time.perf_counter() - t:.1f}",
        flush=True,
    )
    officer = people[Role.CADRE_SUPERVISION]
    ratios = bench_searches(officer, n, explain=explain)
    ratio, counts = bench_opinion(officer, people[Role.ORG_DEPARTMENT], n, today)
    ratios["integrity_opinion_500"] = ratio
    if counts[50] != counts[500]:
        print(f"# integrity_opinion_500: query count grows with the persons: {counts}", flush=True)
        ratios["integrity_opinion_500_queries"] = float("inf")
    return ratios


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--persons", type=int, default=1_000_000)
    parser.add_argument("--database", default="jijian_bench_archives")
    parser.add_argument("--explain", action="store_true", help="print EXPLAIN ANALYZE of the raw searches")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a ratio misses its target")
    parser.add_argument("--keep", action="store_true", help="do not drop the database at the end")
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="measure on the database a run with --keep left (the same --persons), without generating; kept",
    )
    args = parser.parse_args(argv)

    from bench.run import DEFAULT_URL, _admin, _with_database

    server_url = os.environ.get("DATABASE_URL") or DEFAULT_URL
    if not server_url.startswith(("postgres://", "postgresql://")):
        print(f"bench 需要 PostgreSQL：DATABASE_URL={server_url!r}", file=sys.stderr)
        return 2
    name = args.database
    if args.reuse:
        args.keep = True
    else:
        _admin(server_url, f'DROP DATABASE IF EXISTS "{name}"')
        _admin(server_url, f'CREATE DATABASE "{name}"')
    os.environ.update(
        JIJIAN_ENV="test",
        DJANGO_SETTINGS_MODULE="jijian.config.settings",
        DATABASE_URL=_with_database(server_url, name),
    )
    os.environ.pop("REDIS_URL", None)
    os.environ.pop("JIJIAN_DATABASE_REPLICAS", None)
    missed: dict[str, float] = {}
    try:
        import django

        django.setup()
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        ratios = run(args.persons, explain=args.explain, reuse=args.reuse)
        missed = {k: v for k, v in ratios.items() if v > TARGETS.get(k, 0)}
        if missed:
            print(f"# target missed: {', '.join(f'{k}={v:.2f}' for k, v in missed.items())}", flush=True)
    finally:
        from django.db import connections

        connections.close_all()
        if not args.keep:
            _admin(server_url, f'DROP DATABASE IF EXISTS "{name}"')
    return 1 if args.strict and missed else 0


if __name__ == "__main__":
    sys.exit(main())
