"""Accounts: sign-in (password, then the second factor), the lockout and session policy, password rules,
the authentication backend, and the end of a role with the post it stands for (role_end). The User model
itself is in core.models."""
