"""Demo of primary responsibility for Suizhou: the city commission's 党风政风监督室 (shidangfeng)
publishes this year's template; every party organisation of the city-level departments gets its
leadership (a secretary, two or three members, a discipline member), a liaison, its list generated
from the template, and the year's records up to today — most periods done on time, some filled late
with a reason, a few left red. The demo liaison (dangzuzhi) keeps the same for their branch, with
meetings that open with the ten minutes of integrity education. The city office has commented on a
record and held an accountability interview. Everything goes through services, so each write has its
audit entry; the records' entry dates are then set to the day they were entered."""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta

from django.utils import timezone

from jijian.core.demo import fake_name
from jijian.core.models import OrgKind, OrgUnit, User, UserRole
from jijian.core.roles import Role

from . import monitoring, services
from .models import Frequency, FulfilmentRecord, Holder, MemberRole, Polarity, RecordType, ResponsibilityItem

# (holder, title, requirement, frequency, due month-day or None, record type, evidence)
TEMPLATE = [
    (
        Holder.ORGANISATION,
        "专题研究党风廉政建设",
        "党委（党组）会议每季度至少专题研究一次党风廉政建设和反腐败工作，会前开展廉政十分钟。",
        Frequency.QUARTERLY,
        None,
        RecordType.MEETING,
        "会议记录、现场图片",
    ),
    (
        Holder.ORGANISATION,
        "部署年度党风廉政建设工作",
        "年初召开会议，分解责任清单，签订党风廉政建设责任书。",
        Frequency.YEARLY,
        (3, 31),
        RecordType.MEETING,
        "会议记录、责任书",
    ),
    (
        Holder.ORGANISATION,
        "理论学习中心组廉政学习",
        "每半年至少开展一次党纪法规和警示教育专题学习。",
        Frequency.HALF_YEARLY,
        None,
        RecordType.STUDY,
        "学习记录、图片",
    ),
    (
        Holder.ORGANISATION,
        "纪检委员同级监督",
        "纪检委员列席班子会议，对“三重一大”决策程序开展同级监督，发现问题及时提醒、报告。",
        Frequency.QUARTERLY,
        None,
        RecordType.SAME_LEVEL_SUPERVISION,
        "监督记录",
    ),
    (
        Holder.ORGANISATION,
        "向上级党委和纪委报告主体责任落实情况",
        "书面报告全年落实主体责任情况。",
        Frequency.YEARLY,
        (12, 15),
        RecordType.REPORT,
        "书面报告",
    ),
    (
        Holder.SECRETARY,
        "与班子成员开展廉政谈话",
        "第一责任人每半年至少与每名班子成员谈心谈话一次。",
        Frequency.HALF_YEARLY,
        None,
        RecordType.TALK,
        "谈话记录",
    ),
    (
        Holder.SECRETARY,
        "讲廉政党课",
        "书记每年至少讲一次廉政党课。",
        Frequency.YEARLY,
        (6, 30),
        RecordType.STUDY,
        "讲稿、图片",
    ),
    (
        Holder.MEMBER,
        "检查分管领域党风廉政建设",
        "每半年检查一次分管领域廉政风险防控情况。",
        Frequency.HALF_YEARLY,
        None,
        RecordType.INSPECTION,
        "检查记录",
    ),
    (
        Holder.MEMBER,
        "对分管领域干部开展提醒谈话",
        "每季度对分管科室负责人开展廉洁提醒谈话。",
        Frequency.QUARTERLY,
        None,
        RecordType.TALK,
        "谈话记录",
    ),
    (
        Holder.ORGANISATION,
        "不得违反程序决策“三重一大”事项",
        "“三重一大”事项须集体研究，会议记录真实完整。",
        Frequency.YEARLY,
        None,
        RecordType.OTHER,
        "",
    ),
]
NEGATIVE = {"不得违反程序决策“三重一大”事项"}
RISKS = [
    (
        "“三重一大”决策",
        "会议记录不规范或造假，事后补记、代签",
        "high",
        "“三重一大”事项集体研究、会前廉政十分钟；纪检委员列席并核对会议记录",
        "书记",
    ),
    (
        "工会经费管理",
        "虚列支出、套取工会经费，超标准发放福利",
        "medium",
        "预算管理、支出双签，每半年公开收支",
        "工会主席",
    ),
    ("公务接待", "超标准接待、无公函接待", "low", "接待审批单、公函和清单“三单”齐全方可报销", "办公室主任"),
]
TOPICS = [
    "学习典型案例通报",
    "重温廉洁纪律条款",
    "观看警示教育片",
    "学习中央八项规定精神",
    "学习《纪律处分条例》",
]


def _entered(day: date, when: date) -> datetime:
    return timezone.make_aware(datetime.combine(min(day, when), time(10, 0)))


