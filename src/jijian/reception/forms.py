from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext, gettext_lazy

from jijian.core.models import CadreLevel, OrgUnit

from . import services
from .access import office_unit, office_units
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
    """A booking: who the accused is and who manages them (level and place: 干部管理权限), the slot
    (schedule and date, as one choice "<schedule id>|<yyyy-mm-dd>") and the petitioner's real name,
    ID number and phone and the matter in brief.

    The slot list shows only the slots of the office that manages the accused (services.receiving_office
    from the level and place typed or submitted); any open slot is a valid choice for the form, and
    booking_create refuses one of another office with the reason (the one rule, in the service)."""

    accused_name = forms.CharField(label=gettext_lazy("被反映人姓名"), max_length=100)
    accused_unit = forms.CharField(label=gettext_lazy("被反映人单位"), max_length=100)
    accused_post = forms.CharField(label=gettext_lazy("被反映人职务"), max_length=100, required=False)
    accused_level = forms.ChoiceField(
        label=gettext_lazy("被反映人级别"),
        choices=[("", gettext_lazy("请选择"))] + list(CadreLevel.choices),
        help_text=gettext_lazy(
            "按干部管理权限，由管理该干部的纪委监委接访：县处级干部由市纪委监委，"
            "乡科级、一般干部和村（社区）干部由所在县（市、区）纪委监委。不清楚的选“其他或不清楚”。"
        ),
    )
    accused_region: forms.ModelChoiceField = forms.ModelChoiceField(
        label=gettext_lazy("被反映人所在地"),
        queryset=OrgUnit.objects.none(),
        required=False,
        empty_label=gettext_lazy("请选择"),
        help_text=gettext_lazy("被反映人工作单位所在的县（市、区）；市直单位选“随州市”。"),
    )
    slot = forms.ChoiceField(
        label=gettext_lazy("预约场次"),
        help_text=gettext_lazy("只列出按干部管理权限管理被反映人的纪委监委的场次。"),
    )
    petitioner_name = forms.CharField(label=gettext_lazy("信访人姓名"), max_length=50)
    petitioner_id_number = forms.CharField(label=gettext_lazy("身份证号"), max_length=18)
    petitioner_phone = forms.CharField(label=gettext_lazy("手机号码"), max_length=20)
    matter = forms.CharField(
        label=gettext_lazy("反映事项（简要）"), widget=forms.Textarea(attrs={"rows": 4}), max_length=2000
    )

    def __init__(self, *args, slots: list[dict], with_code: bool = False, slots_url: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        region_field: forms.ModelChoiceField = self.fields["accused_region"]  # type: ignore[assignment]
        region_field.queryset = office_units()
        if slots_url:  # with JavaScript the slot list follows the level and place as they change
            for name in ("accused_level", "accused_region"):
                self.fields[name].widget.attrs.update(
                    {
                        "hx-get": slots_url,
                        "hx-trigger": "change",
                        "hx-target": "#id_slot",
                        "hx-include": "#id_accused_level, #id_accused_region, #id_slot",
                        # Level and place changed in quick succession: the later request replaces the
                        # earlier one, so a slower first answer never overwrites the list of the last.
                        "hx-sync": "closest form:replace",
                    }
                )
        self.slots = {slot_key(s): s for s in slots}
        slot_field: forms.ChoiceField = self.fields["slot"]  # type: ignore[assignment]
        slot_field.choices = [("", gettext_lazy("请选择"))] + [
            (k, slot_label(s)) for k, s in self.slots.items()
        ]
        shown, prompt = self.routed_slots(slots)
        # What the list shows: the managing office's slots only (its first line says whose).
        slot_field.widget.choices = [("", prompt)] + [(slot_key(s), slot_label(s)) for s in shown]
        if with_code:
            self.fields["sms_code"] = forms.CharField(
                label=gettext("短信验证码"),
                max_length=6,
                help_text=gettext("先点“获取验证码”，验证码发送到上面的手机号码"),
            )

    def _raw(self, name: str) -> str:
        source = self.data if self.is_bound else self.initial
        return str(source.get(name) or "")

    def routed_slots(self, slots: list[dict]) -> tuple[list[dict], str]:
        """The slots to show for the level and place submitted (or given as initial), and the
        list's first line: none until the level (and, unless it is unknown, the place) is chosen."""
        level, region = self._raw("accused_level"), office_unit(self._raw("accused_region"))
        if level not in CadreLevel.values:
            return [], gettext("请先选择被反映人级别")
        if level == CadreLevel.OTHER:
            return slots, gettext("请选择（级别不清楚：列出各机关的场次）")
        if region is None:
            return [], gettext("请先选择被反映人所在地")
        office = services.receiving_office(region, level)
        shown = services.slots_for(slots, office)
        if office is None:
            return shown, gettext("请选择")
        if not shown:
            return [], gettext("%(office)s暂无可预约场次，可拨打12388反映") % {"office": office.name}
        return shown, gettext("请选择%(office)s的场次") % {"office": office.name}

    def clean(self):
        data = super().clean()
        level = data.get("accused_level")
        if level and level != CadreLevel.OTHER and not data.get("accused_region"):
            self.add_error("accused_region", gettext("请选择被反映人所在地（县、市、区）"))
        return data

    def clean_slot(self):
        chosen = self.slots.get(self.cleaned_data["slot"])
        if chosen is None:
            raise ValidationError(gettext("请选择预约场次"))
        return chosen

    def service_fields(self) -> dict:
        slot = self.cleaned_data["slot"]
        out = {f: self.cleaned_data[f] for f in PETITIONER_FIELDS}
        out.update(
            schedule=slot["schedule"],
            day=slot["date"],
            accused_level=self.cleaned_data["accused_level"],
            accused_region=self.cleaned_data["accused_region"],
        )
        if "sms_code" in self.fields:
            out["sms_code"] = self.cleaned_data["sms_code"]
        return out


def slot_key(s: dict) -> str:
    return f"{s['schedule'].pk}|{s['date']:%Y-%m-%d}"


def slot_label(s: dict) -> str:
    schedule = s["schedule"]
    return (
        f"{s['date']:%m月%d日} {schedule.start:%H:%M}-{schedule.end:%H:%M} {schedule.org_unit.name}"
        + (
            gettext("（%(name)s接访）") % {"name": schedule.receiver.full_name}
            if schedule.receiver_id
            else ""
        )
        + (gettext(" 余%(left)s个名额") % {"left": s["left"]} if s["left"] else gettext(" 已约满"))
    )


class TransferForm(forms.Form):
    """转交: the corrected level and place, the managing office's slot, and the reason."""

    accused_level = forms.ChoiceField(
        label=gettext_lazy("被反映人级别（核实后）"), choices=CadreLevel.choices
    )
    accused_region: forms.ModelChoiceField = forms.ModelChoiceField(
        label=gettext_lazy("被反映人所在地"),
        queryset=OrgUnit.objects.none(),
        required=False,
        empty_label=gettext_lazy("请选择"),
    )
    slot = forms.ChoiceField(label=gettext_lazy("转交后的场次"), required=False)
    reason = forms.CharField(label=gettext_lazy("转交理由"), max_length=200)
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, slots: list[dict], office: OrgUnit | None, **kwargs):
        super().__init__(*args, **kwargs)
        region_field: forms.ModelChoiceField = self.fields["accused_region"]  # type: ignore[assignment]
        region_field.queryset = office_units()
        self.slots = {slot_key(s): s for s in slots}
        slot_field: forms.ChoiceField = self.fields["slot"]  # type: ignore[assignment]
        slot_field.choices = [("", gettext_lazy("请选择"))] + [
            (k, slot_label(s)) for k, s in self.slots.items()
        ]
        shown = services.slots_for(slots, office) if office is not None else []
        slot_field.widget.choices = [
            ("", gettext_lazy("请选择") if shown else gettext_lazy("请先选择级别和所在地，再点“列出场次”"))
        ] + [(slot_key(s), slot_label(s)) for s in shown]

    def clean_slot(self):
        key = self.cleaned_data["slot"]
        if not key:
            return None
        chosen = self.slots.get(key)
        if chosen is None:
            raise ValidationError(gettext("所选场次已不可预约，请重新选择"))
        return chosen


