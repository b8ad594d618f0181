"""Demo petitions for Suizhou: online reports (one with a printed receipt code to try the follow
page), letters, visits and 12388 calls registered by the petition offices, some accepted here, some
forwarded down to a township or up to the city, one not accepted, one repeat — received over the last
weeks, so the deadline board shows red, yellow and green. Written through the services, as staff
would, so every row has its transitions, deadlines and audit entries."""

from __future__ import annotations

import random
from datetime import timedelta

from django.utils import timezone

from jijian.core.models import CadreLevel, OrgUnit, User
from jijian.core.roles import Role
from jijian.petitions import services
from jijian.petitions.handling import routing
from jijian.petitions.intake import receipt

from .models import Category, Channel, NotAcceptedReason, PetitionReport

# Demo data only (a public, fixed code): printed with the demo accounts so the follow page can be tried.
DEMO_RECEIPT_CODE = "20261129000012388000"

FACTS = [
    (
        "王某",
        "村委会",
        "村主任",
        CadreLevel.VILLAGE,
        "integrity",
        "在危房改造补贴发放中优亲厚友，为亲属多报冒领补贴。",
    ),
    (
        "李某",
        "村委会",
        "村会计",
        CadreLevel.VILLAGE,
        "masses",
        "低保评定不公开、不公示，把不符合条件的亲戚纳入低保。",
    ),
    (
        "张某",
        "镇农业服务中心",
        "主任",
        CadreLevel.STAFF,
        "work",
        "土地流转补贴拖延发放，群众多次反映无人过问。",
    ),
    (
        "陈某",
        "村委会",
        "村支书",
        CadreLevel.VILLAGE,
        "integrity",
        "村集体鱼塘承包未经四议两公开，低价包给其亲属。",
    ),
    ("刘某", "镇人民政府", "副镇长", CadreLevel.SECTION, "integrity", "违规接受工程老板宴请，收受购物卡。"),
    (
        "赵某",
        "县人民政府",
        "副县长",  # 县处级: the city's matter (a county bureau chief would be 乡科级)
        CadreLevel.DIVISION,
        "integrity",
        "分管交通期间插手农村公路工程招投标，为特定关系人谋利。",
    ),
    ("孙某", "村委会", "村委委员", CadreLevel.VILLAGE, "life", "酒后驾驶公车，影响恶劣。"),
]


