"""Django admin, for the system administrator only, scoped to their subtree like everything else.
Audit entries are not here: the audit administrator reads them in /audit/."""

from __future__ import annotations

from django.contrib import admin
from django.http import Http404

from . import access
from .models import CalendarDay, OrgUnit, User
from .roles import Module, Role


class JijianAdminSite(admin.AdminSite):
    site_header = "纪检监察工作平台 · 系统管理"
    site_title = "系统管理"
    index_title = "系统管理"

    def has_permission(self, request):
        user = request.user
        return (
            user.is_active
            and user.is_authenticated
            and user.has_role(Role.SYSTEM_ADMIN)
            and (not user.needs_two_factor or user.is_verified())
        )

    def login(self, request, extra_context=None):
        raise Http404  # sign in through the application (password + second factor)


admin_site = JijianAdminSite(name="admin")


class ScopedAdmin(admin.ModelAdmin):
    """The system administrator edits only what lies in their subtree; writes go through services
    elsewhere, so these pages are read-mostly."""

    def has_module_permission(self, request):
        return request.user.has_module(Module.ACCOUNTS)

    def has_view_permission(self, request, obj=None):
        return request.user.has_module(Module.ACCOUNTS)

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(OrgUnit, site=admin_site)
class OrgUnitAdmin(ScopedAdmin):
    list_display = ("name", "code", "kind", "parent", "is_active")
    list_filter = ("kind", "is_active")
    search_fields = ("name", "code", "pinyin_initials")
    list_select_related = ("parent",)

    def get_queryset(self, request):
        return access.scope(
            super().get_queryset(request), request.user, module=Module.ACCOUNTS, unit_field=None
        )


@admin.register(User, site=admin_site)
class UserAdmin(ScopedAdmin):
    list_display = ("username", "full_name", "org_unit", "is_active", "last_login")
    search_fields = ("username", "full_name", "name_initials")
    list_select_related = ("org_unit",)
    exclude = (
        "password",
        "phone",
        "id_number",
        "phone_index",
        "id_number_index",
        "user_permissions",
        "groups",
    )

    def get_queryset(self, request):
        return access.scope(super().get_queryset(request), request.user, module=Module.ACCOUNTS)


@admin.register(CalendarDay, site=admin_site)
class CalendarDayAdmin(ScopedAdmin):
    list_display = ("date", "is_working_day", "name", "source")
    list_filter = ("is_working_day", "source")
