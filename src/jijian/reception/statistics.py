"""Statistics of video reception for the user's jurisdiction and a date range (the reception date):
receptions per office, per receiving leader, per township terminal, per matter and per level of the
accused (干部管理权限), by outcome; the
outcomes themselves; no-shows; the days from booking to the session. Live from the bookings, never
rebuilt overnight.

The matter (反映问题类别) is not asked at booking (the petitioner's account is free text, encrypted):
a session counts under the matter of the report from the public it became or was linked to (the
reception's case reference; the label through core.links.petition_matters, never by importing
petitions), and under "未登记为信访举报" until then. Every breakdown is one aggregate query, whatever
the number of receptions (the matters one more, to petitions)."""

from __future__ import annotations

import io
from datetime import date

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy

from jijian.core.models import CadreLevel
from jijian.core.ops.replicas import on_reporting_db

from .access import receptions_visible_to
from .models import ReceptionState

OUTCOMES = (
    ("total", gettext_lazy("预约总数"), None),
    ("requested", gettext_lazy("待确认"), ReceptionState.REQUESTED),
    ("confirmed", gettext_lazy("已确认"), ReceptionState.CONFIRMED),
    ("in_session", gettext_lazy("接访中"), ReceptionState.IN_SESSION),
    ("ended", gettext_lazy("已接访"), ReceptionState.ENDED),
    ("no_show", gettext_lazy("未到场"), ReceptionState.NO_SHOW),
    ("cancelled", gettext_lazy("已取消"), ReceptionState.CANCELLED),
)
# Besides the state: how many sessions became (or were linked to) a report from the public.
CASE = ("case", gettext_lazy("转为信访举报"))
COLUMNS = (*((name, label) for name, label, _ in OUTCOMES), CASE)
NAMES = tuple(name for name, _ in COLUMNS)

UNLINKED = gettext_lazy("未登记为信访举报")
UNKNOWN_CASE = gettext_lazy("关联案件类别不明")


def _annotations() -> dict:
    out = {name: Count("pk", filter=Q(state=state)) if state else Count("pk") for name, _, state in OUTCOMES}
    out[CASE[0]] = Count("pk", filter=~Q(case_ref=""))
    return out


def _row(name: str, counts: dict) -> dict:
    return {"name": name, **{n: counts[n] for n in NAMES}, "counts": [counts[n] for n in NAMES]}


def _counts(qs, key: str, label: str) -> list[dict]:
    rows = qs.values(key).annotate(**_annotations()).order_by(key)
    return [_row(row[key] or label, row) for row in rows]


def case_report_id(ref: str) -> int | None:
    """The report's id in a reception's case reference ("petitions.petitionreport:42|XF-…"), or None
    for a reference to another kind of case."""
    kind, _, pk = ref.partition("|")[0].rpartition(":")
    return int(pk) if kind == "petitions.petitionreport" and pk.isdigit() else None


def _by_matter(qs) -> list[dict]:
    """Per matter of the linked report: one aggregate query grouped by case reference, and one
    question to petitions for the matters of all the reports at once."""
    from jijian.core import links

    rows = list(qs.values("case_ref").annotate(**_annotations()).order_by("case_ref"))
    report_ids = {row["case_ref"]: case_report_id(row["case_ref"]) for row in rows if row["case_ref"]}
    wanted = sorted({pk for pk in report_ids.values() if pk is not None})
    matters = links.petition_matters(wanted) if wanted else {}
    merged: dict[str, dict] = {}
    unlinked = str(UNLINKED)
    for row in rows:
        ref = row["case_ref"]
        name = str(matters.get(report_ids[ref], UNKNOWN_CASE)) if ref else unlinked
        bucket = merged.setdefault(name, dict.fromkeys(NAMES, 0))
        for n in NAMES:
            bucket[n] += row[n]
    # The matters by number of receptions, the sessions not (yet) a report last.
    order = sorted(merged, key=lambda name: (name == unlinked, -merged[name]["total"], name))
    return [_row(name, merged[name]) for name in order]


