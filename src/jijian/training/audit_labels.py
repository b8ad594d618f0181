"""Chinese names of the events training records in the audit trail (core.audit_reader)."""

from jijian.core.audit_reader.labels import register_labels

register_labels(
    actions={
        "training.question_create": "新增试题",
        "training.question_update": "修改试题",
        "training.question_deactivate": "停用试题",
        "training.questions_import": "导入试题",
        "training.exam_create": "新建考试",
        "training.exam_publish": "发布考试",
        "training.sitting_start": "开始考试",
        "training.sitting_take_over": "在另一设备上继续考试",
        "training.sitting_grade": "考试评分",
        "training.course_create": "新建课程",
        "training.material_add": "增加课程资料",
        "training.material_learnt": "学完课程资料",
        "training.course_complete": "学完课程",
        "training.lecture_create": "登记集中授课",
        "training.lecture_sign_in": "授课签到",
        "training.lecture_material_add": "增加课件资料",
    },
)
