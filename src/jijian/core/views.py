from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from jijian.core.accounts.security import (
    OTP_ENROLMENT_CODE_HOURS,
    otp_enrolment_pending,
    otp_reset,
    otp_stamp,
    otp_status,
    sessions_end,
)
from jijian.core.api.auth import api_token_revoke, api_tokens_visible_to
from jijian.core.ops.ratelimit import client_ip

from . import access, selectors
from .forms import (
    AccountActiveForm,
    AccountCreateForm,
    AccountEditForm,
    CalendarDayForm,
    OrgSearchForm,
    OrgUnitCloseForm,
    OrgUnitCodeForm,
    OrgUnitCreateForm,
    OrgUnitMoveForm,
    OrgUnitRenameForm,
    OrgUnitReopenForm,
    OrgUnitZoneForm,
    OTPResetForm,
    PasswordResetForm,
    ReasonForm,
    RoleChangeForm,
    UserSearchForm,
)
from .models import ZONE_ASSIGNABLE_KINDS
from .notify import notification_mark_read
from .roles import Module, Role
from .services import (
    ConcurrentEditError,
    org_unit_create,
    org_unit_move,
    org_unit_update,
    password_stamp,
    role_grant,
    role_revoke,
    user_create,
    user_set_active,
    user_set_password,
    user_update,
)
from .todos import todos_for


def _page(request, qs, per_page=50):
    return Paginator(qs, per_page).get_page(request.GET.get("page"))


def _partial(request, full: str, partial: str) -> str:
    return partial if request.htmx and not request.htmx.boosted else full


@login_required
@require_GET
def home(request):
    return render(request, "core/home.html", {"todos": todos_for(request.user)})


@login_required
@require_GET
def org_list(request):
    visible = access.org_units_visible_to(request.user)
    access.require_module(request.user, Module.ORGS)
    form = OrgSearchForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    if data.get("q") or data.get("kind"):
        units = selectors.org_unit_search(visible, q=data.get("q", ""), kind=data.get("kind", ""))
    else:
        units = visible.filter(pk=request.user.org_unit_id) | visible.filter(
            parent_id=request.user.org_unit_id
        )
    page = _page(request, units.select_related("parent").order_by("path"))
    return render(
        request,
        _partial(request, "core/org_list.html", "core/partials/org_rows.html"),
        {"form": form, "page": page},
    )


@login_required
@require_GET
def org_detail(request, pk):
    unit = access.get_org_unit_for(request.user, pk)
    visible = access.org_units_visible_to(request.user)
    children = _page(request, selectors.children_with_counts(visible, unit))
    people = access.users_visible_to(request.user).filter(org_unit=unit).prefetch_related("roles")[:100]
    ancestors = visible.filter(pk__in=unit.ancestor_ids()).exclude(pk=unit.pk).order_by("depth")
    may_manage = request.user.has_module(Module.ACCOUNTS) and access.unit_in_scope(request.user, unit)
    return render(
        request,
        "core/org_detail.html",
        {
            "unit": unit,
            "children": children,
            "people": people,
            "ancestors": ancestors,
            "may_manage": may_manage,
        },
    )


@login_required
@require_GET
def user_list(request):
    access.require_module(request.user, Module.ORGS)
    form = UserSearchForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    users = selectors.user_search(
        access.users_visible_to(request.user), q=data.get("q", ""), role=data.get("role", "")
    )
    return render(
        request,
        _partial(request, "core/user_list.html", "core/partials/user_rows.html"),
        {"form": form, "page": _page(request, users)},
    )


@login_required
@require_GET
def user_detail(request, pk):
    from jijian.core.sensitive.reveal import can_reveal

    person = access.get_user_for(request.user, pk)
    return render(
        request,
        "core/user_detail.html",
        {
            "person": person,
            "can_reveal_phone": can_reveal(actor=request.user, obj=person, field_name="phone"),
            "can_reveal_id": can_reveal(actor=request.user, obj=person, field_name="id_number"),
        },
    )


