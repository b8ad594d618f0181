"""Forms of the integrity archive pages. They check the shape of the input and say what is wrong in
Chinese; the rules (keeper, jurisdiction, one archive per ID number, versions) are the services'."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from django import forms
from django.core.exceptions import ValidationError
from django.utils.text import format_lazy
from django.utils.translation import gettext, gettext_lazy

from jijian.core.forms import UNIT_SEARCH_MAX_LENGTH, OfferedUnitChoiceField, clean_unit_search
from jijian.core.models import CadreLevel, OrgUnit
from jijian.core.sensitive.crypto import mask_id_number
from jijian.core.validators import validate_id_number

from . import selectors
from .models import (
    FamilyRelation,
    IntegrityArchive,
    MattersItem,
    OpinionPurpose,
    OpinionVerdict,
    PartyStatus,
    RecordKind,
    SupervisedCategory,
)
from .sanctions import PROBATION_MONTHS, kind_choices

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


class ArchiveFilterForm(forms.Form):
    q = forms.CharField(
        label=gettext_lazy("姓名"),
        required=False,
        max_length=100,
        widget=forms.TextInput(
            attrs={
                "placeholder": gettext_lazy("完整姓名、拼音或首字母、身份证号"),
                "type": "search",
                "autocomplete": "off",
            }
        ),
    )
    post = forms.CharField(
        label=gettext_lazy("职务"),
        required=False,
        max_length=100,
        widget=forms.TextInput(
            attrs={
                "placeholder": gettext_lazy("职务中的字词，如：镇长"),
                "type": "search",
                "autocomplete": "off",
            }
        ),
    )
    unit_q = forms.CharField(
        label=gettext_lazy("查找单位"),
        required=False,
        widget=forms.TextInput(
            attrs={
                "placeholder": gettext_lazy("单位名称或拼音首字母"),
                "autocomplete": "off",
                "maxlength": UNIT_SEARCH_MAX_LENGTH,
            }
        ),
    )
    unit = OfferedUnitChoiceField(
        label=gettext_lazy("单位"),
        required=False,
        queryset=OrgUnit.objects.none(),
        empty_label=gettext_lazy("全部单位"),
        error_messages={"invalid_choice": gettext_lazy("所选单位不在本机关管辖范围内")},
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        # Accepts any unit of the jurisdiction above village level; lists a short list of them, the
        # rest is found by the unit search.
        units = selectors.filter_units(user)
        field = self.fields["unit"]
        searched = clean_unit_search(self.data.get("unit_q"))
        field.offer(
            accepted=units,
            offered=selectors.unit_search(units, q=searched)
            if searched
            else selectors.short_list(units, field.max_offered),
            searched=searched,
            current=self["unit"].value(),
        )

    def values(self) -> dict:
        data = self.cleaned_data if self.is_valid() else {}
        return {
            "q": (data.get("q") or "").strip(),
            "unit": data.get("unit"),
            "post": (data.get("post") or "").strip(),
        }


class ArchiveForm(forms.Form):
    """Create (archive=None) or edit. On edit the ID number field starts empty — the page never shows
    the full number; left empty, the number on file is kept — and a version field carries the version
    the page was read at."""

    name = forms.CharField(
        label=gettext_lazy("姓名"), max_length=100, error_messages={"required": gettext_lazy("请填写姓名")}
    )
    id_number = forms.CharField(
        label=gettext_lazy("身份证号"),
        required=False,
        max_length=18,
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "text"}),
        error_messages={"max_length": gettext_lazy("身份证号应为18位，前17位为数字，末位为数字或X")},
    )
    org_unit = OfferedUnitChoiceField(
        label=gettext_lazy("所在单位"),
        queryset=OrgUnit.objects.none(),
        empty_label=gettext_lazy("请选择单位"),
        error_messages={
            "required": gettext_lazy("请选择所在单位"),
            "invalid_choice": gettext_lazy("所选单位不在本机关管辖范围内"),
        },
        help_text=gettext_lazy("列出本机关管辖的乡镇（街道）及以上单位；村（社区）等其他单位请在上方查找"),
    )
    post = forms.CharField(label=gettext_lazy("职务"), max_length=100, required=False)
    level = forms.ChoiceField(
        label=gettext_lazy("级别"),
        choices=CadreLevel.choices,
        initial=CadreLevel.OTHER,
        error_messages={"required": gettext_lazy("请选择级别"), "invalid_choice": gettext_lazy("请选择级别")},
    )
    category = forms.ChoiceField(
        label=gettext_lazy("监察对象类别"),
        choices=SupervisedCategory.choices,
        initial=SupervisedCategory.OTHER,
        required=False,
        error_messages={"invalid_choice": gettext_lazy("请选择监察对象类别")},
    )
    party_status = forms.ChoiceField(
        label=gettext_lazy("政治面貌"),
        choices=PartyStatus.choices,
        initial=PartyStatus.MEMBER,
        required=False,
        error_messages={"invalid_choice": gettext_lazy("请选择政治面貌")},
    )
    notes = forms.CharField(
        label=gettext_lazy("备注"),
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"max_length": gettext_lazy("备注不超过5000字")},
    )

    def __init__(self, *args, user, archive=None, unit_q: object = "", **kwargs):
        if archive is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "name": archive.name,
                "org_unit": archive.org_unit_id,
                "post": archive.post,
                "level": archive.level,
                "category": archive.category,
                "party_status": archive.party_status,
                "notes": archive.notes,
                "version": archive.version,
            }
        super().__init__(*args, **kwargs)
        self.archive = archive
        # Accepts any unit of the jurisdiction; lists a short list of the units above village level
        # (selectors.short_list), or the search results for `unit_q` (villages included), and the
        # unit already chosen.
        units = selectors.keeper_units(user, current=archive.org_unit if archive else None)
        searched = clean_unit_search(unit_q)
        org_unit = cast(OfferedUnitChoiceField, self.fields["org_unit"])
        org_unit.offer(
            accepted=units,
            offered=selectors.unit_search(units, q=searched)
            if searched
            else selectors.short_list(selectors.filter_units(user), org_unit.max_offered),
            searched=searched,
            current=self["org_unit"].value(),
        )
        if archive is None:
            self.fields["id_number"].help_text = gettext("选填，18位居民身份证号")
        else:
            self.fields["version"] = forms.IntegerField(
                widget=forms.HiddenInput, error_messages={"required": gettext("页面已过期，请刷新后重试")}
            )
            if archive.id_number:
                self.fields["id_number"].help_text = gettext(
                    "已登记 %(mask_id_number)s；不修改请留空，填写则替换"
                ) % {"mask_id_number": mask_id_number(archive.id_number)}
                self.fields["clear_id_number"] = forms.BooleanField(
                    label=gettext("删除已登记的身份证号"), required=False
                )
            else:
                self.fields["id_number"].help_text = gettext("尚未登记，选填")

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        if not name:
            raise ValidationError(gettext("请填写姓名"))
        return name

    def clean_id_number(self) -> str:
        value = (self.cleaned_data.get("id_number") or "").strip().upper()
        return validate_id_number(value) if value else ""

    def clean(self):
        data = super().clean()
        if data.get("clear_id_number") and data.get("id_number"):
            self.add_error("id_number", gettext("删除身份证号时请勿同时填写新号码"))
        return data

    def service_fields(self) -> dict:
        """The keyword arguments for services.archive_create / archive_update."""
        data = self.cleaned_data
        fields = {k: data[k] for k in ("name", "org_unit", "post", "level", "notes")}
        # Not given (an older form): the archive's own, or the default of a new archive.
        fields["category"] = data.get("category") or (
            self.archive.category if self.archive else SupervisedCategory.OTHER
        )
        fields["party_status"] = data.get("party_status") or (
            self.archive.party_status if self.archive else PartyStatus.NONE
        )
        if self.archive is None:
            fields["id_number"] = data["id_number"]
        elif data.get("clear_id_number"):
            fields["id_number"] = ""
        elif data["id_number"]:
            fields["id_number"] = data["id_number"]
        # else: not given, the service keeps the number on file
        return fields


class OpenForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("查阅事由"),
        max_length=200,
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "placeholder": gettext_lazy("如：党风廉政意见回复、线索核查")}
        ),
        error_messages={
            "required": gettext_lazy("请填写查阅事由"),
            "max_length": gettext_lazy("查阅事由不超过200字"),
        },
    )


IMPORT_MAX_BYTES = 10 * 1024 * 1024


# --- sections ------------------------------------------------------------------------------------
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class SectionForm(forms.Form):
    source = forms.CharField(
        label=gettext_lazy("材料来源"),
        max_length=100,
        widget=forms.TextInput(attrs={"placeholder": gettext_lazy("如：本人填报、组织部提供、审计局")}),
        error_messages={
            "required": gettext_lazy("请填写材料来源"),
            "max_length": gettext_lazy("材料来源不超过100字"),
        },
    )
    recorded_on = forms.DateField(
        label=gettext_lazy("材料日期"),
        widget=DATE,
        error_messages={
            "required": gettext_lazy("请填写材料日期"),
            "invalid": gettext_lazy("日期格式不正确"),
        },
    )
    # A correction: the withdrawn entry of this section the new one replaces (…/add/<section>/?corrects=).
    corrects = forms.IntegerField(
        required=False,
        min_value=1,
        widget=forms.HiddenInput,
        error_messages={
            "invalid": gettext_lazy("页面已过期，请刷新后重试"),
            "min_value": gettext_lazy("页面已过期，请刷新后重试"),
        },
    )


class WithdrawForm(forms.Form):
    """Withdraw (撤销) an entry entered in error: the reason, and the entry's version the page showed."""

    reason = forms.CharField(
        label=gettext_lazy("撤销理由"),
        max_length=500,
        widget=forms.Textarea(
            attrs={"rows": 3, "placeholder": gettext_lazy("如：误录入他人材料、决定日期录入错误")}
        ),
        error_messages={
            "required": gettext_lazy("请填写撤销理由"),
            "max_length": gettext_lazy("撤销理由不超过500字"),
        },
    )
    version = forms.IntegerField(
        widget=forms.HiddenInput, error_messages={"required": gettext_lazy("页面已过期，请刷新后重试")}
    )


