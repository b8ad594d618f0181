"""The demo manual of Suizhou: a page for each task of the village discipline member (the duty log's
duty types, the six steps of 四议两公开, the signatures of a village voucher) and three typical cases,
written for the demo from the pilot's account (docs/domain.md) — not the city's official text. The
city's editor (shidangfeng, 市纪委党风政风监督室) writes them through the services; one page has a
second version so the history shows, and one case waits as a draft proposed from elsewhere."""

from __future__ import annotations

from jijian.core.models import User
from jijian.core.roles import Role

from . import services
from .models import ManualPage, TopicKind

DUTY, STEP, VOUCHER, GENERAL = (
    TopicKind.DUTY_TYPE,
    TopicKind.DECISION_STEP,
    TopicKind.VOUCHER_STEP,
    TopicKind.GENERAL,
)
MEMBER = "村（社区）纪检委员"

# (code, kind, title, summary, steps, roles, checkpoints, documents)
PAGES = [
    (
        "decision_meeting",
        DUTY,
        "参与“三重一大”事项决策监督",
        "重大事项决策、重要干部任免、重大项目安排、大额资金使用，都要按“四议两公开”办理。纪检委员全程参与，"
        "重点看程序是否完整、会议记录是否真实。",
        [
            "会前：了解议题，查看是否属于本村“三重一大”事项清单，提前索取相关材料",
            "会中：列席村党组织提议、“两委”会商议、党员大会审议、村民（代表）会议决议各环节，核对到会人数",
            "对程序不全、未经集体研究、到会人数不足等问题当场提出意见，并要求记入会议记录",
            "会后：督促决议和实施结果按时公开，拍照留存公开栏照片",
            "发现违规决策且村内不予纠正的，及时向乡镇纪委报告",
            "在履职纪实中记录参加的环节和提出的意见",
        ],
        [MEMBER, "村党组织书记", "村委会主任", "村务监督委员会", "乡镇纪委"],
        [
            "事项是否应当按“三重一大”办理，有无化整为零、规避集体决策",
            "“四议”环节是否齐全、先后顺序是否正确",
            "党员大会到会人数是否达到应到人数的三分之二",
            "会议记录是否当场形成、签名是否本人所签，有无事后补记、代签",
            "决议和实施结果是否公开、公开时间是否足够",
        ],
        ["会议通知和签到表", "会议记录（含表决结果）", "公开栏照片", "纪检委员意见记录"],
    ),
    (
        "reimbursement_check",
        DUTY,
        "村级报账单据复审签字",
        "随州的做法：村级报账在村务监督委员会审核后，由纪检委员复审并签字，再由书记、主任签字，"
        "报乡镇“三资”代理中心记账。",
        [
            "接到经办人交来的报账单据，核对发票、收据、附件是否齐全",
            "看开支事项是否经过集体研究、是否在预算或决议范围内",
            "核对金额：大写小写一致，单价数量合计无误，超过限额的已按规定报乡镇领导签批",
            "无异议的在单据上复审签字；有异议的写明理由，不签字，系统自动报乡镇纪委处理",
            "每月至少复审会签一次，在履职纪实中记录张数、金额和异议",
        ],
        ["经办人", "村务监督委员会", MEMBER, "村党组织书记", "村委会主任", "乡镇“三资”代理中心"],
        [
            "白条、无正规票据、票据抬头不符",
            "同一事项拆分报销、重复报销",
            "招待费、劳务费等敏感支出是否有明细和签收",
            "工程款是否与合同、验收单一致",
        ],
        ["报账单据及附件", "复审意见", "异议处理记录"],
    ),
    (
        "household_visit",
        DUTY,
        "走访农户",
        "走村入户是纪检委员发现问题的主要渠道，每月走访农户不少于10户（以本县清单为准）。",
        [
            "每月初列出走访计划，优先走访低保户、五保户、脱贫户和反映过问题的群众",
            "入户宣传惠民政策和举报渠道，了解补贴是否足额到户",
            "认真倾听群众意见，当场能解释的解释清楚，不能解释的记下来",
            "涉及党员干部违纪违法的线索，按“发现和移交问题线索”办理",
            "走访后当天在履职纪实中记录户数和主要情况，可附照片",
        ],
        [MEMBER, "村民小组长（陪同）"],
        ["惠民惠农资金是否按时足额发放到户", "有无优亲厚友、吃拿卡要", "群众对村务公开的意见"],
        ["走访记录", "群众意见登记"],
    ),
    (
        "clue_found",
        DUTY,
        "发现和移交问题线索",
        "纪检委员是乡镇纪委的“前哨”：对发现的问题线索，不调查、不处置，如实记录、及时报告。",
        [
            "记清问题的基本情况：谁、什么时间、什么事、涉及多少钱、有谁知道",
            "不自行调查取证，不向被反映人透露",
            "当日或次日报告乡镇纪委，紧急情况当即电话报告",
            "在履职纪实中记录“发现和移交问题线索”，写明移交给谁",
            "对反映人的信息严格保密",
        ],
        [MEMBER, "乡镇纪委"],
        ["线索是否具体、可查", "是否涉及村干部本人或其亲属（涉及时注意回避）", "报告是否及时"],
        ["线索登记", "移交记录"],
    ),
    (
        "welfare_check",
        DUTY,
        "惠民惠农资金监督",
        "低保、救助、种粮补贴等资金，按登记、公示、乡镇审核、一卡通发放的环节监督。",
        [
            "登记：核对申请对象是否符合条件",
            "公示：监督名单在村务公开栏公示不少于3天",
            "审核：关注乡镇审核意见和变动情况",
            "发放：通过走访核实是否足额到户",
        ],
        [MEMBER, "村委会", "乡镇民政等部门"],
        ["有无村干部亲属违规享受", "公示是否到位", "有无截留、挪用、代领"],
        ["公示照片", "核实记录"],
    ),
    (
        "openness_check",
        DUTY,
        "村务公开监督",
        "监督村务、财务按时、真实、完整公开。",
        ["查看公开栏内容是否按时更新", "核对公开内容与账目、决议是否一致", "对不公开、假公开提出意见"],
        [MEMBER, "村务监督委员会"],
        ["财务收支是否逐笔公开", "“三重一大”决议和结果是否公开"],
        ["公开栏照片"],
    ),
    (
        "reminder_talk",
        DUTY,
        "提醒谈话",
        "对苗头性、倾向性问题，在乡镇纪委指导下开展提醒谈话。",
        ["报乡镇纪委同意", "谈话时说明问题、听取解释、提出要求", "形成谈话记录，双方签字"],
        [MEMBER, "乡镇纪委"],
        ["是否抓早抓小", "谈话后问题是否改正"],
        ["谈话记录"],
    ),
    (
        "integrity_education",
        DUTY,
        "廉政教育",
        "结合村两委会议开展“会前廉政十分钟”，宣讲纪律规矩和典型案例。",
        ["选好学习内容（党纪条规、身边案例）", "在会前讲解十分钟", "记录参加人数"],
        [MEMBER, "村两委成员"],
        ["内容是否贴近村情", "是否经常化"],
        ["学习记录", "照片"],
    ),
    (
        "assigned_task",
        DUTY,
        "完成乡镇纪委派单、点题任务",
        "乡镇纪委派单、点题的任务，按时限办理并反馈。",
        ["接单后确认任务和时限", "按要求办理", "按时反馈办理结果"],
        [MEMBER, "乡镇纪委"],
        ["是否按时反馈", "结果是否真实"],
        ["任务反馈材料"],
    ),
    (
        "villager_request",
        DUTY,
        "受理群众诉求",
        "群众反映的问题，能解释的当面解释，属于村务的督促村委会办理，涉及违纪违法的按线索报告。",
        ["登记诉求", "分类处理", "跟踪办理结果并向群众反馈"],
        [MEMBER, "村委会"],
        ["有无推诿拖延"],
        ["诉求登记"],
    ),
    # The six steps of 四议两公开.
    (
        "decision_step_1",
        STEP,
        "四议：村党组织提议",
        "村党组织在充分听取意见的基础上提出初步方案。",
        ["查看提议是否经过村党组织集体研究", "核对到会委员和会议记录"],
        ["村党组织委员", MEMBER],
        ["是否个人说了算", "提议内容是否清楚具体"],
        ["会议记录"],
    ),
    (
        "decision_step_2",
        STEP,
        "四议：村“两委”会商议",
        "村党组织和村委会联席会议对提议进行商议。",
        ["核对“两委”成员到会情况", "关注不同意见是否如实记录"],
        ["村“两委”成员", MEMBER],
        ["商议日期是否在提议之后", "记录是否当场形成"],
        ["会议记录", "签到表"],
    ),
    (
        "decision_step_3",
        STEP,
        "四议：党员大会审议",
        "党员大会审议“两委”商议的方案，到会党员须达到应到人数的三分之二。",
        ["核对到会党员人数是否达到三分之二", "监督表决过程和结果"],
        ["全体党员", MEMBER],
        ["到会人数不足不得审议", "签到表是否本人签名"],
        ["签到表", "会议记录", "表决结果"],
    ),
    (
        "decision_step_4",
        STEP,
        "四议：村民（代表）会议决议",
        "村民会议或村民代表会议对方案作出决议。村民会议须有本村18周岁以上村民过半数参加，或者本村三分之二以上的户的代表参加；"
        "村民代表会议须有组成人员三分之二以上参加；所作决定须经到会人员过半数同意。",
        [
            "登记会议形式（村民会议或村民代表会议）",
            "按该形式的备案人数核对到会人数",
            "监督表决，赞成票须过到会人员半数",
        ],
        ["村民或户代表、村民代表", MEMBER],
        ["代表是否本人参会", "表决结果是否如实记录"],
        ["签到表", "决议"],
    ),
    (
        "decision_step_5",
        STEP,
        "两公开：决议公开",
        "决议在村务公开栏公开，接受群众监督。",
        ["督促决议及时公开", "拍照留存"],
        ["村委会", MEMBER],
        ["公开内容是否与决议一致", "公开时间是否足够"],
        ["公开栏照片"],
    ),
    (
        "decision_step_6",
        STEP,
        "两公开：实施结果公开",
        "事项实施完毕后公开实施结果。",
        ["督促结果公开", "核对结果与决议是否一致"],
        ["村委会", MEMBER],
        ["实施有无偏离决议", "资金使用是否公开"],
        ["公开栏照片", "验收材料"],
    ),
    # The signatures of a village voucher.
    (
        "supervision_committee",
        VOUCHER,
        "报账：村务监督委员会审核",
        "村务监督委员会审核单据的真实性和合规性。",
        ["审核票据", "签署审核意见"],
        ["村务监督委员会"],
        ["票据是否真实合规"],
        ["审核意见"],
    ),
    (
        "member_recheck",
        VOUCHER,
        "报账：纪检委员复审签字",
        "随州增设的环节：纪检委员在监委会审核后复审签字。详见“村级报账单据复审签字”。",
        ["按“村级报账单据复审签字”办理", "有异议的写明理由，不签字"],
        [MEMBER],
        ["有无白条、拆分、重复报销"],
        ["复审意见"],
    ),
    (
        "secretary",
        VOUCHER,
        "报账：村党组织书记签字",
        "书记对开支负领导责任。",
        ["审签单据"],
        ["村党组织书记"],
        ["开支是否经集体研究"],
        ["签字单据"],
    ),
    (
        "chair",
        VOUCHER,
        "报账：村委会主任签字",
        "主任对开支负直接责任。",
        ["审签单据"],
        ["村委会主任"],
        ["开支是否在预算内"],
        ["签字单据"],
    ),
    (
        "township_leader",
        VOUCHER,
        "报账：乡镇领导签批",
        "超过限额的开支报乡镇领导签批。",
        ["核对是否超过限额", "乡镇领导签批"],
        ["乡镇分管领导"],
        ["限额以上开支是否签批"],
        ["签批单据"],
    ),
    (
        "agency_booking",
        VOUCHER,
        "报账：乡镇“三资”代理中心记账",
        "单据签字齐全后由乡镇“三资”代理中心记账。",
        ["核对签字是否齐全", "记账并退回有问题的单据"],
        ["乡镇“三资”代理中心"],
        ["签字不全不得记账"],
        ["记账凭证"],
    ),
]

