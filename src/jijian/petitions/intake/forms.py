"""Forms of the public portal. Real-name reports need a name, a valid ID number and a valid mobile;
anonymous ones need none and keep none (whatever was typed is dropped)."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext, gettext_lazy

from jijian.core.forms import MultipleFileField, UnitChoiceField
from jijian.core.models import COUNTY_KINDS, TOWNSHIP_KINDS, VILLAGE_KINDS, CadreLevel, OrgKind, OrgUnit
from jijian.core.validators import validate_id_number, validate_mobile
from jijian.petitions.models import Category, Matter

MAX_FILES = 5
REGION_KINDS = {OrgKind.CITY, *COUNTY_KINDS, OrgKind.MANAGEMENT_ZONE, *TOWNSHIP_KINDS}


class RegionChoiceField(UnitChoiceField):
    """A region (city, county, zone, township): the whole list is sent, chosen with the unit picker
    (search by name or pinyin initials, core.forms.UnitSelect), indented as a tree."""

    indent = True


def region_choices():
    return OrgUnit.objects.filter(is_active=True, kind__in=REGION_KINDS).order_by("path")


def initial_for_place(value: str | None) -> dict:
    """The form's initial values for `?region=<id>` (a village's 四亮 poster QR code opens the form
    so): a region of the list is chosen as it is; a village or community chooses its township and
    fills the accused's unit with the village's name. Anything else (not a number, unknown, inactive)
    pre-fills nothing."""
    try:
        pk = int(value or "")
    except ValueError:
        return {}
    unit = OrgUnit.objects.filter(pk=pk, is_active=True).select_related("parent").first()
    if unit is None:
        return {}
    if unit.kind in VILLAGE_KINDS and unit.parent is not None:
        if region_choices().filter(pk=unit.parent_id).exists():
            return {"region": unit.parent_id, "accused_unit": unit.name}
        return {}
    return {"region": unit.pk} if region_choices().filter(pk=unit.pk).exists() else {}


class PetitionForm(forms.Form):
    category = forms.ChoiceField(label=gettext_lazy("举报类别"), choices=Category.choices)
    region = RegionChoiceField(
        label=gettext_lazy("问题发生地（县市区或乡镇）"),
        queryset=OrgUnit.objects.none(),
        empty_label=gettext_lazy("请选择"),
        help_text=gettext_lazy("决定由哪一级纪委监委受理"),
        error_messages={
            "required": gettext_lazy("请选择问题发生地（县市区或乡镇），可输入名称或拼音首字母查找"),
            "invalid_choice": gettext_lazy("请从列表中选择地区"),
        },
    )
    accused_name = forms.CharField(label=gettext_lazy("被反映人姓名"), max_length=100, required=False)
    accused_unit = forms.CharField(label=gettext_lazy("被反映人单位"), max_length=200, required=False)
    accused_post = forms.CharField(label=gettext_lazy("被反映人职务"), max_length=100, required=False)
    accused_level = forms.ChoiceField(
        label=gettext_lazy("被反映人级别"), choices=CadreLevel.choices, initial=CadreLevel.OTHER
    )
    matter = forms.ChoiceField(
        label=gettext_lazy("反映问题类别"), choices=Matter.choices, initial=Matter.OTHER
    )
    facts = forms.CharField(
        label=gettext_lazy("主要问题和事实"),
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=gettext_lazy("请写明时间、地点、人物、经过，以及可以查证的线索"),
        error_messages={"required": gettext_lazy("请填写反映的主要问题和事实")},
    )
    evidence = MultipleFileField(
        label=gettext_lazy("证据材料（可选，最多 5 个：图片、PDF、Office 文档）"), max_files=MAX_FILES
    )
    is_anonymous = forms.TypedChoiceField(
        label=gettext_lazy("举报方式"),
        choices=[("1", gettext_lazy("匿名举报")), ("0", gettext_lazy("实名举报"))],
        coerce=lambda v: v == "1",
        initial="1",
        widget=forms.RadioSelect,
        help_text=gettext_lazy("实名举报会收到受理和办理结果告知；匿名举报不记录任何身份信息"),
    )
    reporter_name = forms.CharField(label=gettext_lazy("姓名"), max_length=50, required=False)
    reporter_id_number = forms.CharField(label=gettext_lazy("身份证号"), max_length=18, required=False)
    reporter_phone = forms.CharField(label=gettext_lazy("手机号码"), max_length=20, required=False)
    # Filled by pow.js.
    pow_challenge = forms.CharField(widget=forms.HiddenInput, required=False)
    pow_nonce = forms.CharField(widget=forms.HiddenInput, required=False)

    IDENTITY = ("reporter_name", "reporter_id_number", "reporter_phone")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = region_choices()

    def clean_facts(self):
        facts = self.cleaned_data["facts"].strip()
        if len(facts) < 10:
            raise ValidationError(gettext("反映的问题和事实过于简单，请至少写 10 个字"))
        return facts

    def clean(self):
        data = super().clean()
        if data.get("is_anonymous", True):
            for name in self.IDENTITY:  # anonymous: nothing of who they are is kept
                data[name] = ""
            return data
        name = (data.get("reporter_name") or "").strip()
        if not name:
            self.add_error("reporter_name", gettext("实名举报请填写姓名"))
        data["reporter_name"] = name
        for field, validate in (
            ("reporter_id_number", validate_id_number),
            ("reporter_phone", validate_mobile),
        ):
            raw = data.get(field) or ""
            if not raw.strip():
                self.add_error(field, "实名举报请填写" + self.fields[field].label)
                continue
            try:
                data[field] = validate(raw)
            except ValidationError as error:
                self.add_error(field, error)
        return data


class FollowForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("查询码"),
        max_length=40,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off", "spellcheck": "false"}),
        error_messages={"required": gettext_lazy("请输入查询码")},
    )


class ReplyForm(forms.Form):
    body = forms.CharField(
        label=gettext_lazy("补充说明"),
        max_length=20000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    evidence = MultipleFileField(label=gettext_lazy("补充材料（可选）"), max_files=MAX_FILES)

    def __init__(self, *args, kept: int = 0, **kwargs):
        """`kept`: how many files held from an earlier post with an error come with this one."""
        super().__init__(*args, **kwargs)
        self.kept = kept

    def clean(self):
        data = super().clean()
        data["body"] = (data.get("body") or "").strip()
        chosen = len(data.get("evidence") or [])
        if not data["body"] and not chosen and not self.kept:
            raise ValidationError(gettext("请填写补充说明或选择要补充的材料"))
        if "evidence" in data and chosen + self.kept > MAX_FILES:
            self.add_error(
                "evidence",
                gettext("最多上传 %(MAX_FILES)s 个文件（含已附的文件）") % {"MAX_FILES": MAX_FILES},
            )
        return data


class ObjectionOnlineForm(forms.Form):
    """The reporter's objection to the result, on the follow page (text only)."""

    version = forms.IntegerField(
        widget=forms.HiddenInput, error_messages={"required": gettext_lazy("页面已过期，请重新查询")}
    )
    text = forms.CharField(
        label=gettext_lazy("异议内容（对办理结果不服的理由）"),
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={
            "required": gettext_lazy("请填写异议内容"),
            "max_length": gettext_lazy("异议内容不能超过 10000 字"),
        },
    )
    new_facts = forms.CharField(
        label=gettext_lazy("新的事实或理由"),
        required=False,
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"max_length": gettext_lazy("不能超过 10000 字")},
    )

    def __init__(self, *args, needs_new_facts: bool = False, **kwargs):
        """`needs_new_facts`: an earlier objection was answered; without it the field is left out."""
        super().__init__(*args, **kwargs)
        if needs_new_facts:
            self.fields["new_facts"].required = True
            self.fields["new_facts"].error_messages["required"] = (
                "此前的异议已答复，再次提出须说明新的事实或理由"
            )
        else:
            del self.fields["new_facts"]
