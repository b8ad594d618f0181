"""Accounts: sign-in (password, then the second factor), the lockout and session policy, password rules,
and the authentication backend. The User model itself is in core.models."""