CASES = [
    (
        "reimbursement_check",
        "拆分报销规避集体决策",
        "某村修建排水沟花费3万余元，村干部将一笔开支拆成五张单据分月报销，每张都低于须经集体研究的金额。"
        "纪检委员复审时发现五张单据事由相同、收款人相同，提出异议并报告乡镇纪委。",
        "复审不能只看单张单据，要把同一事项、同一收款人的单据放在一起看；发现规避集体决策的，不签字、及时报告。",
        "随县某村（演示案例）",
    ),
    (
        "decision_meeting",
        "党员大会记录事后补写",
        "某村党员大会审议土地流转方案，实际到会党员不足三分之二，会后村干部补写了会议记录和签到表。"
        "纪检委员在会上核对了人数并提出意见，会后查看记录时发现签到与实际不符，向乡镇纪委反映。",
        "会议记录要当场形成、当场签名；纪检委员在会上就要清点人数，并把自己的意见写进记录。",
        "曾都区某村（演示案例）",
    ),
    (
        "household_visit",
        "走访中发现低保优亲厚友",
        "纪检委员走访时，群众反映村干部亲属家境较好却享受低保。纪检委员如实记录后报告乡镇纪委，"
        "经核实，相关人员被取消低保资格，村干部受到处理。",
        "走访要多听群众的话；发现线索不自行调查，如实记录、及时报告，并为反映人保密。",
        "广水市某村（演示案例）",
    ),
]


