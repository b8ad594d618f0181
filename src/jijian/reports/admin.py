"""Configuration of the monthly report, edited by the system administrator in the Django admin:
duty types and their fields, the checklist (both versioned by year) and each city's deadline,
reminder and rubric settings. Every change is audited; a malformed field list is refused in Chinese."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext

from jijian.audit.services import audit_record
from jijian.core.admin import admin_site
from jijian.core.roles import Module

from .models import ChecklistItem, DutyType, FieldType, ReportSettings

FIELD_KEYS = {"name", "label", "type", "required", "min", "max", "choices"}


def validate_field_specs(specs) -> None:
    if not isinstance(specs, list):
        raise ValidationError(
            gettext('字段应为列表，例如 [{"name": "households", "label": "走访户数", "type": "integer"}]')
        )
    names = set()
    for i, spec in enumerate(specs, start=1):
        where = f"第 {i} 个字段"
        if not isinstance(spec, dict):
            raise ValidationError(gettext("%(where)s：应为对象") % {"where": where})
        unknown = set(spec) - FIELD_KEYS
        if unknown:
            raise ValidationError(
                gettext("%(where)s：未知属性 %(items)s")
                % {"where": where, "items": ", ".join(sorted(unknown))}
            )
        name = spec.get("name", "")
        if not isinstance(name, str) or not name.isidentifier():
            raise ValidationError(gettext("%(where)s：name 须为英文标识符") % {"where": where})
        if name in names:
            raise ValidationError(gettext("%(where)s：name “%(name)s” 重复") % {"where": where, "name": name})
        names.add(name)
        if spec.get("type", "text") not in FieldType.values:
            raise ValidationError(
                gettext("%(where)s：type 须为 %(items)s 之一")
                % {"where": where, "items": ", ".join(FieldType.values)}
            )
        if spec.get("type") in ("choice", "multi") and not spec.get("choices"):
            raise ValidationError(gettext("%(where)s：选择题须列出 choices") % {"where": where})
        for bound in ("min", "max"):
            if bound in spec and not isinstance(spec[bound], int | float):
                raise ValidationError(
                    gettext("%(where)s：%(bound)s 须为数字") % {"where": where, "bound": bound}
                )


class DutyTypeForm(forms.ModelForm):
    class Meta:
        model = DutyType
        fields = [
            "year",
            "code",
            "name",
            "description",
            "fields",
            "counts_as_clue",
            "manual_slug",
            "sort_order",
            "is_active",
        ]

    def clean_fields(self):  # the model field is called "fields"
        specs = self.cleaned_data["fields"]
        validate_field_specs(specs)
        return specs


class ConfigAdmin(admin.ModelAdmin):
    """System administrator only; changes are audited."""

    def _allowed(self, request) -> bool:
        return request.user.has_module(Module.ACCOUNTS)

    def has_module_permission(self, request):
        return self._allowed(request)

    def has_view_permission(self, request, obj=None):
        return self._allowed(request)

    def has_add_permission(self, request):
        return self._allowed(request)

    def has_change_permission(self, request, obj=None):
        return self._allowed(request)

    def has_delete_permission(self, request, obj=None):
        return False  # deactivate instead: old records refer to it

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        audit_record(
            actor=request.user,
            action=f"reports_config.{'update' if change else 'create'}",
            obj=obj,
            summary=f"月报配置：{obj}",
            after={k: str(v) for k, v in form.cleaned_data.items()},
        )


@admin.register(DutyType, site=admin_site)
class DutyTypeAdmin(ConfigAdmin):
    form = DutyTypeForm
    list_display = ("year", "name", "code", "counts_as_clue", "is_active", "sort_order")
    list_filter = ("year", "is_active")


@admin.register(ChecklistItem, site=admin_site)
class ChecklistItemAdmin(ConfigAdmin):
    list_display = ("year", "duty_type", "min_per_month", "measure_field", "note")
    list_filter = ("year",)


class ReportSettingsForm(forms.ModelForm):
    class Meta:
        model = ReportSettings
        fields = [
            "city",
            "submittable_from_day",
            "deadline_day",
            "keep_photo_originals",
            "remind_days_before",
            "escalate_county_after_days",
            "rubric",
            "incompetent_missing_months",
            "incompetent_min_submission_pct",
            "incompetent_rate_from_months",
        ]

    def clean_incompetent_missing_months(self):
        months = self.cleaned_data["incompetent_missing_months"]
        if not 1 <= months <= 12:
            raise ValidationError(gettext("漏报月数须在 1 至 12 之间"))
        return months

    def clean_incompetent_min_submission_pct(self):
        pct = self.cleaned_data["incompetent_min_submission_pct"]
        if not 0 <= pct <= 100:
            raise ValidationError(gettext("报送率须在 0 至 100 之间"))
        return pct

    def clean_incompetent_rate_from_months(self):
        months = self.cleaned_data["incompetent_rate_from_months"]
        if not 1 <= months <= 12:
            raise ValidationError(gettext("月数须在 1 至 12 之间"))
        return months

    def clean_submittable_from_day(self):
        day = self.cleaned_data["submittable_from_day"]
        if not 1 <= day <= 28:
            raise ValidationError(gettext("可提交日须在 1 至 28 日之间"))
        return day

    def clean_deadline_day(self):
        day = self.cleaned_data["deadline_day"]
        if not 1 <= day <= 28:
            raise ValidationError(gettext("截止日须在 1 至 28 日之间"))
        return day

    def clean_rubric(self):
        rubric = self.cleaned_data["rubric"]
        if not isinstance(rubric, list) or not all(
            isinstance(i, dict) and {"key", "label", "max"} <= set(i) and isinstance(i["max"], int | float)
            for i in rubric
        ):
            raise ValidationError(gettext("评分细则应为列表，每项含 key、label、max（满分）"))
        return rubric


@admin.register(ReportSettings, site=admin_site)
class ReportSettingsAdmin(ConfigAdmin):
    form = ReportSettingsForm
    list_display = (
        "city",
        "submittable_from_day",
        "deadline_day",
        "remind_days_before",
        "escalate_county_after_days",
    )