class CodeForm(forms.Form):
    code = forms.CharField(label=gettext_lazy("预约查询码"), max_length=20)


class ScheduleForm(forms.Form):
    weekday = forms.TypedChoiceField(label=gettext_lazy("接访日"), choices=Weekday.choices, coerce=int)
    start = forms.TimeField(label=gettext_lazy("开始时间"), widget=forms.TimeInput(attrs={"type": "time"}))
    end = forms.TimeField(label=gettext_lazy("结束时间"), widget=forms.TimeInput(attrs={"type": "time"}))
    capacity = forms.IntegerField(label=gettext_lazy("每场名额"), min_value=1, max_value=50, initial=4)
    receiver: forms.ModelChoiceField = forms.ModelChoiceField(
        label=gettext_lazy("接访领导（领导接访日填写）"), queryset=None, required=False
    )

    def __init__(self, *args, receivers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["receiver"].queryset = receivers


# The categories of a report from the public (检举、控告、申诉、批评建议), as petitions registers them.
CATEGORIES = [
    ("accusation", gettext_lazy("检举")),
    ("complaint", gettext_lazy("控告")),
    ("appeal", gettext_lazy("申诉")),
    ("suggestion", gettext_lazy("批评建议")),
]
# The matter of a report (反映问题类别: the discipline concerned), as petitions registers it; the
# reception statistics count sessions by it.
MATTERS = [
    ("political", gettext_lazy("政治纪律")),
    ("organizational", gettext_lazy("组织纪律")),
    ("integrity", gettext_lazy("廉洁纪律")),
    ("masses", gettext_lazy("群众纪律")),
    ("work", gettext_lazy("工作纪律")),
    ("life", gettext_lazy("生活纪律")),
    ("other", gettext_lazy("其他或不清楚")),
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
    text = forms.CharField(
        label=gettext_lazy("笔录内容"), widget=forms.Textarea(attrs={"rows": 16}), max_length=20000
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)


class ConfirmForm(forms.Form):
    code = forms.CharField(max_length=20, widget=forms.HiddenInput)
    digest = forms.CharField(max_length=64, widget=forms.HiddenInput)
