"""Chinese names for what the audit trail records: one table of events (actions) and one of object
kinds, core's own here and each app's registered from its `audit_labels.py`. The trail itself (jijian.audit) stores codes and knows nothing of this; the reader shows the
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
    # an export of statistics, from any platform
    "export": "导出统计",
}

# Object kinds that are not a model (the others take the model's Chinese verbose_name).
OBJECT_LABELS: dict[str, str] = {
    "partitions.table": "按月分区表",
}


def register_labels(*, actions: dict[str, str], objects: dict[str, str] | None = None) -> None:
    """An app names the events it records (and its object kinds that are not a model) in its
    `audit_labels.py`, found at start like its menu (core.apps): core names no platform's events."""
    for code in actions:
        if code in ACTION_LABELS and ACTION_LABELS[code] != actions[code]:
            raise ValueError(f"audit event {code} is named twice")
    ACTION_LABELS.update(actions)
    OBJECT_LABELS.update(objects or {})


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
    "archive_record": "记入档案的处理记录",
    "duty_record": "来源履职纪实",
    "with_post": "随任职终止",
    "roll_added_from": "应到人数取自备案规则版本",
    "chars": "字数",
    "corrects": "更正的档案条目",
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
        field = model._meta.get_field(key)
    except FieldDoesNotExist:
        return _key_label(key)
    # A reverse relation (a snapshot listing a lecture's "materials") has no verbose name of its own.
    name = getattr(field, "verbose_name", None)
    return str(name) if name is not None else _key_label(key)


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