def load_demo() -> tuple[int, int]:
    """(pages, cases) created; nothing when the manual has content or the city's editor is missing."""
    if ManualPage.objects.exists():
        return 0, 0
    editor = User.objects.filter(username="shidangfeng", roles__role=Role.CONDUCT_SUPERVISION).first()
    if editor is None:
        return 0, 0
    pages = {}
    for order, (code, kind, title, summary, steps, roles, checkpoints, documents) in enumerate(PAGES):
        pages[code] = services.page_create(
            actor=editor,
            code=code,
            kind=kind,
            sort_order=order,
            change_note="初版：根据《村（社区）纪检委员（监察信息员）履职手册》整理",
            title=title,
            summary=summary,
            steps=steps,
            roles=roles,
            checkpoints=checkpoints,
            documents=documents,
        )
    # A second version, so the history and an old version show.
    page = pages["household_visit"]
    services.page_update(
        actor=editor,
        page=page,
        version=page.version,
        change_note="补充监督要点：群众反映的问题是否有回音",
        title=page.title,
        summary=page.summary,
        steps=page.steps,
        roles=page.roles,
        checkpoints=[*page.checkpoints, "群众反映的问题是否有回音"],
        documents=page.documents,
    )
    for code, title, situation, lesson, source in CASES:
        services.case_create(
            actor=editor,
            page=pages[code],
            publish=True,
            title=title,
            situation=situation,
            lesson=lesson,
            source=source,
        )
    # A lesson proposed from elsewhere waits for the editor (the manual_case_propose port).
    services.case_propose(
        actor=editor,
        title="会前廉政十分钟流于形式",
        situation="互查中发现某村“会前廉政十分钟”连续三个月学习同一篇材料，记录内容雷同。",
        lesson="廉政教育要结合身边案例、常讲常新，纪检委员要做好记录并注明学习内容。",
        source="demo.mutual_check:1",
    )
    return len(pages), len(CASES) + 1