def _records_for(
    org: OrgUnit, liaison: User, rng: random.Random, *, today: date, miss: float, city_office: User | None
):
    made = 0
    calendar = monitoring.Calendar.for_year(today.year, today)
    items = ResponsibilityItem.objects.filter(org_unit=org, year=today.year, polarity=Polarity.POSITIVE)
    for item in items.select_related("member").order_by("pk"):
        for period in range(1, monitoring.period_count(item.frequency) + 1):
            first, last = monitoring.period_bounds(item.frequency, item.year, period, item.due_date)
            if first > today:
                break
            deadline = monitoring.deadline_of(item, period, calendar)
            roll = rng.random()
            if roll < miss and deadline < today:
                continue  # left red
            if deadline >= today and rng.random() < 0.5:
                continue  # not yet done: blue or yellow as its deadline nears
            occurred = first + timedelta(days=rng.randint(0, max(0, (min(last, today) - first).days)))
            late = roll < miss * 1.6 and deadline + timedelta(days=7) <= today
            entered = (
                deadline + timedelta(days=rng.randint(3, 7))
                if late
                else occurred + timedelta(days=rng.randint(0, 2))
            )
            entered = min(entered, today)
            if not late and entered > deadline:
                entered = max(occurred, deadline)
            who = item.member.name if item.member is not None else ""
            meeting = item.record_type == RecordType.MEETING
            record = services.record_create(
                actor=liaison,
                org=org,
                item=item,
                record_type=item.record_type,
                occurred_on=occurred,
                title=f"{monitoring.period_label(item.frequency, period)}{item.title}{'（' + who + '）' if who else ''}",
                content=f"{item.requirement}\n按要求完成，记录附后。",
                participants="班子成员" if meeting else who,
                integrity_ten_minutes=meeting,
                integrity_topic=rng.choice(TOPICS) if meeting else "",
                major_decision=meeting and rng.random() < 0.4,
                major_decision_procedure=True,
                late_reason="负责同志外出学习，会议记录未及时录入，现补录" if late else "",
                entered_on=entered,
            )
            FulfilmentRecord.objects.filter(pk=record.pk).update(created_at=_entered(entered, today))
            made += 1
            if city_office is not None and made == 1:
                services.record_comment(
                    actor=city_office, record=record, text="记录完整，请继续保持会前廉政十分钟。"
                )
    return made


def _risks_for(org: OrgUnit, liaison: User, rng: random.Random, *, today: date, checks: bool) -> None:
    for process, description, level, measures, owner in RISKS:
        point = services.risk_point_save(
            actor=liaison,
            org=org,
            process=process,
            description=description,
            level=level,
            measures=measures,
            owner=owner,
        )
        if rng.random() < 0.8:
            services.risk_point_review(
                actor=liaison,
                risk_point=point,
                year=today.year,
                version=point.version,
                note="防控措施有效，继续执行",
            )
        if checks:
            for months_ago in (9, 6, 3):
                day = today - timedelta(days=30 * months_ago)
                if day.year != today.year:
                    continue
                problem = months_ago == 6 and level == "high"
                services.risk_check_record(
                    actor=liaison,
                    risk_point=point,
                    checked_on=day,
                    finding=f"对照“{process}”风险点检查："
                    + ("一次党组会议记录缺少参会人员签字" if problem else "未发现问题"),
                    result="problem" if problem else "normal",
                    follow_up="已当场提醒，会后补签，并向上级纪委报告" if problem else "",
                )


