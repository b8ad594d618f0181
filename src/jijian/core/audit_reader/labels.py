"""Chinese names for what the audit trail records: one table of events (actions) and one of object
kinds. The trail itself (jijian.audit) stores codes and knows nothing of this; the reader shows the
names, filters by them and falls back to the code for one this table does not know yet."""

from __future__ import annotations

import json
import re

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist

ACTION_LABELS: dict[str, str] = {
    # sign-in and sessions
    "login.success": "登录成功",
    "login.failed": "登录失败",
    "login.locked": "账号被锁定",
    "login.password": "密码验证通过",
    "login.otp_enrolled": "绑定动态验证码",
    "logout": "退出登录",
    "session.end": "强制下线",
    # accounts, roles, keys
    "user.create": "新建账号",
    "user.import": "导入账号",
    "user.update": "修改账号",
    "user.activate": "启用账号",
    "user.deactivate": "停用账号",
    "user.password_change": "修改密码",
    "user.password_reset": "重置密码",
    "user.unlock": "解除锁定",
    "account.otp_reset": "重置动态验证码",
    "role.grant": "授予角色",
    "role.revoke": "撤销角色",
    "api_token.create": "签发接口令牌",
    "api_token.revoke": "吊销接口令牌",
    "api_token.revoke_all": "吊销全部接口令牌",
    "sensitive.reveal": "查看敏感信息",
    "sensitive.reveal_denied": "查看敏感信息被拒绝",
    "keys.new": "生成密钥",
    "keys.promote": "启用新密钥",
    "keys.retire": "停用旧密钥",
    "keys.rotate": "轮换密钥",
    "keys.reindex": "重建检索索引",
    # org tree, calendar, demo
    "org_unit.create": "新建单位",
    "org_unit.update": "修改单位",
    "org_unit.code": "修改单位代码",
    "org_unit.zone": "调整代管管理区",
    "org_unit.move": "调整单位隶属",
    "org_unit.close": "撤销单位",
    "org_unit.reopen": "恢复单位",
    "org_unit.import": "导入组织机构",
    "calendar.set": "设置工作日历",
    "calendar.confirm_year": "确认年度放假安排",
    "demo.load": "载入演示数据",
    # the audit trail
    "audit.export": "导出审计日志",
    "audit.prune": "清理过期审计日志",
    "partitions.retain": "按保留期摘下旧月份分区",
    # attachments
    "attachment.upload": "上传附件",
    "attachment.download": "下载附件",
    "attachment.original_read": "查看附件原件",
    "attachment.evidence_rekey": "证据附件重新加密",
    # monthly reports
    "duty_record.create": "记录履职纪实",
    "duty_record.update": "修改履职纪实",
    "duty_record.delete": "删除履职纪实",
    "monthly_report.save": "保存月报",
    "monthly_report.submit": "提交月报",
    "monthly_report.approve": "审核通过月报",
    "monthly_report.return": "退回月报",
    "annual_grade.set": "评定年度等次",
    "missing_report_talk.record": "记录未报月报谈话",
    "export": "导出统计",
    # petitions and clues
    "petition.submit": "网上举报提交",
    "petition.register": "登记信访举报",
    "petition.accept": "受理信访举报",
    "petition.forward_accept": "受理转来的信访举报",
    "petition.not_accept": "不予受理",
    "petition.forward": "转交办理",
    "petition.forward_answer": "答复转交",
    "petition.close": "办结",
    "petition.close_request": "提交办结报告",
    "petition.close_reject": "退回办结报告",
    "petition.extension_request": "申请延长办结期限",
    "petition.extension_approve": "批准延长办结期限",
    "petition.extension_reject": "退回延长办结期限的申请",
    "petition.urge": "催办",
    "petition.supervise": "督办",
    "petition.follow": "跟进办理",
    "petition.follow_failed": "跟进失败",
    "petition.mark_repeat": "标记重复举报",
    "petition.link_archive": "关联廉情档案",
    "petition.unlink_archive": "取消关联廉情档案",
    "petition.message_send": "发送消息",
    "petition.reporter_reply": "举报人回复",
    "petition.acceptance_notify": "告知受理情况",
    "petition.result_notify": "告知办理结果",
    "petition.objection": "记录举报人异议",
    "petition.objection_upheld_request": "报批维持原结论的异议答复",
    "petition.objection_upheld_reject": "退回维持原结论的异议答复",
    "petition.objection_upheld": "答复异议：维持原结论",
    "petition.objection_reopen": "答复异议：重新办理",
    "petition.relation_declare": "申报回避关系",
    "petition.relation_withdraw": "撤回回避关系",
    "clue.register": "登记问题线索",
    "clue.propose": "提出处置意见",
    "clue.approve": "批准处置意见",
    "clue.reject": "退回处置意见",
    "clue.reopen": "重新处置线索",
    "clue.letter_reply": "函询回复",
    "clue.stats_export": "导出问题线索统计",
    "deadline_board.export": "导出办理时限看板",
    # integrity archives
    "archive.create": "新建廉情档案",
    "archive.update": "修改廉情档案",
    "archive.open": "查阅廉情档案",
    "archive.export": "导出廉情档案名单",
    "archive.merge": "合并重复廉情档案",
    "archive.section_add": "录入廉情档案内容",
    "archive.sanction_from_source": "线索处理结果记入廉情档案",
    "archive.photo": "上传或更换廉情档案照片",
    # integrity opinion replies
    "opinion.submit": "征求党风廉政意见",
    "opinion.draft": "拟定党风廉政意见",
    "opinion.endorse": "会签党风廉政意见",
    "opinion.sign": "审签党风廉政意见回复",
    "opinion.read": "查阅党风廉政意见",
    # primary responsibility
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
    # village affairs
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
    # village discipline members' posts and guidance (cadres), and the archives' vetting for it
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
    "archive.vetting": "任职资格廉情审查",
    # video reception
    "reception.schedule_create": "发布接访安排",
    "reception.book": "预约视频接访",
    "reception.confirm": "确认视频接访预约",
    "reception.reschedule": "视频接访改约",
    "reception.transfer": "视频接访按管理权限转交",
    "reception.cancel": "取消视频接访",
    "reception.no_show": "登记信访人未到场",
    "reception.view": "查看视频接访预约",
    "reception.start": "开始视频接访",
    "reception.end": "结束视频接访",
    "reception.document_add": "接访材料入卷",
    "reception.minutes_save": "制作接访笔录",
    "reception.minutes_confirm": "信访人确认接访笔录",
    "reception.minutes_endorse": "接访笔录签字背书",
    "reception.case": "视频接访登记或关联信访举报",
    "reception.recording_verified": "接访录像转换并核验",
    "reception.recording_play": "播放接访录像",
    "reception.stats_export": "导出视频接访统计",
    "reception.wait": "信访人进入等候室",
    "reception.admit": "准入等候的信访人",
    "reception.refuse": "未准入等候的信访人",
    "reception.petitioner_document": "信访人在接访中上传材料",
    "reception.recording_purge": "接访录像超过保存期限删除",
    # training
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
    # duty manual
    "manual.page_create": "新建履职手册条目",
    "manual.page_update": "修订履职手册",
    "manual.case_create": "新增典型案例",
    "manual.case_update": "修改典型案例",
    "manual.case_publish": "发布典型案例",
    "manual.case_propose": "提交典型案例",
}

