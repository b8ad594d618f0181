"""Chinese names of the events the monthly reports record in the audit trail (core.audit_reader)."""

from jijian.core.audit_reader.labels import register_labels

register_labels(
    actions={
        "duty_record.create": "记录履职纪实",
        "duty_record.update": "修改履职纪实",
        "duty_record.delete": "删除履职纪实",
        "monthly_report.save": "保存月报",
        "monthly_report.submit": "提交月报",
        "monthly_report.approve": "审核通过月报",
        "monthly_report.return": "退回月报",
        "annual_grade.set": "评定年度等次",
        "missing_report_talk.record": "记录未报月报谈话",
    },
    objects={"reports.statistics": "月报统计"},
)
