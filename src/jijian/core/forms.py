from __future__ import annotations

from typing import cast

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext, gettext_lazy
from django.utils.translation import gettext_lazy as _

from .models import ALLOWED_PARENT_KINDS, VILLAGE_KINDS, OrgKind, OrgUnit
from .roles import Role
from .validators import (
    UNIT_CODE_MAX_LENGTH,
    UNIT_CODE_MESSAGE,
    UNIT_CODE_PATTERN,
    validate_id_number,
    validate_mobile,
)


class OrgSearchForm(forms.Form):
    q = forms.CharField(label=_("名称或拼音首字母"), required=False, max_length=50)
    kind = forms.ChoiceField(label=_("类型"), required=False, choices=[("", _("全部类型")), *OrgKind.choices])


class UserSearchForm(forms.Form):
    q = forms.CharField(label=_("姓名、拼音首字母或用户名"), required=False, max_length=50)
    role = forms.ChoiceField(label=_("角色"), required=False, choices=[("", _("全部角色")), *Role.choices])


class RoleChangeForm(forms.Form):
    role = forms.ChoiceField(label=_("角色"), choices=Role.choices)
    action = forms.ChoiceField(label=_("操作"), choices=[("grant", _("授予")), ("revoke", _("撤销"))])


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("原因"), max_length=200)


class PasswordResetForm(forms.Form):
    """The temporary password a system administrator gives an account; checked against the policy by
    the service."""

    password = forms.CharField(
        label=_("临时密码"),
        max_length=128,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        error_messages={"required": _("请填写临时密码")},
    )
    # When the password was last set, as the page showed it: a reset from an older page is refused.
    seen = forms.CharField(widget=forms.HiddenInput, required=False)


class OTPResetForm(forms.Form):
    """Why a security administrator resets someone's authenticator; kept in the audit trail."""

    reason = forms.CharField(
        label=_("重置原因"),
        max_length=200,
        error_messages={"required": _("请填写重置原因"), "max_length": _("重置原因不能超过 200 字")},
        widget=forms.TextInput(attrs={"placeholder": _("如：手机丢失，已当面核实本人身份")}),
    )
    # The second factor as the page showed it (otp_stamp): a reset from an older page is refused.
    seen = forms.CharField(widget=forms.HiddenInput, required=False)