class FamilyForm(SectionForm):
    relation = forms.ChoiceField(
        label=gettext_lazy("与本人关系"),
        choices=[("", gettext_lazy("请选择")), *FamilyRelation.choices],
        error_messages={
            "required": gettext_lazy("请选择与本人的关系"),
            "invalid_choice": gettext_lazy("请选择与本人的关系"),
        },
    )
    name = forms.CharField(
        label=gettext_lazy("姓名"),
        max_length=100,
        error_messages={"required": gettext_lazy("请填写家庭成员姓名")},
    )
    employer = forms.CharField(label=gettext_lazy("工作单位"), max_length=200, required=False)
    occupation = forms.CharField(label=gettext_lazy("职务或从业情况"), max_length=200, required=False)
    field_order = ["relation", "name", "employer", "occupation", "source", "recorded_on"]


class MattersForm(SectionForm):
    year = forms.IntegerField(
        label=gettext_lazy("报告年度"),
        min_value=2000,
        max_value=2100,
        error_messages={
            "required": gettext_lazy("请填写报告年度"),
            "invalid": gettext_lazy("报告年度应为四位年份"),
        },
    )
    items = forms.MultipleChoiceField(
        label=gettext_lazy("有变化的事项"),
        choices=MattersItem.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("不勾选表示本年度各事项均无变化"),
    )
    summary = forms.CharField(
        label=gettext_lazy("报告内容摘要"),
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    field_order = ["year", "recorded_on", "items", "summary", "source"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["recorded_on"].label = gettext("填报日期")


class SanctionForm(SectionForm):
    kind = forms.ChoiceField(
        label=gettext_lazy("处分或处理"),
        choices=[("", gettext_lazy("请选择")), *kind_choices()],
        error_messages={
            "required": gettext_lazy("请选择处分或处理种类"),
            "invalid_choice": gettext_lazy("请选择处分或处理种类"),
        },
    )
    decided_on = forms.DateField(
        label=gettext_lazy("决定（生效）日期"),
        widget=DATE,
        error_messages={
            "required": gettext_lazy("请填写决定日期"),
            "invalid": gettext_lazy("日期格式不正确"),
        },
    )
    probation_months = forms.TypedChoiceField(
        label=gettext_lazy("察看期（仅留党察看）"),
        coerce=int,
        choices=[
            ("0", "—"),
            *[(str(m), format_lazy(gettext_lazy("{years}年"), years=m // 12)) for m in PROBATION_MONTHS],
        ],
        required=False,
        empty_value="0",
    )
    authority = forms.CharField(label=gettext_lazy("决定机关"), max_length=200, required=False)
    reason = forms.CharField(
        label=gettext_lazy("事由"), max_length=5000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    field_order = ["kind", "decided_on", "probation_months", "authority", "reason", "source", "recorded_on"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["recorded_on"].required = False
        self.fields["recorded_on"].help_text = gettext("留空即为决定日期")


class RecordForm(SectionForm):
    kind = forms.ChoiceField(
        label=gettext_lazy("类别"),
        choices=[("", gettext_lazy("请选择")), *RecordKind.choices],
        error_messages={
            "required": gettext_lazy("请选择记录类别"),
            "invalid_choice": gettext_lazy("请选择记录类别"),
        },
    )
    summary = forms.CharField(
        label=gettext_lazy("内容"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": gettext_lazy("请填写内容")},
    )
    amount = forms.DecimalField(
        label=gettext_lazy("价值（元，礼品礼金填写）"),
        required=False,
        min_value=0,
        max_digits=12,
        decimal_places=2,
        error_messages={"invalid": gettext_lazy("请填写金额"), "min_value": gettext_lazy("价值不能为负数")},
    )
    field_order = ["kind", "recorded_on", "summary", "amount", "source"]


SECTION_FORMS = {
    "family": (FamilyForm, gettext_lazy("家庭成员")),
    "matters": (MattersForm, gettext_lazy("个人有关事项报告")),
    "sanction": (SanctionForm, gettext_lazy("处分及组织处理")),
    "record": (RecordForm, gettext_lazy("廉政谈话、批评教育类处理、承诺、礼品、审计与考核")),
}


class MergeForm(forms.Form):
    duplicate: forms.ModelChoiceField = forms.ModelChoiceField(
        label=gettext_lazy("并入本档案的重复档案"),
        queryset=IntegrityArchive.objects.none(),
        widget=forms.RadioSelect,
        error_messages={
            "required": gettext_lazy("请选择重复的档案"),
            "invalid_choice": gettext_lazy("请选择重复的档案"),
        },
    )
    reason = forms.CharField(
        label=gettext_lazy("合并理由"),
        max_length=200,
        error_messages={
            "required": gettext_lazy("请填写合并理由"),
            "max_length": gettext_lazy("合并理由不超过200字"),
        },
    )

    def __init__(self, *args, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        field = cast(forms.ModelChoiceField, self.fields["duplicate"])
        field.queryset = candidates
        field.label_from_instance = lambda a: (
            f"#{a.pk} {a.name}，{a.org_unit.name} {a.post}，身份证号 {mask_id_number(a.id_number) or '未登记'}"
        )


# --- integrity opinion replies -------------------------------------------------------------------
class OpinionRequestForm(forms.Form):
    ref_no = forms.CharField(
        label=gettext_lazy("来函文号"),
        max_length=60,
        widget=forms.TextInput(attrs={"placeholder": gettext_lazy("如：随组函〔2026〕12号")}),
        error_messages={
            "required": gettext_lazy("请填写来函文号"),
            "max_length": gettext_lazy("来函文号不超过60字"),
        },
    )
    purpose = forms.ChoiceField(
        label=gettext_lazy("征求意见事由"),
        choices=[("", gettext_lazy("请选择")), *OpinionPurpose.choices],
        error_messages={
            "required": gettext_lazy("请选择征求意见事由"),
            "invalid_choice": gettext_lazy("请选择征求意见事由"),
        },
    )
    persons = forms.CharField(
        label=gettext_lazy("人员名单"),
        widget=forms.Textarea(
            attrs={
                "rows": 8,
                "placeholder": gettext_lazy(
                    "每行一人：姓名 身份证号 单位职务\n如：刘某 421321198001010011 厉山镇副镇长"
                ),
            }
        ),
        help_text=gettext_lazy("每行一人；身份证号选填，填写后按身份证号核对档案，否则按姓名核对"),
        required=False,
    )
    file = forms.FileField(
        label=gettext_lazy("或上传名单（Excel）"),
        required=False,
        help_text=gettext_lazy(
            "表头：姓名、身份证号（选填）、单位职务（选填）；只能有一个工作表，不能有合并单元格"
        ),
    )
    note = forms.CharField(label=gettext_lazy("说明"), max_length=200, required=False)

    def __init__(self, *args, kept: bool = False, **kwargs):
        """`kept`: an Excel list held from an earlier post with an error comes with this one."""
        super().__init__(*args, **kwargs)
        self.kept = kept

    def clean_file(self):
        f = self.cleaned_data.get("file")
        if f and (f.size > IMPORT_MAX_BYTES or not f.name.lower().endswith(".xlsx")):
            raise ValidationError(gettext("请上传不超过10MB的 Excel（.xlsx）文件"))
        return f

    def clean(self):
        data = super().clean()
        uploaded = data.get("file") or self.kept
        if not (data.get("persons") or "").strip() and not uploaded and "file" not in self.errors:
            self.add_error("persons", gettext("请填写征求意见的人员名单，或上传 Excel 名单"))
        elif (data.get("persons") or "").strip() and uploaded:
            self.add_error("file", gettext("请只用一种方式提供名单：填写或上传"))
        return data


class OpinionDraftForm(forms.Form):
    """The answering office's choice per person (empty: the proposed verdict)."""

    version = forms.IntegerField(
        widget=forms.HiddenInput, error_messages={"required": gettext_lazy("页面已过期，请刷新后重试")}
    )

    def __init__(self, *args, persons=(), **kwargs):
        super().__init__(*args, **kwargs)
        for p in persons:
            self.fields[f"verdict_{p.pk}"] = forms.ChoiceField(
                label=p.name,
                required=False,
                choices=[("", gettext_lazy("按系统建议")), *OpinionVerdict.choices],
                error_messages={"invalid_choice": gettext("请选择意见")},
            )

    def chosen(self) -> dict[int, str]:
        return {
            int(k.removeprefix("verdict_")): v
            for k, v in self.cleaned_data.items()
            if k.startswith("verdict_") and v
        }


class VersionForm(forms.Form):
    version = forms.IntegerField(
        widget=forms.HiddenInput, error_messages={"required": gettext_lazy("页面已过期，请刷新后重试")}
    )


class EndorseForm(forms.Form):
    version = forms.IntegerField(
        widget=forms.HiddenInput, error_messages={"required": gettext_lazy("页面已过期，请刷新后重试")}
    )
    office = forms.CharField(widget=forms.HiddenInput)
    note = forms.CharField(
        label=gettext_lazy("核查说明"),
        max_length=500,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": gettext_lazy("选填，如：本室未收到其他反映")}),
        error_messages={"max_length": gettext_lazy("核查说明不超过500字")},
    )


def import_choices() -> list[tuple[str, StrOrPromise]]:
    from .imports import SECTIONS

    return [("persons", gettext_lazy("监察对象（新建档案）")), *((s.key, s.label) for s in SECTIONS.values())]


class ImportForm(forms.Form):
    what = forms.ChoiceField(
        label=gettext_lazy("导入内容"),
        choices=import_choices,
        initial="persons",
        required=False,  # a form without it (the first version of the page) imports persons
        error_messages={"invalid_choice": gettext_lazy("请选择导入内容")},
    )

    def clean_what(self):
        return self.cleaned_data.get("what") or "persons"

    file = forms.FileField(
        label=gettext_lazy("Excel 文件（.xlsx）"),
        error_messages={
            "required": gettext_lazy("请选择要导入的 Excel 文件"),
            "empty": gettext_lazy("文件为空"),
        },
    )

    def clean_file(self):
        f = self.cleaned_data["file"]
        if f.size > IMPORT_MAX_BYTES:
            raise ValidationError(gettext("文件超过10MB，请拆分后导入"))
        if not f.name.lower().endswith(".xlsx"):
            raise ValidationError(gettext("请上传 Excel（.xlsx）文件"))
        return f


class PhotoForm(forms.Form):
    photo = forms.FileField(
        label=gettext_lazy("照片（JPG、PNG 或 WebP）"),
        error_messages={"required": gettext_lazy("请选择照片文件"), "empty": gettext_lazy("文件为空")},
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )
