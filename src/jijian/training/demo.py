"""Demo of training for Suizhou: a county question bank of real discipline-inspection knowledge (the
Party's disciplinary rules, the Supervision Law, the four forms, village affairs), an open exam for
the village members of 随县, and some of them having sat it already (so the statistics have figures);
a required course; a lecture for the village members held this hour (its sign-in open), with its
handout as a PDF file. Everything goes through the services, by the demo officer of 党风政风监督室
(dangfeng)."""

from __future__ import annotations

import io
import random
from datetime import timedelta
from html import escape

from django.utils import timezone

from jijian.core.models import VILLAGE_KINDS, User
from jijian.core.roles import Role

from . import services
from .models import Audience, Question

# (kind, topic, level, stem, options, answer, explanation)
BANK = [
    (
        "单选题",
        "党纪法规",
        "基础",
        "《中国共产党纪律处分条例》规定的党纪处分有几种？",
        ["三种", "四种", "五种", "六种"],
        "C",
        "党纪处分分为警告、严重警告、撤销党内职务、留党察看、开除党籍五种。",
    ),
    (
        "多选题",
        "党纪法规",
        "基础",
        "《中国共产党纪律处分条例》规定的“六项纪律”包括哪些？",
        ["政治纪律、组织纪律", "廉洁纪律、群众纪律", "工作纪律、生活纪律", "财经纪律、保密纪律"],
        "ABC",
        "六项纪律：政治纪律、组织纪律、廉洁纪律、群众纪律、工作纪律、生活纪律。",
    ),
    (
        "判断题",
        "党纪法规",
        "基础",
        "留党察看处分分为留党察看一年、留党察看二年。",
        [],
        "对",
        "留党察看最长不超过二年。",
    ),
    (
        "判断题",
        "党纪法规",
        "提高",
        "党员受到严重警告处分，一年内不得在党内提升职务。",
        [],
        "错",
        "警告处分一年内、严重警告处分一年半内，不得在党内提升职务和向党外组织推荐担任高于其原任职务的党外职务。",
    ),
    (
        "单选题",
        "党纪法规",
        "提高",
        "党员受到撤销党内职务处分，多长时间内不得在党内担任与其原任职务相当或者高于其原任职务的职务？",
        ["一年", "一年半", "二年", "五年"],
        "C",
        "撤销党内职务处分的影响期为二年。",
    ),
    (
        "单选题",
        "党纪法规",
        "基础",
        "中央八项规定是哪一年由中央政治局会议审议通过的？",
        ["2012年", "2013年", "2015年", "2016年"],
        "A",
        "2012年12月4日，中央政治局会议审议通过了关于改进工作作风、密切联系群众的八项规定。",
    ),
    (
        "填空题",
        "四种形态",
        "基础",
        "监督执纪“四种形态”的第一种形态是：经常开展批评和____、约谈函询，让“红红脸、出出汗”成为常态。",
        [],
        "自我批评",
        "第一种形态重在抓早抓小、防微杜渐。",
    ),
    (
        "单选题",
        "四种形态",
        "基础",
        "“四种形态”中，党纪轻处分、组织调整成为违纪处理的____。",
        ["常态", "大多数", "少数", "极少数"],
        "B",
        "第二种形态：党纪轻处分、组织调整成为违纪处理的大多数。",
    ),
    (
        "单选题",
        "四种形态",
        "提高",
        "严重违纪涉嫌违法立案审查的，属于“四种形态”中的第几种形态？",
        ["第一种", "第二种", "第三种", "第四种"],
        "D",
        "第四种形态：严重违纪涉嫌违法立案审查的成为极少数。",
    ),
    (
        "多选题",
        "问题线索",
        "提高",
        "纪检监察机关对问题线索的处置方式有哪些？",
        ["谈话函询", "初步核实", "暂存待查", "予以了结"],
        "ABCD",
        "问题线索按谈话函询、初步核实、暂存待查、予以了结四类方式处置。",
    ),
    (
        "判断题",
        "问题线索",
        "基础",
        "村（社区）纪检委员发现问题线索后，可以自行组织调查处理。",
        [],
        "错",
        "纪检委员发现问题线索应及时向乡镇（街道）纪委报告，由纪委按规定处置。",
    ),
    (
        "单选题",
        "监察法",
        "基础",
        "《中华人民共和国监察法》由第十三届全国人民代表大会第一次会议于哪一年通过？",
        ["2016年", "2017年", "2018年", "2019年"],
        "C",
        "监察法于2018年3月20日通过并施行。",
    ),
    (
        "多选题",
        "监察法",
        "基础",
        "下列人员中，属于监察对象的有哪些？",
        [
            "基层群众性自治组织中从事管理的人员",
            "国有企业管理人员",
            "公办教育单位中从事管理的人员",
            "个体工商户雇佣的店员",
        ],
        "ABC",
        "监察法第十五条列举了六类监察对象，基层群众性自治组织中从事管理的人员是其中之一。",
    ),
    (
        "判断题",
        "监察法",
        "提高",
        "留置时间不得超过三个月；在特殊情况下，可以延长一次，延长时间不得超过三个月。",
        [],
        "对",
        "见监察法关于留置期限的规定。",
    ),
    (
        "多选题",
        "政务处分",
        "基础",
        "《公职人员政务处分法》规定的政务处分种类包括：",
        ["警告、记过", "记大过、降级", "撤职、开除", "留党察看"],
        "ABC",
        "政务处分六种：警告、记过、记大过、降级、撤职、开除。留党察看是党纪处分。",
    ),
    (
        "单选题",
        "政务处分",
        "提高",
        "公职人员受到记过处分的，处分期间为多长？",
        ["六个月", "十二个月", "十八个月", "二十四个月"],
        "B",
        "警告六个月，记过十二个月，记大过十八个月，降级、撤职二十四个月。",
    ),
    (
        "填空题",
        "政务处分",
        "提高",
        "公职人员受到警告处分的，处分期间为____个月。",
        [],
        "六|6",
        "警告处分期间为六个月。",
    ),
    (
        "多选题",
        "四议两公开",
        "基础",
        "“四议两公开”中的“两公开”是指：",
        ["决议公开", "实施结果公开", "财务明细公开", "个人收入公开"],
        "AB",
        "四议之后，决议公开、实施结果公开。",
    ),
    (
        "单选题",
        "四议两公开",
        "基础",
        "“四议两公开”的第一步是：",
        ["村民代表会议决议", "村党组织提议", "党员大会审议", "村“两委”会议商议"],
        "B",
        "顺序：村党组织提议、村“两委”会议商议、党员大会审议、村民（代表）会议决议。",
    ),
    (
        "判断题",
        "四议两公开",
        "提高",
        "召开党员大会审议村级重大事项时，须有三分之二以上的党员到会。",
        [],
        "对",
        "党员大会审议须有三分之二以上党员到会方可进行。",
    ),
    (
        "多选题",
        "三重一大",
        "基础",
        "“三重一大”是指：",
        ["重大事项决策", "重要干部任免", "重大项目安排", "大额资金使用"],
        "ABCD",
        "三重一大事项须集体研究决定，村级纪检委员参与监督。",
    ),
    (
        "判断题",
        "村务监督",
        "基础",
        "村民委员会成员及其近亲属不得担任村务监督机构成员。",
        [],
        "对",
        "见《村民委员会组织法》关于村务监督机构的规定。",
    ),
    (
        "单选题",
        "村务监督",
        "提高",
        "按照随州市的规定，村级报账在报乡镇“三资”代理中心前，须经谁复审签字？",
        ["村会计", "村纪检委员", "驻村干部", "村民小组长"],
        "B",
        "村级报账由经办人签字、村务监督委员会审核、书记和主任会签后，再由村纪检委员复审签字。",
    ),
    (
        "单选题",
        "履职基础",
        "基础",
        "村（社区）纪检委员每月向乡镇（街道）纪委报送什么？",
        ["工作计划", "履职月报", "财务报表", "会议纪要"],
        "B",
        "当月无履职事项也应作零报告。",
    ),
    (
        "判断题",
        "履职基础",
        "基础",
        "当月没有履职事项的，村（社区）纪检委员可以不报送月报。",
        [],
        "错",
        "应作零报告，明确“本月无事项”。",
    ),
    (
        "多选题",
        "履职基础",
        "提高",
        "村（社区）纪检委员的日常监督内容包括：",
        ["参与监督村级“三重一大”决策", "复审村级报账", "收集群众反映的问题", "代替村委会作出决定"],
        "ABC",
        "纪检委员是监督者，不代替村级组织作决定。",
    ),
    (
        "单选题",
        "主体责任",
        "基础",
        "落实全面从严治党主体责任的第一责任人是：",
        ["党组织书记", "纪委书记", "组织委员", "宣传委员"],
        "A",
        "党组织书记是第一责任人，班子成员履行“一岗双责”。",
    ),
    (
        "填空题",
        "主体责任",
        "基础",
        "领导班子成员对分管领域党风廉政建设负领导责任，称为“一岗____”。",
        [],
        "双责",
        "一岗双责：既抓业务工作，又抓分管领域的党风廉政建设。",
    ),
    (
        "判断题",
        "信访举报",
        "基础",
        "纪检监察机关对实名检举控告优先办理、优先处置。",
        [],
        "对",
        "实名检举控告优先办理，并按规定向检举控告人反馈。",
    ),
    (
        "单选题",
        "廉洁自律",
        "基础",
        "《中国共产党廉洁自律准则》对党员提出的廉洁自律规范中，“坚持公私分明”之后是：",
        ["先公后私，克己奉公", "清白做人，干净做事", "艰苦朴素，勤俭节约", "吃苦在前，享受在后"],
        "A",
        "坚持公私分明，先公后私，克己奉公。",
    ),
]


