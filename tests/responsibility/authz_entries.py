"""The primary responsibility pages (module RESPONSIBILITY: 党风政风监督室 and 党组织联络员). The party
organisation used here is 市教育局机关党委 under the city: its own liaison (party_liaison) is the only
standard persona who sees it — the county, zone and other-county offices are outside the city-level
departments, and every other persona lacks the module. The supervising offices' own pages (board,
templates) answer them with their own (here empty) jurisdiction. A city-level office, and the POST of a
comment, are tried in test_pages.py."""

from datetime import date

from jijian.responsibility.models import (
    FulfilmentRecord,
    LeadershipMember,
    ListTemplate,
    ResponsibilityItem,
    RiskPoint,
)
from tests.authz import UNAUTHORIZED, Entry

LIAISON = frozenset({"party_liaison"})
OFFICES = frozenset({"county_officer", "outsider", "zone_officer"})


def org(t, p):
    return [t.party_org.pk]


def member(t, p):
    return [LeadershipMember.objects.create(org_unit=t.party_org, name="张书记", role="secretary").pk]


def _item(t):
    return ResponsibilityItem.objects.create(
        org_unit=t.party_org,
        year=date.today().year,
        holder="organisation",
        title="专题研究",
        frequency="quarterly",
    )


def record(t, p):
    item = _item(t)
    return [
        FulfilmentRecord.objects.create(
            org_unit=t.party_org,
            item=item,
            period=1,
            record_type="meeting",
            occurred_on=date(item.year, 1, 10),
            title="一季度专题会",
            content="记录",
            created_by=p.party_liaison,
        ).pk
    ]


def template_of_county(t, p):
    return [
        ListTemplate.objects.create(
            publisher=t.county,
            year=date.today().year,
            holder="organisation",
            title="专题研究",
            frequency="yearly",
        ).pk
    ]


def risk(t, p):
    return [
        RiskPoint.objects.create(
            org_unit=t.party_org,
            process="三重一大决策",
            description="会议记录不规范或造假",
            level="high",
            measures="集体研究，纪检委员列席",
            owner="书记",
        ).pk
    ]


def _risk_form(t, p):
    return {
        "process": "工会经费管理",
        "description": "虚列支出",
        "level": "medium",
        "measures": "双签",
        "owner": "工会主席",
    }


def interview(t, p):
    from jijian.responsibility.models import AccountabilityInterview

    return [
        AccountabilityInterview.objects.create(
            org_unit=t.party_org,
            held_on=date(2026, 1, 5),
            interviewee="书记",
            reason="逾期",
            outcome="none",
            created_by=p.party_liaison,
        ).pk
    ]


def _member_form(t, p):
    return {"name": "李委员", "post": "副局长", "role": "member", "portfolio": "财务", "is_active": "on"}


def _item_form(t, p):
    return {
        "holder": "organisation",
        "polarity": "positive",
        "title": "自定事项",
        "frequency": "yearly",
        "supervising_office": "党风政风监督室",
        "record_type": "other",
    }


def _template_form(t, p):
    return {**_item_form(t, p), "year": date.today().year, "sort_order": 0, "is_active": "on"}


ENTRIES = [
    Entry("responsibility:board", OFFICES | LIAISON, get_ok=(200, 302)),
    Entry("responsibility:org", LIAISON, args=org),
    Entry("responsibility:board_export", OFFICES),
    Entry(
        "responsibility:assessment",
        frozenset(),
        args=org,
        methods=("GET", "POST"),
        post_data=lambda t, p: {"grade": "good", "score": 95, "basis": "按时完成"},
    ),
    Entry("responsibility:member_create", LIAISON, args=org, methods=("GET", "POST"), post_data=_member_form),
    Entry(
        "responsibility:member_edit", LIAISON, args=member, methods=("GET", "POST"), post_data=_member_form
    ),
    Entry("responsibility:list_generate", LIAISON, args=org, methods=("POST",)),
    Entry("responsibility:item_create", LIAISON, args=org, methods=("GET", "POST"), post_data=_item_form),
    Entry(
        "responsibility:record_create",
        LIAISON,
        args=org,
        methods=("GET", "POST"),
        post_data=lambda t, p: {"record_type": "meeting", "title": "x", "content": "y"},
    ),
    Entry("responsibility:record", LIAISON, args=record),
    Entry(
        "responsibility:interview_create",
        frozenset(),
        args=org,
        methods=("GET", "POST"),
        post_data=lambda t, p: {
            "held_on": "2026-01-05",
            "interviewee": "书记",
            "reason": "x",
            "outcome": "none",
        },
    ),
    Entry("responsibility:risk_list", LIAISON, args=org),
    Entry("responsibility:risk_create", LIAISON, args=org, methods=("GET", "POST"), post_data=_risk_form),
    Entry("responsibility:risk_edit", LIAISON, args=risk, methods=("GET", "POST"), post_data=_risk_form),
    Entry(
        "responsibility:risk_check",
        LIAISON,
        args=risk,
        methods=("GET", "POST"),
        post_data=lambda t, p: {"checked_on": "2026-01-05", "finding": "查阅会议记录", "result": "normal"},
    ),
    Entry("responsibility:risk_review", LIAISON, args=risk, methods=("POST",)),
    Entry(
        "responsibility:interview_follow_up",
        frozenset(),
        args=interview,
        methods=("GET", "POST"),
        post_data=lambda t, p: {"done_on": "2026-01-20", "result": "已整改"},
    ),
    Entry("responsibility:template_list", OFFICES),
    Entry("api:resp_board", OFFICES, anonymous=UNAUTHORIZED),
    Entry("api:resp_org_year", LIAISON, args=org, anonymous=UNAUTHORIZED),
    Entry("api:resp_record", LIAISON, args=record, anonymous=UNAUTHORIZED),
    Entry("responsibility:template_create", OFFICES, methods=("GET", "POST"), post_data=_template_form),
    Entry(
        "responsibility:template_edit",
        frozenset({"county_officer"}),
        args=template_of_county,
        methods=("GET", "POST"),
        post_data=_template_form,
    ),
]


def supervision(t, p):
    """A supervision record of 市教育局: none of the standard personas reads it (the department member
    and the resident group are tried in test_department_member.py)."""
    from jijian.responsibility.models import SupervisionRecord

    return [
        SupervisionRecord.objects.create(
            org_unit=t.department,
            kind="meeting",
            occurred_on=date(2026, 1, 5),
            subject="党组会",
            content="列席",
            created_by=p.party_liaison,
        ).pk
    ]


ENTRIES += [
    # Only department members, resident groups and offices with departments in their jurisdiction.
    Entry("responsibility:supervision_list", frozenset()),
    Entry(
        "responsibility:supervision_create",
        frozenset(),
        methods=("GET", "POST"),
        post_data=lambda t, p: {
            "kind": "reminder",
            "occurred_on": "2026-01-05",
            "subject": "x",
            "content": "y",
        },
    ),
    Entry("responsibility:supervision", frozenset(), args=supervision),
]

ENTRIES += [
    # The same through the API: none of the standard personas is a department member, a resident
    # group or an office with departments (tried in test_department_member.py).
    Entry("api:resp_supervision_list", frozenset(), anonymous=UNAUTHORIZED),
    Entry("api:resp_supervision", frozenset(), args=supervision, anonymous=UNAUTHORIZED),
    Entry(
        "api:resp_supervision_create",
        frozenset(),
        methods=("POST",),
        anonymous=UNAUTHORIZED,
        post_data=lambda t, p: {
            "kind": "reminder",
            "occurred_on": "2026-01-05",
            "subject": "x",
            "content": "y",
        },
    ),
]
