"""Chinese names of the events primary responsibility records in the audit trail (core.audit_reader)."""

from jijian.core.audit_reader.labels import register_labels

register_labels(
    actions={
        "responsibility.member_save": "登记党组织班子成员",
        "responsibility.template_save": "发布责任清单模板",
        "responsibility.list_generate": "生成年度责任清单",
        "responsibility.item_save": "登记责任清单事项",
        "responsibility.record_create": "登记履责纪实",
        "responsibility.record_comment": "批注履责纪实",
        "responsibility.interview_record": "登记约谈",
        "responsibility.interview_follow_up": "登记约谈整改完成",
        "responsibility.risk_point_save": "登记廉政风险点",
        "responsibility.risk_point_review": "年度复核廉政风险点",
        "responsibility.risk_check": "登记风险点检查",
        "responsibility.supervision_record": "登记同级监督纪实",
        "responsibility.assessment_save": "主体责任年度考核",
    },
)
