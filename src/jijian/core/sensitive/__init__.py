"""Sensitive data: SM4 keyrings and encrypted values (crypto), key management and rotation (keys), and
showing a masked value in the clear to those allowed, audited (reveal). The model fields that use them
are in core.fields."""