COURSE_TEXTS = [
    (
        "第一讲　村（社区）纪检委员是做什么的",
        "村（社区）纪检委员同时是监察信息员，在乡镇（街道）纪委领导下开展工作。\n\n"
        "主要职责：监督村“两委”干部履职和廉洁情况；参与监督村级“三重一大”事项和“四议两公开”的执行；"
        "对村级报账进行复审签字；收集群众反映的问题，发现问题线索及时向乡镇（街道）纪委报告；"
        "按月报送履职月报，当月无事项的作零报告。",
    ),
    (
        "第二讲　“四议两公开”与“三重一大”监督",
        "“四议”：村党组织提议、村“两委”会议商议、党员大会审议（须三分之二以上党员到会）、"
        "村民会议或村民代表会议决议；“两公开”：决议公开、实施结果公开。\n\n"
        "“三重一大”：重大事项决策、重要干部任免、重大项目安排、大额资金使用。纪检委员列席相关会议，"
        "重点看程序是否完整、记录是否真实，发现会议记录不规范或弄虚作假的，及时报告。",
    ),
    (
        "第三讲　发现问题线索怎么办",
        "纪检委员不自行调查处置问题线索。发现线索后如实记录时间、地点、涉及人员和反映内容，"
        "及时报告乡镇（街道）纪委；纪检监察机关按谈话函询、初步核实、暂存待查、予以了结四类方式处置。"
        "对反映人的信息严格保密。",
    ),
]


