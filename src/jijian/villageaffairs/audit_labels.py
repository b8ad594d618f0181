"""Chinese names of the events village affairs record in the audit trail (core.audit_reader)."""

from jijian.core.audit_reader.labels import register_labels

register_labels(
    actions={
        "village_rules.file": "“三重一大”规则报乡镇备案",
        "major_decision.register": "登记“三重一大”事项",
        "decision_step.record": "登记四议两公开步骤",
        "decision_flag.answer": "答复村务风险提示",
        "decision_flag.clue": "村务风险提示转为问题线索",
        "split_flag.answer": "答复疑似拆分报账提示",
        "split_flag.clue": "疑似拆分报账提示转为问题线索",
        "decision_step.correct": "更正四议两公开步骤",
        "public_board.photo": "上传四亮公示照片",
        "public_board.publish": "发布四亮公示",
        "reimbursement_chain.set": "设置报账签字流程",
        "voucher.enter": "登记报账凭证",
        "voucher.sign": "报账签字",
        "voucher.object": "报账提出异议",
        "voucher.resolve": "处理报账异议",
        "voucher.export": "导出报账统计",
    },
)
