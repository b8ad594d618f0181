"""What training offers the other platforms (core.links.training_results): for the annual evaluation,
each person's required courses and completions of a year and their exams. The caller passes people
it has already scoped by its own rules (the evaluation reads members in its reader's jurisdiction);
the answer holds facts of training only, no question or answer."""

from __future__ import annotations

from django.db.models import Count, Max, Q
from django.utils import timezone

from .models import CourseCompletion, Sitting
from .required import completions_of, exams_open_for, learners_of, required_for


def training_results(*, user_ids, year: int) -> dict[int, dict]:
    """{user_id: {"required": n, "required_done": n, "courses_done": n, "exams_open": n,
    "exams_sat": n, "exams_passed": n, "best_percent": int | None}} for the people among `user_ids`
    (people with no training at all get zeros; a constant number of queries for any number of
    people). `exams_open`: the exams of the year open to the person whose window has closed
    (required.exams_open_for), so the evaluation can tell "no exam to sit" from "did not sit"."""
    ids = [int(i) for i in user_ids]
    people, roles = learners_of(ids)
    bound = required_for(people, roles, year)
    exams_open = exams_open_for(people, roles, year, now=timezone.now())
    done = completions_of(ids, {c.pk for cs in bound.values() for c in cs})
    courses_done = dict(
        CourseCompletion.objects.filter(user_id__in=ids, course__year=year)
        .values("user_id")
        .annotate(n=Count("pk"))
        .values_list("user_id", "n")
    )
    exams: dict[int, dict] = {
        row["user_id"]: dict(row)
        for row in Sitting.objects.filter(user_id__in=ids, submitted_at__year=year)
        .values("user_id")
        .annotate(
            sat=Count("exam", distinct=True),
            passed=Count("exam", filter=Q(passed=True), distinct=True),
            best=Max("score"),
        )
    }
    best_percent: dict[int, int] = {}
    for uid, score, total in Sitting.objects.filter(
        user_id__in=ids, submitted_at__year=year, score__isnull=False, total__gt=0
    ).values_list("user_id", "score", "total"):
        best_percent[uid] = max(best_percent.get(uid, 0), round((score or 0) * 100 / total))
    out = {}
    for uid in ids:
        required = bound.get(uid, [])
        exam = exams.get(uid, {})
        out[uid] = {
            "required": len(required),
            "required_done": sum(1 for c in required if (uid, c.pk) in done),
            "courses_done": courses_done.get(uid, 0),
            "exams_open": exams_open.get(uid, 0),
            "exams_sat": exam.get("sat", 0),
            "exams_passed": exam.get("passed", 0),
            "best_percent": best_percent.get(uid),
        }
    return out
