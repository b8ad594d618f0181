from django import template
from django.utils.html import format_html

from jijian.core.sensitive.crypto import mask_id_number, mask_phone

register = template.Library()

register.filter("mask_phone", mask_phone)
register.filter("mask_id_number", mask_id_number)


@register.filter
def provisional(day) -> str:
    """A 暂定 tag after a deadline that lies in a year without the State Council's arrangement."""
    from jijian.core.orgs.workdays import is_provisional

    if not is_provisional(day):
        return ""
    return format_html(
        '<span class="tag tag-provisional" title="{}">暂定</span>',
        "该年国务院放假安排尚未公布，按法定节日推算，公布后可能变动",
    )


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
