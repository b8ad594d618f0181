"""Default duty types, checklist and rubric, from the Suizhou duty manual's tasks (docs/domain.md §1).
Administrators edit them per year; `reports_config_seed(year)` copies these in when a year has none."""

from typing import Any

INT = "integer"

# The day of the month from which a month's report is submittable without an early-submit
# confirmation (its last working days); per city in ReportSettings.submittable_from_day.
SUBMITTABLE_FROM_DAY = 25

# The annual grade proposes 不称职 at this many missing months, or when fewer than this share of the
# expected months was submitted — the share only once this many months count (one missed month of
# three is not 不称职). Per city in ReportSettings.incompetent_*.
INCOMPETENT_MISSING_MONTHS = 3
INCOMPETENT_MIN_SUBMISSION_PCT = 75
INCOMPETENT_RATE_FROM_MONTHS = 6

DUTY_TYPES: list[dict[str, Any]] = [
    {
        "code": "decision_meeting",
        "name": "参加“三重一大”决策会议",
        "fields": [
            {"name": "topic", "label": "议题", "type": "text", "required": True},
            {
                "name": "deliberations",
                "label": "四议环节",
                "type": "multi",
                "required": True,
                "choices": [
                    "党支部提议",
                    "两委会商议",
                    "党员大会审议",
                    "村民（代表）会议决议",
                    "决议公开",
                    "结果公开",
                ],
            },
            {"name": "opinion", "label": "提出的意见", "type": "text"},
        ],
    },
    {
        "code": "reimbursement_check",
        "name": "复审会签报账单据",
        "fields": [
            {"name": "count", "label": "单据数（张）", "type": INT, "required": True, "min": 1, "max": 500},
            {
                "name": "amount",
                "label": "金额（元）",
                "type": "decimal",
                "required": True,
                "min": 0,
                "max": 100000000,
            },
            {"name": "objections", "label": "提出异议（张）", "type": INT, "min": 0, "max": 500},
        ],
    },
    {
        "code": "welfare_check",
        "name": "惠民惠农资金监督",
        "fields": [
            {"name": "item", "label": "资金项目", "type": "text", "required": True},
            {
                "name": "stage",
                "label": "环节",
                "type": "choice",
                "choices": ["登记", "公示3天", "乡镇审核", "一卡通发放"],
            },
            {"name": "households", "label": "涉及户数", "type": INT, "min": 0, "max": 100000},
        ],
    },
    {
        "code": "openness_check",
        "name": "村务公开监督",
        "fields": [
            {"name": "items", "label": "公开事项", "type": "text", "required": True},
            {"name": "compliant", "label": "公开规范", "type": "boolean"},
        ],
    },
    {
        "code": "household_visit",
        "name": "走访农户",
        "fields": [
            {"name": "households", "label": "走访户数", "type": INT, "required": True, "min": 1, "max": 200},
        ],
    },
    {
        "code": "reminder_talk",
        "name": "提醒谈话",
        "fields": [
            {"name": "persons", "label": "谈话人数", "type": INT, "required": True, "min": 1, "max": 100},
        ],
    },
    {
        "code": "integrity_education",
        "name": "廉政教育",
        "fields": [
            {"name": "attendees", "label": "参加人数", "type": INT, "min": 0, "max": 10000},
        ],
    },
    {
        "code": "clue_found",
        "name": "发现和移交问题线索",
        "counts_as_clue": True,
        "fields": [
            {"name": "matter", "label": "问题简述", "type": "text", "required": True},
            {"name": "handed_to", "label": "移交至", "type": "text"},
        ],
    },
    {
        "code": "assigned_task",
        "name": "完成乡镇纪委派单/点题任务",
        "fields": [
            {"name": "task", "label": "任务", "type": "text", "required": True},
        ],
    },
    {
        "code": "villager_request",
        "name": "受理群众诉求",
        "fields": [
            {"name": "requests", "label": "诉求件数", "type": INT, "required": True, "min": 1, "max": 500},
        ],
    },
]

# Example thresholds from counties elsewhere (≥ 10 household visits, one finance check a month).
CHECKLIST = [
    {"code": "household_visit", "min_per_month": 10, "note": "每月走访农户不少于10户（按户数计）"},
    {"code": "reimbursement_check", "min_per_month": 1, "note": "每月至少复审会签一次"},
]

RUBRIC = [
    {"key": "complete", "label": "内容完整、按清单履职", "max": 40},
    {"key": "timely", "label": "按时报送", "max": 20},
    {"key": "quality", "label": "记录真实具体、有佐证", "max": 30},
    {"key": "problems", "label": "发现并处置问题", "max": 10},
]

# The duty types of a city-level department's discipline member (市直单位纪检委员, MemberKind.DEPARTMENT):
# same-level supervision (同级监督) of the department's leadership, the 会前廉政十分钟 of its meetings, and
# checks against its integrity risk points. The first four (and risk_check) are fed from the
# responsibility pages (core.links.duty_log_record), so nothing is typed twice.
DEPARTMENT_DUTY_TYPES: list[dict[str, Any]] = [
    {
        "code": "leadership_meeting",
        "name": "列席党组（党委）会、领导班子会议",
        "fields": [
            {"name": "meeting", "label": "会议", "type": "text", "required": True},
            {"name": "opinion", "label": "提出的意见建议", "type": "text"},
        ],
    },
    {
        "code": "integrity_ten_minutes",
        "name": "会前廉政十分钟",
        "fields": [
            {"name": "meeting", "label": "会议", "type": "text", "required": True},
            {"name": "topic", "label": "内容", "type": "text", "required": True},
        ],
    },
    {
        "code": "peer_reminder",
        "name": "同级监督提醒",
        "fields": [
            {"name": "person", "label": "提醒对象", "type": "text", "required": True},
        ],
    },
    {
        "code": "report_upward",
        "name": "向派驻纪检监察组（上级纪委）报告",
        "fields": [
            {"name": "matter", "label": "报告事项", "type": "text", "required": True},
        ],
    },
    {
        "code": "risk_check",
        "name": "廉政风险点检查",
        "fields": [
            {"name": "risk_point", "label": "风险点", "type": "text", "required": True},
            {"name": "result", "label": "检查结果", "type": "text", "required": True},
        ],
    },
    {
        "code": "dept_clue_found",
        "name": "发现和报告问题线索",
        "counts_as_clue": True,
        "fields": [
            {"name": "matter", "label": "问题简述", "type": "text", "required": True},
        ],
    },
    {
        "code": "dept_integrity_education",
        "name": "廉政教育",
        "fields": [
            {"name": "attendees", "label": "参加人数", "type": INT, "min": 0, "max": 10000},
        ],
    },
]

DEPARTMENT_CHECKLIST = [
    {"code": "leadership_meeting", "min_per_month": 1, "note": "每月至少列席一次领导班子会议"},
    {"code": "risk_check", "min_per_month": 1, "note": "每月至少检查一个廉政风险点"},
]
