"""Demo integrity archives for Suizhou: a county cadre, two township cadres of 厉山镇, a village cadre
王某 in the village of the petitions demo's first report (so that report's page offers the archive as a
link candidate), and a township cadre of 广水市. Created through services.archive_create by the demo
cadre supervision officer (ganjian), so each has its audit entry. Nothing is linked: linking is the
report handler's decision."""

from __future__ import annotations

import random

from jijian.core.demo import fake_id_number
from jijian.core.models import VILLAGE_KINDS, OrgUnit, User
from jijian.core.roles import Role
from jijian.petitions.models import AccusedLevel

from . import services
from .models import IntegrityArchive


def _first_village(township: OrgUnit | None) -> OrgUnit | None:
    # The petitions demo's first report is about 王某 in the first village of 厉山镇 by id.
    if township is None:
        return None
    return OrgUnit.objects.filter(township=township, kind__in=VILLAGE_KINDS).order_by("pk").first()


def load_demo(*, seed: int = 2020) -> int:
    """Create the demo archives; returns how many. Does nothing where archives exist already (run
    twice) or the Suizhou tree or the demo keeper is missing."""
    if IntegrityArchive.objects.exists():
        return 0
    keeper = (
        User.objects.filter(username="ganjian", roles__role=Role.CADRE_SUPERVISION).first()
        or User.objects.filter(roles__role=Role.CADRE_SUPERVISION, org_unit__kind="city", is_active=True)
        .order_by("pk")
        .first()
    )
    suixian = OrgUnit.objects.filter(code="421321").first()
    if keeper is None or suixian is None:
        return 0
    lishan = (
        OrgUnit.objects.filter(name="厉山镇").first()
        or OrgUnit.objects.filter(parent=suixian).exclude(kind="department").order_by("pk").first()
    )
    village = _first_village(lishan)
    guangshui = OrgUnit.objects.filter(code="421381").first()
    guangshui_town = (
        OrgUnit.objects.filter(parent=guangshui).exclude(kind="department").order_by("pk").first()
        if guangshui
        else None
    )
    rng = random.Random(seed + 3)
    plan = [
        (suixian, "赵某", "县交通运输局局长", AccusedLevel.DIVISION, "2024年度个人有关事项报告已按时填报。"),
        (lishan, "刘某", "副镇长", AccusedLevel.SECTION, "分管城建、交通。"),
        (lishan, "张某", "镇农业服务中心主任", AccusedLevel.STAFF, ""),
        (village, "王某", "村主任", AccusedLevel.VILLAGE, "2021年换届当选。"),
        (guangshui_town, "陈某", "镇党委副书记", AccusedLevel.SECTION, ""),
    ]
    made = 0
    for unit, name, post, level, notes in plan:
        if unit is None:
            continue
        area = (unit.county.code if unit.county_id else unit.code) or "421300"
        services.archive_create(
            actor=keeper,
            name=name,
            org_unit=unit,
            id_number=fake_id_number(rng, area[:6]),
            post=post,
            level=level,
            notes=notes,
        )
        made += 1
    return made
