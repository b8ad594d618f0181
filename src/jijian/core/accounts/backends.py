from django.contrib.auth.backends import ModelBackend

from jijian.core.models import User
from jijian.core.ops.rawsql import encrypted_fields


class UserWithUnitBackend(ModelBackend):
    """Django's model backend, but the signed-in user arrives with their org unit in the same query:
    every page needs it (jurisdiction, the header), so this saves one query per request. Their phone
    and ID number are not read with them (no page request decrypts them unless it shows them)."""

    def get_user(self, user_id):
        user = (
            User._default_manager.select_related("org_unit")
            .defer(*encrypted_fields(User))
            .filter(pk=user_id)
            .first()
        )
        return user if user is not None and self.user_can_authenticate(user) else None
