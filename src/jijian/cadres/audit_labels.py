"""Chinese names of the events village discipline members' posts, guidance and case placements record in the audit trail (core.audit_reader)."""

from jijian.core.audit_reader.labels import register_labels

register_labels(
    actions={
        "guidance_task.issue": "派单点题",
        "guidance_task.answer": "回复派单点题任务",
        "nomination.submit": "提名村（社区）纪检委员",
        "nomination.approve": "批准纪检委员任职",
        "nomination.reject": "不批准纪检委员提名",
        "post_holding.start": "纪检委员任职",
        "post_holding.end": "纪检委员离任",
        "post_holding.register": "登记纪检委员任职记录",
        "placement.create": "选派跟案学习",
        "placement.report": "提交跟案学习报告",
        "placement.record": "记录跟案学习",
    },
)
