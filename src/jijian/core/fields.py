"""Model fields for sensitive data: SM4-GCM encrypted text, and an HMAC-SM3 blind index beside it for
exact lookups. The database only ever holds ciphertext (tests/core/test_fields.py reads it raw).

Each value is bound to its column (associated data "core.user.id_number"): a ciphertext copied into
another column, or another model, fails to decrypt. See crypto.py for the format, docs/keys.md for
keys and rotation, jijian.core.sensitive.reveal for showing a value unmasked."""

from __future__ import annotations

from django import forms
from django.db import models
from django.db.models.lookups import Exact

from jijian.core.sensitive import crypto


class EmptyExact(Exact):
    """`field=""` only: the empty value is stored as is, so "has no value" is a query that makes
    sense. Any other value would be compared with a fresh ciphertext and never match."""

    def __init__(self, lhs, rhs):
        if rhs != "":
            raise TypeError('an encrypted field can only be compared with ""; use its blind index')
        super().__init__(lhs, rhs)

    def get_db_prep_lookup(self, value, connection):
        return ("%s", [""])


class EncryptedTextField(models.TextField):
    """Stores `sm4g2$<kid>$<base64>`; Python sees the plaintext. Not searchable: pair it with a
    BlindIndexField when exact lookup is needed. Only `isnull` and `exact ""` lookups are allowed.

    `context` is the associated data the value is bound to; it defaults to "<app>.<model>.<field>".
    Give it explicitly (the old name) when renaming a model or field that already holds data, or
    re-encrypt the column."""

    description = "SM4-GCM encrypted text"

    def __init__(self, *args, context: str = "", **kwargs):
        self._context = context
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        if self._context:
            kwargs["context"] = self._context
        return name, path, args, kwargs

    @property
    def context(self) -> str:
        if self._context:
            return self._context
        return f"{self.model._meta.label_lower}.{self.name}"

    def decrypt(self, token: str, *, ring: crypto.Keyring | None = None) -> str:
        return crypto.decrypt_text(token, context=self.context, ring=ring)

    def encrypt(self, plaintext: str, *, ring: crypto.Keyring | None = None) -> str:
        return crypto.encrypt_text(plaintext, context=self.context, ring=ring)

    def formfield(self, **kwargs):
        # Short values (a phone, an ID number): one line, not a textarea.
        return super().formfield(**{"widget": forms.TextInput, **kwargs})

    def from_db_value(self, value, expression, connection):  # noqa: ARG002
        if value is None or value == "":
            return value
        return self.decrypt(value)

    def to_python(self, value):
        # Plaintext only: a form value that happens to look like a ciphertext is stored as typed
        # (encrypted), never decrypted.
        return super().to_python(value)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return self.encrypt(str(value))

    def get_lookup(self, lookup_name):
        if lookup_name == "exact":
            return EmptyExact
        if lookup_name != "isnull":
            raise TypeError(
                f"encrypted field {self.name!r} cannot be queried with {lookup_name!r}; use its blind index"
            )
        return super().get_lookup(lookup_name)


class BlindIndexField(models.CharField):
    """HMAC-SM3 of another field's normalised value (crypto.blind_index), computed on save. Query it
    with `filter(<name>=blind_index(value))`."""

    def __init__(self, *args, source: str = "", **kwargs):
        self.source = source
        kwargs.setdefault("max_length", 64)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("default", "")
        kwargs.setdefault("editable", False)
        kwargs.setdefault("db_index", True)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["source"] = self.source
        return name, path, args, kwargs

    def compute(self, value: str | None, *, ring: crypto.Keyring | None = None) -> str:
        return crypto.blind_index(value, ring=ring) if value else ""

    def pre_save(self, model_instance, add):
        digest = self.compute(getattr(model_instance, self.source))
        setattr(model_instance, self.attname, digest)
        return digest
