"""Reads of evaluation through access.py's scoped querysets: the evaluation list of a year, a
check's findings with their photos and rectifications, and the to-dos of a unit."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils import timezone

from jijian.attachments.access import attachments_visible_to
from jijian.core.access import org_units_visible_to
from jijian.core.models import COUNTY_KINDS, TOWNSHIP_KINDS, User

from . import access
from .models import CheckPair, Evaluation, Rectification


@dataclass
class MemberRow:
    member: object
    evaluation: Evaluation | None


def evaluation_rows(user, *, year: int) -> list[MemberRow]:
    """Every village member in the user's jurisdiction to evaluate for `year` (access.members_to_evaluate:
    those with the role, and those who held a post during the year) and everyone evaluated for it, with
    the year's evaluation, if started."""
    evaluations = {e.member_id: e for e in access.evaluations_visible_to(user).filter(year=year)}
    evaluated = User.objects.filter(pk__in=list(evaluations)).distinct()
    members = access.members_to_evaluate(user, year=year) | evaluated
    ordered = members.select_related("org_unit").order_by("org_unit__path", "full_name")
    return [MemberRow(m, evaluations.get(m.pk)) for m in ordered]


def findings_of(user, pair: CheckPair) -> list[dict]:
    findings = list(pair.findings.all())
    rects: dict[int, list[Rectification]] = {}
    for r in Rectification.objects.filter(finding__in=findings):
        rects.setdefault(r.finding_id, []).append(r)
    photos: dict[str, list] = {}
    for a in attachments_visible_to(user).filter(
        purpose=access.FINDING_FILES, object_id__in=[str(f.pk) for f in findings]
    ):
        photos.setdefault(a.object_id, []).append(a)
    items = {i["code"]: i for i in pair.round.rubric.items}
    today = timezone.localdate()
    return [
        {
            "finding": f,
            "item": items.get(f.item_code, {}),
            "photos": photos.get(str(f.pk), []),
            "rectifications": [(r, r.is_overdue(today)) for r in rects.get(f.pk, [])],
        }
        for f in findings
    ]


def pair_units(user):
    """Townships and counties the organiser may pair (its jurisdiction)."""
    return org_units_visible_to(user).filter(kind__in=[*TOWNSHIP_KINDS, *COUNTY_KINDS]).order_by("path")


def my_checks(user) -> dict:
    """The checks the user's own unit does and undergoes, and its rectifications not closed."""
    pairs = access.pairs_visible_to(user)
    unit = user.org_unit_id
    return {
        "as_checker": list(pairs.filter(checker_id=unit).order_by("-round__opened_at")[:20]),
        "as_checked": list(pairs.filter(checked_id=unit).order_by("-round__opened_at")[:20]),
        "open_rectifications": list(
            Rectification.objects.filter(finding__pair__in=pairs.filter(checked_id=unit).values("pk"))
            .exclude(state=Rectification.State.CLOSED)
            .select_related("finding__pair__checker")
            .order_by("deadline")[:50]
        ),
    }
