"""Forms of the clue pages: registration, the five actions (each with the version it was shown with
and the signer's endorsement), the list filters and the statistics period."""

from __future__ import annotations

from datetime import date

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy

from jijian.core.forms import MultipleFileField
from jijian.core.models import CadreLevel
from jijian.petitions.clues.services import STATEMENTS, ClueFilter
from jijian.petitions.clues.stats import Period, default_period, month_period
from jijian.petitions.intake.forms import MAX_FILES
from jijian.petitions.models import Channel, ClueSource, ClueState, Disposal, Form, Matter, Sanction

ENDORSE_HELP = gettext_lazy("勾选即以本人身份签字背书，系统记录签字人、时间和内容摘要（SM3）。")


def _endorse(action: str) -> forms.BooleanField:
    return forms.BooleanField(
        label=STATEMENTS[action],
        required=True,
        help_text=ENDORSE_HELP,
        error_messages={"required": gettext("请确认签字背书承诺后再提交")},
    )


def _version() -> forms.IntegerField:
    return forms.IntegerField(min_value=1, widget=forms.HiddenInput)


class RegisterForm(forms.Form):
    source = forms.ChoiceField(label=gettext_lazy("线索来源"), choices=ClueSource.choices)
    source_note = forms.CharField(
        label=gettext_lazy("来源说明"),
        required=False,
        max_length=200,
        help_text=gettext_lazy("巡视巡察组、移送机关或其他来源的名称和文号"),
    )
    duty_record = forms.TypedChoiceField(
        label=gettext_lazy("履职纪实（村级纪检委员发现和移交问题线索）"),
        required=False,
        coerce=int,
        empty_value=None,
    )
    accused_name = forms.CharField(label=gettext_lazy("被反映人姓名"), max_length=100, required=False)
    accused_unit = forms.CharField(label=gettext_lazy("被反映人单位"), max_length=200, required=False)
    accused_post = forms.CharField(label=gettext_lazy("被反映人职务"), max_length=100, required=False)
    accused_level = forms.ChoiceField(
        label=gettext_lazy("被反映人级别"), choices=CadreLevel.choices, required=False
    )
    matter = forms.ChoiceField(label=gettext_lazy("问题类别"), choices=Matter.choices, required=False)
    summary = forms.CharField(
        label=gettext_lazy("主要问题"), widget=forms.Textarea(attrs={"rows": 5}), required=False
    )
    endorse = _endorse("register")

    def __init__(self, *args, duty_records=(), report=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.report = report
        self.fields["duty_record"].choices = [("", "——")] + [
            (r.pk, f"{r.occurred_on:%Y-%m-%d} {r.village.name} {r.member.full_name}：{_record_matter(r)}")
            for r in duty_records
        ]
        if report is not None:
            # The source follows the report (clue_register decides it the same way).
            source = ClueSource.SUPERVISION if report.channel == Channel.SUPERVISION else ClueSource.PETITION
            self.fields["source"].choices = [(source, source.label)]
            self.fields["source"].initial = source
            del self.fields["duty_record"]
            for name in ("accused_name", "accused_unit", "accused_post", "accused_level", "matter"):
                self.fields[name].initial = getattr(report, name)
            self.fields["summary"].initial = report.facts
        else:
            self.fields["source"].choices = [c for c in ClueSource.choices if c[0] != ClueSource.PETITION]


def _record_matter(record) -> str:
    text = (record.data or {}).get("matter") or record.notes or record.duty_type.name
    return str(text)[:40]


class ProposeForm(forms.Form):
    disposal = forms.ChoiceField(
        label=gettext_lazy("拟处置方式"),
        choices=Disposal.choices,
        error_messages={"required": gettext_lazy("请选择拟处置方式")},
    )
    sanction = forms.ChoiceField(
        label=gettext_lazy("处理结果（予以了结或转立案时填写，按四种形态归类）"),
        choices=Sanction.choices,
        required=False,
    )
    sanction_decided_on = forms.DateField(
        label=gettext_lazy("处分决定日期（处理结果为党纪处分、政务处分或诫勉时必填）"),
        required=False,
        help_text=gettext_lazy("处分决定书载明的日期，记入廉政档案，影响期自该日起计算"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": gettext_lazy("处分决定日期格式应为 年-月-日")},
    )
    note = forms.CharField(
        label=gettext_lazy("拟处置理由和依据"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": gettext_lazy("请填写拟处置的理由和依据")},
    )
    version = _version()
    endorse = _endorse("propose")

    def __init__(self, *args, allowed=None, **kwargs):
        super().__init__(*args, **kwargs)
        if allowed is not None:
            self.fields["disposal"].choices = [c for c in Disposal.choices if c[0] in allowed]


class ApproveForm(forms.Form):
    note = forms.CharField(
        label=gettext_lazy("审批意见（可选）"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    version = _version()
    endorse = _endorse("approve")


class RejectForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("退回理由（必填）"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": gettext_lazy("退回处置意见须填写理由")},
    )
    version = _version()
    endorse = _endorse("reject")


class LetterReplyForm(forms.Form):
    reply = forms.CharField(
        label=gettext_lazy("函询回复主要内容"),
        max_length=8000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": gettext_lazy("请填写函询回复的主要内容")},
    )
    endorser = forms.CharField(
        label=gettext_lazy("签字背书人（被反映人所在单位主要负责人姓名、职务）"),
        max_length=100,
        error_messages={
            "required": gettext_lazy("请填写为回复签字背书的被反映人所在单位主要负责人（姓名和职务）")
        },
    )
    files = MultipleFileField(label=gettext_lazy("回复材料扫描件（可选）"), max_files=MAX_FILES)  # type: ignore[assignment]  # a field, not BaseForm.files
    version = _version()
    endorse = _endorse("letter_reply")


class ReopenForm(forms.Form):
    note = forms.CharField(
        label=gettext_lazy("新的证据或情况（必填）"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": gettext_lazy("重新启用须写明新的证据或情况")},
    )
    version = _version()
    endorse = _endorse("reopen")


class VersionForm(forms.Form):
    version = forms.IntegerField(
        min_value=1,
        widget=forms.HiddenInput,
        error_messages={"required": gettext_lazy("页面已过期，请刷新后重试")},
    )


class ArchiveLinkForm(VersionForm):
    """Link the clue to one of the archives listed as candidates."""

    archive = forms.IntegerField(
        error_messages={"required": gettext_lazy("请选择廉情档案"), "invalid": gettext_lazy("请选择廉情档案")}
    )


def _month(value: str) -> date | None:
    value = (value or "").strip()
    if not value:
        return None
    try:
        year, month = (int(part) for part in value.split("-")[:2])
        return date(year, month, 1)
    except (ValueError, TypeError):
        raise ValidationError(gettext("月份格式应为 年-月，例如 2025-10")) from None


class FilterForm(forms.Form):
    state = forms.ChoiceField(
        label=gettext_lazy("状态"),
        required=False,
        choices=[("", gettext_lazy("全部状态")), ("open", gettext_lazy("未办结")), *ClueState.choices],
    )
    source = forms.ChoiceField(
        label=gettext_lazy("来源"),
        required=False,
        choices=[("", gettext_lazy("全部来源")), *ClueSource.choices],
    )
    disposal = forms.ChoiceField(
        label=gettext_lazy("处置方式"),
        required=False,
        choices=[("", gettext_lazy("全部处置方式")), *Disposal.choices],
    )
    form = forms.ChoiceField(
        label=gettext_lazy("四种形态"),
        required=False,
        choices=[("", gettext_lazy("全部")), ("none", gettext_lazy("未运用形态"))]
        + [c for c in Form.choices if c[0]],
    )
    start = forms.CharField(
        label=gettext_lazy("登记起始月"), required=False, widget=forms.DateInput(attrs={"type": "month"})
    )
    end = forms.CharField(
        label=gettext_lazy("登记截止月"), required=False, widget=forms.DateInput(attrs={"type": "month"})
    )
    q = forms.CharField(label=gettext_lazy("编号"), required=False, max_length=40)

    def clean_start(self):
        return _month(self.cleaned_data["start"])

    def clean_end(self):
        return _month(self.cleaned_data["end"])

    def clue_filter(self) -> ClueFilter:
        data = self.cleaned_data if self.is_valid() else {}
        end = data.get("end")
        if end:
            end = month_period(end, end).end
        return ClueFilter(
            state=data.get("state") or "",
            source=data.get("source") or "",
            disposal=data.get("disposal") or "",
            form=data.get("form") or "",
            start=data.get("start"),
            end=end,
            q=data.get("q") or "",
        )


class PeriodForm(forms.Form):
    start = forms.CharField(
        label=gettext_lazy("起始月份"), required=False, widget=forms.DateInput(attrs={"type": "month"})
    )
    end = forms.CharField(
        label=gettext_lazy("结束月份"), required=False, widget=forms.DateInput(attrs={"type": "month"})
    )

    def clean_start(self):
        return _month(self.cleaned_data["start"])

    def clean_end(self):
        return _month(self.cleaned_data["end"])

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end and start > end:
            raise ValidationError(gettext("起始月份不能晚于结束月份"))
        if start and end and (end.year - start.year) * 12 + end.month - start.month >= 60:
            raise ValidationError(gettext("统计期间最长 5 年"))
        return data

    def period(self) -> Period:
        if not self.is_valid():
            return default_period()
        start, end = self.cleaned_data.get("start"), self.cleaned_data.get("end")
        if not start and not end:
            return default_period()
        today = timezone.localdate()
        start = start or date(today.year, 1, 1)
        end = end or today.replace(day=1)
        if start > end:
            return default_period()
        return month_period(start, end)