class CalendarDayForm(forms.Form):
    # A date picker: a bare text box gave no hint of the format it wanted.
    date = forms.DateField(label=_("日期"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    is_working_day = forms.TypedChoiceField(
        label=_("类型"), coerce=lambda v: v == "1", choices=[("1", _("工作日（上班）")), ("0", _("休息日"))]
    )
    name = forms.CharField(label=_("说明"), max_length=50, required=False)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input (photos of a duty record, evidence, scanned letters), at most
    `max_files` when given. Each file is still checked by the attachment service when stored."""

    def __init__(self, *args, max_files: int | None = None, **kwargs):
        self.max_files = max_files
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": "image/*,.pdf,.doc,.docx,.xls,.xlsx"}))
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        items = data if isinstance(data, list | tuple) else [data]
        single = super().clean  # (a bare super() does not work inside the comprehension)
        files = [single(item, initial) for item in items if item]
        if self.max_files is not None and len(files) > self.max_files:
            raise ValidationError(gettext("最多上传 %(max_files)s 个文件") % {"max_files": self.max_files})
        return files


# --- choosing one org unit out of many ---------------------------------------------------------------
UNIT_SEARCH_MAX_LENGTH = 50


class UnitSelect(forms.Select):
    """The unit picker: a plain <select> of org units (it works as one without JavaScript) whose
    options carry their unit's pinyin initials (`data-initials`, OrgUnit.pinyin_initials, computed by
    core.orgs.pinyin when the unit is written). With `picker`, core/static/core/unit-picker.js puts a
    search box above it that narrows the options, as one types, to those whose name contains the text
    or whose initials start with it; nothing else of the form is sent or lost."""

    def __init__(self, attrs=None, choices=(), *, picker: bool = True):
        attrs = dict(attrs or {})
        if picker:
            attrs.setdefault("data-unit-picker", "")
        super().__init__(attrs, choices)

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        unit = getattr(value, "instance", None)  # a ModelChoiceIteratorValue for a unit's option
        if isinstance(unit, OrgUnit):
            option["attrs"]["data-initials"] = unit.pinyin_initials
        return option


class UnitChoiceField(forms.ModelChoiceField):
    """One org unit out of a list short enough to send whole (a city's townships, a county's villages),
    chosen with the unit picker (UnitSelect). `indent`: labels indented by depth, so the list reads as
    a tree."""

    indent = False

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", UnitSelect)
        super().__init__(*args, **kwargs)

    def label_from_instance(self, obj) -> str:
        return "　" * max(obj.depth, 0) + obj.name if self.indent else obj.name


def clean_unit_search(value: object) -> str:
    """A unit search text (name, pinyin initials or code): stripped, at most UNIT_SEARCH_MAX_LENGTH."""
    return str(value or "").strip()[:UNIT_SEARCH_MAX_LENGTH]


class OfferedUnits(forms.models.ModelChoiceIterator):
    """The <option>s an OfferedUnitChoiceField renders: what it was offered, not all it accepts."""

    def __iter__(self):
        units = self.field.offered_units()
        if self.field.empty_label is not None:
            yield ("", self.field.nothing_found_label() or self.field.empty_label)
        for unit in units:
            yield self.choice(unit)

    def __len__(self):
        return len(self.field.offered_units()) + (self.field.empty_label is not None)

    def __bool__(self):
        return self.field.empty_label is not None or bool(self.field.offered_units())


class OfferedUnitChoiceField(UnitChoiceField):
    """One org unit out of a large tree. It ACCEPTS any unit of its queryset (one query to validate,
    as ModelChoiceField does) but RENDERS only what offer() gave it — a short list of the likely
    units, or the results of a search — plus the current value, so that a page never carries every
    unit of a province. Labels are indented by depth, so the short list reads as a tree."""

    iterator = OfferedUnits
    max_offered = 300
    indent = True
    nothing_found = "未找到与“{q}”相符的单位，请换个名称或拼音首字母"

    def __init__(self, *args, **kwargs):
        self.offered = None
        self.current: object = None
        self.searched = ""
        self._found = True
        self._offered_units: list | None = None
        # The options carry their initials; the picker's search box is the page's to turn on (the
        # account form does), as this select may be refilled by a server-side search.
        kwargs.setdefault("widget", UnitSelect(picker=False))
        super().__init__(*args, **kwargs)

    def __deepcopy__(self, memo):
        result = super().__deepcopy__(memo)
        result._offered_units = None
        return result

    def offer(self, *, accepted, offered, searched: str = "", current: object = None) -> None:
        """Accept any unit of `accepted`; render `offered` (the results for `searched`, when there is
        a search) and `current` (the unit already chosen: initial or posted)."""
        self.queryset = accepted
        self.offered = offered
        self.searched = searched
        self.current = current
        self._offered_units = None
        self.widget.choices = self.choices

    def offered_units(self) -> list:
        if self._offered_units is None:
            assert self.queryset is not None  # always built with one, as ModelChoiceField.to_python assumes
            offered = self.offered if self.offered is not None else self.queryset
            units = list(offered[: self.max_offered])
            self._found = bool(units)
            pk = _unit_pk(self.current)
            if pk is not None and all(u.pk != pk for u in units):
                extra = self.queryset.filter(pk=pk).first()
                if extra is not None:
                    units = sorted([*units, extra], key=lambda u: u.path)
            self._offered_units = units
        return self._offered_units

    def nothing_found_label(self) -> str:
        if self.searched and not self._found:
            return self.nothing_found.format(q=self.searched)
        return ""


def account_unit_field() -> OfferedUnitChoiceField:
    """所属单位 of the account forms (新建账号, 编辑账号), filled by `offer_account_units`."""
    return OfferedUnitChoiceField(
        label=_("所属单位"),
        queryset=OrgUnit.objects.none(),
        empty_label=_("请选择单位"),
        help_text=_(
            "列出乡镇（街道）及以上单位，在上方输入名称或拼音首字母即可筛选；"
            "村（社区）请输入后点“查找全部单位”，已填写的内容会保留"
        ),
        error_messages={
            "required": _("请选择所属单位"),
            "invalid_choice": _("所选单位不存在或不在您的管辖范围内"),
        },
    )


def offer_account_units(form: forms.Form, *, units, unit_q: object) -> None:
    """Fill the account form's 所属单位 from `units` (where the administrator may put an account): the
    select lists the units above village level, narrowed as one types by the unit picker; any unit,
    villages included, is found on the server by name, pinyin initials or code through `unit_q`. Why
    both: a province's villages are too many to send in one page, so villages stay a server-side search
    (a button inside the form, so nothing typed is lost). A closed (撤销) unit is never offered; the
    account's present unit stays in the select so that an edit can keep it."""
    from .selectors import org_unit_search

    form.fields["org_unit"].widget.attrs["data-unit-picker"] = "unit_q"  # the search box's id
    searched = clean_unit_search(unit_q)
    ordered = units.filter(is_active=True).order_by("path")
    field = cast(OfferedUnitChoiceField, form.fields["org_unit"])
    field.offer(
        accepted=units,
        offered=org_unit_search(ordered, q=searched) if searched else ordered.exclude(kind__in=VILLAGE_KINDS),
        searched=searched,
        current=form["org_unit"].value(),
    )


class AccountCreateForm(forms.Form):
    username = forms.RegexField(
        label=_("用户名"),
        max_length=64,
        regex=r"^[A-Za-z0-9_.-]{3,64}$",
        error_messages={"invalid": gettext_lazy("用户名只能包含字母、数字、下划线、点和短横线，3至64位")},
    )
    full_name = forms.CharField(label=_("姓名"), max_length=50)
    org_unit = account_unit_field()
    position = forms.CharField(label=_("职务"), max_length=50, required=False)
    phone = forms.CharField(label=_("手机号码"), max_length=20, required=False)
    id_number = forms.CharField(label=_("身份证号"), max_length=18, required=False)
    temporary_password = forms.CharField(label=_("初始密码"), widget=forms.PasswordInput, max_length=128)

    # Kept when the page comes back with the results of a unit search (never the password).
    KEPT_ON_SEARCH = ("username", "full_name", "org_unit", "position", "phone", "id_number")

    def __init__(self, *args, units, unit_q: object = "", **kwargs):
        """`units`: where the administrator may put an account (see `offer_account_units`)."""
        super().__init__(*args, **kwargs)
        offer_account_units(self, units=units, unit_q=unit_q)

    def clean_phone(self) -> str:
        return _clean_optional(self.cleaned_data["phone"], validate_mobile)

    def clean_id_number(self) -> str:
        return _clean_optional(self.cleaned_data["id_number"], validate_id_number)


def _clean_optional(value: str, validate) -> str:
    """An optional field of the account forms: empty stays "", anything else is checked (and normalised)
    by the same validator the account services use."""
    value = value.strip()
    if not value:
        return ""
    try:
        return validate(value)
    except ValidationError as exc:
        raise forms.ValidationError(exc.messages) from None


def _unit_pk(value: object) -> int | None:
    if hasattr(value, "pk"):
        return value.pk
    try:
        return int(str(value))
    except (TypeError, ValueError):
        return None


# --- the system administrator's org-tree and account edits -------------------------------------------
def _version_field() -> forms.IntegerField:
    """The version the page was read at; the service refuses a save over a newer one."""
    return forms.IntegerField(
        widget=forms.HiddenInput,
        min_value=1,
        error_messages={
            "required": _("页面已过期，请刷新后重试"),
            "invalid": _("页面已过期，请刷新后重试"),
            "min_value": _("页面已过期，请刷新后重试"),
        },
    )


def _clean_name(value: str, message: str) -> str:
    value = value.strip()
    if not value:
        raise forms.ValidationError(message)
    return value


def _code_field(label, help_text) -> forms.RegexField:
    """An org unit's code, optional (core.validators.validate_unit_code holds the same rule)."""
    return forms.RegexField(
        label=label,
        required=False,
        max_length=UNIT_CODE_MAX_LENGTH,
        regex=rf"^{UNIT_CODE_PATTERN}\Z",
        help_text=help_text,
        error_messages={
            "invalid": UNIT_CODE_MESSAGE,
            "max_length": _("代码不能超过 %(limit_value)d 个字符"),
        },
    )


class OrgUnitCreateForm(forms.Form):
    """新建下级单位 under `parent`: only the kinds that may sit under it are offered."""

    prefix = "new"  # the forms of the page share it: each its own field names

    name = forms.CharField(
        label=_("单位名称"), max_length=100, error_messages={"required": _("请填写单位名称")}
    )
    kind = forms.ChoiceField(
        label=_("类型"),
        error_messages={"required": _("请选择类型"), "invalid_choice": _("该类型的单位不能设在本单位之下")},
    )
    code = _code_field(_("代码"), _("统计用区划代码或机构代码，选填"))
    active_from = forms.DateField(
        label=_("设立日期"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": _("请填写有效日期，如 2026-01-01")},
    )

    def __init__(self, *args, parent: OrgUnit, **kwargs):
        super().__init__(*args, **kwargs)
        kinds = [(k, label) for k, label in OrgKind.choices if parent.kind in ALLOWED_PARENT_KINDS.get(k, ())]
        self.fields["kind"].choices = [("", _("请选择类型")), *kinds]  # type: ignore[attr-defined]

    def clean_name(self) -> str:
        return _clean_name(self.cleaned_data["name"], gettext("请填写单位名称"))


class OrgUnitRenameForm(forms.Form):
    prefix = "rename"
    version = _version_field()
    name = forms.CharField(label=_("新名称"), max_length=100, error_messages={"required": _("请填写新名称")})

    def clean_name(self) -> str:
        return _clean_name(self.cleaned_data["name"], gettext("请填写新名称"))


class OrgUnitCodeForm(forms.Form):
    """修改代码: a code corrected (统计用区划代码 or 机构代码); left empty, the unit has none."""

    prefix = "code"
    version = _version_field()
    code = _code_field(_("新代码"), _("数字、字母和短横线，不能与其他单位重复；留空则清除代码"))


class OrgUnitZoneForm(forms.Form):
    """代管管理区: the open management zones of the administrator's subtree, or none."""

    prefix = "zone"
    version = _version_field()
    management_zone = UnitChoiceField(
        label=_("管理区"),
        queryset=OrgUnit.objects.none(),
        required=False,
        empty_label=_("不由管理区代管"),
        widget=UnitSelect(picker=False),
        help_text=_("保存后，该管理区的人员即可查看本单位及其村（社区）；取消代管后不再可见"),
        error_messages={
            "invalid_choice": _("所选管理区不存在、已撤销或不在您的管辖范围内，请刷新后重新选择")
        },
    )

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        field = cast(UnitChoiceField, self.fields["management_zone"])
        field.queryset = units.filter(kind=OrgKind.MANAGEMENT_ZONE, is_active=True).order_by("path")


class OrgUnitMoveForm(forms.Form):
    """移动到: the unit picker over the units of the administrator's subtree that may hold this kind,
    the unit's own branch and its present parent left out."""

    prefix = "move"
    version = _version_field()
    new_parent = UnitChoiceField(
        label=_("新的上级单位"),
        queryset=OrgUnit.objects.none(),
        empty_label=_("请选择新的上级单位"),
        help_text=_("输入名称或拼音首字母可筛选；下级单位随之移动"),
        error_messages={
            "required": _("请选择新的上级单位"),
            "invalid_choice": _("所选单位不存在、不在您的管辖范围内，或不能作为本单位的上级"),
        },
    )

    def __init__(self, *args, unit: OrgUnit, units, **kwargs):
        super().__init__(*args, **kwargs)
        field = cast(UnitChoiceField, self.fields["new_parent"])
        field.indent = True
        field.queryset = (
            units.filter(kind__in=ALLOWED_PARENT_KINDS.get(unit.kind, ()), is_active=True)
            .exclude(path__startswith=unit.path)
            .exclude(pk=unit.parent_id)
            .order_by("path")
        )


class OrgUnitCloseForm(forms.Form):
    prefix = "close"
    version = _version_field()
    closed_on = forms.DateField(
        label=_("撤销日期"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"required": _("请填写撤销日期"), "invalid": _("请填写有效日期，如 2026-01-01")},
    )
    reason = forms.CharField(
        label=_("撤销原因"),
        max_length=200,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("如：行政区划调整，并入某村"),
        error_messages={"required": _("请填写撤销原因")},
    )

    def clean_reason(self) -> str:
        return _clean_name(self.cleaned_data["reason"], gettext("请填写撤销原因"))


class OrgUnitReopenForm(forms.Form):
    """恢复单位: undo a close (e.g. one made by mistake); its reason is audited."""

    prefix = "reopen"
    version = _version_field()
    reason = forms.CharField(
        label=_("恢复原因"),
        max_length=200,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("如：误撤销，经批准恢复"),
        error_messages={"required": _("请填写恢复原因")},
    )

    def clean_reason(self) -> str:
        return _clean_name(self.cleaned_data["reason"], gettext("请填写恢复原因"))


class AccountEditForm(forms.Form):
    """The system administrator's edit of an account: name, unit, position, mobile number. The number
    is never shown in full: left empty it is kept, typed it replaces the one on file."""

    version = _version_field()
    full_name = forms.CharField(label=_("姓名"), max_length=50, error_messages={"required": _("请填写姓名")})
    org_unit = account_unit_field()
    position = forms.CharField(label=_("职务"), max_length=50, required=False)
    phone = forms.CharField(
        label=_("手机号码"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "tel"}),
    )
    clear_phone = forms.BooleanField(label=_("删除已登记的手机号码"), required=False)

    KEPT_ON_SEARCH = ("version", "full_name", "org_unit", "position", "phone", "clear_phone")

    def __init__(self, *args, account, units, unit_q: object = "", **kwargs):
        kwargs.setdefault(
            "initial",
            {
                "version": account.version,
                "full_name": account.full_name,
                "org_unit": account.org_unit_id,
                "position": account.position,
            },
        )
        super().__init__(*args, **kwargs)
        from .sensitive.crypto import mask_phone

        offer_account_units(self, units=units, unit_q=unit_q)
        if account.phone:
            self.fields["phone"].help_text = _("已登记 %(masked)s；不修改请留空，填写则替换") % {
                "masked": mask_phone(account.phone)
            }
        else:
            del self.fields["clear_phone"]
            self.fields["phone"].help_text = _("尚未登记，选填")

    def clean_full_name(self) -> str:
        return _clean_name(self.cleaned_data["full_name"], gettext("请填写姓名"))

    def clean_phone(self) -> str:
        return _clean_optional(self.cleaned_data["phone"], validate_mobile)

    def clean(self):
        data = super().clean()
        if data.get("clear_phone") and data.get("phone"):
            self.add_error("phone", _("删除手机号码时请勿同时填写新号码"))
        return data

    def phone_change(self) -> str | None:
        """What the service is told: None keeps the number on file, "" removes it."""
        if self.cleaned_data.get("clear_phone"):
            return ""
        return self.cleaned_data["phone"] or None


class AccountActiveForm(ReasonForm):
    """启用 / 停用 an account: a reason and the version the page was read at."""

    version = _version_field()
