"""Forms of the village member's pages. They shape what the browser sends; the rules (counts,
dates, zero report, endorsement, versions) are checked again by the services."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext, gettext_lazy

from jijian.core.forms import MultipleFileField

from .models import DutyType, FieldType
from .services import MAX_COUNT

ZERO_CHOICES = [
    ("0", gettext_lazy("有履职事项，如实填报")),
    ("1", gettext_lazy("零报告：本月无履职事项可报")),
]


class MonthlyReportForm(forms.Form):
    """The member's monthly report. The zero-report choice has no default: the member says
    explicitly whether there is something to report."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    # Set by member.js: the id this browser keeps for itself (own saves are not conflicts).
    device = forms.CharField(widget=forms.HiddenInput, required=False, max_length=60)
    is_zero_report = forms.ChoiceField(
        label=gettext_lazy("本月是否有履职事项"),
        choices=ZERO_CHOICES,
        widget=forms.RadioSelect,
        error_messages={"required": gettext_lazy("请选择：如实填报，或明确作零报告")},
    )
    summary = forms.CharField(
        label=gettext_lazy("本月履职情况"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    problems = forms.CharField(
        label=gettext_lazy("发现的问题及处理"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    counts_note = forms.CharField(
        label=gettext_lazy("数量说明（填报数量多于纪实时必填）"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    endorse = forms.BooleanField(
        label=gettext_lazy("签字背书"), required=False
    )  # the page shows the statement
    early_confirmed = forms.BooleanField(
        label=gettext_lazy("确认提前提交：提交后本月履职纪实将关闭，不能再记一笔"), required=False
    )
    action = forms.ChoiceField(
        choices=[("save", gettext_lazy("保存草稿")), ("submit", gettext_lazy("提交"))],
        required=False,
        widget=forms.HiddenInput,
    )

    def __init__(self, *args, duty_types: list[DutyType], **kwargs):
        super().__init__(*args, **kwargs)
        self.duty_types = duty_types
        for t in duty_types:
            self.fields[f"count_{t.code}"] = forms.IntegerField(
                label=t.name,
                required=False,
                min_value=0,
                max_value=MAX_COUNT,
                widget=forms.NumberInput(attrs={"inputmode": "numeric", "min": 0, "max": MAX_COUNT}),
                error_messages={
                    "min_value": gettext("数量不能为负数"),
                    "max_value": gettext("数量明显不合理（超过 %(MAX_COUNT)s）") % {"MAX_COUNT": MAX_COUNT},
                    "invalid": gettext("数量应为整数"),
                },
            )

    def clean(self):
        data = super().clean()
        data["action"] = data.get("action") or "save"
        if data["action"] == "submit" and not data.get("endorse"):
            self.add_error("endorse", gettext("请确认签字背书承诺后再提交"))
        return data

    def count_fields(self):
        return [self[f"count_{t.code}"] for t in self.duty_types]

    def report_values(self) -> dict:
        d = self.cleaned_data
        return {
            "summary": d.get("summary") or "",
            "problems": d.get("problems") or "",
            "counts": {t.code: d.get(f"count_{t.code}") or 0 for t in self.duty_types},
            "is_zero_report": d.get("is_zero_report") == "1",
            "counts_note": d.get("counts_note") or "",
        }


class DraftForm(MonthlyReportForm):
    """Autosave sends the form as it is: the zero-report choice may still be open."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["is_zero_report"].required = False


def _field_for(spec: dict) -> forms.Field:
    label = spec.get("label", spec["name"])
    required = bool(spec.get("required"))
    kind = spec.get("type", FieldType.TEXT)
    bounds = {k: spec[k] for k in ("min", "max") if k in spec}
    # Says what to do in the field's own words (请填写走访户数), not Django's 这个字段是必填项。
    missing = {
        "required": f"请选择{label}" if kind in (FieldType.CHOICE, FieldType.MULTI) else f"请填写{label}"
    }
    if kind == FieldType.INTEGER:
        return forms.IntegerField(
            label=label,
            required=required,
            min_value=bounds.get("min"),
            max_value=bounds.get("max"),
            widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
            error_messages={**missing, "invalid": gettext("应为整数")},
        )
    if kind == FieldType.DECIMAL:
        return forms.DecimalField(
            label=label,
            required=required,
            min_value=Decimal(str(bounds["min"])) if "min" in bounds else None,
            max_value=Decimal(str(bounds["max"])) if "max" in bounds else None,
            decimal_places=2,
            max_digits=14,
            widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "0.01"}),
            error_messages={**missing, "invalid": gettext("应为数字")},
        )
    if kind == FieldType.BOOLEAN:
        return forms.BooleanField(label=label, required=False)
    if kind == FieldType.CHOICE:
        choices = [("", gettext_lazy("请选择"))] if not required else []
        return forms.ChoiceField(
            label=label,
            required=required,
            choices=choices + [(c, c) for c in spec.get("choices", [])],
            widget=forms.RadioSelect if required else forms.Select,
            error_messages=missing,
        )
    if kind == FieldType.MULTI:
        return forms.MultipleChoiceField(
            label=label,
            required=required,
            choices=[(c, c) for c in spec.get("choices", [])],
            widget=forms.CheckboxSelectMultiple,
            error_messages=missing,
        )
    return forms.CharField(
        label=label,
        required=required,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages=missing,
    )


class DutyRecordForm(forms.Form):
    """One duty record; the type's own fields are added from DutyType.fields as `f_<name>`."""

    occurred_on = forms.DateField(
        label=gettext_lazy("日期"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"required": gettext_lazy("请填写日期")},
    )
    place = forms.CharField(label=gettext_lazy("地点"), required=False, max_length=100)
    notes = forms.CharField(
        label=gettext_lazy("情况记录"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    uploads = MultipleFileField(label=gettext_lazy("照片或文件（可多选）"), required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    client_uuid = forms.UUIDField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, duty_type: DutyType, **kwargs):
        super().__init__(*args, **kwargs)
        self.duty_type = duty_type
        self.type_field_names = []
        for spec in duty_type.fields:
            name = f"f_{spec['name']}"
            self.fields[name] = _field_for(spec)
            self.type_field_names.append(name)

    def type_fields(self):
        return [self[n] for n in self.type_field_names]

    def base_fields_bound(self):
        return [self[n] for n in ("occurred_on", "place", "notes")]

    def record_data(self) -> dict:
        data: dict[str, object] = {}
        for spec in self.duty_type.fields:
            value = self.cleaned_data.get(f"f_{spec['name']}")
            if value in (None, "", []):
                if spec.get("type") == FieldType.BOOLEAN:
                    data[spec["name"]] = False
                continue
            data[spec["name"]] = str(value) if isinstance(value, Decimal) else value
        return data

    @staticmethod
    def initial_for(record) -> dict:
        initial = {
            "occurred_on": record.occurred_on,
            "place": record.place,
            "notes": record.notes,
            "version": record.version,
        }
        for name, value in (record.data or {}).items():
            initial[f"f_{name}"] = value
        return initial
