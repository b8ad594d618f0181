"""Chinese names of the events the integrity archives and opinion replies record in the audit trail (core.audit_reader)."""

from jijian.core.audit_reader.labels import register_labels

register_labels(
    actions={
        "archive.create": "新建廉情档案",
        "archive.update": "修改廉情档案",
        "archive.open": "查阅廉情档案",
        "archive.export": "导出廉情档案名单",
        "archive.merge": "合并重复廉情档案",
        "archive.section_add": "录入廉情档案内容",
        "archive.section_withdraw": "撤销廉情档案内容",
        "archive.sanction_from_source": "线索处理结果记入廉情档案",
        "archive.record_from_source": "线索处理结果（谈话提醒等）记入廉情档案",
        "archive.photo": "上传或更换廉情档案照片",
        "opinion.submit": "征求党风廉政意见",
        "opinion.draft": "拟定党风廉政意见",
        "opinion.endorse": "会签党风廉政意见",
        "opinion.sign": "审签党风廉政意见回复",
        "opinion.read": "查阅党风廉政意见",
        "archive.vetting": "任职资格廉情审查",
    },
)
