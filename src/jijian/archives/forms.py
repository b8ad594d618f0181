"""Forms of the integrity archive pages. They check the shape of the input and say what is wrong in
Chinese; the rules (keeper, jurisdiction, one archive per ID number, versions) are the services'."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError

from jijian.core.crypto import mask_id_number
from jijian.core.forms import UNIT_SEARCH_MAX_LENGTH, OfferedUnitChoiceField, clean_unit_search
from jijian.core.models import OrgUnit
from jijian.core.validators import validate_id_number
from jijian.petitions.models import AccusedLevel

from . import selectors


class ArchiveFilterForm(forms.Form):
    q = forms.CharField(
        label="姓名",
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"placeholder": "完整姓名", "type": "search", "autocomplete": "off"}),
    )
    unit_q = forms.CharField(
        label="查找单位",
        required=False,
        widget=forms.TextInput(
            attrs={
                "placeholder": "单位名称或拼音首字母",
                "autocomplete": "off",
                "maxlength": UNIT_SEARCH_MAX_LENGTH,
            }
        ),
    )
    unit = OfferedUnitChoiceField(
        label="单位",
        required=False,
        queryset=OrgUnit.objects.none(),
        empty_label="全部单位",
        error_messages={"invalid_choice": "所选单位不在本机关管辖范围内"},
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
        return {"q": (data.get("q") or "").strip(), "unit": data.get("unit")}


class ArchiveForm(forms.Form):
    """Create (archive=None) or edit. On edit the ID number field starts empty — the page never shows
    the full number; left empty, the number on file is kept — and a version field carries the version
    the page was read at."""

    name = forms.CharField(label="姓名", max_length=100, error_messages={"required": "请填写姓名"})
    id_number = forms.CharField(
        label="身份证号",
        required=False,
        max_length=18,
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "text"}),
        error_messages={"max_length": "身份证号应为18位，前17位为数字，末位为数字或X"},
    )
    org_unit = OfferedUnitChoiceField(
        label="所在单位",
        queryset=OrgUnit.objects.none(),
        empty_label="请选择单位",
        error_messages={"required": "请选择所在单位", "invalid_choice": "所选单位不在本机关管辖范围内"},
        help_text="列出本机关管辖的乡镇（街道）及以上单位；村（社区）等其他单位请在上方查找",
    )
    post = forms.CharField(label="职务", max_length=100, required=False)
    level = forms.ChoiceField(
        label="级别",
        choices=AccusedLevel.choices,
        initial=AccusedLevel.OTHER,
        error_messages={"required": "请选择级别", "invalid_choice": "请选择级别"},
    )
    notes = forms.CharField(
        label="备注",
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"max_length": "备注不超过5000字"},
    )

    def __init__(self, *args, user, archive=None, unit_q: object = "", **kwargs):
        if archive is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "name": archive.name,
                "org_unit": archive.org_unit_id,
                "post": archive.post,
                "level": archive.level,
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
        self.fields["org_unit"].offer(
            accepted=units,
            offered=selectors.unit_search(units, q=searched)
            if searched
            else selectors.short_list(selectors.filter_units(user), self.fields["org_unit"].max_offered),
            searched=searched,
            current=self["org_unit"].value(),
        )
        if archive is None:
            self.fields["id_number"].help_text = "选填，18位居民身份证号"
        else:
            self.fields["version"] = forms.IntegerField(
                widget=forms.HiddenInput, error_messages={"required": "页面已过期，请刷新后重试"}
            )
            if archive.id_number:
                self.fields[
                    "id_number"
                ].help_text = f"已登记 {mask_id_number(archive.id_number)}；不修改请留空，填写则替换"
                self.fields["clear_id_number"] = forms.BooleanField(
                    label="删除已登记的身份证号", required=False
                )
            else:
                self.fields["id_number"].help_text = "尚未登记，选填"

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        if not name:
            raise ValidationError("请填写姓名")
        return name

    def clean_id_number(self) -> str:
        value = (self.cleaned_data.get("id_number") or "").strip().upper()
        return validate_id_number(value) if value else ""

    def clean(self):
        data = super().clean()
        if data.get("clear_id_number") and data.get("id_number"):
            self.add_error("id_number", "删除身份证号时请勿同时填写新号码")
        return data

    def service_fields(self) -> dict:
        """The keyword arguments for services.archive_create / archive_update."""
        data = self.cleaned_data
        fields = {k: data[k] for k in ("name", "org_unit", "post", "level", "notes")}
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
        label="查阅事由",
        max_length=200,
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "placeholder": "如：党风廉政意见回复、线索核查"}
        ),
        error_messages={"required": "请填写查阅事由", "max_length": "查阅事由不超过200字"},
    )
