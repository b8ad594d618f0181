"""Model fields for sensitive data: SM4-GCM encrypted text, and an HMAC-SM3 blind index beside it for
exact lookups. The database only ever holds ciphertext (tests/core/test_crypto.py reads it raw)."""

from __future__ import annotations

from django.db import models

from . import crypto


class EncryptedTextField(models.TextField):
    """Stores `sm4g1$<kid>$<base64>`; Python sees the plaintext. Not searchable: pair it with a
    BlindIndexField when exact lookup is needed."""

    description = "SM4-GCM encrypted text"

    def from_db_value(self, value, expression, connection):  # noqa: ARG002
        if value is None or value == "":
            return value
        return crypto.decrypt_text(value)

    def to_python(self, value):
        if isinstance(value, str) and value.startswith(crypto.PREFIX + "$"):
            return crypto.decrypt_text(value)
        return value

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return crypto.encrypt_text(str(value))

    def get_lookup(self, lookup_name):
        if lookup_name not in ("isnull",):
            raise TypeError(f"encrypted field {self.name!r} cannot be queried with {lookup_name!r}; use its blind index")
        return super().get_lookup(lookup_name)


class BlindIndexField(models.CharField):
    """HMAC-SM3 of another field's normalised value, computed on save."""

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

    def pre_save(self, model_instance, add):
        value = getattr(model_instance, self.source)
        digest = crypto.blind_index(value) if value else ""
        setattr(model_instance, self.attname, digest)
        return digest
