"""Reference data of the archive: the sanctions and organisational handlings with their effect
periods (影响期), and the due date of the yearly personal-matters report. docs/archives.md lists the
rules these figures come from.

The effect period is the time during which the sanction bars promotion (the integrity opinion's
veto): it starts on the day the decision takes effect and lasts `months` calendar months; for 留党察看
it is the probation (12 or 24 months) plus the two years after party rights are restored; a sanction
without `months` (开除党籍, 开除) has no end."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


@dataclass(frozen=True)
class SanctionKind:
    key: str
    track: str  # "party" | "public" | "organisational"
    label: StrOrPromise  # lazy: read in the active language (a file's words: imports.py, in the source's)
    months: int | None  # None: no end
    probation: bool = False  # 留党察看: the decision sets a probation of 12 or 24 months
    display: StrOrPromise = ""  # the name on the archive and the reply, where the label alone is ambiguous

    @property
    def name(self) -> StrOrPromise:
        return self.display or self.label


TRACKS = {"party": _("党纪处分"), "public": _("政务处分"), "organisational": _("组织处理")}

_KINDS = [
    # 中国共产党纪律处分条例: promotion barred for 1 year after 警告, 18 months after 严重警告, 2 years
    # after 撤销党内职务; 留党察看: the probation, then 2 years after rights are restored.
    SanctionKind("party_warning", "party", _("警告"), 12, display=_("党内警告")),
    SanctionKind("party_serious_warning", "party", _("严重警告"), 18, display=_("党内严重警告")),
    SanctionKind("party_removal", "party", _("撤销党内职务"), 24),
    SanctionKind("party_probation", "party", _("留党察看"), 24, probation=True),
    SanctionKind("party_expulsion", "party", _("开除党籍"), None),
    # 公职人员政务处分法: 警告 6 months, 记过 12, 记大过 18, 降级 and 撤职 24; 开除 without end.
    SanctionKind("public_warning", "public", _("警告"), 6, display=_("政务警告")),
    SanctionKind("public_demerit", "public", _("记过"), 12),
    SanctionKind("public_major_demerit", "public", _("记大过"), 18),
    SanctionKind("public_demotion", "public", _("降级"), 24),
    SanctionKind("public_dismissal", "public", _("撤职"), 24),
    SanctionKind("public_expulsion", "public", _("开除"), None, display=_("开除公职")),
    # 中国共产党组织处理规定（试行） and the rules on 诫勉: no promotion within the period.
    SanctionKind("org_admonition", "organisational", _("诫勉"), 6),
    SanctionKind("org_suspension", "organisational", _("停职检查"), 6),
    SanctionKind("org_adjustment", "organisational", _("调整职务"), 12),
    SanctionKind("org_resignation", "organisational", _("责令辞职"), 12),
    SanctionKind("org_removal", "organisational", _("免职"), 12),
    SanctionKind("org_demotion", "organisational", _("降职"), 24),
]
SANCTIONS: dict[str, SanctionKind] = {k.key: k for k in _KINDS}
PROBATION_MONTHS = (12, 24)


def kind_choices() -> list[tuple[StrOrPromise, list[tuple[str, StrOrPromise]]]]:
    """Grouped choices for a select: (track label, [(key, label)])."""
    return [
        (label, [(k.key, k.label) for k in _KINDS if k.track == track]) for track, label in TRACKS.items()
    ]


def add_months(day: date, months: int) -> date:
    """The same day `months` later, clamped to the month's end (31 August + 6 months = 28/29 February)."""
    y, m = divmod(day.month - 1 + months, 12)
    year, month = day.year + y, m + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def effect_ends_on(kind: str, decided_on: date, probation_months: int = 0) -> date | None:
    """The last day of the effect period, or None for a sanction without end. Raises KeyError for an
    unknown kind and ValueError for a 留党察看 without a probation of 12 or 24 months."""
    ref = SANCTIONS[kind]
    if ref.months is None:
        return None
    months = ref.months
    if ref.probation:
        if probation_months not in PROBATION_MONTHS:
            raise ValueError(gettext("留党察看须选择察看期（一年或二年）"))
        months += probation_months
    return add_months(decided_on, months) - timedelta(days=1)


def matters_due_on(year: int) -> date:
    """The yearly personal-matters report on `year` is due by 31 January of the next year."""
    return date(year + 1, 1, 31)


def matters_year_due(today: date) -> int:
    """The latest year whose report is due by `today` (on 1 February 2027: the report on 2026)."""
    return today.year - 1 if today > matters_due_on(today.year - 1) else today.year - 2
