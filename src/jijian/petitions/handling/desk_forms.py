"""Forms of the forwards desk, the register export and the recusal declarations."""

from __future__ import annotations

from typing import cast

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext, gettext_lazy

from jijian.core.models import OrgUnit, RelationKind
from jijian.petitions.handling.forms import MANAGING_ERRORS, CommissionChoiceField, RegisterFilterForm
from jijian.petitions.models import ForwardAnswer


class ForwardAnswerForm(forms.Form):
    answer = forms.ChoiceField(
        label=gettext_lazy("答复"),
        choices=[
            (ForwardAnswer.ACCEPTED, gettext_lazy("接收办理")),
            (ForwardAnswer.TRANSFERRED, gettext_lazy("转送")),
        ],
        widget=forms.RadioSelect,
        error_messages={
            "required": gettext_lazy("请选择接收办理或转送"),
            "invalid_choice": gettext_lazy("请选择接收办理或转送"),
        },
    )
    managing = CommissionChoiceField(
        label=gettext_lazy("被反映人的管理机关（转送时必选）"),
        queryset=OrgUnit.objects.none(),
        required=False,
        empty_label=gettext_lazy("请选择"),
        error_messages={"invalid_choice": MANAGING_ERRORS["invalid_choice"]},
    )
    about_own_head = forms.BooleanField(
        label=gettext_lazy("反映本机关主要负责人（直接报送上级）"), required=False
    )
    note = forms.CharField(
        label=gettext_lazy("说明"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, user, receiving: OrgUnit, search: str = "", **kwargs):
        """`receiving`: the body the forward went to, which transfers it on from its own level."""
        super().__init__(*args, **kwargs)
        cast(CommissionChoiceField, self.fields["managing"]).offer_commissions(
            user=user, receiving=receiving, search=search, current=self["managing"].value()
        )

    def clean(self):
        data = super().clean()
        if data.get("answer") == ForwardAnswer.TRANSFERRED and not data.get("managing"):
            self.add_error("managing", gettext("转送须选择被反映人的管理机关"))
        return data


class ExportForm(RegisterFilterForm):
    """The register page's filters (forms_staff.RegisterFilterForm: the same names, so the register's
    query string exports what it shows) and the identity option."""

    include_identity = forms.BooleanField(
        label=gettext_lazy("包含举报人身份信息（仅限有权查看的件）"), required=False
    )
    reason = forms.CharField(
        label=gettext_lazy("导出身份信息的事由"), required=False, max_length=200, widget=forms.TextInput()
    )

    def clean(self):
        data = super().clean()
        if data.get("include_identity") and not (data.get("reason") or "").strip():
            self.add_error("reason", gettext("导出举报人身份信息须填写事由"))
        return data


class RelationForm(forms.Form):
    relative_name = forms.CharField(
        label=gettext_lazy("亲属姓名"),
        max_length=100,
        error_messages={"required": gettext_lazy("请填写亲属姓名")},
    )
    relative_unit = forms.CharField(label=gettext_lazy("工作单位"), max_length=200, required=False)
    kind = forms.ChoiceField(
        label=gettext_lazy("关系"),
        choices=[("", gettext_lazy("请选择")), *RelationKind.choices],
        error_messages={"required": gettext_lazy("请选择关系"), "invalid_choice": gettext_lazy("请选择关系")},
    )

    def clean_relative_name(self):
        name = self.cleaned_data["relative_name"].strip()
        if not name:
            raise ValidationError(gettext("请填写亲属姓名"))
        return name