# Object kinds that are not a model (the others take the model's Chinese verbose_name).
OBJECT_LABELS: dict[str, str] = {
    "petitions.register": "信访登记簿",
    "reports.statistics": "月报统计",
    "partitions.table": "按月分区表",
}


def action_label(code: str) -> str:
    return ACTION_LABELS.get(code, code)


def _model(object_type: str):
    try:
        return apps.get_model(object_type)
    except (LookupError, ValueError):
        return None


def object_label(object_type: str) -> str:
    if not object_type:
        return ""
    if object_type in OBJECT_LABELS:
        return OBJECT_LABELS[object_type]
    model = _model(object_type)
    return str(model._meta.verbose_name) if model is not None else object_type


# Objects a reader knows by name, not by number: whose account, which unit. Only people's and units'
# names, which the trail's readers see on every staff page anyway; no petition, archive or person.
NAMED_OBJECTS: dict[str, str] = {"core.user": "full_name", "core.orgunit": "name"}


def object_names(events) -> dict[tuple[str, str], str]:
    """The names of the accounts and units a page of events is about, one statement per kind:
    {(object_type, object_id): name}. An id the table no longer holds (a row deleted) has none."""
    wanted: dict[str, set[int]] = {}
    for e in events:
        if e.object_type in NAMED_OBJECTS and str(e.object_id).isdigit():
            wanted.setdefault(e.object_type, set()).add(int(e.object_id))
    names: dict[tuple[str, str], str] = {}
    for object_type, ids in wanted.items():
        field = NAMED_OBJECTS[object_type]
        rows = apps.get_model(object_type).objects.filter(pk__in=ids).values_list("pk", field)
        names.update(((object_type, str(pk)), name) for pk, name in rows)
    return names


def action_choices(codes: list[str]) -> list[tuple[str, str]]:
    """The events for the filter's select: every known one and any other code the trail holds, by label."""
    known = {**ACTION_LABELS, **{c: c for c in codes if c not in ACTION_LABELS}}
    return sorted(known.items(), key=lambda item: item[1])


def object_choices(codes: list[str]) -> list[tuple[str, str]]:
    return sorted(((c, object_label(c)) for c in codes if c), key=lambda item: item[1])


