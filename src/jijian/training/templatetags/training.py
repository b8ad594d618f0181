"""Template helpers of training: a question's options with their letters and whether each is chosen,
and an answer written out (B, ACD, 对, the text)."""

from django import template
from django.utils.translation import gettext

from ..models import QuestionKind
from ..services import LETTERS, TRUE_FALSE_OPTIONS

register = template.Library()


@register.filter
def choices(obj, answer=None):
    """[(value, letter, text, checked)] for a choice or true/false question; `answer` defaults to the
    sitting item's own saved answer."""
    chosen = (
        answer if answer is not None else getattr(obj, "answer", None) if hasattr(obj, "sitting_id") else None
    )
    chosen = chosen or []
    if obj.kind == QuestionKind.TRUE_FALSE:
        return [
            ("true", "", TRUE_FALSE_OPTIONS[0], True in chosen),
            ("false", "", TRUE_FALSE_OPTIONS[1], False in chosen),
        ]
    return [(str(i), LETTERS[i], text, i in chosen) for i, text in enumerate(obj.options)]


@register.filter
def written(answer, kind):
    if answer is None or answer == []:
        return gettext("未作答")
    if kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
        return "".join(LETTERS[i] for i in answer)
    if kind == QuestionKind.TRUE_FALSE:
        return gettext("对") if answer == [True] else gettext("错")
    return "｜".join(str(a) for a in answer)


@register.filter
def fill_value(item):
    return item.answer[0] if item.answer and item.kind == QuestionKind.FILL_IN else ""