@login_required
@require_GET
def notification_list(request):
    notes = access.notifications_visible_to(request.user)
    return render(request, "core/notification_list.html", {"page": _page(request, notes)})


@login_required
@require_POST
def notification_read(request, pk):
    note = access.get_notification_for(request.user, pk)
    notification_mark_read(user=request.user, notification=note)
    if note.link and note.link.startswith("/"):
        return redirect(note.link)
    return redirect("core:notification_list")


@login_required
@require_GET
def my_account(request):
    """The signed-in user's own account: who they are here, and the pages for their password and their
    API tokens (kept off the header: most users never need a token)."""
    return render(
        request, "core/my_account.html", {"token_count": api_tokens_visible_to(request.user).count()}
    )


@login_required
@require_GET
def token_list(request):
    """The signed-in user's own live API tokens, each with a revoke button."""
    return render(request, "core/token_list.html", {"tokens": api_tokens_visible_to(request.user)})


@login_required
@require_POST
def token_revoke(request, pk):
    token = access.get_or_404(api_tokens_visible_to(request.user), pk)
    api_token_revoke(actor=request.user, token=token)
    messages.success(request, gettext("已撤销令牌「%(name)s」") % {"name": token.name})
    return redirect("core:token_list")


# --- system administrator: accounts, calendar ----------------------------------------------------


@login_required
@require_GET
def account_list(request):
    access.require_module(request.user, Module.ACCOUNTS)
    accounts = access.accounts_managed_by(request.user, module=Module.ACCOUNTS).prefetch_related("roles")
    if request.GET.get("pending"):
        accounts = accounts.filter(password__startswith="!")
    form = UserSearchForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    accounts = selectors.user_search(accounts, q=data.get("q", ""), role=data.get("role", ""))
    return render(request, "core/account_list.html", {"page": _page(request, accounts), "form": form})


@login_required
@require_http_methods(["GET", "POST"])
def account_create(request):
    access.require_module(request.user, Module.ACCOUNTS)
    units = access.org_units_visible_to(request.user)
    if request.POST.get("unit_search"):
        # 查找全部单位, a button of this form: the page comes back with the results in the select and
        # what was typed kept (not the password); nothing is created.
        kept = {name: request.POST.get(name) for name in AccountCreateForm.KEPT_ON_SEARCH}
        form = AccountCreateForm(initial=kept, units=units, unit_q=request.POST.get("unit_q"))
    else:
        form = AccountCreateForm(
            request.POST or None,
            initial={"org_unit": request.GET.get("unit")},
            units=units,
            unit_q=request.GET.get("unit_q"),
        )
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        try:
            user = user_create(
                actor=request.user,
                username=data["username"],
                full_name=data["full_name"],
                org_unit=data["org_unit"],
                password=data["temporary_password"],
                phone=data["phone"],
                id_number=data["id_number"],
                position=data["position"],
            )
        except ValidationError as exc:
            form.add_error(None, exc.messages)
        else:
            messages.success(
                request,
                gettext("账号 %(username)s 已创建，首次登录须修改密码；角色由安全保密管理员授予")
                % {"username": user.username},
            )
            return redirect("core:account_list")
    return render(
        request,
        "core/account_create.html",
        {
            "form": form,
            "unit_q": form.fields["org_unit"].searched,
            "unit_searched": bool(request.POST.get("unit_search")),
        },
        status=400 if form.is_bound and form.errors else 200,  # refused: the form again, as typed
    )


