from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError

from .models import Weekday

PETITIONER_FIELDS = (
    "petitioner_name",
    "petitioner_id_number",
    "petitioner_phone",
    "accused_name",
    "accused_unit",
    "accused_post",
    "matter",
)


class BookingForm(forms.Form):
    """A booking: the slot (schedule and date, as one choice "<schedule id>|<yyyy-mm-dd>") and the
    petitioner's real name, ID number and phone, the accused and the matter in brief."""

    slot = forms.ChoiceField(label="预约场次")
    petitioner_name = forms.CharField(label="信访人姓名", max_length=50)
    petitioner_id_number = forms.CharField(label="身份证号", max_length=18)
    petitioner_phone = forms.CharField(label="手机号码", max_length=20)
    accused_name = forms.CharField(label="被反映人姓名", max_length=100)
    accused_unit = forms.CharField(label="被反映人单位", max_length=100)
    accused_post = forms.CharField(label="被反映人职务", max_length=100, required=False)
    matter = forms.CharField(
        label="反映事项（简要）", widget=forms.Textarea(attrs={"rows": 4}), max_length=2000
    )

    def __init__(self, *args, slots: list[dict], with_code: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.slots = {f"{s['schedule'].pk}|{s['date']:%Y-%m-%d}": s for s in slots}
        slot_field: forms.ChoiceField = self.fields["slot"]  # type: ignore[assignment]
        slot_field.choices = [("", "请选择")] + [
            (
                key,
                f"{s['date']:%m月%d日} {s['schedule'].start:%H:%M}-{s['schedule'].end:%H:%M} "
                f"{s['schedule'].org_unit.name}"
                + (f"（{s['schedule'].receiver.full_name}接访）" if s["schedule"].receiver_id else "")
                + (f" 余{s['left']}个名额" if s["left"] else " 已约满"),
            )
            for key, s in self.slots.items()
        ]
        if with_code:
            self.fields["sms_code"] = forms.CharField(
                label="短信验证码", max_length=6, help_text="先点“获取验证码”，验证码发送到上面的手机号码"
            )

    def clean_slot(self):
        chosen = self.slots.get(self.cleaned_data["slot"])
        if chosen is None:
            raise ValidationError("请选择预约场次")
        return chosen

    def service_fields(self) -> dict:
        slot = self.cleaned_data["slot"]
        out = {f: self.cleaned_data[f] for f in PETITIONER_FIELDS}
        out.update(schedule=slot["schedule"], day=slot["date"])
        if "sms_code" in self.fields:
            out["sms_code"] = self.cleaned_data["sms_code"]
        return out


class CodeForm(forms.Form):
    code = forms.CharField(label="预约查询码", max_length=20)


class ScheduleForm(forms.Form):
    weekday = forms.TypedChoiceField(label="接访日", choices=Weekday.choices, coerce=int)
    start = forms.TimeField(label="开始时间", widget=forms.TimeInput(attrs={"type": "time"}))
    end = forms.TimeField(label="结束时间", widget=forms.TimeInput(attrs={"type": "time"}))
    capacity = forms.IntegerField(label="每场名额", min_value=1, max_value=50, initial=4)
    receiver: forms.ModelChoiceField = forms.ModelChoiceField(
        label="接访领导（领导接访日填写）", queryset=None, required=False
    )

    def __init__(self, *args, receivers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["receiver"].queryset = receivers


# The categories of a report from the public (检举、控告、申诉、批评建议), as petitions registers them.
CATEGORIES = [("accusation", "检举"), ("complaint", "控告"), ("appeal", "申诉"), ("suggestion", "批评建议")]
# The matter of a report (反映问题类别: the discipline concerned), as petitions registers it; the
# reception statistics count sessions by it.
MATTERS = [
    ("political", "政治纪律"),
    ("organizational", "组织纪律"),
    ("integrity", "廉洁纪律"),
    ("masses", "群众纪律"),
    ("work", "工作纪律"),
    ("life", "生活纪律"),
    ("other", "其他或不清楚"),
]


class ActionForm(forms.Form):
    action = forms.ChoiceField(
        choices=[
            (a, a) for a in ("confirm", "cancel", "no_show", "start", "end", "case_register", "case_link")
        ]
    )
    version = forms.IntegerField()
    reason = forms.CharField(required=False, max_length=200)
    category = forms.ChoiceField(required=False, choices=CATEGORIES)
    matter = forms.ChoiceField(required=False, choices=MATTERS)
    serial = forms.CharField(required=False, max_length=40)


class MinutesForm(forms.Form):
    text = forms.CharField(label="笔录内容", widget=forms.Textarea(attrs={"rows": 16}), max_length=20000)
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)


class ConfirmForm(forms.Form):
    code = forms.CharField(max_length=20, widget=forms.HiddenInput)
    digest = forms.CharField(max_length=64, widget=forms.HiddenInput)
