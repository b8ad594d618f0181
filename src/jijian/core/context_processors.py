from __future__ import annotations

from .navigation import menu_for


def shell(request):
    user = getattr(request, "user", None)
    if not user or not user.is_authenticated:
        return {"nav_items": []}
    from .accounts.security import needs_otp

    if needs_otp(request):  # between password and second factor: only that step, no menu, no counts
        return {"nav_items": [], "signin_step": True}
    items = menu_for(user)
    # The longest matching prefix is the active item (/petitions/clues/ is 问题线索, not 信访举报).
    matching = [i for i in items if request.path.startswith(i["url"])]
    if matching:
        max(matching, key=lambda i: len(i["url"]))["active"] = True
    unread = user.notifications.filter(read_at__isnull=True).count()
    return {"nav_items": items, "unread_count": unread}