@login_required
@require_http_methods(["GET", "POST"])
def account_detail(request, pk):
    access.require_module(request.user, Module.ACCOUNTS)
    account = access.get_managed_account_for(request.user, pk, module=Module.ACCOUNTS)
    action = request.POST.get("action") if request.method == "POST" else None
    # Two forms, each with its own button, so Enter in a field does that form's action; only the form
    # that was sent is bound (and shows its errors).
    reset_form = PasswordResetForm(
        request.POST if action == "reset_password" else None, initial={"seen": password_stamp(account)}
    )
    reason_form = AccountActiveForm(
        request.POST if action in ("activate", "deactivate") else None, initial={"version": account.version}
    )
    if request.method == "POST":
        try:
            if action == "reset_password":
                if reset_form.is_valid():
                    user_set_password(
                        actor=request.user,
                        user=account,
                        password=reset_form.cleaned_data["password"],
                        temporary=True,
                        seen=reset_form.cleaned_data["seen"],
                    )
                    messages.success(request, gettext("密码已重置，该账号下次登录须修改密码"))
                    return redirect("core:account_detail", pk=account.pk)
            elif action in ("activate", "deactivate"):
                if reason_form.is_valid():
                    user_set_active(
                        actor=request.user,
                        user=account,
                        is_active=action == "activate",
                        reason=reason_form.cleaned_data["reason"],
                        version=reason_form.cleaned_data["version"],
                    )
                    messages.success(request, gettext("已保存"))
                    return redirect("core:account_detail", pk=account.pk)
            else:  # no button named (a form sent by a script, or a page older than the server's)
                messages.error(request, gettext("未知操作：请刷新页面后，点页面上的按钮重试"))
        except ValidationError as exc:
            (reset_form if action == "reset_password" else reason_form).add_error(None, exc.messages)
            if action == "reset_password":  # the service refused: the form now carries what it said
                account.refresh_from_db()
                _seen_now(request, reset_form, password_stamp(account))
    return render(
        request,
        "core/account_detail.html",
        {"account": account, "form": reason_form, "reset_form": reset_form},
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def account_edit(request, pk):
    """编辑账号: name, unit, position, mobile number. A refusal comes back as typed (400)."""
    access.require_module(request.user, Module.ACCOUNTS)
    account = access.get_managed_account_for(request.user, pk, module=Module.ACCOUNTS)
    units = access.org_units_managed_by(request.user)
    searching = bool(request.POST.get("unit_search"))
    if searching:
        # 查找全部单位: the page comes back with the results and what was typed; nothing is saved.
        kept = {name: request.POST.get(name) for name in AccountEditForm.KEPT_ON_SEARCH}
        form = AccountEditForm(initial=kept, account=account, units=units, unit_q=request.POST.get("unit_q"))
    else:
        form = AccountEditForm(request.POST or None, account=account, units=units)
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        try:
            user_update(
                actor=request.user,
                user=account,
                version=data["version"],
                full_name=data["full_name"],
                org_unit=data["org_unit"],
                position=data["position"],
                phone=form.phone_change(),
            )
        except ValidationError as exc:
            form.add_error(None, exc.messages)
        else:
            messages.success(request, gettext("账号 %(username)s 已保存") % {"username": account.username})
            return redirect("core:account_detail", pk=account.pk)
    return render(
        request,
        "core/account_edit.html",
        {
            "account": account,
            "form": form,
            "unit_q": form.fields["org_unit"].searched,
            "unit_searched": searching,
        },
        status=400 if form.is_bound and form.errors else 200,
    )


# --- system administrator: the org tree ----------------------------------------------------------
ORG_FORMS = {
    "create": OrgUnitCreateForm,
    "rename": OrgUnitRenameForm,
    "code": OrgUnitCodeForm,
    "zone": OrgUnitZoneForm,
    "move": OrgUnitMoveForm,
    "close": OrgUnitCloseForm,
    "reopen": OrgUnitReopenForm,
}


@login_required
@require_http_methods(["GET", "POST"])
def org_manage(request, pk):
    """管理单位: 新建下级单位, 重命名, 修改代码, 代管管理区, 移动到, 撤销, 恢复 — one form each, only the one
    sent is bound; a refusal comes back as typed (400) with its section open. Within the administrator's
    subtree."""
    access.require_module(request.user, Module.ACCOUNTS)
    unit = access.get_managed_org_unit_for(request.user, pk)
    units = access.org_units_managed_by(request.user)
    action = request.POST.get("action") if request.method == "POST" else None
    if request.method == "POST" and action not in ORG_FORMS:
        # No button named (a form sent by a script, or a page older than the server's): said, not done.
        messages.error(request, gettext("未知操作：请刷新页面后，点页面上的按钮重试"))
        action = ""
    forms = {
        "create": OrgUnitCreateForm(request.POST if action == "create" else None, parent=unit),
        "rename": OrgUnitRenameForm(
            request.POST if action == "rename" else None, initial={"version": unit.version, "name": unit.name}
        ),
        "code": OrgUnitCodeForm(
            request.POST if action == "code" else None, initial={"version": unit.version, "code": unit.code}
        ),
        "zone": OrgUnitZoneForm(
            request.POST if action == "zone" else None,
            initial={"version": unit.version, "management_zone": unit.management_zone_id},
            units=units,
        ),
        "move": OrgUnitMoveForm(
            request.POST if action == "move" else None,
            initial={"version": unit.version},
            unit=unit,
            units=units,
        ),
        "close": OrgUnitCloseForm(
            request.POST if action == "close" else None,
            initial={"version": unit.version, "closed_on": timezone.localdate()},
        ),
        "reopen": OrgUnitReopenForm(
            request.POST if action == "reopen" else None, initial={"version": unit.version}
        ),
    }
    if action:
        form = forms[action]
        if form.is_valid():
            try:
                message = _org_action(request.user, unit, action, form.cleaned_data)
            except ValidationError as exc:
                form.add_error(None, exc.messages)
            else:
                messages.success(request, message)
                return redirect("core:org_manage", pk=unit.pk)
    return render(
        request,
        "core/org_manage.html",
        {
            "unit": unit,
            "forms": forms,
            "open": action,
            "n_children": unit.children.count(),
            "zone_assignable": unit.kind in ZONE_ASSIGNABLE_KINDS,
        },
        status=400 if action is not None else 200,
    )


def _org_action(actor, unit, action: str, data: dict) -> str:
    """Calls the one service of the action; returns the success message."""
    if action == "create":
        child = org_unit_create(
            actor=actor,
            name=data["name"],
            kind=data["kind"],
            parent=unit,
            code=data["code"] or None,
            active_from=data["active_from"],
        )
        return gettext("已新建下级单位 %(name)s") % {"name": child.name}
    if action == "move":
        org_unit_move(actor=actor, unit=unit, new_parent=data["new_parent"], version=data["version"])
        return gettext("已将 %(name)s 移动到 %(parent)s 之下") % {
            "name": unit.name,
            "parent": data["new_parent"].name,
        }
    if data["version"] != unit.version:
        # A page loaded before someone else's change: say so, not "unchanged" (their change may be this
        # very value) or "already closed". org_unit_update checks it again under the row's lock.
        raise ConcurrentEditError()
    if action == "code" and (data["code"] or None) == unit.code:
        raise ValidationError(
            f"代码未改变（仍为 {unit.code}）" if unit.code else "本单位尚无代码，请填写新代码"
        )
    zone = data["management_zone"] if action == "zone" else unit.management_zone
    if action == "zone" and zone == unit.management_zone:
        raise ValidationError(f"{unit.name}已由{zone.name}代管" if zone else f"{unit.name}当前不由管理区代管")
    closing, reopening = action == "close", action == "reopen"
    if closing and not unit.is_active:
        raise ValidationError(gettext("%(name)s已撤销") % {"name": unit.name})
    if reopening and unit.is_active:
        raise ValidationError(gettext("%(name)s未撤销，无需恢复") % {"name": unit.name})
    org_unit_update(
        actor=actor,
        unit=unit,
        version=data["version"],
        name=data["name"] if action == "rename" else unit.name,
        code=data["code"] if action == "code" else unit.code,
        is_active=reopening or (not closing and unit.is_active),
        active_until=data["closed_on"] if closing else None if reopening else unit.active_until,
        management_zone=zone,
        reason=data.get("reason", ""),
    )
    if closing:
        return gettext("已撤销 %(name)s") % {"name": unit.name}
    if reopening:
        return gettext("已恢复 %(name)s") % {"name": unit.name}
    if action == "code":
        return (
            gettext("已将代码改为 %(code)s") % {"code": data["code"]}
            if data["code"]
            else gettext("已清除代码")
        )
    if action == "zone":
        return gettext("已交由 %(zone)s 代管") % {"zone": zone.name} if zone else gettext("已取消管理区代管")
    return gettext("已重命名为 %(name)s") % {"name": data["name"]}


@login_required
@require_http_methods(["GET", "POST"])
def calendar_view(request):
    access.require_module(request.user, Module.ACCOUNTS)
    try:
        year = int(request.GET.get("year") or date.today().year)
    except ValueError:
        raise Http404 from None
    if not 2000 <= year <= 2100:
        raise Http404
    from .orgs import workdays

    if request.method == "POST" and request.POST.get("confirm_year"):
        from .services import calendar_year_confirm

        calendar_year_confirm(actor=request.user, year=year)
        messages.success(
            request, gettext("已确认 %(year)s 年放假安排，该年期限不再显示“暂定”") % {"year": year}
        )
        return redirect(f"{request.path}?year={year}")
    form = CalendarDayForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        from .services import calendar_day_set

        calendar_day_set(
            actor=request.user,
            day=form.cleaned_data["date"],
            is_working_day=form.cleaned_data["is_working_day"],
            name=form.cleaned_data["name"],
        )
        messages.success(request, gettext("工作日历已更新"))
        return redirect(f"{request.path}?year={form.cleaned_data['date'].year}")
    days = selectors.calendar_days(year=year)
    provisional = bool(workdays.provisional_years({year}))
    rule_days = sorted(workdays.statutory_holidays(year).items()) if provisional else []
    return render(
        request,
        "core/calendar.html",
        {"days": days, "year": year, "form": form, "provisional": provisional, "rule_days": rule_days},
    )


# --- security administrator: roles, lockouts, sessions -------------------------------------------
@login_required
@require_GET
def security_list(request):
    access.require_module(request.user, Module.SECURITY)
    accounts = access.accounts_managed_by(request.user, module=Module.SECURITY).prefetch_related("roles")
    if request.GET.get("locked"):
        accounts = accounts.filter(locked_until__gt=timezone.now())
    form = UserSearchForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    accounts = selectors.user_search(accounts, q=data.get("q", ""), role=data.get("role", ""))
    return render(request, "core/security_list.html", {"page": _page(request, accounts), "form": form})


@login_required
@require_http_methods(["GET", "POST"])
def security_detail(request, pk):
    access.require_module(request.user, Module.SECURITY)
    account = access.get_managed_account_for(request.user, pk, module=Module.SECURITY)
    action = request.POST.get("action") if request.method == "POST" else None
    # One page, several forms: only the form that was sent is bound (and shows its errors).
    role_post = request.method == "POST" and action not in ("end_sessions", "unlock", "reset_otp")
    form = RoleChangeForm(request.POST if role_post else None)
    reset_form = OTPResetForm(
        request.POST if action == "reset_otp" else None, initial={"seen": otp_stamp(account)}
    )
    if request.method == "POST":
        failed = reset_form if action == "reset_otp" else form
        try:
            if action == "end_sessions":
                sessions_end(actor=request.user, user=account)
                messages.success(request, gettext("已强制下线"))
                return redirect("core:security_detail", pk=account.pk)
            if action == "unlock":
                from jijian.core.accounts.security import account_unlock

                account_unlock(actor=request.user, user=account)
                messages.success(request, gettext("已解除锁定"))
                return redirect("core:security_detail", pk=account.pk)
            if action == "reset_otp":
                if reset_form.is_valid():
                    _, code = otp_reset(
                        actor=request.user,
                        user=account,
                        reason=reset_form.cleaned_data["reason"],
                        seen=reset_form.cleaned_data["seen"],
                    )
                    if not code:  # a voluntary second factor: nothing to hand over
                        messages.success(
                            request, gettext("动态验证码已重置，该账号可凭密码登录，也可重新绑定验证器")
                        )
                        return redirect("core:security_detail", pk=account.pk)
                    # Shown in this answer only: not redirected to, not kept anywhere but as a hash.
                    fresh = OTPResetForm(initial={"seen": otp_stamp(account)})
                    context = _security_context(account, RoleChangeForm(), fresh)
                    response = render(request, "core/security_detail.html", {**context, "issued_code": code})
                    response["Cache-Control"] = "no-store"
                    return response
            elif form.is_valid():
                if form.cleaned_data["action"] == "grant":
                    role_grant(actor=request.user, user=account, role=form.cleaned_data["role"])
                else:
                    role_revoke(actor=request.user, user=account, role=form.cleaned_data["role"])
                messages.success(request, gettext("角色已更新"))
                return redirect("core:security_detail", pk=account.pk)
        except ValidationError as exc:
            failed.add_error(None, exc.messages)
            if action == "reset_otp":  # the service refused: the reason as typed, the factor as now
                _seen_now(request, reset_form, otp_stamp(account))
    # A POST that comes here was refused (by its form or its service, a stale page included): the page
    # comes back as typed with the message, 400 as every refused page action.
    return render(
        request,
        "core/security_detail.html",
        _security_context(account, form, reset_form),
        status=400 if request.method == "POST" else 200,
    )


def _seen_now(request, form, stamp: str) -> None:
    """A refused reset form shown again as typed, carrying what the page now shows (`stamp`), so that
    sending it again acts on the account as it stands."""
    data = request.POST.copy()
    data["seen"] = stamp
    form.data = data


def _security_context(account, form, reset_form) -> dict:
    return {
        "account": account,
        "form": form,
        "reset_form": reset_form,
        "otp_status": otp_status(account),
        "enrolment_pending": otp_enrolment_pending(account),
        "code_hours": OTP_ENROLMENT_CODE_HOURS,
        "roles": Role,
    }


# --- revealing a masked value ------------------------------------------------------------------
@login_required
@require_http_methods(["GET", "POST"])
def user_reveal(request, pk, field):
    """Show one sensitive field of a person unmasked, for the roles the reveal policy names, with a
    reason; the reveal is an audit event. Everyone else gets the same 404 as for a missing person."""
    from jijian.core.sensitive.reveal import can_reveal, reveal_denied_record, reveal_field

    try:
        person = access.get_user_for(request.user, pk)
        if field not in ("phone", "id_number") or not can_reveal(
            actor=request.user, obj=person, field_name=field
        ):
            raise Http404
    except (Http404, PermissionDenied):
        # The same entry whether the person exists or not, and the same 404.
        reveal_denied_record(
            actor=request.user,
            object_type="core.user",
            object_id=pk,
            field_name=field,
            ip_address=client_ip(request),
        )
        raise Http404 from None
    form = ReasonForm(request.POST or None)
    value = None
    if request.method == "POST" and form.is_valid():
        try:
            value = reveal_field(
                actor=request.user,
                obj=person,
                field_name=field,
                reason=form.cleaned_data["reason"],
                ip_address=client_ip(request),
            )
        except ValidationError as exc:
            form.add_error(None, exc.messages)
    label = {"phone": gettext("手机号码"), "id_number": gettext("身份证号")}[field]
    return render(
        request, "core/user_reveal.html", {"person": person, "form": form, "value": value, "label": label}
    )
