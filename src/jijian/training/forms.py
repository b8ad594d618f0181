"""Forms of training. The question's rules live in services.question_clean (one check for the form and
the Excel import); the forms only carry the fields."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy

from .models import Audience, QuestionKind, QuestionLevel
from .services import LETTERS, RuleSpec, answer_text

MAX_IMPORT_BYTES = 5 * 1024 * 1024


class QuestionForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("题型"), choices=QuestionKind.choices)
    topic = forms.CharField(label=gettext_lazy("专题"), max_length=50)
    level = forms.ChoiceField(label=gettext_lazy("难度"), choices=QuestionLevel.choices)
    stem = forms.CharField(label=gettext_lazy("题干"), widget=forms.Textarea(attrs={"rows": 3}))
    option_a = forms.CharField(label=gettext_lazy("选项A"), required=False)
    option_b = forms.CharField(label=gettext_lazy("选项B"), required=False)
    option_c = forms.CharField(label=gettext_lazy("选项C"), required=False)
    option_d = forms.CharField(label=gettext_lazy("选项D"), required=False)
    option_e = forms.CharField(label=gettext_lazy("选项E"), required=False)
    option_f = forms.CharField(label=gettext_lazy("选项F"), required=False)
    answer = forms.CharField(
        label=gettext_lazy("答案"),
        max_length=500,
        help_text=gettext_lazy(
            "单选填一个字母（如 B），多选填多个字母（如 ACD），判断填“对”或“错”，填空填参考答案（多个用 | 分隔）"
        ),
    )
    explanation = forms.CharField(
        label=gettext_lazy("解析"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, question=None, **kwargs):
        if question is not None and not args:
            initial = {
                "kind": question.kind,
                "topic": question.topic,
                "level": question.level,
                "stem": question.stem,
                "answer": answer_text(question),
                "explanation": question.explanation,
                "version": question.version,
            }
            for i, text in enumerate(question.options):
                initial[f"option_{LETTERS[i].lower()}"] = text
            kwargs["initial"] = initial
        super().__init__(*args, **kwargs)

    def service_fields(self) -> dict:
        d = self.cleaned_data
        return {
            "kind": d["kind"],
            "topic": d["topic"],
            "level": d["level"],
            "stem": d["stem"],
            "options": [d[f"option_{c.lower()}"] for c in LETTERS],
            "answer": d["answer"],
            "explanation": d["explanation"],
        }


class ImportForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("Excel 文件（.xlsx）"))

    def clean_file(self):
        f = self.cleaned_data["file"]
        if f.size > MAX_IMPORT_BYTES:
            raise forms.ValidationError(gettext("文件不超过 5 MB"))
        if not f.name.lower().endswith((".xlsx", ".csv")):
            raise forms.ValidationError(gettext("只支持 .xlsx 或 .csv 文件"))
        return f


class PracticeFilterForm(forms.Form):
    topic = forms.ChoiceField(label=gettext_lazy("专题"), required=False)
    level = forms.ChoiceField(
        label=gettext_lazy("难度"),
        required=False,
        choices=[("", gettext_lazy("全部难度")), *QuestionLevel.choices],
    )
    kind = forms.ChoiceField(
        label=gettext_lazy("题型"),
        required=False,
        choices=[("", gettext_lazy("全部题型")), *QuestionKind.choices],
    )

    def __init__(self, *args, topics: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        topic = self.fields["topic"]
        assert isinstance(topic, forms.ChoiceField)
        topic.choices = [("", gettext_lazy("全部专题")), *((t, t) for t in topics)]

    def values(self) -> dict:
        if not self.is_valid():
            return {}
        return {k: v for k, v in self.cleaned_data.items() if v}


class ExamForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("考试名称"), max_length=100)
    audience = forms.ChoiceField(label=gettext_lazy("参考对象"), choices=Audience.choices)
    opens_at = forms.DateTimeField(
        label=gettext_lazy("开考时间"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    closes_at = forms.DateTimeField(
        label=gettext_lazy("截止时间"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    duration_minutes = forms.IntegerField(label=gettext_lazy("考试时长（分钟）"), initial=30)
    pass_score = forms.IntegerField(label=gettext_lazy("及格分（百分制）"), initial=60)
    max_attempts = forms.IntegerField(
        label=gettext_lazy("最多参考次数"), initial=2, help_text=gettext_lazy("未通过可补考，直至用完次数")
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault(
            "initial",
            {
                "opens_at": timezone.localtime().replace(second=0, microsecond=0),
                "closes_at": (timezone.localtime() + timezone.timedelta(days=7)).replace(
                    second=0, microsecond=0
                ),
            },
        )
        super().__init__(*args, **kwargs)


class RuleForm(forms.Form):
    topic = forms.CharField(label=gettext_lazy("专题"), required=False, max_length=50)
    level = forms.ChoiceField(
        label=gettext_lazy("难度"),
        required=False,
        choices=[("", gettext_lazy("全部")), *QuestionLevel.choices],
    )
    kind = forms.ChoiceField(
        label=gettext_lazy("题型"),
        required=False,
        choices=[("", gettext_lazy("全部")), *QuestionKind.choices],
    )
    count = forms.IntegerField(label=gettext_lazy("题数"), required=False, min_value=1, max_value=200)
    points = forms.IntegerField(
        label=gettext_lazy("每题分值"), required=False, min_value=1, max_value=100, initial=2
    )

    def spec(self) -> RuleSpec | None:
        d = self.cleaned_data
        if not d.get("count"):
            return None
        return RuleSpec(d["topic"].strip(), d["level"], d["kind"], d["count"], d["points"] or 2)


RuleFormSet = forms.formset_factory(RuleForm, extra=4, max_num=10)


class CourseForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("课程名称"), max_length=100)
    description = forms.CharField(
        label=gettext_lazy("简介"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    audience = forms.ChoiceField(label=gettext_lazy("学习对象"), choices=Audience.choices)
    year = forms.IntegerField(label=gettext_lazy("年度"), initial=timezone.localdate().year)
    is_required = forms.BooleanField(label=gettext_lazy("必修"), required=False)


class MaterialForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("标题"), max_length=100)
    body = forms.CharField(
        label=gettext_lazy("正文"), required=False, widget=forms.Textarea(attrs={"rows": 6})
    )
    file = forms.FileField(
        label=gettext_lazy("文件（PDF、图片、Office 文档、视频 MP4/MOV/WebM、录音 MP3/M4A/WAV）"),
        required=False,
    )


class LectureForm(forms.Form):
    topic = forms.CharField(label=gettext_lazy("主题"), max_length=100)
    lecturer = forms.CharField(label=gettext_lazy("讲授人"), max_length=50)
    held_at = forms.DateTimeField(
        label=gettext_lazy("时间"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    location = forms.CharField(label=gettext_lazy("地点"), max_length=100, required=False)
    audience = forms.ChoiceField(label=gettext_lazy("参加对象"), choices=Audience.choices)
    materials = forms.CharField(
        label=gettext_lazy("授课材料"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class LectureMaterialForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("标题"), max_length=100)
    file = forms.FileField(
        label=gettext_lazy(
            "文件（PDF、PowerPoint 等 Office 文档、图片、视频 MP4/MOV/WebM、录音 MP3/M4A/WAV）"
        ),
        required=False,
    )
