"""Password policy beyond Django's validators: length (with a Chinese message), character classes,
not the username, not recently used."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import password_validation
from django.contrib.auth.hashers import check_password
from django.core.exceptions import ValidationError
from django.utils.translation import gettext


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    """Django's length rule, with its message in Chinese: Django 5.2 changed the message's msgid and
    its zh_Hans catalogue has no translation of the new one, so users would read English."""

    def __init__(self, min_length: int = 10):
        super().__init__(min_length=min_length)

    def get_error_message(self):
        return gettext("密码长度不能少于 %(n)s 个字符") % {"n": self.min_length}

    def get_help_text(self):
        return gettext("密码长度不能少于 %(n)s 个字符") % {"n": self.min_length}


class CharacterClassValidator:
    """At least three of: lower case, upper case, digits, other characters."""

    def validate(self, password, user=None):
        classes = sum(
            [
                any(c.islower() for c in password),
                any(c.isupper() for c in password),
                any(c.isdigit() for c in password),
                any(not c.isalnum() for c in password),
            ]
        )
        if classes < 3:
            raise ValidationError(
                gettext("密码须包含大写字母、小写字母、数字、符号中的至少三类"), code="password_classes"
            )

    def get_help_text(self):
        return gettext("密码须包含大写字母、小写字母、数字、符号中的至少三类")


class NotUsernameValidator:
    """Not the username, forwards or backwards, nor containing it (for usernames of 3+ characters:
    a two-letter username would forbid too many good passwords)."""

    def validate(self, password, user=None):
        username = (getattr(user, "username", "") or "").lower()
        if not username:
            return
        lowered = password.lower()
        if lowered in (username, username[::-1]) or (len(username) >= 3 and username in lowered):
            raise ValidationError(gettext("密码不能包含用户名"), code="password_has_username")

    def get_help_text(self):
        return gettext("密码不能包含用户名")


class NotRecentlyUsedValidator:
    """Not the current password nor one of the last PASSWORD_HISTORY ones (PasswordHistory keeps the
    old hashes; user_set_password adds one at each change)."""

    def validate(self, password, user=None):
        if user is None or not getattr(user, "pk", None):
            return
        n = settings.PASSWORD_HISTORY
        if n <= 0:
            return
        if user.password and user.has_usable_password() and check_password(password, user.password):
            raise ValidationError(gettext("新密码不能与当前密码相同"), code="password_reused")
        for old in user.password_history.all()[:n]:
            if check_password(password, old.password):
                raise ValidationError(
                    gettext("新密码不能与最近 %(n)s 次使用过的密码相同") % {"n": n}, code="password_reused"
                )

    def get_help_text(self):
        return gettext("不能与最近使用过的密码相同")
