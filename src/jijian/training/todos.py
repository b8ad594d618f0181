"""Home-page to-dos of training (registered with jijian.core.todos from apps.ready), for a learner (a
village member, a township cadre): the exams open now that they have not sat yet, and this year's
required courses they have not finished. One COUNT each, through the app's access functions."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from jijian.core.roles import Module
from jijian.core.todos import register

from . import access
from .models import CourseCompletion


@register
def training_to_do(user) -> list[dict]:
    if not user.has_module(Module.TRAINING) or not access.audiences_of(user):
        return []
    now = timezone.now()
    home = reverse("training:home")
    exams = access.exams_open_to(user).filter(opens_at__lte=now, closes_at__gt=now)
    not_sat = exams.exclude(pk__in=access.sittings_of(user).values("exam_id"))
    required = access.courses_open_to(user).filter(year=timezone.localdate().year, is_required=True)
    unfinished = required.exclude(pk__in=CourseCompletion.objects.filter(user=user).values("course_id"))
    return [
        {"title": gettext("待参加的考试"), "url": home + "#exams", "count": not_sat.count()},
        {"title": gettext("本年度未学完的必修课程"), "url": home + "#courses", "count": unfinished.count()},
    ]
