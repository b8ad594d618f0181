"""Demo of evaluation for Suizhou: the city's 党风政风监督室 (shidangfeng) sets the year's rubric and
the 四问四看 checklist; 随县's office (dangfeng) opens a mutual-check round in which 厉山镇 and a
neighbouring township check each other, with scores, a finding, a rectification and a lesson
marked for sharing; 厉山镇's committee (xiangzhen) has evaluated some of its village members — those
who left the post this year first (their evaluation counts the months held), then members in post.
Everything goes through the services.

An evaluation is computed from what other platforms hold, read through ports: the posts held and
the guidance tasks come from cadres, whose demo `jijian setup` loads before this one (the loaders run
in INSTALLED_APPS order, cadres listed first), so the evaluations are computed on the demo's posts and
tasks."""

from __future__ import annotations

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.utils import timezone

from jijian.core.models import OrgUnit, User, UserRole
from jijian.core.roles import Role

from . import access, services
from .models import EvaluationRubric
from .scoring import DEFAULT_GRADES

CHECKLIST = [
    {"ask": "主体责任是否压实", "look": "党委（党组）研究部署纪检工作的会议记录", "max": 25},
    {"ask": "监督责任是否到位", "look": "村（社区）纪检委员履职纪实和月报", "max": 25},
    {"ask": "发现问题是否整改", "look": "问题清单和整改台账", "max": 25},
    {"ask": "群众诉求是否回应", "look": "信访件办理和群众回访记录", "max": 25},
]


def _user(username: str, role: str) -> User | None:
    return User.objects.filter(username=username, roles__role=role, is_active=True).first()


def load_demo(*, seed: int = 2020) -> str:
    if EvaluationRubric.objects.exists():
        return ""
    city = _user("shidangfeng", Role.CONDUCT_SUPERVISION)
    county = _user("dangfeng", Role.CONDUCT_SUPERVISION)
    township = _user("xiangzhen", Role.TOWNSHIP_COMMITTEE)
    if not (city and county and township):
        return ""
    year = timezone.localdate().year
    services.evaluation_rubric_save(
        actor=city,
        name=f"{year}年度村（社区）纪检委员考评细则",
        year=year,
        weights={"reports": 40, "training": 20, "guidance": 10, "township": 30},
        grades=DEFAULT_GRADES,
    )
    checklist = services.check_rubric_save(actor=city, name="“四问四看”互查清单", items=CHECKLIST)
    # 厉山镇's committee evaluates six of its village members: those without the role first (who left the
    # post this year, or took it and wait for the role: judged on the months held), then the demo
    # member (cun, with the demo's guidance tasks).
    with_role = set(UserRole.objects.filter(role=Role.VILLAGE_MEMBER).values_list("user_id", flat=True))
    members = sorted(
        access.members_to_evaluate(township, year=year).order_by("org_unit__path", "pk"),
        key=lambda m: (m.pk in with_role, m.username != "cun"),
    )[:6]
    evaluated = 0
    for n, member in enumerate(members):
        try:
            e = services.evaluation_start(actor=township, member=member, year=year)
        except ValidationError:
            continue
        evaluated += 1
        if n < 4:
            services.evaluation_assess(
                actor=township,
                evaluation=e,
                township_score=70 + 5 * n,
                comment="履职认真，按时报送月报",
                version=e.version,
            )
    # 随县's round: 厉山镇 and its neighbour check each other.
    lishan = township.org_unit
    neighbour = (
        OrgUnit.objects.filter(parent_id=lishan.parent_id, kind=lishan.kind)
        .exclude(pk=lishan.pk)
        .order_by("pk")
        .first()
    )
    if neighbour is None:
        return f"考评细则 1 套、年度考评 {evaluated} 人"
    round_ = services.check_round_open(
        actor=county, title=f"{year}年度乡镇纪委“互查互评互鉴”", year=year, rubric=checklist
    )
    ours = services.check_pair_add(actor=county, round_=round_, checker=lishan, checked=neighbour)
    theirs = services.check_pair_add(actor=county, round_=round_, checker=neighbour, checked=lishan)
    services.check_pair_score(
        actor=township, pair=ours, scores={"q1": 23, "q2": 20, "q3": 18, "q4": 22}, version=1
    )
    finding = services.finding_add(
        actor=township,
        pair=ours,
        item_code="q3",
        description=f"{neighbour.name}部分村问题整改台账未注明整改时限，两项问题整改后未回访。",
        lesson="整改台账逐项注明时限和责任人，整改后回访群众并留痕，可防止问题反弹。",
        share=True,
    )
    services.rectification_add(
        actor=township,
        finding=finding,
        requirement="补齐整改台账的时限和责任人，完成回访并留痕",
        deadline=timezone.localdate() + timedelta(days=20),
    )
    # The neighbour's committee checks 厉山镇 (if the demo has one).
    checker = (
        User.objects.filter(is_active=True, roles__role=Role.TOWNSHIP_COMMITTEE, org_unit=neighbour)
        .order_by("pk")
        .first()
    )
    if checker is not None:
        services.check_pair_score(
            actor=checker, pair=theirs, scores={"q1": 24, "q2": 21, "q3": 20, "q4": 19}, version=1
        )
        found = services.finding_add(
            actor=checker,
            pair=theirs,
            item_code="q2",
            description="两个村的纪检委员月报中“发现问题”一栏长期为空，履职纪实与月报数量不一致。",
        )
        services.rectification_add(
            actor=checker,
            finding=found,
            requirement="督促相关村纪检委员如实记录履职情况并核对月报数量",
            deadline=timezone.localdate() + timedelta(days=15),
        )
    return f"考评细则 1 套、年度考评 {evaluated} 人、互查 1 轮"