# Keys of the snapshots that are not a model field.
KEY_LABELS: dict[str, str] = {
    "reason": "事由",
    "fields": "字段",
    "roles": "角色",
    "filters": "筛选条件",
    "state": "状态",
    "note": "说明",
    "count": "数量",
    "is_active": "启用",
    "version": "版本",
    "attachments": "附件数",
    "answer_working_days": "答复时限（工作日）",
    "approval": "审批单",
    "archive_sanction": "记入档案的处分",
    "chars": "字数",
    "deadline": "时限",
    "digest": "内容摘要（SM3）",
    "due_date": "办理期限",
    "entry": "档案条目",
    "evidence": "证据材料",
    "files": "文件数",
    "flag": "风险提示",
    "found": "查到的情况",
    "from_state": "原状态",
    "kind": "类别",
    "objection": "异议",
    "outcome": "答复结论",
    "overdue": "逾期",
    "photo": "照片",
    "receipts": "票据数",
    "relations": "亲属关系",
    "rules_version": "规则版本",
    "sanction": "处分",
    "section": "档案栏目",
    "signer": "签字人",
    "to_unit": "转往单位",
    "urging": "催办督办记录",
    "verdict": "结论",
    "votes": "表决",
    "weights": "权重",
}
# A mutual check's scores are keyed by the checklist item's code (q1, q2 …, evaluation's rubric).
_ITEM_CODE = re.compile(r"q(\d+)")


def _key_label(key: str) -> str:
    item = _ITEM_CODE.fullmatch(key)
    return f"第{item[1]}项得分" if item else KEY_LABELS.get(key, key)


def _field_label(model, key: str) -> str:
    if model is None:
        return _key_label(key)
    try:
        return str(model._meta.get_field(key).verbose_name)
    except FieldDoesNotExist:
        return _key_label(key)


def _choice_text(model, key: str, value: object) -> str | None:
    """A stored code of a field with choices ("accusation") by its Chinese name (检举); None otherwise."""
    if model is None or not isinstance(value, str):
        return None
    try:
        field = model._meta.get_field(key)
    except FieldDoesNotExist:
        return None
    names = {str(code): str(name) for code, name in field.flatchoices} if field.choices else {}
    return names.get(value)


def _value_text(value: object) -> str:
    from jijian.core.roles import Role

    if isinstance(value, str) and value in Role.values:
        return str(Role(value).label)
    if value is None or value == "":
        return "—"
    if value is True:
        return "是"
    if value is False:
        return "否"
    if isinstance(value, list):
        return "、".join(_value_text(v) for v in value) or "—"
    if isinstance(value, dict):
        return "；".join(f"{k}：{_value_text(v)}" for k, v in value.items()) or "—"
    return str(value)


def readable(object_type: str, data: object) -> list[tuple[str, str]]:
    """A before/after snapshot as (field name, value) lines, fields named as the model names them."""
    if data in (None, "", {}):
        return []
    if not isinstance(data, dict):
        try:
            data = json.loads(data) if isinstance(data, str) else data
        except ValueError:
            return [("", str(data))]
        if not isinstance(data, dict):
            return [("", _value_text(data))]
    model = _model(object_type)
    lines = []
    for key, value in data.items():
        if key == "fields" and isinstance(value, list):  # names of fields: named as the model names them
            value = [_field_label(model, str(v)) for v in value]
        lines.append(
            (_field_label(model, str(key)), _choice_text(model, str(key), value) or _value_text(value))
        )
    return lines


def _is_code(text: str) -> bool:
    return text.isascii()


def action_codes_for(text: str) -> list[str] | None:
    """The event codes a filter text means: None for a code (matched as a prefix: "login" is every
    sign-in event), else the codes whose Chinese name contains the text ("月报" is every report event)."""
    text = text.strip()
    if _is_code(text):
        return None
    return [code for code, label in ACTION_LABELS.items() if text in label]


def object_types_for(text: str) -> list[str] | None:
    """The object kinds a filter text means: None for a code (matched exactly), else those whose
    Chinese name contains it."""
    text = text.strip()
    if _is_code(text):
        return None
    kinds = {code: label for code, label in OBJECT_LABELS.items()}
    for model in apps.get_models():
        kinds[model._meta.label_lower] = str(model._meta.verbose_name)
    return [code for code, label in kinds.items() if text in label]


def object_label_choices() -> list[str]:
    """The object kinds' names for the filter's suggestions."""
    names = set(OBJECT_LABELS.values())
    ours = {c.label for c in apps.get_app_configs() if c.name.startswith("jijian.")}  # each platform too
    names.update(str(m._meta.verbose_name) for m in apps.get_models() if m._meta.app_label in ours)
    return sorted(names)
