"""Forms of the duty manual. The rules live in services (page_clean, case_clean); the forms carry
the fields. Lists (steps, roles, checkpoints, documents) are typed one entry a line."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django import forms
from django.utils.translation import gettext_lazy

from .models import TopicKind

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

LIST_HELP = gettext_lazy("每行一条")


def _area(label: StrOrPromise, rows: int = 5, required: bool = False, help_text: StrOrPromise = LIST_HELP):
    return forms.CharField(
        label=label, required=required, help_text=help_text, widget=forms.Textarea(attrs={"rows": rows})
    )


class PageForm(forms.Form):
    # Required-ness is checked by the services (one Chinese message per field, all at once).
    title = forms.CharField(label=gettext_lazy("标题"), max_length=100, required=False)
    summary = _area(gettext_lazy("概述"), rows=3, help_text="")
    steps = _area(gettext_lazy("工作流程"), rows=8, help_text=gettext_lazy("每行一步，按先后顺序"))
    roles = _area(gettext_lazy("参与人员"), rows=3)
    checkpoints = _area(gettext_lazy("监督要点"), rows=6)
    documents = _area(gettext_lazy("台账资料"), rows=4)
    change_note = forms.CharField(
        label=gettext_lazy("修订说明"),
        max_length=200,
        required=False,
        help_text=gettext_lazy("本次改了什么、为什么改（保存后成为新版本）"),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, page=None, **kwargs):
        if page is not None and not args:
            kwargs["initial"] = {
                "title": page.title,
                "summary": page.summary,
                "steps": "\n".join(page.steps),
                "roles": "\n".join(page.roles),
                "checkpoints": "\n".join(page.checkpoints),
                "documents": "\n".join(page.documents),
                "version": page.version,
            }
        super().__init__(*args, **kwargs)

    def service_fields(self) -> dict:
        d = self.cleaned_data
        return {k: d[k] for k in ("title", "summary", "steps", "roles", "checkpoints", "documents")}


class PageCreateForm(PageForm):
    code = forms.CharField(
        label=gettext_lazy("主题代码"),
        max_length=60,
        required=False,
        help_text=gettext_lazy(
            "履职事项代码（如 household_visit）、四议两公开环节（decision_step_1 至 decision_step_6）、"
            "报账签字环节（如 member_recheck）或自定代码"
        ),
    )
    kind = forms.ChoiceField(label=gettext_lazy("类别"), choices=TopicKind.choices)
    field_order = ["code", "kind"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["change_note"].initial = "初版"


class CaseForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("案例标题"), max_length=100, required=False)
    page = forms.ChoiceField(label=gettext_lazy("所属条目"), required=False)
    situation = _area(gettext_lazy("基本情况"), rows=6, help_text="")
    lesson = _area(gettext_lazy("启示"), rows=4, help_text=gettext_lazy("从中吸取的教训、今后怎么做"))
    source = forms.CharField(
        label=gettext_lazy("来源"),
        max_length=100,
        required=False,
        help_text=gettext_lazy("如：曾都区某村，2025年"),
    )
    publish = forms.BooleanField(label=gettext_lazy("发布（所有人可见）"), required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, pages=(), case=None, **kwargs):
        if case is not None and not args:
            kwargs["initial"] = {
                "title": case.title,
                "page": case.page_id or "",
                "situation": case.situation,
                "lesson": case.lesson,
                "source": case.source,
                "publish": case.status == "published",
                "version": case.version,
            }
        super().__init__(*args, **kwargs)
        self.pages = {str(p.pk): p for p in pages}
        self.fields["page"].choices = [("", gettext_lazy("（不属于具体条目）"))] + [
            (str(p.pk), p.title) for p in pages
        ]

    def service_fields(self) -> dict:
        d = self.cleaned_data
        return {
            "title": d["title"],
            "situation": d["situation"],
            "lesson": d["lesson"],
            "source": d["source"],
            "page": self.pages.get(d["page"] or ""),
            "publish": d["publish"],
        }