def _by_level(qs) -> list[dict]:
    """Per level of the accused (干部管理权限), in the order of CadreLevel: one aggregate query."""
    counts = {row["accused_level"]: row for row in qs.values("accused_level").annotate(**_annotations())}
    return [_row(str(label), counts[value]) for value, label in CadreLevel.choices if value in counts]


def _by_outcome(totals: dict) -> list[dict]:
    total = totals["total"]
    return [
        {
            "key": name,
            "name": str(label),
            "count": totals[name],
            "share": round(100 * totals[name] / total, 1) if total else None,
        }
        for name, label in COLUMNS[1:]
    ]


def reception_statistics(user, start: date, end: date, *, db: str | None = None) -> dict:
    """The statistics of receptions in [start, end] in the user's jurisdiction (decided on the primary:
    roles and unit), read on `db`, by default the reporting database (a replica when one is usable,
    the primary once more if it fails: core.ops.replicas.on_reporting_db). The matters' labels come
    from petitions through core.links, on the primary."""
    if db is None:
        return on_reporting_db(lambda alias: reception_statistics(user, start, end, db=alias))
    qs = receptions_visible_to(user).using(db).filter(slot__date__gte=start, slot__date__lte=end)
    waits = [
        (slot_date - timezone.localtime(created).date()).days
        for slot_date, created in qs.filter(state=ReceptionState.ENDED).values_list(
            "slot__date", "created_at"
        )
    ]
    totals = qs.aggregate(**_annotations())
    return {
        "start": start,
        "end": end,
        "offices": _counts(qs, "org_unit__name", "—"),
        "leaders": _counts(
            qs.exclude(slot__schedule__receiver=None), "slot__schedule__receiver__full_name", "—"
        ),
        "townships": _counts(qs, "township__name", gettext("网上预约")),
        "matters": _by_matter(qs),
        "levels": _by_level(qs),
        "totals": totals,
        "total_row": _row(gettext("合计"), totals),
        "by_outcome": _by_outcome(totals),
        "wait_days": round(sum(waits) / len(waits), 1) if waits else None,
        "outcomes": OUTCOMES,
        "columns": COLUMNS,
    }


BREAKDOWNS = (
    ("offices", "按接访机关", "接访机关"),
    ("leaders", "按接访领导", "接访领导"),
    ("townships", "按乡镇接访点", "乡镇接访点"),
    ("matters", "按反映问题类别", "反映问题类别"),
    ("levels", "按被反映人级别", "被反映人级别"),
)


def statistics_xlsx(stats: dict) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    from jijian.core.exports import spreadsheet_cell

    def heading(ws, *head: str) -> None:
        ws.append([f"视频接访统计（{stats['start']:%Y-%m-%d} 至 {stats['end']:%Y-%m-%d}）"])
        ws["A1"].font = Font(bold=True, size=14)
        ws.append(list(head))
        for cell in ws[2]:
            cell.font = Font(bold=True)
        ws.column_dimensions["A"].width = 24

    wb = Workbook()
    ws = wb.active
    ws.title = "按结果"
    heading(ws, "结果", "数量", "占预约总数（%）")
    states = [row for row in stats["by_outcome"] if row["key"] != CASE[0]]
    for row in states:
        ws.append([row["name"], row["count"], row["share"] if row["share"] is not None else "—"])
    ws.append(["预约总数", stats["totals"]["total"], 100 if stats["totals"]["total"] else "—"])
    # The bookings that became a report are among the states above: listed under the total, not as one more.
    for row in stats["by_outcome"]:
        if row["key"] == CASE[0]:
            ws.append(
                [f"其中：{row['name']}", row["count"], row["share"] if row["share"] is not None else "—"]
            )
    ws.append([])
    ws.append(["从预约到接访平均天数", stats["wait_days"] if stats["wait_days"] is not None else "—"])
    for key, title, head in BREAKDOWNS:
        ws = wb.create_sheet(title)
        heading(ws, head, *(str(label) for _, label in COLUMNS))
        for row in stats[key]:
            ws.append([spreadsheet_cell(row["name"]), *row["counts"]])
        ws.append(["合计", *stats["total_row"]["counts"]])
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
