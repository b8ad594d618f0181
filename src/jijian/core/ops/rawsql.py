"""Field lists for reads: `encrypted_fields()` names the encrypted fields a read may defer."""

from __future__ import annotations

from functools import cache

from django.db.models import Model


@cache
def encrypted_fields(model: type[Model]) -> tuple[str, ...]:
    """The names of `model`'s encrypted fields: a read that does not show them leaves them out
    (`defer`), so that nothing is decrypted for nothing. They load on first access."""
    from jijian.core.fields import EncryptedTextField

    return tuple(f.name for f in model._meta.concrete_fields if isinstance(f, EncryptedTextField))