def load_demo(*, seed: int = 2020) -> tuple[int, int]:
    """Create the demo bank, exam and sittings; (questions, exams). Nothing when training data exists
    or the Suizhou tree / demo officer is missing."""
    if Question.objects.exists():
        return 0, 0
    officer = User.objects.filter(username="dangfeng", roles__role=Role.CONDUCT_SUPERVISION).first()
    if officer is None:
        return 0, 0
    for kind, topic, level, stem, options, answer, explanation in BANK:
        services.question_create(
            actor=officer,
            kind=kind,
            topic=topic,
            level=level,
            stem=stem,
            options=options,
            answer=answer,
            explanation=explanation,
        )
    now = timezone.now()
    rules = [
        services.RuleSpec("", "", "single", 5, 8),
        services.RuleSpec("", "", "multiple", 3, 10),
        services.RuleSpec("", "", "true_false", 4, 5),
        services.RuleSpec("", "", "fill_in", 1, 10),
    ]
    exam = services.exam_create(
        actor=officer,
        rules=rules,
        title=f"{now.year}年度村（社区）纪检委员履职能力测试",
        audience=Audience.VILLAGE_MEMBERS,
        opens_at=now - timedelta(days=3),
        closes_at=now + timedelta(days=60),
        duration_minutes=30,
        pass_score=60,
        max_attempts=2,
    )
    exam = services.exam_publish(actor=officer, exam=exam, version=exam.version)
    course = services.course_create(
        actor=officer,
        title=f"{now.year}年村（社区）纪检委员履职必修课",
        description="新任和在任村（社区）纪检委员的年度必修课程，学完后参加履职能力测试。",
        audience=Audience.VILLAGE_MEMBERS,
        year=now.year,
        is_required=True,
    )
    for title, body in COURSE_TEXTS:
        services.material_add(actor=officer, course=course, title=title, body=body)
    _lecture(officer, now)
    # Some of 随县's village members have sat it: answers right with a likelihood that varies by person.
    rng = random.Random(seed)
    members = list(
        User.objects.filter(
            roles__role=Role.VILLAGE_MEMBER,
            is_active=True,
            is_demo=False,
            org_unit__county=officer.org_unit,
            org_unit__kind__in=VILLAGE_KINDS,
        ).order_by("pk")
    )
    for member in rng.sample(members, min(len(members), 120)):
        sitting = services.sitting_start(actor=member, exam=exam, device="demo")
        skill = rng.uniform(0.35, 0.95)
        for seq, item in enumerate(sitting.items.all(), start=1):
            values = _answer(item, right=rng.random() < skill, rng=rng)
            services.answer_save(
                actor=member, sitting=sitting, position=item.position, values=values, seq=seq, device="demo"
            )
        services.sitting_submit(actor=member, sitting=sitting, device="demo")
    return len(BANK), 1