def load_demo(*, seed: int = 2020) -> int:
    """Returns how many records were made. Does nothing when lists exist already, or the demo's
    party organisations or the city's office are missing."""
    if ResponsibilityItem.objects.exists():
        return 0
    city_office = User.objects.filter(username="shidangfeng", roles__role=Role.CONDUCT_SUPERVISION).first()
    orgs = list(OrgUnit.objects.filter(kind=OrgKind.PARTY_ORG, is_active=True).order_by("path"))
    if city_office is None or not orgs:
        return 0
    rng = random.Random(seed + 19)
    today = services.today()
    for i, (holder, title, req, freq, due, rtype, evidence) in enumerate(TEMPLATE):
        services.template_save(
            actor=city_office,
            year=today.year,
            holder=holder,
            polarity=Polarity.NEGATIVE if title in NEGATIVE else Polarity.POSITIVE,
            title=title,
            requirement=req,
            frequency=freq,
            due_date=date(today.year, *due) if due else None,
            supervising_office="市纪委监委党风政风监督室",
            evidence=evidence,
            record_type=rtype,
            sort_order=i,
        )
    demo_liaison = User.objects.filter(username="dangzuzhi", roles__role=Role.PARTY_ORG_LIAISON).first()
    made = 0
    for org in orgs:
        liaison = demo_liaison if demo_liaison is not None and demo_liaison.org_unit_id == org.pk else None
        if liaison is None:
            liaison = User.objects.create(
                username=f"lly{org.pk:05d}",
                full_name=fake_name(rng),
                org_unit=org,
                position="党组织联络员",
                password="!demo-no-login",
            )
            UserRole.objects.create(user=liaison, role=Role.PARTY_ORG_LIAISON)
        services.member_save(
            actor=liaison,
            org=org,
            name=fake_name(rng),
            post="党委书记" if "党委" in org.name else "支部书记",
            role=MemberRole.SECRETARY,
        )
        for portfolio in rng.sample(["人事", "财务", "基建", "业务", "后勤", "宣传"], rng.randint(2, 3)):
            services.member_save(
                actor=liaison,
                org=org,
                name=fake_name(rng),
                post="班子成员",
                role=MemberRole.MEMBER,
                portfolio=portfolio,
            )
        services.member_save(
            actor=liaison, org=org, name=fake_name(rng), post="纪检委员", role=MemberRole.DISCIPLINE_MEMBER
        )
        services.list_generate(actor=liaison, org=org, year=today.year)
        _risks_for(org, liaison, rng, today=today, checks=liaison is demo_liaison)
        is_demo_org = liaison is demo_liaison
        made += _records_for(
            org,
            liaison,
            rng,
            today=today,
            miss=0.12 if is_demo_org else rng.choice((0.05, 0.1, 0.25)),
            city_office=city_office if is_demo_org else None,
        )
    if demo_liaison is not None:
        from .selectors import red_items

        red = red_items(city_office, today.year, today=today, org=demo_liaison.org_unit)
        if red:
            item, period = red[0]
            services.interview_record(
                actor=city_office,
                org=demo_liaison.org_unit,
                item=item,
                held_on=min(today, period.deadline + timedelta(days=10)),
                interviewee="支部书记",
                reason=f"“{item.title}”{period.label}逾期未记实",
                outcome="none",
                follow_up="说明情况，限期整改，下一期次按时开展并记实。",
                follow_up_due=min(today, period.deadline + timedelta(days=10)) + timedelta(days=30),
            )
    return made + _department_members_demo(rng, today=today)


def _department_members_demo(rng: random.Random, *, today: date) -> int:
    """Each department's discipline member (市直单位纪检委员) records last month's and this month's
    same-level supervision — a leadership meeting with its 会前廉政十分钟, a reminder — and a check of
    one of the department's risk points, through the services, so each goes into their duty log
    (core.links.duty_log_record) as the pages would put it. Months whose report the demo already
    submitted are skipped by the log's own rule."""
    from django.core.exceptions import ValidationError

    from .models import RiskCheckResult, RiskPoint, SupervisionKind

    members = User.objects.filter(roles__role=Role.DEPARTMENT_MEMBER, is_active=True).select_related(
        "org_unit"
    )
    this_month = today.replace(day=1)
    last_month = (this_month - timedelta(days=1)).replace(day=1)
    made = 0
    for member in members.order_by("org_unit__sort_order", "pk"):
        points = list(
            RiskPoint.objects.filter(org_unit__path__startswith=member.org_unit.path, is_active=True)
        )
        for month in (last_month, this_month):
            last_day = today if month == this_month else this_month - timedelta(days=1)
            if last_day.day < 2:
                continue
            day = month.replace(day=rng.randint(1, last_day.day - 1))
            try:
                services.supervision_record_create(
                    actor=member,
                    kind=SupervisionKind.MEETING,
                    occurred_on=day,
                    subject=f"局党组会（{month.month}月）",
                    content=rng.choice(
                        [
                            "研究年度采购计划，提出严格执行政府采购程序、由班子集体研究的意见。",
                            "研究干部调整事项，提醒严格执行动议、民主推荐和廉政意见回复程序。",
                            "研究专项资金分配，建议分配结果在单位内部公示。",
                        ]
                    ),
                    integrity_ten_minutes=rng.random() < 0.85,
                    integrity_topic="学习《中国共产党纪律处分条例》并通报典型案例",
                )
                services.supervision_record_create(
                    actor=member,
                    kind=SupervisionKind.REMINDER,
                    occurred_on=min(last_day, day + timedelta(days=1)),
                    subject="分管财务的班子成员",
                    content="提醒严格执行公务接待和差旅费报销标准。",
                )
                if points:
                    point = rng.choice(points)
                    services.risk_check_record(
                        actor=member,
                        risk_point=point,
                        checked_on=min(last_day, day + timedelta(days=2)),
                        finding=f"查阅{point.process}相关记录，程序完整。",
                        result=RiskCheckResult.NORMAL,
                    )
                made += 1
            except ValidationError:
                continue  # the month's report is already in: the log takes nothing more
    return made
