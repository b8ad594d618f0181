"""Page forms of village affairs: field parsing only; the rules live in services (they hold for every
caller)."""

from __future__ import annotations

from typing import cast

from django import forms
from django.core.validators import MaxValueValidator
from django.utils.html import format_html
from django.utils.translation import gettext, gettext_lazy

from jijian.core.forms import MultipleFileField, UnitChoiceField
from jijian.core.models import OrgUnit

from . import flags
from .models import (
    DEFAULT_MINUTES_LATE_DAYS,
    MEETING_FORM_ROLLS,
    MEETING_STEPS,
    DecisionCategory,
    MeetingForm,
    Step,
)
from .services import (
    MAX_FILES_PER_STEP,
    MAX_MINUTES,
    MAX_TEXT,
    MIN_RESULT_PUBLIC_DAYS,
    MIN_STEP_STALL_DAYS,
    ROLL_NAMES,
)


class RulesForm(forms.Form):
    large_amount = forms.DecimalField(
        label=gettext_lazy("大额资金标准（元）"),
        min_value=0,
        max_digits=12,
        decimal_places=2,
        help_text=gettext_lazy("达到此金额的资金使用属于“三重一大”"),
    )
    party_members = forms.IntegerField(label=gettext_lazy("本村党员人数"), min_value=0, max_value=100000)
    # The rolls of the villagers' decision, one per form it may be taken in (models.MeetingForm).
    adult_villagers = forms.IntegerField(
        label=gettext_lazy("18周岁以上村民人数"),
        min_value=0,
        max_value=1000000,
        required=False,
        help_text=gettext_lazy(
            "村民会议由本村18周岁以上村民参加的，须有其过半数到会；不召开此种会议的可不填"
        ),
    )
    households = forms.IntegerField(
        label=gettext_lazy("户数"),
        min_value=0,
        max_value=1000000,
        required=False,
        help_text=gettext_lazy(
            "村民会议由每户派代表参加的，须有三分之二以上的户的代表到会；不召开此种会议的可不填"
        ),
    )
    representatives = forms.IntegerField(
        label=gettext_lazy("村民代表会议组成人员人数"),
        min_value=0,
        max_value=100000,
        required=False,
        help_text=gettext_lazy(
            "村民代表和村民委员会成员合计，须有三分之二以上到会；未设村民代表会议的可不填"
        ),
    )
    minutes_late_days = forms.IntegerField(
        label=gettext_lazy("会议记录迟录提示天数"),
        min_value=1,
        max_value=60,
        initial=DEFAULT_MINUTES_LATE_DAYS,
    )
    step_stall_days = forms.IntegerField(
        label=gettext_lazy("环节停滞提示天数"), required=False, min_value=MIN_STEP_STALL_DAYS
    )
    result_public_days = forms.IntegerField(
        label=gettext_lazy("实施结果公开提示天数"), required=False, min_value=MIN_RESULT_PUBLIC_DAYS
    )
    item_types = forms.CharField(
        label=gettext_lazy("“三重一大”事项范围"),
        required=False,
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy(
            "经村民（代表）会议确定的事项范围，如：集体土地承包租赁、公益事业建设、集体资产处置……"
        ),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The platform's limits are the most a village may set (services.village_rules_file).
        step_days, result_days = flags.stall_limits()
        for name, days in (("step_stall_days", step_days), ("result_public_days", result_days)):
            field = self.fields[name]
            field.validators.append(MaxValueValidator(days))
            field.widget.attrs.update(max=days, inputmode="numeric")
        self.fields["step_stall_days"].help_text = gettext(
            "前一环节后超过此天数仍未进行下一环节即提示；空为平台规定的 %(days)s 天，只能更短"
        ) % {"days": step_days}
        self.fields["result_public_days"].help_text = gettext(
            "决议公开后超过此天数仍未公开实施结果即提示；空为平台规定的 %(days)s 天，只能更短"
        ) % {"days": result_days}

    def service_fields(self) -> dict:
        data = dict(self.cleaned_data)
        for roll in ("adult_villagers", "households", "representatives"):
            data[roll] = data.get(roll) or 0  # left empty: not filed
        return data


class DecisionForm(forms.Form):
    category = forms.ChoiceField(label=gettext_lazy("类别"), choices=DecisionCategory.choices)
    title = forms.CharField(label=gettext_lazy("事项"), max_length=120)
    amount = forms.DecimalField(
        label=gettext_lazy("涉及金额（元）"), required=False, min_value=0, max_digits=14, decimal_places=2
    )
    description = forms.CharField(
        label=gettext_lazy("事项说明"),
        required=False,
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class FirstOptionRadioSelect(forms.RadioSelect):
    """Radio buttons whose label — and the error summary's link — points at the first option, so that
    following the link from the summary reaches the group (a RadioSelect's label points nowhere)."""

    def id_for_label(self, id_, index="0"):
        return super().id_for_label(id_, index)


class StepForm(forms.Form):
    held_on = forms.DateField(
        label=gettext_lazy("日期"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    # The villagers' decision only: its roll is that form's, from the decision's rules (not typed).
    meeting_form = forms.ChoiceField(
        label=gettext_lazy("会议形式"),
        choices=MeetingForm.choices,
        widget=FirstOptionRadioSelect,
        error_messages={"required": gettext_lazy("请选择实际召开的会议形式")},
    )
    roll = forms.IntegerField(label=gettext_lazy("应到人数"), required=False, min_value=0)
    attended = forms.IntegerField(label=gettext_lazy("实到人数"), required=False, min_value=0)
    attendees = forms.CharField(
        label=gettext_lazy("参会人员名单"),
        required=False,
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 2, "placeholder": gettext_lazy("姓名以空格或顿号分隔")}),
    )
    votes_for = forms.IntegerField(label=gettext_lazy("赞成"), required=False, min_value=0)
    votes_against = forms.IntegerField(label=gettext_lazy("反对"), required=False, min_value=0)
    votes_abstain = forms.IntegerField(label=gettext_lazy("弃权"), required=False, min_value=0)
    minutes = forms.CharField(
        label=gettext_lazy("会议记录"),
        required=False,
        max_length=MAX_MINUTES,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    uploads = MultipleFileField(
        label=gettext_lazy("会议记录文件、照片（可多选）"), max_files=MAX_FILES_PER_STEP
    )
    member_present = forms.BooleanField(label=gettext_lazy("我到场参加并监督了本环节"), required=False)
    member_opinion = forms.CharField(
        label=gettext_lazy("监督意见"),
        required=False,
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": gettext_lazy("程序是否规范、有无异议")}),
    )
    out_of_sequence_reason = forms.CharField(
        label=gettext_lazy("未按顺序登记的说明"),
        required=False,
        max_length=255,
        help_text=gettext_lazy("仅在前置环节尚未登记时填写"),
    )

    def __init__(self, *args, step: int, needs_reason: bool, rolls: dict | None = None, **kwargs):
        """`rolls`: the decision's services.meeting_rolls(), for the villagers' decision (step 4)."""
        super().__init__(*args, **kwargs)
        if step == Step.VILLAGERS_MEETING:
            del self.fields["roll"]
            rolls = rolls or {}
            cast(forms.ChoiceField, self.fields["meeting_form"]).choices = [
                (form, form_choice_label(form, rolls.get(form))) for form in MeetingForm.values
            ]
            # The one form the decision's rules have a roll for is the one that can be recorded: chosen
            # already (a village that files only its representatives has nothing to choose).
            possible = [form for form, roll in rolls.items() if roll.roll]
            if len(possible) == 1 and not self.initial.get("meeting_form"):
                self.initial["meeting_form"] = possible[0]
            self.fields["attended"].help_text = gettext(
                "户代表参加的村民会议，填到会的户代表人数（每户一人）"
            )
        else:
            del self.fields["meeting_form"]
        if step not in MEETING_STEPS:
            for name in ("roll", "attended", "attendees", "votes_for", "votes_against", "votes_abstain"):
                del self.fields[name]
            self.fields["minutes"].label = gettext("公开内容（公开方式、地点、期限）")
            self.fields["uploads"].label = gettext("公开栏照片（可多选）")
        for field in self.fields.values():
            if isinstance(field, forms.IntegerField):
                field.widget.attrs["inputmode"] = "numeric"
        if not needs_reason:
            del self.fields["out_of_sequence_reason"]


def form_choice_label(form: str, roll) -> str:
    """A villagers' decision's form as the step form offers it: its name, its roll (services.MeetingRoll)
    from the decision's rules and the attendance that makes its quorum; or why it cannot be chosen."""
    name = MeetingForm(form).label
    if roll is None or not roll.roll:
        return format_html(
            '<strong>{}</strong> <span class="hint unfiled">{}</span>',
            name,
            gettext("本事项适用的备案规则没有%(roll_name)s，不能按此种会议计算到会比例")
            % {"roll_name": ROLL_NAMES[MEETING_FORM_ROLLS[form]]},
        )
    least = flags.quorum_least(Step.VILLAGERS_MEETING, form, roll.roll)
    quorum = {
        MeetingForm.VILLAGERS: gettext(
            "应到：本村18周岁以上村民 %(roll)s 人，须过半数（至少 %(least)s 人）到会"
        ),
        MeetingForm.HOUSEHOLDS: gettext(
            "应到：本村 %(roll)s 户，须三分之二以上（至少 %(least)s 户）的代表到会"
        ),
        MeetingForm.REPRESENTATIVES: gettext(
            "应到：组成人员 %(roll)s 人，须三分之二以上（至少 %(least)s 人）到会"
        ),
    }[MeetingForm(form)] % {"roll": roll.roll, "least": least}
    if roll.added_from is not None:
        quorum += gettext("（按本村第%(version)s版备案规则）") % {"version": roll.added_from}
    return format_html('<strong>{}</strong> <span class="hint">{}</span>', name, quorum)


class StepCorrectForm(StepForm):
    """A recorded step corrected by its author: the same fields (files stay as recorded), the reason
    and the version of the page."""

    reason = forms.CharField(
        label=gettext_lazy("更正原因"),
        max_length=255,
        help_text=gettext_lazy("如：实到人数登记错误，按签到表更正"),
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, step: int, rolls: dict | None = None, **kwargs):
        super().__init__(*args, step=step, needs_reason=False, rolls=rolls, **kwargs)
        del self.fields["uploads"]


class FlagAnswerForm(forms.Form):
    flag_key = forms.CharField(
        widget=forms.HiddenInput,
        max_length=40,
        error_messages={"required": gettext_lazy("该风险提示已不存在，请刷新页面")},
    )
    answer = forms.CharField(
        label=gettext_lazy("处理意见"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=5000,
        error_messages={
            "required": gettext_lazy("请填写处理意见"),
            "max_length": gettext_lazy("处理意见不超过%(limit_value)d字"),
        },
    )


class FlagClueForm(forms.Form):
    flag_key = forms.CharField(widget=forms.HiddenInput, max_length=40)
    facts = forms.CharField(label=gettext_lazy("乡镇纪委意见（可选）"), required=False, max_length=5000)


class SplitAnswerForm(forms.Form):
    flag_key = forms.CharField(widget=forms.HiddenInput, max_length=64)
    answer = forms.CharField(
        label=gettext_lazy("处理意见"), widget=forms.Textarea(attrs={"rows": 2}), max_length=5000
    )


class SplitClueForm(forms.Form):
    flag_key = forms.CharField(widget=forms.HiddenInput, max_length=64)
    facts = forms.CharField(label=gettext_lazy("乡镇纪委意见（可选）"), required=False, max_length=5000)


class BoardFilterForm(forms.Form):
    # The villages of the user's jurisdiction, chosen with the unit picker (name or pinyin initials).
    village = UnitChoiceField(
        label=gettext_lazy("村（社区）"),
        queryset=OrgUnit.objects.none(),
        required=False,
        empty_label=gettext_lazy("全部"),
    )
    answered = forms.BooleanField(label=gettext_lazy("含已处理"), required=False)

    def __init__(self, *args, villages, **kwargs):
        super().__init__(*args, **kwargs)
        cast(UnitChoiceField, self.fields["village"]).queryset = villages


# --- the reimbursement chain ---------------------------------------------------------------------
class VoucherForm(forms.Form):
    purpose = forms.CharField(label=gettext_lazy("用途"), max_length=120)
    amount = forms.DecimalField(
        label=gettext_lazy("金额（元）"), min_value=0, max_digits=12, decimal_places=2
    )
    spent_on = forms.DateField(label=gettext_lazy("支出日期"), widget=forms.DateInput(attrs={"type": "date"}))
    handler_name = forms.CharField(label=gettext_lazy("经手人"), max_length=50)
    uploads = MultipleFileField(label=gettext_lazy("票据照片（可多选）"), max_files=9)
    # The duplicate-submit key (a new one per form page): sent twice, the form enters one voucher.
    client_uuid = forms.UUIDField(widget=forms.HiddenInput, required=False)


class SignForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    signer_name = forms.CharField(label=gettext_lazy("签字人"), max_length=50, required=False)
    opinion = forms.CharField(
        label=gettext_lazy("意见（提出异议时必填理由）"), max_length=500, required=False
    )
    objection = forms.BooleanField(label=gettext_lazy("提出异议（流程暂停，报乡镇纪委处理）"), required=False)


class ResolveForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    resume = forms.TypedChoiceField(
        label=gettext_lazy("处理结果"),
        coerce=lambda v: v == "1",
        choices=[("1", gettext_lazy("异议已处理，继续签字")), ("0", gettext_lazy("不予报销"))],
        widget=forms.RadioSelect,
    )
    resolution = forms.CharField(
        label=gettext_lazy("处理意见"), max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )


class ChainForm(forms.Form):
    """The order of the village signatures: a number per step (blank: not in the chain)."""

    township_approval_from = forms.DecimalField(
        label=gettext_lazy("乡镇领导签批起点（元）"), min_value=0, max_digits=12, decimal_places=2
    )
    objection_working_days = forms.IntegerField(
        label=gettext_lazy("异议处理时限（工作日）"), min_value=1, max_value=30
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, steps: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        for code, label in steps:
            self.fields[f"order_{code}"] = forms.IntegerField(
                label=gettext("%(label)s（第几步，空为不需要）") % {"label": label},
                required=False,
                min_value=1,
                max_value=9,
            )

    def chain(self) -> list[str]:
        orders = {k[6:]: v for k, v in self.cleaned_data.items() if k.startswith("order_") and v}
        if len(set(orders.values())) != len(orders):
            raise forms.ValidationError(gettext("各环节的顺序号不能相同"))
        return sorted(orders, key=orders.__getitem__)


class StatsForm(forms.Form):
    year = forms.IntegerField(min_value=2000, max_value=2100, required=False)


class BoardForm(forms.Form):
    duties = forms.CharField(
        label=gettext_lazy("亮职责"), max_length=2000, widget=forms.Textarea(attrs={"rows": 4})
    )
    commitments = forms.CharField(
        label=gettext_lazy("亮承诺"), max_length=2000, widget=forms.Textarea(attrs={"rows": 4})
    )
    contact = forms.CharField(
        label=gettext_lazy("联系方式"),
        max_length=200,
        required=False,
        help_text=gettext_lazy("如村委会办公电话、办公时间；手机号码须本人同意才公开"),
    )
    phone_consent = forms.BooleanField(label=gettext_lazy("本人同意公开上面的手机号码"), required=False)
    version = forms.IntegerField(widget=forms.HiddenInput)


class BoardPhotoForm(forms.Form):
    photo = forms.FileField(
        label=gettext_lazy("纪检委员照片"), help_text=gettext_lazy("正面免冠照片，JPG 或 PNG")
    )
