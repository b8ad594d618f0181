"""Demo of the cadres app (`jijian setup`), through its own services, in 厉山镇 of 随县:

- the posts of the township's villages registered by the county (`dangfeng`), one with its history
  (the earlier member replaced when the demo member `cun` took over);
- three nominations by the township (`xiangzhen`): one approved by the county (the village's member
  replaced, the history kept), one waiting, from another village (异地任职), and one that the vetting
  bars (a declared relative on the village committee);
- guidance tasks to `cun`: one answered (now a duty record of the month), one open, one overdue;
- 跟案学习: a township cadre whose period ended and whose report waits for the county, and `xiangzhen`
  on a case now."""

from __future__ import annotations

import random
from datetime import date, timedelta

from django.utils import timezone

from jijian.core.demo import fake_id_number
from jijian.core.models import OrgUnit, RelationKind, StaffRelation, User
from jijian.core.roles import Role
from jijian.core.services import user_create

from . import services
from .models import GuidanceTask, TaskKind


def load_demo(*, seed: int) -> str:
    township = OrgUnit.objects.filter(name="厉山镇").first()
    cun = User.objects.filter(username="cun").first()
    xiangzhen = User.objects.filter(username="xiangzhen").first()
    dangfeng = User.objects.filter(username="dangfeng").first()
    if township is None or cun is None or xiangzhen is None or dangfeng is None:
        return ""
    if GuidanceTask.objects.exists():  # loaded once
        return ""
    today = timezone.localdate()
    villages = list(OrgUnit.objects.filter(parent=township, is_active=True).order_by("path"))
    members = {
        u.org_unit_id: u
        for u in User.objects.filter(org_unit__in=villages, roles__role=Role.VILLAGE_MEMBER, is_active=True)
    }
    # The posts as they stand: cun's village with the member cun replaced.
    for village in villages:
        holder = members.get(village.pk)
        if holder is None:
            continue
        if holder.pk == cun.pk:
            former = User.objects.filter(org_unit=village, is_active=False).first()
            if former is not None:
                services.post_holding_register(
                    actor=dangfeng,
                    village=village,
                    holder=former,
                    started_on=date(2018, 1, 1),
                    ended_on=date(2020, 12, 31),
                )
        services.post_holding_register(
            actor=dangfeng, village=village, holder=holder, started_on=holder.appointed_on or date(2021, 1, 1)
        )

    rng = random.Random(seed)

    def person(username: str, name: str, village: OrgUnit) -> User:
        return user_create(
            actor=None,
            username=username,
            full_name=name,
            org_unit=village,
            roles=set(),
            password=None,
            id_number=fake_id_number(rng, "421321"),
            audit=False,
        )

    nominations = 0
    others = [v for v in villages if v.pk != cun.org_unit_id]
    if len(others) >= 3:
        # Approved: a younger villager replaces the member of the first other village.
        a = person("demo_houxuan1", "陈思远", others[0])
        n = services.nomination_submit(
            actor=xiangzhen,
            village=others[0],
            candidate=a,
            reason="党员，村务监督委员会成员三年，熟悉村级财务，群众认可度高。",
            committee="王德明\n李春燕\n张国庆",
        )
        services.nomination_decide(
            actor=dangfeng,
            nomination=n,
            version=n.version,
            approve=True,
            note="同意",
            starts_on=today - timedelta(days=30),
        )
        # Waiting: a member from another village for a community (异地任职), its post vacated.
        holding = services.current_holding_of(members[others[1].pk]) if others[1].pk in members else None
        if holding is not None:
            services.post_holding_end(
                actor=dangfeng,
                holding=holding,
                version=holding.version,
                ended_on=today - timedelta(days=10),
                reason="resigned",
                note="本人因外出务工申请辞去纪检委员职务",
            )
        b = person("demo_houxuan2", "刘晓琳", others[2])
        services.nomination_submit(
            actor=xiangzhen,
            village=others[1],
            candidate=b,
            reason="曾任村会计，业务熟悉，作风正派。",
            committee="赵志刚\n孙丽华",
            away_reason="本村无合适人选，由邻村选派异地任职",
        )
        nominations = 2
        if len(others) >= 4 and others[3].pk in members:
            c = person("demo_houxuan3", "周海波", others[3])
            StaffRelation.objects.create(user=c, relative_name="周建国", kind=RelationKind.DIRECT)
            holding = services.current_holding_of(members[others[3].pk])
            if holding is not None:
                services.post_holding_end(
                    actor=dangfeng,
                    holding=holding,
                    version=holding.version,
                    ended_on=today - timedelta(days=5),
                    reason="dismissed",
                    note="年度考评不称职，予以免职",
                )
                services.nomination_submit(
                    actor=xiangzhen,
                    village=others[3],
                    candidate=c,
                    reason="退伍军人，办事公道。",
                    committee="周建国\n吴春梅",
                )
                nominations = 3

    # Guidance tasks to cun: answered, open, overdue.
    tasks = [
        (
            TaskKind.DISPATCH,
            "核查本村低保户公示情况",
            "对照乡镇民政办名单，核查公示是否完整、是否有优亲厚友。",
            3,
            5,
            True,
        ),
        (
            TaskKind.TOPIC,
            "村级工程项目廉洁风险排查",
            "围绕村部维修工程，排查招投标和资金拨付环节的风险点。",
            1,
            5,
            False,
        ),
        (TaskKind.DISPATCH, "走访反映集体土地租赁问题的群众", "了解诉求并及时反馈乡镇纪委。", 20, 3, False),
    ]
    for kind, title, body, ago, days, answer in tasks:
        task = services.guidance_task_issue(
            actor=xiangzhen,
            member=cun,
            kind=kind,
            title=title,
            body=body,
            working_days=days,
            issued_on=today - timedelta(days=ago),
        )
        if answer:
            services.guidance_task_answer(
                actor=cun,
                task=task,
                answer="已逐户核对公示名单38户，未发现优亲厚友；1户公示信息不全，已督促村委会补正。",
                version=task.version,
            )

    # 跟案学习.
    cadre = (
        User.objects.filter(org_unit=township, roles__role=Role.TOWNSHIP_COMMITTEE, is_active=True)
        .exclude(pk=xiangzhen.pk)
        .first()
    )
    placements = 0
    if cadre is not None:
        p = services.placement_create(
            actor=dangfeng,
            cadre=cadre,
            mentor=dangfeng,
            case_name="随县某镇原财政所所长挪用公款案",
            starts_on=today - timedelta(days=70),
            ends_on=today - timedelta(days=10),
        )
        services.placement_report(
            actor=cadre,
            placement=p,
            version=p.version,
            report="跟随专案组参与谈话笔录制作和证据梳理，学习了初核阶段调取银行流水、固定证据的方法，"
            "体会到审查调查程序规范的重要性。回乡镇后将在问题线索初核中运用。",
        )
        placements += 1
    services.placement_create(
        actor=dangfeng,
        cadre=xiangzhen,
        mentor=dangfeng,
        case_name="随县某村原党支部书记侵占集体资金案",
        starts_on=today - timedelta(days=14),
        ends_on=today + timedelta(days=45),
    )
    placements += 1
    return f"{len(members)} 个村纪检委员任职记录、{nominations} 项提名、{len(tasks)} 项派单点题、{placements} 项跟案学习"
