"""Forms of the primary responsibility pages. They shape input; the rules live in services.py."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext, gettext_lazy

from jijian.core.forms import MultipleFileField

from .models import (
    FulfilmentRecord,
    Grade,
    Holder,
    InterviewOutcome,
    LeadershipMember,
    ListTemplate,
    ResponsibilityItem,
    RiskCheck,
    RiskPoint,
    SupervisionRecord,
)
from .services import ITEM_FIELDS, MAX_FILES_PER_RECORD

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class YearForm(forms.Form):
    year = forms.IntegerField(label=gettext_lazy("年度"), min_value=2000, max_value=2100, required=False)


class MemberForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = LeadershipMember
        fields = ["name", "post", "role", "portfolio", "is_active"]
        help_texts = {"portfolio": "班子成员对分管领域履行“一岗双责”。"}

    def service_fields(self) -> dict:
        return {f: self.cleaned_data[f] for f in self.Meta.fields}


class _ItemForm(forms.ModelForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["due_date"].widget = DATE
        self.fields["due_date"].help_text = gettext("仅用于“每年”的事项；不填则为12月31日。")

    def service_fields(self) -> dict:
        return {f: self.cleaned_data[f] for f in ITEM_FIELDS}


class TemplateForm(_ItemForm):
    year = forms.IntegerField(label=gettext_lazy("年度"), min_value=2000, max_value=2100)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = ListTemplate
        fields = ["year", *ITEM_FIELDS, "sort_order", "is_active"]


class ItemForm(_ItemForm):
    class Meta:
        model = ResponsibilityItem
        fields = [*ITEM_FIELDS, "member"]

    def __init__(self, *args, members=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = members
        self.fields["member"].help_text = gettext("责任主体为班子成员时必选。")
        self.fields["holder"].initial = Holder.ORGANISATION


class RecordForm(forms.ModelForm):
    files = MultipleFileField(  # type: ignore[assignment]  # a field, not BaseForm.files
        label=gettext_lazy("会议记录、现场图片、谈话记录等材料（可多选，最多 %(MAX_FILES_PER_RECORD)s 个）")
        % {"MAX_FILES_PER_RECORD": MAX_FILES_PER_RECORD},
        max_files=MAX_FILES_PER_RECORD,
    )

    class Meta:
        model = FulfilmentRecord
        fields = [
            "item",
            "record_type",
            "occurred_on",
            "title",
            "content",
            "participants",
            "integrity_ten_minutes",
            "integrity_topic",
            "major_decision",
            "major_decision_procedure",
            "late_reason",
        ]
        widgets = {"occurred_on": DATE, "content": forms.Textarea(attrs={"rows": 6})}
        help_texts = {
            "late_reason": "纪实所属期次已过完成时限的，须填写补录事由。",
            "integrity_topic": "如：学习典型案例通报、重温廉洁纪律条款。",
        }

    def __init__(self, *args, items=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["item"].queryset = items
        self.fields["item"].label_from_instance = lambda i: (
            f"{i.get_holder_display()}{'·' + i.member.name if i.member_id else ''}：{i.title}（{i.get_frequency_display()}）"
        )

    def service_fields(self) -> dict:
        data = {f: self.cleaned_data[f] for f in self.Meta.fields}
        return data


class CommentForm(forms.Form):
    text = forms.CharField(
        label=gettext_lazy("批注"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )


class InterviewForm(forms.Form):
    item = forms.ModelChoiceField(
        label=gettext_lazy("相关清单事项"), queryset=ResponsibilityItem.objects.none(), required=False
    )
    held_on = forms.DateField(label=gettext_lazy("约谈日期"), widget=DATE)
    interviewee = forms.CharField(label=gettext_lazy("约谈对象"), max_length=100)
    reason = forms.CharField(
        label=gettext_lazy("约谈事由"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
    outcome = forms.ChoiceField(label=gettext_lazy("处理结果"), choices=InterviewOutcome.choices)
    follow_up = forms.CharField(
        label=gettext_lazy("整改要求及跟踪"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    follow_up_due = forms.DateField(label=gettext_lazy("整改期限"), required=False, widget=DATE)

    def __init__(self, *args, items=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["item"].queryset = items


class RiskPointForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = RiskPoint
        fields = ["process", "description", "level", "measures", "owner", "is_active"]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "measures": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {"process": "如：工会经费管理、“三重一大”决策、公务接待。"}

    def service_fields(self) -> dict:
        return {f: self.cleaned_data[f] for f in self.Meta.fields}


class RiskCheckForm(forms.ModelForm):
    class Meta:
        model = RiskCheck
        fields = ["checked_on", "finding", "result", "follow_up"]
        widgets = {
            "checked_on": DATE,
            "finding": forms.Textarea(attrs={"rows": 3}),
            "follow_up": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {"finding": "如：查阅党组会议记录，“三重一大”事项均经集体研究，记录完整。"}


class SupervisionForm(forms.ModelForm):
    class Meta:
        model = SupervisionRecord
        fields = ["kind", "occurred_on", "subject", "content", "integrity_ten_minutes", "integrity_topic"]
        widgets = {"occurred_on": DATE, "content": forms.Textarea(attrs={"rows": 4})}
        help_texts = {
            "subject": "列席会议写会议名称（如：党组会 2026年第12次）；提醒写对象；报告写事项。",
            "integrity_ten_minutes": "仅列席会议时填写：会前是否开展廉政十分钟。",
        }


class ReviewForm(forms.Form):
    note = forms.CharField(label=gettext_lazy("复核意见"), max_length=500, required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class AssessmentForm(forms.Form):
    grade = forms.ChoiceField(label=gettext_lazy("考核等次"), choices=Grade.choices)
    score = forms.IntegerField(label=gettext_lazy("得分"), min_value=0, max_value=100)
    basis = forms.CharField(
        label=gettext_lazy("考核依据"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy("写明依据的纪实、逾期、约谈和检查情况。"),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class FollowUpForm(forms.Form):
    done_on = forms.DateField(label=gettext_lazy("整改完成日期"), widget=DATE)
    result = forms.CharField(
        label=gettext_lazy("整改结果"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
