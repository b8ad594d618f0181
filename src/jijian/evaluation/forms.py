"""Input parsing of evaluation pages; the rules (weights summing to 100, score ranges, who may) live
in services so they hold for the API too."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext, gettext_lazy

from jijian.core.forms import UnitChoiceField

from .scoring import DEFAULT_GRADES

GRADE_ROWS = 5
ITEM_ROWS = 8


class RubricForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("名称"), max_length=100)
    year = forms.IntegerField(label=gettext_lazy("年度"), min_value=2000, max_value=2100)
    weight_reports = forms.IntegerField(label=gettext_lazy("月报履职权重（%）"), min_value=0, max_value=100)
    weight_training = forms.IntegerField(label=gettext_lazy("学习考试权重（%）"), min_value=0, max_value=100)
    weight_guidance = forms.IntegerField(label=gettext_lazy("派单办理权重（%）"), min_value=0, max_value=100)
    weight_township = forms.IntegerField(label=gettext_lazy("乡镇评价权重（%）"), min_value=0, max_value=100)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, rubric=None, **kwargs):
        if rubric is not None and "initial" not in kwargs:
            initial = {
                f: getattr(rubric, f)
                for f in (
                    "name",
                    "year",
                    "weight_reports",
                    "weight_training",
                    "weight_guidance",
                    "weight_township",
                    "version",
                )
            }
            grades = rubric.grades
        else:
            initial = {
                "weight_reports": 40,
                "weight_training": 20,
                "weight_guidance": 10,
                "weight_township": 30,
            }
            grades = DEFAULT_GRADES
        for i, g in enumerate(grades[:GRADE_ROWS], start=1):
            initial |= {
                f"g{i}_label": g["label"],
                f"g{i}_min": g["min"],
                f"g{i}_coefficient": g["coefficient"],
                f"g{i}_code": g["grade"],
            }
        kwargs.setdefault("initial", initial)
        super().__init__(*args, **kwargs)
        for i in range(1, GRADE_ROWS + 1):
            self.fields[f"g{i}_code"] = forms.CharField(required=False, widget=forms.HiddenInput)
            self.fields[f"g{i}_label"] = forms.CharField(
                label=gettext("等次%(i)s") % {"i": i}, max_length=20, required=False
            )
            self.fields[f"g{i}_min"] = forms.DecimalField(
                label=gettext("最低分"), required=False, min_value=0, max_value=100
            )
            self.fields[f"g{i}_coefficient"] = forms.DecimalField(
                label=gettext("补贴系数"), required=False, min_value=0, max_value=5, decimal_places=2
            )

    def grade_rows(self):
        return [
            (self[f"g{i}_code"], self[f"g{i}_label"], self[f"g{i}_min"], self[f"g{i}_coefficient"])
            for i in range(1, GRADE_ROWS + 1)
        ]

    def service_kwargs(self) -> dict:
        d = self.cleaned_data
        grades = []
        for i in range(1, GRADE_ROWS + 1):
            if (d.get(f"g{i}_label") or "").strip():
                grades.append(
                    {
                        "grade": d.get(f"g{i}_code") or f"g{i}",
                        "label": d[f"g{i}_label"],
                        "min": d.get(f"g{i}_min"),
                        "coefficient": d.get(f"g{i}_coefficient"),
                    }
                )
        return {
            "name": d["name"],
            "year": d["year"],
            "weights": {k: d[f"weight_{k}"] for k in ("reports", "training", "guidance", "township")},
            "grades": grades,
            "version": d.get("version"),
        }


class CheckRubricForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("名称"), max_length=100)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, rubric=None, **kwargs):
        initial = {}
        if rubric is not None:
            initial = {"name": rubric.name, "version": rubric.version}
            for i, item in enumerate(rubric.items[:ITEM_ROWS], start=1):
                initial |= {
                    f"i{i}_ask": item["ask"],
                    f"i{i}_look": item["look"],
                    f"i{i}_max": item["max"],
                    f"i{i}_code": item["code"],
                }
        kwargs.setdefault("initial", initial)
        super().__init__(*args, **kwargs)
        for i in range(1, ITEM_ROWS + 1):
            self.fields[f"i{i}_code"] = forms.CharField(required=False, widget=forms.HiddenInput)
            self.fields[f"i{i}_ask"] = forms.CharField(
                label=gettext("第%(i)s问") % {"i": i}, max_length=200, required=False
            )
            self.fields[f"i{i}_look"] = forms.CharField(label=gettext("看"), max_length=200, required=False)
            self.fields[f"i{i}_max"] = forms.IntegerField(label=gettext("分值"), required=False)

    def item_rows(self):
        return [
            (self[f"i{i}_code"], self[f"i{i}_ask"], self[f"i{i}_look"], self[f"i{i}_max"])
            for i in range(1, ITEM_ROWS + 1)
        ]

    def service_kwargs(self) -> dict:
        d = self.cleaned_data
        items = [
            {
                "code": d.get(f"i{i}_code") or f"q{i}",
                "ask": d.get(f"i{i}_ask") or "",
                "look": d.get(f"i{i}_look") or "",
                "max": d.get(f"i{i}_max"),
            }
            for i in range(1, ITEM_ROWS + 1)
        ]
        return {"name": d["name"], "items": items, "version": d.get("version")}


class AssessForm(forms.Form):
    township_score = forms.IntegerField(
        label=gettext_lazy("乡镇评价得分（0～100）"), min_value=0, max_value=100
    )
    comment = forms.CharField(
        label=gettext_lazy("评价意见"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=2000,
    )
    version = forms.IntegerField(widget=forms.HiddenInput)


class RoundForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("名称"), max_length=100)
    year = forms.IntegerField(label=gettext_lazy("年度"), min_value=2000, max_value=2100)
    rubric: forms.ModelChoiceField = forms.ModelChoiceField(
        label=gettext_lazy("互查清单"), queryset=None, empty_label=gettext_lazy("请选择")
    )

    def __init__(self, *args, rubrics, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["rubric"].queryset = rubrics


class PairForm(forms.Form):
    # The organiser's townships and counties: a list short enough to send whole, with the unit picker.
    checker: forms.ModelChoiceField = UnitChoiceField(
        label=gettext_lazy("检查单位"), queryset=None, empty_label=gettext_lazy("请选择")
    )
    checked: forms.ModelChoiceField = UnitChoiceField(
        label=gettext_lazy("被检查单位"), queryset=None, empty_label=gettext_lazy("请选择")
    )

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["checker"].queryset = units
        self.fields["checked"].queryset = units


class ScoreForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, items, scores, **kwargs):
        super().__init__(*args, **kwargs)
        for item in items:
            self.fields[item["code"]] = forms.IntegerField(
                label=gettext("问：%(ask)s　看：%(look)s（满分 %(max)s）")
                % {"ask": item["ask"], "look": item["look"], "max": item["max"]},
                min_value=0,
                max_value=int(item["max"]),
                initial=scores.get(item["code"]),
            )
        self.codes = [i["code"] for i in items]


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": "image/*"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, (list, tuple)):
            return [single(d, initial) for d in data if d]
        return [single(data, initial)] if data else []


class FindingForm(forms.Form):
    item_code = forms.ChoiceField(label=gettext_lazy("检查项目"))
    description = forms.CharField(
        label=gettext_lazy("发现的问题"), widget=forms.Textarea(attrs={"rows": 3}), max_length=4000
    )
    lesson = forms.CharField(
        label=gettext_lazy("经验启示（互鉴）"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=4000,
    )
    share = forms.BooleanField(label=gettext_lazy("推荐为履职手册典型案例"), required=False)
    photos = MultipleFileField(label=gettext_lazy("照片"), required=False)

    def __init__(self, *args, items, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["item_code"].choices = [(i["code"], i["ask"]) for i in items]


class RectificationForm(forms.Form):
    finding = forms.IntegerField(widget=forms.HiddenInput)
    requirement = forms.CharField(
        label=gettext_lazy("整改要求"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000
    )
    deadline = forms.DateField(label=gettext_lazy("整改期限"), widget=forms.DateInput(attrs={"type": "date"}))


class ShareForm(forms.Form):
    """A finding's lesson marked for sharing after it was recorded (services.finding_lesson_share)."""

    finding = forms.IntegerField(widget=forms.HiddenInput)
    lesson = forms.CharField(
        label=gettext_lazy("经验启示（互鉴）"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=4000,
    )
    version = forms.IntegerField(widget=forms.HiddenInput)
