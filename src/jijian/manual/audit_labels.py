"""Chinese names of the events the duty manual records in the audit trail (core.audit_reader)."""

from jijian.core.audit_reader.labels import register_labels

register_labels(
    actions={
        "manual.page_create": "新建履职手册条目",
        "manual.page_update": "修订履职手册",
        "manual.case_create": "新增典型案例",
        "manual.case_update": "修改典型案例",
        "manual.case_publish": "发布典型案例",
        "manual.case_propose": "提交典型案例",
    },
)
