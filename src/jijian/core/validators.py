"""Validation of Chinese identifiers, with messages in Chinese: the one definition of a valid ID
number, mobile and landline that forms, the API and services all call."""

from __future__ import annotations

import re
from datetime import date

from django.core.exceptions import ValidationError
from django.utils.translation import gettext, gettext_lazy

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
_MOBILE = re.compile(r"^1[3-9]\d{9}$")
# Area code (3 to 4 digits with the leading 0), number (7 to 8 digits), optional extension.
_LANDLINE = re.compile(r"^0\d{2,3}-?\d{7,8}(-\d{1,6})?$")
CONTACT_PHONE_MESSAGE = gettext_lazy("联系电话应为11位手机号码或带区号的固定电话（如 0722-3456789）")
# An org unit's code (统计用区划代码 or 机构代码): digits, Latin letters and dashes, at most 32.
UNIT_CODE_PATTERN = r"[0-9A-Za-z-]+"
UNIT_CODE_MAX_LENGTH = 32
UNIT_CODE_MESSAGE = gettext_lazy("代码只能包含数字、字母和短横线")


def id_number_check_digit(first17: str) -> str:
    total = sum(int(d) * w for d, w in zip(first17, _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11]


def validate_id_number(value: str) -> str:
    """An 18-digit resident ID number (GB 11643-1999): digits, a real birth date, the check digit."""
    value = (value or "").strip().upper()
    if not re.fullmatch(r"\d{17}[\dX]", value):
        raise ValidationError(gettext("身份证号应为18位，前17位为数字，末位为数字或X"))
    try:
        born = date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        raise ValidationError(gettext("身份证号中的出生日期无效")) from None
    if born.year < 1900 or born > date.today():
        raise ValidationError(gettext("身份证号中的出生日期无效"))
    if id_number_check_digit(value[:17]) != value[17]:
        raise ValidationError(gettext("身份证号校验位错误"))
    return value


def validate_mobile(value: str) -> str:
    value = (value or "").strip().replace(" ", "").replace("-", "")
    if value.startswith("+86"):
        value = value[3:]
    if not _MOBILE.match(value):
        raise ValidationError(gettext("手机号码应为11位，以1开头"))
    return value


def validate_landline(value: str) -> str:
    """A landline with its area code (0722-3456789 or 07223456789), with an optional extension
    (0722-3456789-123). Returns it without spaces."""
    value = (value or "").strip().replace(" ", "")
    if not _LANDLINE.match(value):
        raise ValidationError(gettext("固定电话应写明区号，如 0722-3456789（区号3至4位，号码7至8位）"))
    return value


def validate_contact_phone(value: str) -> str:
    """A reporter's contact number: a mobile (validate_mobile) or, when it starts with 0, a landline
    (validate_landline). Returns it normalised."""
    raw = (value or "").strip().replace(" ", "")
    if raw.startswith("0"):
        return validate_landline(raw)
    try:
        return validate_mobile(raw)
    except ValidationError:
        raise ValidationError(CONTACT_PHONE_MESSAGE) from None


def validate_unit_code(value: str | None) -> str | None:
    """An org unit's code as typed: stripped; empty means no code (None). The rule of the 新建下级单位 and
    修改代码 forms, checked again by the org services for every caller."""
    value = (value or "").strip()
    if not value:
        return None
    if len(value) > UNIT_CODE_MAX_LENGTH:
        raise ValidationError(
            gettext("代码不能超过 %(UNIT_CODE_MAX_LENGTH)s 个字符")
            % {"UNIT_CODE_MAX_LENGTH": UNIT_CODE_MAX_LENGTH}
        )
    if not re.fullmatch(UNIT_CODE_PATTERN, value):
        raise ValidationError(UNIT_CODE_MESSAGE)
    return value


# --- typed text -----------------------------------------------------------------------------------
# Text a user typed (a name, a purpose, an opinion, minutes) as the services take it: stripped, and
# refused when empty where it is required, when it holds a NUL (PostgreSQL text cannot store one) or
# when longer than its column or the platform's limit — never cut. A signer's name or a reason cut
# short without a word would be a record of something nobody wrote; the refusal names the field, its
# limit and the length typed, and nothing is changed. Forms and API schemas usually refuse first;
# the services call this so that every path (page, API, import, command) keeps the same rule.


def text_length_error(text: str, *, limit: int, label: str) -> str | None:
    """The refusal of `text` (already stripped) when it is longer than `limit` characters, else None
    — for a service that gathers every refusal of a submission before answering."""
    if len(text) <= limit:
        return None
    return gettext("%(label)s最多%(limit)s字（现有%(count)s字），请删减后再提交") % {
        "label": label,
        "limit": limit,
        "count": len(text),
    }


def typed_text(value: str | None, *, label: str, limit: int, required: bool = False) -> str:
    """`value` stripped; refused (ValidationError in Chinese naming `label`) when required and empty,
    when it holds a NUL, or when longer than `limit` characters."""
    text = (value or "").strip()
    if required and not text:
        raise ValidationError(gettext("请填写%(label)s") % {"label": label}, code="required")
    if "\x00" in text:
        raise ValidationError(gettext("%(label)s含有无效字符") % {"label": label}, code="invalid")
    error = text_length_error(text, limit=limit, label=label)
    if error:
        raise ValidationError(error, code="too_long")
    return text
