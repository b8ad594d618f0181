"""Required courses (必修课) per role and year, and who has not completed them.

A course marked required for a year binds the people of its unit's subtree whose role matches its
audience (村（社区）纪检委员, 乡镇（街道）纪检干部, or both): a city's required course binds every village
member of the city, a county's those of the county. Completion is the learner's own CourseCompletion
(every material studied, services.course_complete). The statistics read only people in the reader's
jurisdiction (core.access.scope over their unit, module TRAINING)."""

from __future__ import annotations

from dataclasses import dataclass, field

from jijian.core.access import scope
from jijian.core.models import User, UserRole
from jijian.core.roles import Module, Role

from .models import Audience, Course, CourseCompletion, Exam

LEARNER_ROLES = (Role.VILLAGE_MEMBER, Role.TOWNSHIP_COMMITTEE)


def _audiences(roles: set[str]) -> set[str]:
    out: set[str] = set()
    if roles & set(LEARNER_ROLES):
        out.add(Audience.ALL.value)
    if Role.VILLAGE_MEMBER in roles:
        out.add(Audience.VILLAGE_MEMBERS.value)
    if Role.TOWNSHIP_COMMITTEE in roles:
        out.add(Audience.TOWNSHIP_CADRES.value)
    return out


def _above(unit) -> set[int]:
    ids = {unit.pk, *unit.ancestor_ids()}
    if unit.zone_id:
        ids.add(unit.zone_id)
    return ids


def required_for(people: list[User], roles: dict[int, set[str]], year: int) -> dict[int, list[Course]]:
    """For each person, the required courses of `year` that bind them (one query for the courses)."""
    units: set[int] = set()
    for person in people:
        units |= _above(person.org_unit)
    courses = list(
        Course.objects.filter(year=year, is_required=True, org_unit_id__in=units).order_by("title")
    )
    out: dict[int, list[Course]] = {}
    for person in people:
        above, audiences = _above(person.org_unit), _audiences(roles.get(person.pk, set()))
        out[person.pk] = [c for c in courses if c.org_unit_id in above and c.audience in audiences]
    return out


def exams_open_for(people: list[User], roles: dict[int, set[str]], year: int, *, now) -> dict[int, int]:
    """For each person, how many exams of `year` were open to them: published, set by their unit or
    one above for their role (as access.exams_open_to), the sitting window opened in `year` and
    closed by `now` (a window still open can still be sat, so it is not yet missed). One query."""
    units: set[int] = set()
    for person in people:
        units |= _above(person.org_unit)
    exams = list(
        Exam.objects.filter(
            is_published=True, org_unit_id__in=units, opens_at__year=year, closes_at__lte=now
        ).values_list("org_unit_id", "audience")
    )
    out: dict[int, int] = {}
    for person in people:
        above, audiences = _above(person.org_unit), _audiences(roles.get(person.pk, set()))
        out[person.pk] = sum(1 for unit, audience in exams if unit in above and audience in audiences)
    return out


def learners_of(user_ids=None, *, reader=None):
    """Active learners (village members, township committees), scoped to `reader`'s jurisdiction or
    restricted to `user_ids`, with their roles."""
    qs = User.objects.filter(is_active=True, roles__role__in=LEARNER_ROLES).select_related("org_unit")
    if reader is not None:
        qs = scope(qs, reader, module=Module.TRAINING)
    if user_ids is not None:
        qs = qs.filter(pk__in=list(user_ids))
    people = list(qs.distinct().order_by("org_unit__path", "full_name"))
    roles: dict[int, set[str]] = {}
    for uid, role in UserRole.objects.filter(user__in=people).values_list("user_id", "role"):
        roles.setdefault(uid, set()).add(role)
    return people, roles


def completions_of(user_ids, course_ids) -> set[tuple[int, int]]:
    return set(
        CourseCompletion.objects.filter(
            user_id__in=list(user_ids), course_id__in=list(course_ids)
        ).values_list("user_id", "course_id")
    )


@dataclass
class CourseRow:
    course: Course
    bound: int = 0
    done: int = 0

    @property
    def pending(self) -> int:
        return self.bound - self.done


@dataclass
class RequiredStatus:
    year: int
    courses: list[CourseRow] = field(default_factory=list)
    # (person, [courses not completed]) for everyone with at least one required course left.
    pending: list[tuple[User, list[Course]]] = field(default_factory=list)
    people: int = 0
    complete: int = 0


def required_status(reader, *, year: int) -> RequiredStatus:
    """Required courses of `year` binding people in the reader's jurisdiction: per course how many
    it binds and how many completed it, and who has not completed all of theirs."""
    status = RequiredStatus(year=year)
    if not reader.has_module(Module.TRAINING):
        return status
    people, roles = learners_of(reader=reader)
    bound = required_for(people, roles, year)
    all_courses = {c.pk: c for cs in bound.values() for c in cs}
    done = completions_of([p.pk for p in people], all_courses)
    rows = {pk: CourseRow(course=c) for pk, c in sorted(all_courses.items(), key=lambda kv: kv[1].title)}
    for person in people:
        courses = bound[person.pk]
        if not courses:
            continue
        status.people += 1
        left = []
        for c in courses:
            rows[c.pk].bound += 1
            if (person.pk, c.pk) in done:
                rows[c.pk].done += 1
            else:
                left.append(c)
        if left:
            status.pending.append((person, left))
        else:
            status.complete += 1
    status.courses = list(rows.values())
    return status