def load_petitions_demo(*, seed: int = 2020) -> int:
    rng = random.Random(seed)
    city = OrgUnit.objects.get(kind="city")
    suixian = OrgUnit.objects.get(code="421321")
    lishan = (
        OrgUnit.objects.filter(name="厉山镇").first()
        or OrgUnit.objects.filter(township=None, parent=suixian).first()
    )
    villages = list(
        OrgUnit.objects.filter(township=lishan, kind__in=("village", "community")).order_by("pk")[:10]
    )
    county_officer = User.objects.filter(org_unit=suixian, roles__role=Role.PETITION_OFFICE).first()
    city_officer = (
        User.objects.filter(username="xinfang").first()
        or User.objects.filter(org_unit=city, roles__role=Role.PETITION_OFFICE).first()
    )
    if lishan is None or county_officer is None or city_officer is None or not villages:
        return 0
    today = timezone.localdate()
    made = 0

    # 1. Online reports from the public (received today: green on the board).
    first = services.petition_submit(
        category=Category.ACCUSATION,
        region=villages[0],
        facts="神农村村主任王某在危房改造补贴发放中优亲厚友，为其弟弟多报冒领补贴两万元。",
        is_anonymous=True,
        accused_name="王某",
        accused_unit=f"{villages[0].name}村委会",
        accused_post="村主任",
        accused_level=CadreLevel.VILLAGE,
        matter="integrity",
    )
    PetitionReport.objects.filter(pk=first.report.pk).update(
        receipt_hash=receipt.receipt_hash(DEMO_RECEIPT_CODE), receipt_scheme=receipt.scheme_id()
    )
    made += 1
    complaint = services.petition_submit(
        category=Category.COMPLAINT,
        region=villages[1 % len(villages)],
        facts="本人申请的低保被村会计李某以各种理由拖延，而其亲戚不符合条件却享受低保。",
        is_anonymous=False,
        reporter_name="周某某",
        reporter_id_number="11010519491231002X",
        reporter_phone="13800138000",
        accused_name="李某",
        accused_unit="村委会",
        accused_post="村会计",
        accused_level=CadreLevel.VILLAGE,
        matter="masses",
    )
    made += 1

    # 2. Letters, visits and calls registered by the county petition office over the last weeks.
    channels = [
        Channel.LETTER,
        Channel.VISIT,
        Channel.PHONE,
        Channel.LETTER,
        Channel.VIDEO,
        Channel.PHONE,
        Channel.LETTER,
    ]
    registered = []
    for i, (name, unit, post, level, matter, facts) in enumerate(FACTS):
        village = villages[i % len(villages)]
        real_name = i % 2 == 0
        report = services.petition_register(
            actor=county_officer,
            channel=channels[i],
            category=Category.ACCUSATION if i % 3 else Category.COMPLAINT,
            region=village if level == CadreLevel.VILLAGE else lishan,
            facts=f"{name}（{unit}{post}）{facts}",
            is_anonymous=not real_name,
            received_on=today - timedelta(days=rng.choice([1, 3, 6, 9, 14, 20, 26])),
            phone_area_code="0722" if channels[i] == Channel.PHONE else "",
            accused_name=name,
            accused_unit=unit if "村" not in unit else f"{village.name}{unit}",
            accused_post=post,
            accused_level=level,
            matter=matter,
            reporter_name="吴某某" if real_name else "",
            reporter_phone=f"1390722{1000 + i:04d}" if real_name else "",
        )
        registered.append(report)
        made += 1

    # 3. Triage some of them the way the routing table says.
    def route(report, level):
        managing = routing.managing_commission(report.region, level)
        return services.petition_route(
            actor=county_officer,
            report=report,
            managing=managing,
            about_own_head=False,
            note="按干部管理权限分流",
            version=report.version,
        )

    route(registered[4], CadreLevel.SECTION)  # section level: this county accepts it
    route(registered[5], CadreLevel.DIVISION)  # division level: up to the city (restricted)
    route(registered[3], CadreLevel.VILLAGE)  # village cadre: down to the township
    services.petition_not_accept(
        actor=county_officer,
        report=registered[2],
        reason=NotAcceptedReason.OTHER_BODY,
        reply="您反映的土地流转补贴发放问题属于农业农村部门职责，已告知您向县农业农村局反映。",
        version=registered[2].version,
    )
    # The accepted section-level matter becomes a clue at the county: 案管室 registers it, proposes a
    # letter of inquiry, a county leader approves it (the letter reply is then due in 15 working days).
    from jijian.petitions.clues import services as clues

    case_manager = User.objects.filter(org_unit=suixian, roles__role=Role.CASE_MANAGEMENT).first()
    leader = User.objects.filter(org_unit=suixian, roles__role=Role.COMMISSION_LEADER).first()
    if case_manager and leader:
        accepted = PetitionReport.objects.get(pk=registered[4].pk)
        clue = clues.clue_register(
            actor=case_manager,
            source="petition",
            report=accepted,
            accused_name=accepted.accused_name,
            summary=accepted.facts,
            accused_unit=accepted.accused_unit,
            accused_post=accepted.accused_post,
            accused_level=accepted.accused_level,
            matter=accepted.matter,
            endorse=True,
        )
        clue = clues.clue_propose(
            actor=case_manager,
            clue=clue,
            disposal="talk_or_letter",
            note="反映问题较具体，先行函询，请其作出说明。",
            version=clue.version,
            endorse=True,
        )
        clues.clue_approve(actor=leader, clue=clue, version=clue.version, endorse=True, note="同意函询")

    # After acceptance: the county asks to extend the matter under letter of inquiry, and files the
    # 办结 report of another accepted matter; both wait on a leader (待审批).
    from jijian.petitions.handling import conclusion
    from jijian.petitions.models import DeadlineKind, PetitionDeadline

    route(registered[6], CadreLevel.SECTION)
    closing = PetitionReport.objects.get(pk=registered[6].pk)
    services.petition_close(
        actor=county_officer,
        report=closing,
        result="经初步核实，反映问题基本属实，已责令其退还多领补贴并作出书面检查。",
        version=closing.version,
    )
    extending = PetitionReport.objects.get(pk=registered[4].pk)
    limit = PetitionDeadline.objects.get(report=extending, kind=DeadlineKind.CONCLUSION)
    conclusion.petition_extension_request(
        actor=county_officer,
        report=extending,
        new_due_date=limit.due_date + timedelta(days=30),
        reason="已向被反映人发出函询，需待其书面说明并调取相关票据核对，难以在三个月内办结。",
        version=extending.version,
    )

    # The real-name online complaint went the whole way: accepted, closed on an approved 办结 report,
    # the result told; the reporter objected on the follow page, and the county's answer upholding
    # the result waits on a leader (待审批, beside the two above).
    if leader:
        from jijian.petitions.handling import objections

        objected = route(complaint.report, CadreLevel.SECTION)
        objected = services.petition_close(
            actor=county_officer,
            report=objected,
            result="经核查，李某未按规定时限审核低保申请，其亲属享受低保不符合条件，已责令整改并取消其亲属低保。",
            version=objected.version,
        )
        conclusion.petition_approval_decide(
            actor=leader,
            approval=objected.approvals.get(),
            approve=True,
            note="同意办结",
            version=PetitionReport.objects.get(pk=objected.pk).version,
        )
        objected = services.petition_result_notify(
            actor=county_officer,
            report=PetitionReport.objects.get(pk=objected.pk),
            text="您反映的低保审核问题经核查属实，已责令村委会整改，不符合条件的低保已取消，您的申请已重新审核。",
            version=PetitionReport.objects.get(pk=objected.pk).version,
        )
        objections.objection_raise_online(
            report=objected,
            text="对李某只是责令整改，没有处理个人，我不认可。",
            version=PetitionReport.objects.get(pk=objected.pk).version,
        )
        objections.objection_answer(
            actor=county_officer,
            report=objected,
            outcome="upheld",
            answer="经复查，李某拖延审核属工作作风问题，情节轻微，已对其批评教育并责令整改，原处理适当，予以维持。",
            version=PetitionReport.objects.get(pk=objected.pk).version,
        )

    # The same accused and matter as the first online report: linked, not duplicated.
    services.petition_mark_repeat(
        actor=county_officer, report=registered[0], original=first.report, version=registered[0].version
    )
    return made
