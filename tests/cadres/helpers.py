"""What the cadres tests share: a candidate in a village, a current holding, a task."""

from __future__ import annotations

from datetime import date

from jijian.cadres import services
from jijian.cadres.models import PostHolding
from jijian.core.services import user_create
from tests.archives.helpers import idn


def candidate(village, username="houxuan", name="陈思远", n=7):
    return user_create(
        actor=None,
        username=username,
        full_name=name,
        org_unit=village,
        roles=set(),
        id_number=idn(n),
        audit=False,
    )


def holding(village, holder, county_officer, started_on=date(2021, 1, 1)) -> PostHolding:
    return services.post_holding_register(
        actor=county_officer, village=village, holder=holder, started_on=started_on
    )


def nominate(township, village, person, **extra):
    return services.nomination_submit(
        actor=township,
        village=village,
        candidate=person,
        reason=extra.pop("reason", "党员，熟悉村务"),
        committee=extra.pop("committee", "王德明\n李春燕"),
        away_reason=extra.pop("away_reason", ""),
    )


def task(township, member, **extra):
    return services.guidance_task_issue(
        actor=township,
        member=member,
        kind=extra.pop("kind", "dispatch"),
        title=extra.pop("title", "核查低保公示"),
        body=extra.pop("body", "逐户核对"),
        working_days=extra.pop("working_days", 5),
        issued_on=extra.pop("issued_on", None),
    )
