"""Chinese names of the events the evaluation and mutual checks record in the audit trail (core.audit_reader)."""

from jijian.core.audit_reader.labels import register_labels

register_labels(
    actions={
        "evaluation.rubric_create": "制定考评细则",
        "evaluation.rubric_update": "修改考评细则",
        "evaluation.rubric_version": "考评细则生成新版本",
        "evaluation.start": "开始年度考评",
        "evaluation.assess": "乡镇评价",
        "evaluation.confirm": "确定年度考评",
        "evaluation.export": "导出年度考评",
        "evaluation.check_rubric_create": "制定互查清单",
        "evaluation.check_rubric_update": "修改互查清单",
        "evaluation.check_rubric_version": "互查清单生成新版本",
        "evaluation.round_open": "启动互查",
        "evaluation.round_close": "结束互查",
        "evaluation.pair_add": "安排互查",
        "evaluation.pair_score": "互查评分",
        "evaluation.finding_add": "记录互查发现的问题",
        "evaluation.finding_share": "推荐典型案例",
        "evaluation.rectification_add": "提出整改要求",
        "evaluation.rectification_report": "报送整改情况",
        "evaluation.rectification_close": "整改销号",
        "evaluation.rectification_return": "整改退回",
    },
)
