"""Forms of the staff pages: the register's filters, the registration of a letter, visit, 12388 call
or video reception, and one small form per triage action (each carries the `version` the page was
shown with, so a stale page gets a message instead of acting twice)."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy

from jijian.core.forms import MultipleFileField, OfferedUnitChoiceField, clean_unit_search
from jijian.core.models import CadreLevel, OrgUnit
from jijian.core.validators import validate_contact_phone, validate_id_number
from jijian.petitions.handling import routing
from jijian.petitions.intake.forms import RegionChoiceField
from jijian.petitions.models import (
    Category,
    Channel,
    Matter,
    NotAcceptedReason,
    ObjectionChannel,
    ObjectionOutcome,
    PetitionDeadline,
    PetitionReport,
    PetitionState,
    RouteKind,
)
from jijian.petitions.selectors import (
    COMMISSION_SHORTLIST_MAX,
    RegisterFilter,
    commission_choices,
    commission_search,
    commission_shortlist,
)
from jijian.petitions.services import STAFF_CHANNELS

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


MAX_STAFF_FILES = 20
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _blank(label: StrOrPromise, choices) -> list:
    return [("", label), *choices]


class RegisterFilterForm(forms.Form):
    state = forms.ChoiceField(
        label=gettext_lazy("状态"),
        required=False,
        choices=_blank(gettext_lazy("全部状态"), PetitionState.choices),
    )
    channel = forms.ChoiceField(
        label=gettext_lazy("来源渠道"),
        required=False,
        choices=_blank(gettext_lazy("全部渠道"), Channel.choices),
    )
    category = forms.ChoiceField(
        label=gettext_lazy("类别"), required=False, choices=_blank(gettext_lazy("全部类别"), Category.choices)
    )
    received_from = forms.DateField(
        label=gettext_lazy("收到日期自"),
        required=False,
        widget=DATE,
        error_messages={"invalid": gettext_lazy("日期格式应为 年-月-日")},
    )
    received_to = forms.DateField(
        label=gettext_lazy("至"),
        required=False,
        widget=DATE,
        error_messages={"invalid": gettext_lazy("日期格式应为 年-月-日")},
    )
    q = forms.CharField(
        label=gettext_lazy("搜索"),
        required=False,
        max_length=50,
        widget=forms.TextInput(
            attrs={"placeholder": gettext_lazy("登记编号或被反映人姓名"), "type": "search"}
        ),
    )

    def clean(self):
        data = super().clean()
        start, end = data.get("received_from"), data.get("received_to")
        if start and end and start > end:
            self.add_error("received_to", gettext("结束日期不能早于开始日期"))
        return data

    def register_filter(self) -> RegisterFilter:
        data = self.cleaned_data if self.is_valid() else {}
        return RegisterFilter(
            state=data.get("state") or "",
            channel=data.get("channel") or "",
            category=data.get("category") or "",
            received_from=data.get("received_from"),
            received_to=data.get("received_to"),
            q=(data.get("q") or "").strip(),
        )


class PetitionRegisterForm(forms.Form):
    channel = forms.ChoiceField(
        label=gettext_lazy("来源渠道"),
        choices=[(c.value, c.label) for c in STAFF_CHANNELS],
        error_messages={
            "required": gettext_lazy("请选择来源渠道"),
            "invalid_choice": gettext_lazy("请选择来信、来访、来电或视频接访"),
        },
    )
    phone_area_code = forms.CharField(
        label=gettext_lazy("来电区号"),
        required=False,
        max_length=4,
        help_text=gettext_lazy("电话举报（区号+12388）必填，如 0722"),
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )
    received_on = forms.DateField(
        label=gettext_lazy("收到日期"),
        widget=DATE,
        error_messages={
            "required": gettext_lazy("请填写收到日期"),
            "invalid": gettext_lazy("日期格式应为 年-月-日"),
        },
    )
    category = forms.ChoiceField(
        label=gettext_lazy("举报类别"),
        choices=Category.choices,
        error_messages={"required": gettext_lazy("请选择举报类别")},
    )
    region = RegionChoiceField(
        label=gettext_lazy("所属地区"),
        queryset=OrgUnit.objects.none(),
        empty_label=gettext_lazy("请选择"),
        help_text=gettext_lazy("只能选择本机关管辖范围内的地区"),
        error_messages={
            "required": gettext_lazy("请选择所属地区"),
            "invalid_choice": gettext_lazy("所选地区不在本机关管辖范围内"),
        },
    )
    accused_name = forms.CharField(label=gettext_lazy("被反映人姓名"), max_length=100, required=False)
    accused_unit = forms.CharField(label=gettext_lazy("被反映人单位"), max_length=200, required=False)
    accused_post = forms.CharField(label=gettext_lazy("被反映人职务"), max_length=100, required=False)
    accused_level = forms.ChoiceField(
        label=gettext_lazy("被反映人级别"), choices=CadreLevel.choices, initial=CadreLevel.OTHER
    )
    accused_id_number = forms.CharField(
        label=gettext_lazy("被反映人身份证号"),
        max_length=18,
        required=False,
        help_text=gettext_lazy("知道时填写（选填）：据此查找被反映人在外地的廉情档案"),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
        error_messages={"max_length": gettext_lazy("身份证号应为18位，前17位为数字，末位为数字或X")},
    )
    matter = forms.ChoiceField(
        label=gettext_lazy("反映问题类别"), choices=Matter.choices, initial=Matter.OTHER
    )
    facts = forms.CharField(
        label=gettext_lazy("主要问题和事实"),
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 8}),
        error_messages={"required": gettext_lazy("请填写反映的主要问题和事实")},
    )
    is_anonymous = forms.TypedChoiceField(
        label=gettext_lazy("举报方式"),
        choices=[("1", gettext_lazy("匿名")), ("0", gettext_lazy("实名"))],
        coerce=lambda v: v == "1",
        initial="1",
        widget=forms.RadioSelect,
        error_messages={"required": gettext_lazy("请选择匿名或实名")},
    )
    reporter_name = forms.CharField(label=gettext_lazy("举报人姓名"), max_length=50, required=False)
    reporter_id_number = forms.CharField(label=gettext_lazy("身份证号"), max_length=18, required=False)
    reporter_phone = forms.CharField(
        label=gettext_lazy("联系电话"),
        max_length=20,
        required=False,
        help_text=gettext_lazy("手机号码，或带区号的固定电话"),
    )
    files = MultipleFileField(  # type: ignore[assignment]  # a field, not BaseForm.files
        label=gettext_lazy("来信扫描件及其他材料（可多选，最多 %(MAX_STAFF_FILES)s 个）")
        % {"MAX_STAFF_FILES": MAX_STAFF_FILES},
        max_files=MAX_STAFF_FILES,
    )

    IDENTITY = ("reporter_name", "reporter_id_number", "reporter_phone")

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        from jijian.petitions.selectors import region_choices

        self.fields["region"].queryset = region_choices(user)
        self.fields["received_on"].initial = timezone.localdate()

    def clean_facts(self):
        facts = self.cleaned_data["facts"].strip()
        if not facts:
            raise ValidationError(gettext("请填写反映的主要问题和事实"))
        return facts

    def clean_accused_id_number(self):
        from jijian.core.validators import validate_id_number

        value = (self.cleaned_data.get("accused_id_number") or "").strip().upper()
        return validate_id_number(value) if value else ""

    def clean_received_on(self):
        day = self.cleaned_data["received_on"]
        if day > timezone.localdate():
            raise ValidationError(gettext("收到日期不能晚于今天"))
        return day

    def clean(self):
        data = super().clean()
        if data.get("channel") == Channel.PHONE:
            code = (data.get("phone_area_code") or "").strip()
            if not (code.isdigit() and code.startswith("0") and 3 <= len(code) <= 4):
                self.add_error(
                    "phone_area_code", gettext("电话举报请填写来电区号（以0开头的3至4位数字，如 0722）")
                )
            data["phone_area_code"] = code
        else:
            data["phone_area_code"] = ""
        if data.get("is_anonymous", True):
            for name in self.IDENTITY:  # anonymous: nothing of who they are is kept
                data[name] = ""
            return data
        name = (data.get("reporter_name") or "").strip()
        if not name:
            self.add_error("reporter_name", gettext("实名举报请填写举报人姓名"))
        data["reporter_name"] = name
        id_number = (data.get("reporter_id_number") or "").strip()
        phone = (data.get("reporter_phone") or "").strip()
        if not id_number and not phone:
            self.add_error("reporter_phone", gettext("实名举报请填写身份证号或联系电话（至少一项）"))
        if id_number:
            try:
                data["reporter_id_number"] = validate_id_number(id_number)
            except ValidationError as error:
                self.add_error("reporter_id_number", error)
        if phone:
            try:
                data["reporter_phone"] = validate_contact_phone(phone)
            except ValidationError as error:
                self.add_error("reporter_phone", error)
        return data


# --- actions on one report ------------------------------------------------------------------------
class VersionForm(forms.Form):
    version = forms.IntegerField(
        widget=forms.HiddenInput, error_messages={"required": gettext_lazy("页面已过期，请刷新后重试")}
    )


class ArchiveLinkForm(VersionForm):
    archive = forms.IntegerField(
        error_messages={"required": gettext_lazy("请选择廉情档案"), "invalid": gettext_lazy("请选择廉情档案")}
    )


class MarkRepeatForm(VersionForm):
    original: forms.ModelChoiceField[PetitionReport] = forms.ModelChoiceField(
        label=gettext_lazy("原件"),
        queryset=None,
        empty_label=gettext_lazy("请选择"),
        error_messages={
            "required": gettext_lazy("请选择原件"),
            "invalid_choice": gettext_lazy("所选原件不存在或不可见"),
        },
    )

    def __init__(self, *args, candidates, report=None, **kwargs):
        """`report`: the report being marked; each candidate then says why it is offered (the same
        real-name reporter, or the same accused and matter)."""
        from jijian.petitions.selectors import same_reporter

        super().__init__(*args, **kwargs)
        self.fields["original"].queryset = candidates

        def label(r: PetitionReport) -> str:
            text = f"{r.serial_number or r.pk} · {timezone.localtime(r.received_at):%Y-%m-%d} · {r.get_state_display()}"
            if report is None:
                return text
            why = gettext("同一实名举报人") if same_reporter(report, r) else gettext("同一被反映人、同类问题")
            return f"{text} · {why}"

        self.fields["original"].label_from_instance = label


class NotAcceptForm(VersionForm):
    reason = forms.ChoiceField(
        label=gettext_lazy("不予受理理由"),
        choices=_blank(gettext_lazy("请选择"), NotAcceptedReason.choices),
        error_messages={"invalid_choice": gettext_lazy("请选择不予受理的理由")},
    )
    reply = forms.CharField(
        label=gettext_lazy("答复举报人"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("实名举报必填：告知举报人向何处反映"),
    )

    def clean_reason(self):
        if not self.cleaned_data.get("reason"):
            raise ValidationError(gettext("请选择不予受理的理由"))
        return self.cleaned_data["reason"]


class CommissionChoiceField(OfferedUnitChoiceField):
    """The managing commission (被反映人的管理机关), by name, each with what the routing table will do
    with it from `receiving`. It accepts every active commission of the user's city tree and renders
    the short list of likely targets, or the results of a search by name or pinyin initials
    (core.forms.OfferedUnitChoiceField)."""

    max_offered = COMMISSION_SHORTLIST_MAX
    nothing_found = "未找到与“{q}”相符的机关，请换个名称或拼音首字母"

    def __init__(self, *args, receiving: OrgUnit | None = None, **kwargs):
        self.receiving = receiving
        super().__init__(*args, **kwargs)

    def offer_commissions(
        self, *, user, receiving: OrgUnit | None, search: str = "", current: object = None
    ) -> None:
        """Accept every commission of `user`'s city tree; render the search results for `search`, or
        when it is empty the short list around the receiving commission; keep `current` offered."""
        self.receiving = receiving
        searched = clean_commission_search(search)
        super().offer(
            accepted=commission_choices(user),
            offered=commission_search(user, q=searched)
            if searched
            else commission_shortlist(user, around=_around(user, receiving)),
            searched=searched,
            current=current,
        )

    def label_from_instance(self, obj: OrgUnit) -> str:
        indent = "　" * max(obj.depth, 0)
        if self.receiving is None:
            return indent + obj.name
        try:
            decided = routing.route(receiving=self.receiving, managing=obj, about_own_head=False)
        except ValidationError:
            return f"{indent}{obj.name} → " + gettext("不能报送")
        label = f"{indent}{obj.name} → {RouteKind(decided.kind).label}"
        if decided.target.pk != obj.pk and decided.kind != RouteKind.THIS_LEVEL:
            label += f"（{decided.target.name}）"
        return label + (gettext("，专门报送") if decided.restricted else "")


# The `managing_q` search text: stripped, at most core.forms.UNIT_SEARCH_MAX_LENGTH characters.
clean_commission_search = clean_unit_search


def _around(user, receiving: OrgUnit | None) -> OrgUnit:
    """The commission whose neighbourhood is offered: the receiving one, else the user's own."""
    for unit in (receiving, user.org_unit):
        if unit is not None:
            try:
                return routing.commission_of(unit)
            except ValidationError:
                continue
    return user.org_unit


