from __future__ import annotations

from datetime import datetime, time, timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _


class EventFilterForm(forms.Form):
    start = forms.DateField(
        label=_("起始日期"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.DateField(label=_("截止日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    actor = forms.CharField(label=_("操作人"), required=False, max_length=120)
    action = forms.CharField(
        label=_("事件"),
        required=False,
        max_length=64,
        help_text=_("输入事件名称的一部分，如“登录”“月报”"),
        widget=forms.TextInput(attrs={"list": "audit-actions"}),
    )
    object_type = forms.CharField(
        label=_("对象类型"),
        required=False,
        max_length=64,
        widget=forms.TextInput(attrs={"list": "audit-objects"}),
    )
    object_id = forms.CharField(label=_("对象编号"), required=False, max_length=64)

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["start"] > data["end"]:
            raise forms.ValidationError(gettext("起始日期不能晚于截止日期"))
        return data

    def filters(self) -> dict:
        """The cleaned filters for event_filter(): dates become the local-day boundaries."""
        if not self.is_valid():
            return {}
        data = {k: v for k, v in self.cleaned_data.items() if v not in (None, "")}
        tz = timezone.get_current_timezone()
        if "start" in data:
            data["start"] = datetime.combine(data["start"], time.min, tzinfo=tz)
        if "end" in data:
            data["end"] = datetime.combine(data["end"] + timedelta(days=1), time.min, tzinfo=tz)
        return data
