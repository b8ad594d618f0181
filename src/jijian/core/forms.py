from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .models import OrgKind
from .roles import Role
from .validators import validate_id_number, validate_mobile


class OrgSearchForm(forms.Form):
    q = forms.CharField(label=_("名称或拼音首字母"), required=False, max_length=50)
    kind = forms.ChoiceField(label=_("类型"), required=False, choices=[("", _("全部类型")), *OrgKind.choices])


class UserSearchForm(forms.Form):
    q = forms.CharField(label=_("姓名、拼音首字母或用户名"), required=False, max_length=50)
    role = forms.ChoiceField(label=_("角色"), required=False, choices=[("", _("全部角色")), *Role.choices])


class AccountCreateForm(forms.Form):
    username = forms.RegexField(
        label=_("用户名"),
        max_length=64,
        regex=r"^[A-Za-z0-9_.-]{3,64}$",
        error_messages={"invalid": "用户名只能包含字母、数字、下划线、点和短横线，3至64位"},
    )
    full_name = forms.CharField(label=_("姓名"), max_length=50)
    org_unit = forms.IntegerField(label=_("所属单位编号"), widget=forms.HiddenInput)
    position = forms.CharField(label=_("职务"), max_length=50, required=False)
    phone = forms.CharField(label=_("手机号码"), max_length=20, required=False)
    id_number = forms.CharField(label=_("身份证号"), max_length=18, required=False)
    temporary_password = forms.CharField(label=_("初始密码"), widget=forms.PasswordInput, max_length=128)

    def clean_phone(self):
        value = self.cleaned_data["phone"]
        if not value:
            return ""
        try:
            return validate_mobile(value)
        except ValidationError as exc:
            raise forms.ValidationError(exc.messages) from None

    def clean_id_number(self):
        value = self.cleaned_data["id_number"]
        if not value:
            return ""
        try:
            return validate_id_number(value)
        except ValidationError as exc:
            raise forms.ValidationError(exc.messages) from None


class RoleChangeForm(forms.Form):
    role = forms.ChoiceField(label=_("角色"), choices=Role.choices)
    action = forms.ChoiceField(label=_("操作"), choices=[("grant", _("授予")), ("revoke", _("撤销"))])


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("原因"), max_length=200)


class OTPResetForm(forms.Form):
    """Why a security administrator resets someone's authenticator; kept in the audit trail."""

    reason = forms.CharField(
        label=_("重置原因"),
        max_length=200,
        error_messages={"required": _("请填写重置原因"), "max_length": _("重置原因不能超过 200 字")},
        widget=forms.TextInput(attrs={"placeholder": _("如：手机丢失，已当面核实本人身份")}),
    )


class CalendarDayForm(forms.Form):
    date = forms.DateField(label=_("日期"))
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
            raise ValidationError(f"最多上传 {self.max_files} 个文件")
        return files
