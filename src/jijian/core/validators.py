"""Validation of Chinese identifiers, with messages in Chinese."""

from __future__ import annotations

import re
from datetime import date

from django.core.exceptions import ValidationError

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
_MOBILE = re.compile(r"^1[3-9]\d{9}$")


def id_number_check_digit(first17: str) -> str:
    total = sum(int(d) * w for d, w in zip(first17, _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11]


def validate_id_number(value: str) -> str:
    """An 18-digit resident ID number (GB 11643-1999): digits, a real birth date, the check digit."""
    value = (value or "").strip().upper()
    if not re.fullmatch(r"\d{17}[\dX]", value):
        raise ValidationError("身份证号应为18位，前17位为数字，末位为数字或X")
    try:
        born = date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        raise ValidationError("身份证号中的出生日期无效") from None
    if born.year < 1900 or born > date.today():
        raise ValidationError("身份证号中的出生日期无效")
    if id_number_check_digit(value[:17]) != value[17]:
        raise ValidationError("身份证号校验位错误")
    return value


def validate_mobile(value: str) -> str:
    value = (value or "").strip().replace(" ", "").replace("-", "")
    if value.startswith("+86"):
        value = value[3:]
    if not _MOBILE.match(value):
        raise ValidationError("手机号码应为11位，以1开头")
    return value
