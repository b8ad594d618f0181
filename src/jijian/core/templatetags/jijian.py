from django import template
from django.utils.html import format_html
from django.utils.translation import gettext

from jijian.core.sensitive.crypto import mask_id_number, mask_phone

register = template.Library()

register.filter("mask_phone", mask_phone)
register.filter("mask_id_number", mask_id_number)


@register.filter
def cadre_level(code: str) -> str:
    """A cadre level's Chinese label (CadreLevel) where a row is read as values, not as a model (the
    archive list): what get_level_display would say."""
    from jijian.core.models import CadreLevel

    return str(dict(CadreLevel.choices).get(code, code))


@register.filter
def provisional(day) -> str:
    """A 暂定 tag after a deadline that lies in a year without the State Council's arrangement."""
    from jijian.core.orgs.workdays import PROVISIONAL_NOTE, is_provisional

    if not is_provisional(day):
        return ""
    return format_html(
        '<span class="tag tag-provisional" title="{}">{}</span>', PROVISIONAL_NOTE, gettext("暂定")
    )


@register.filter
def provisional_mark(day) -> str:
    """The same mark as plain text, "（暂定）", where markup cannot go (a title attribute)."""
    from jijian.core.orgs.workdays import provisional_mark as mark

    return mark(day)


@register.filter
def audit_action(code: str) -> str:
    """An audit event's Chinese name (core/audit_reader/labels.py)."""
    from jijian.core.audit_reader.labels import action_label

    return action_label(code)


@register.filter
def audit_object(object_type: str) -> str:
    """An audited object kind's Chinese name."""
    from jijian.core.audit_reader.labels import object_label

    return object_label(object_type)