MANAGING_ERRORS = {
    "required": gettext_lazy("请选择被反映人的管理机关"),
    "invalid_choice": gettext_lazy("所选机关不在本系统的管辖树中"),
}


class RouteForm(VersionForm):
    managing = CommissionChoiceField(
        label=gettext_lazy("被反映人的管理机关"),
        queryset=OrgUnit.objects.none(),
        empty_label=gettext_lazy("请选择"),
        error_messages=MANAGING_ERRORS,
    )
    about_own_head = forms.BooleanField(label=gettext_lazy("反映本机关主要负责人"), required=False)
    note = forms.CharField(
        label=gettext_lazy("办理意见"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, user, receiving: OrgUnit | None, search: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        cast(CommissionChoiceField, self.fields["managing"]).offer_commissions(
            user=user, receiving=receiving, search=search, current=self["managing"].value()
        )


class NoticeForm(VersionForm):
    text = forms.CharField(
        label=gettext_lazy("告知内容"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": gettext_lazy("请填写告知内容")},
    )


class CloseForm(VersionForm):
    result = forms.CharField(
        label=gettext_lazy("办理结果"),
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": gettext_lazy("请填写办理结果")},
    )


class MessageForm(forms.Form):
    body = forms.CharField(
        label=gettext_lazy("给举报人的消息"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": gettext_lazy("请填写要告知举报人的内容")},
    )


class RevealForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("查看事由"),
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
        error_messages={"required": gettext_lazy("查看完整信息须填写事由")},
    )


# --- after acceptance (handling/conclusion.py) ------------------------------------------------------
class ExtensionForm(VersionForm):
    new_due_date = forms.DateField(
        label=gettext_lazy("延长至"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={
            "required": gettext_lazy("请选择延长后的期限"),
            "invalid": gettext_lazy("请按 年-月-日 填写日期"),
        },
    )
    reason = forms.CharField(
        label=gettext_lazy("延长理由"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": gettext_lazy("请填写延长办结期限的理由")},
    )


class DecisionForm(VersionForm):
    decision = forms.ChoiceField(
        label=gettext_lazy("审批意见"),
        choices=[("approve", gettext_lazy("批准")), ("reject", gettext_lazy("退回"))],
        widget=forms.RadioSelect,
        error_messages={"required": gettext_lazy("请选择批准或退回")},
    )
    note = forms.CharField(
        label=gettext_lazy("意见或退回理由（退回必填）"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class UrgeForm(forms.Form):
    deadline: forms.ModelChoiceField[PetitionDeadline] = forms.ModelChoiceField(
        label=gettext_lazy("逾期的时限"),
        queryset=None,
        empty_label=None,
        error_messages={
            "required": gettext_lazy("请选择逾期的时限"),
            "invalid_choice": gettext_lazy("该时限已完成或未逾期，请刷新后查看"),
        },
    )
    kind = forms.ChoiceField(
        label=gettext_lazy("方式"),
        choices=[("urge", gettext_lazy("催办")), ("supervise", gettext_lazy("督办（催办后仍未办理的）"))],
        widget=forms.RadioSelect,
        initial="urge",
        error_messages={"required": gettext_lazy("请选择催办或督办")},
    )
    note = forms.CharField(
        label=gettext_lazy("要求（督办必填）"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, deadlines, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["deadline"]
        field.queryset = deadlines
        field.label_from_instance = lambda d: (
            f"{d.get_kind_display()} · 期限 {d.due_date:%Y-%m-%d}"
            + {"urge": " · 已催办", "supervise": " · 已督办"}.get(d.escalation, "")
        )


# --- the reporter's objection to the result (handling/objections.py) ---------------------------------
class ObjectionForm(VersionForm):
    """Staff record an objection received by letter, phone or visit."""

    channel = forms.ChoiceField(
        label=gettext_lazy("提出方式"),
        choices=[("", gettext_lazy("请选择"))]
        + [
            (c.value, c.label)
            for c in (ObjectionChannel.LETTER, ObjectionChannel.PHONE, ObjectionChannel.VISIT)
        ],
        error_messages={
            "required": gettext_lazy("请选择异议的提出方式"),
            "invalid_choice": gettext_lazy("请选择异议的提出方式"),
        },
    )
    received_on = forms.DateField(
        label=gettext_lazy("收到日期"),
        widget=DATE,
        error_messages={
            "required": gettext_lazy("请填写收到日期"),
            "invalid": gettext_lazy("收到日期格式不正确（年-月-日）"),
        },
    )
    text = forms.CharField(
        label=gettext_lazy("异议内容"),
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={
            "required": gettext_lazy("请填写异议内容"),
            "max_length": gettext_lazy("异议内容不能超过 10000 字"),
        },
    )
    new_facts = forms.CharField(
        label=gettext_lazy("新的事实或理由（此前的异议已答复的，必填）"),
        required=False,
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"max_length": gettext_lazy("不能超过 10000 字")},
    )


class ObjectionAnswerForm(VersionForm):
    outcome = forms.ChoiceField(
        label=gettext_lazy("答复结论"),
        choices=[
            (ObjectionOutcome.UPHELD.value, gettext_lazy("维持原结论（报领导审批，批准后告知举报人）")),
            (ObjectionOutcome.REOPENED.value, gettext_lazy("重新办理（退回已受理，重新办结须领导审批）")),
        ],
        widget=forms.RadioSelect,
        error_messages={
            "required": gettext_lazy("请选择答复结论"),
            "invalid_choice": gettext_lazy("请选择答复结论"),
        },
    )
    answer = forms.CharField(
        label=gettext_lazy("答复内容"),
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={
            "required": gettext_lazy("请填写答复内容"),
            "max_length": gettext_lazy("答复内容不能超过 10000 字"),
        },
    )