def _lecture(officer: User, now) -> None:
    """A lecture for the village members this hour (its QR sign-in open for a few hours after the demo
    loads), with the handout of the course's second lesson as a PDF file."""
    title, body = COURSE_TEXTS[1]
    lecture = services.lecture_create(
        actor=officer,
        topic="“四议两公开”与“三重一大”监督要点",
        lecturer="随县纪委监委党风政风监督室",
        held_at=now.replace(minute=0, second=0, microsecond=0),
        location="随县纪委监委三楼会议室",
        materials="讲义一份（见课件资料）；会后完成课程《村（社区）纪检委员履职必修课》第二讲",
        audience=Audience.VILLAGE_MEMBERS,
    )
    handout = _handout_pdf(title, body)
    if handout is not None:
        services.lecture_material_add(actor=officer, lecture=lecture, title="讲稿", file=handout)


def _handout_pdf(title: str, body: str) -> io.BytesIO | None:
    """The handout as a PDF (WeasyPrint, as the certificates), or None where its system libraries are
    missing: the lecture then has its text only."""
    try:
        from weasyprint import HTML
    except OSError:
        return None
    paragraphs = "".join(f"<p>{escape(p)}</p>" for p in body.split("\n\n"))
    page = f"<html lang='zh'><body><h1>{escape(title)}</h1>{paragraphs}</body></html>"
    handout = io.BytesIO(HTML(string=page).write_pdf())
    handout.name = "讲稿.pdf"
    return handout


def _answer(item, *, right: bool, rng: random.Random) -> list[str]:
    if item.kind == "fill_in":
        return [item.key[0] if right else "不清楚"]
    if item.kind == "true_false":
        value = item.key[0] if right else not item.key[0]
        return ["true" if value else "false"]
    if right:
        return [str(i) for i in item.key]
    wrong = [i for i in range(len(item.options)) if [i] != item.key]
    return [str(rng.choice(wrong))]
