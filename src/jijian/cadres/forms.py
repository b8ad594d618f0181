"""Page forms of the cadres app: field parsing only; the rules live in services."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy

from jijian.core.forms import UnitChoiceField

from .models import EndReason, TaskKind
from .services import MAX_WORKING_DAYS

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class PersonChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.full_name}（{obj.org_unit.name}）"


class NameChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return obj.full_name


class TaskForm(forms.Form):
    member = PersonChoice(label=gettext_lazy("纪检委员"), queryset=None, empty_label=gettext_lazy("请选择"))
    kind = forms.ChoiceField(label=gettext_lazy("类型"), choices=TaskKind.choices)
    title = forms.CharField(label=gettext_lazy("任务"), max_length=100)
    body = forms.CharField(
        label=gettext_lazy("要求"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    working_days = forms.IntegerField(
        label=gettext_lazy("办理时限（工作日）"),
        min_value=1,
        max_value=MAX_WORKING_DAYS,
        initial=5,
        help_text=gettext_lazy("按工作日历计算截止日期，节假日不计"),
    )

    def __init__(self, *args, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = members


class AnswerForm(forms.Form):
    answer = forms.CharField(
        label=gettext_lazy("办理情况"), widget=forms.Textarea(attrs={"rows": 5}), max_length=2000
    )
    version = forms.IntegerField(widget=forms.HiddenInput)


class NominationForm(forms.Form):
    # The township's villages: a list short enough to send whole, with the unit picker.
    village: forms.ModelChoiceField = UnitChoiceField(
        label=gettext_lazy("村（社区）"), queryset=None, empty_label=gettext_lazy("请选择")
    )
    candidate = PersonChoice(label=gettext_lazy("候选人"), queryset=None, empty_label=gettext_lazy("请选择"))
    reason = forms.CharField(
        label=gettext_lazy("提名理由"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )
    committee = forms.CharField(
        label=gettext_lazy("村“两委”成员"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": gettext_lazy("每行一个姓名")}),
        help_text=gettext_lazy("用于核对候选人与村“两委”成员的亲属关系（依据回避申报）"),
    )
    away_reason = forms.CharField(
        label=gettext_lazy("异地任职说明"),
        required=False,
        max_length=500,
        help_text=gettext_lazy("候选人不属于该村（社区）时必填"),
    )

    def __init__(self, *args, villages, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["village"].queryset = villages
        self.fields["candidate"].queryset = candidates


class DecideForm(forms.Form):
    decision = forms.ChoiceField(
        label=gettext_lazy("审批"),
        choices=[("approve", gettext_lazy("批准任职")), ("reject", gettext_lazy("不批准"))],
    )
    starts_on = forms.DateField(label=gettext_lazy("任职日期"), required=False, widget=DATE)
    note = forms.CharField(
        label=gettext_lazy("审批意见"), required=False, max_length=500, help_text=gettext_lazy("不批准时必填")
    )
    version = forms.IntegerField(widget=forms.HiddenInput)


class EndForm(forms.Form):
    reason = forms.ChoiceField(
        label=gettext_lazy("离任原因"),
        choices=[(EndReason.DISMISSED, gettext_lazy("免职")), (EndReason.RESIGNED, gettext_lazy("辞职"))],
    )
    ended_on = forms.DateField(label=gettext_lazy("离任日期"), widget=DATE)
    note = forms.CharField(label=gettext_lazy("离任说明"), max_length=500)
    version = forms.IntegerField(widget=forms.HiddenInput)


class RegisterForm(forms.Form):
    holder = PersonChoice(label=gettext_lazy("任职人"), queryset=None, empty_label=gettext_lazy("请选择"))
    started_on = forms.DateField(label=gettext_lazy("任职日期"), widget=DATE)
    ended_on = forms.DateField(
        label=gettext_lazy("离任日期"), required=False, widget=DATE, help_text=gettext_lazy("仍在任的不填")
    )
    away_from_home = forms.BooleanField(label=gettext_lazy("异地任职"), required=False)

    def __init__(self, *args, holders, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["holder"].queryset = holders


class PlacementForm(forms.Form):
    cadre = PersonChoice(label=gettext_lazy("跟案干部"), queryset=None, empty_label=gettext_lazy("请选择"))
    case_name = forms.CharField(label=gettext_lazy("跟学案件"), max_length=200)
    mentor = NameChoice(label=gettext_lazy("带教导师"), queryset=None, empty_label=gettext_lazy("请选择"))
    starts_on = forms.DateField(label=gettext_lazy("开始日期"), widget=DATE)
    ends_on = forms.DateField(label=gettext_lazy("结束日期"), widget=DATE)

    def __init__(self, *args, cadres, mentors, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cadre"].queryset = cadres
        self.fields["mentor"].queryset = mentors


class ReportForm(forms.Form):
    report = forms.CharField(
        label=gettext_lazy("学习报告"), widget=forms.Textarea(attrs={"rows": 8}), max_length=10000
    )
    version = forms.IntegerField(widget=forms.HiddenInput)


class RecordForm(forms.Form):
    assessment = forms.CharField(
        label=gettext_lazy("县级评价"), widget=forms.Textarea(attrs={"rows": 4}), max_length=2000
    )
    version = forms.IntegerField(widget=forms.HiddenInput)
