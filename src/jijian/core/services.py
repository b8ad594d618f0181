"""Writes to the org tree, accounts, roles, calendar. Each service: keyword-only arguments, one
transaction, the acting user passed in, an audit entry in the same transaction."""

from __future__ import annotations

from datetime import date

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext

from jijian.audit.services import audit_record
from jijian.core.api.auth import api_tokens_revoke_all
from jijian.core.language import platform_language
from jijian.core.orgs.pinyin import initials

from .access import unit_in_scope
from .models import (
    ALLOWED_PARENT_KINDS,
    ZONE_ASSIGNABLE_KINDS,
    CalendarDay,
    CalendarYear,
    OrgKind,
    OrgUnit,
    PasswordHistory,
    User,
    UserRole,
)
from .roles import ADMIN_ROLES, Role, role_fits_unit, role_unit_words
from .validators import validate_mobile, validate_unit_code


class ConcurrentEditError(ValidationError):
    """A save based on a version someone has since replaced. `by_self`: the newer version was written
    by the same person (their other device, another tab), so the message does not blame anyone else."""

    def __init__(self, *, by_self: bool = False) -> None:
        self.by_self = by_self
        super().__init__(
            "该记录已在您的另一台设备（或另一个页面）上修改，请刷新后查看最新内容（本次修改未保存）"
            if by_self
            else "该记录已被他人修改，请刷新后重试（您的修改未保存）"
        )


def fill_ancestors(unit: OrgUnit, parent: OrgUnit | None) -> None:
    """Materialised path and the per-level ancestor ids, from the parent (already correct)."""
    base = parent.path if parent else "/"
    unit.path = f"{base}{unit.pk}/"
    unit.depth = (parent.depth + 1) if parent else 0
    unit.city_id = (
        parent.city_id
        if parent and parent.city_id
        else (parent.pk if parent and parent.kind == OrgKind.CITY else None)
    )
    if unit.kind == OrgKind.CITY:
        unit.city_id = unit.pk
    unit.county_id = unit.pk if unit.is_county else (parent.county_id if parent else None)
    unit.township_id = unit.pk if unit.is_township else (parent.township_id if parent else None)
    if unit.kind == OrgKind.MANAGEMENT_ZONE:
        unit.zone_id = None
    elif unit.management_zone_id:
        unit.zone_id = unit.management_zone_id
    else:
        unit.zone_id = parent.zone_id if parent else None
    unit.pinyin_initials = initials(unit.name)


def validate_parent(kind: str, parent: OrgUnit | None) -> None:
    allowed = ALLOWED_PARENT_KINDS.get(kind)
    if allowed is None:
        raise ValidationError(gettext("未知的单位类型：%(kind)s") % {"kind": kind})
    if not allowed:
        if parent is not None:
            raise ValidationError(gettext("%(label)s不能有上级单位") % {"label": OrgKind(kind).label})
        return
    if parent is None:
        raise ValidationError(gettext("%(label)s必须有上级单位") % {"label": OrgKind(kind).label})
    if parent.kind not in allowed:
        raise ValidationError(
            gettext("%(label)s不能设在%(label2)s之下")
            % {"label": OrgKind(kind).label, "label2": OrgKind(parent.kind).label}
        )


@transaction.atomic
def org_unit_create(
    *,
    actor: User | None,
    name: str,
    kind: str,
    parent: OrgUnit | None,
    code: str | None = None,
    management_zone: OrgUnit | None = None,
    active_from: date | None = None,
    sort_order: int = 0,
    audit: bool = True,
) -> OrgUnit:
    validate_parent(kind, parent)
    code = validate_unit_code(code)
    if parent is not None:
        lock_open_unit(parent, "{name}已撤销，不能在其下新建单位")
    if code and OrgUnit.objects.filter(code=code).exists():
        raise ValidationError(gettext("代码 %(code)s 已被使用") % {"code": code})
    unit = OrgUnit.objects.create(
        name=name,
        kind=kind,
        parent=parent,
        code=code or None,
        management_zone=management_zone,
        active_from=active_from,
        sort_order=sort_order,
    )
    fill_ancestors(unit, parent)
    unit.save()
    if audit:
        audit_record(
            actor=actor,
            action="org_unit.create",
            obj=unit,
            org_unit_id=unit.pk,
            summary=f"新建单位 {unit.name}",
            after={"name": name, "kind": kind, "code": code, "parent": parent.pk if parent else None},
        )
    return unit


def lock_open_unit(unit: OrgUnit, refusal: str) -> OrgUnit:
    """Lock `unit`'s row and refuse (`refusal`, with {name}) when it is closed (撤销). Whatever adds to a
    unit — a subordinate unit, an account, one moved or enabled there — takes this lock, and so does
    closing it (`org_unit_update`): the close's check that the unit is empty and the addition take
    turns, so neither lands on a stale view of the other."""
    current = OrgUnit.objects.select_for_update().get(pk=unit.pk)
    if not current.is_active:
        raise ValidationError(refusal.format(name=current.name))
    return current


def _rewrite_descendants(unit: OrgUnit) -> int:
    """After `unit` moved or changed zone: recompute path and ancestors of its whole subtree, top down."""
    count = 0
    frontier = [unit]
    while frontier:
        nxt = []
        for parent in frontier:
            children = list(OrgUnit.objects.filter(parent=parent))
            for child in children:
                fill_ancestors(child, parent)
            OrgUnit.objects.bulk_update(
                children,
                ["path", "depth", "city", "county", "township", "zone", "pinyin_initials"],
                batch_size=1000,
            )
            count += len(children)
            nxt.extend(children)
        frontier = nxt
    return count


@transaction.atomic
def org_unit_update(
    *,
    actor: User,
    unit: OrgUnit,
    version: int,
    name: str,
    code: str | None,
    is_active: bool,
    management_zone: OrgUnit | None,
    active_until: date | None = None,
    reason: str = "",
) -> OrgUnit:
    """Edit a unit's own fields. `version` is the one the editor loaded: a stale edit is refused.
    Closing a unit (撤销, is_active True → False) needs a `reason`, and is refused while the unit still
    has active subordinate units or active accounts, or when it holds the acting administrator.
    Reopening it (恢复, False → True) needs a `reason` too, and an open parent unit.
    The code follows the rule of creation (`validate_unit_code`) and is unique among all units.
    `management_zone` (管理区) is the zone that oversees a township: changing it is refused for a kind
    that cannot have one, for a closed zone, and for a zone (the one given or the one left) outside the
    acting administrator's jurisdiction or holding them. Jurisdiction reads the `zone` column rewritten
    here for the whole branch (core.access.unit_scope_q), and nothing caches it: the zone's staff see
    the township, or no longer, from their next request."""
    name = name.strip()
    if not name:
        raise ValidationError(gettext("请填写单位名称"))
    code = validate_unit_code(code)
    # Rows locked in one order (by id), as org_unit_move does. The unit's lock makes the emptiness check
    # below and an addition to the unit take turns; the zone's, the zone check and the zone's close.
    rows = {
        u.pk: u
        for u in OrgUnit.objects.select_for_update()
        .filter(pk__in=[unit.pk, *([management_zone.pk] if management_zone else [])])
        .order_by("pk")
    }
    locked = rows[unit.pk]
    if locked.version != version:
        raise ConcurrentEditError()
    closing = locked.is_active and not is_active
    if closing:
        _refuse_own_branch(actor, unit, "撤销")
        if not reason.strip():
            raise ValidationError(gettext("撤销单位须填写原因"))
        if unit.children.filter(is_active=True).exists():
            raise ValidationError(
                gettext("%(name)s仍有未撤销的下级单位，请先撤销或移走下级单位") % {"name": unit.name}
            )
        if unit.users.filter(is_active=True).exists():
            raise ValidationError(
                gettext("%(name)s仍有启用的账号，请先将其调往其他单位或停用") % {"name": unit.name}
            )
        # A management zone's lock makes this check and an assignment to it take turns (_check_zone_change).
        if unit.managed_units.filter(is_active=True).exists():
            raise ValidationError(gettext("%(name)s仍代管乡镇（街道），请先取消代管") % {"name": unit.name})
    reopening = not locked.is_active and is_active
    if reopening:
        if not reason.strip():
            raise ValidationError(gettext("恢复单位须填写原因"))
        # The parent's row lock makes this check and the parent's close take turns.
        if locked.parent is not None:
            lock_open_unit(locked.parent, "上级单位{name}已撤销，请先恢复上级单位")
    new_zone = rows[management_zone.pk] if management_zone else None
    if (new_zone.pk if new_zone else None) != locked.management_zone_id:
        _check_zone_change(actor, locked, new_zone)
    before = _unit_fields(locked)
    if code and OrgUnit.objects.filter(code=code).exclude(pk=unit.pk).exists():
        raise ValidationError(gettext("代码 %(code)s 已被使用") % {"code": code})
    try:
        # A savepoint: a code taken by another save since the check above is refused, not a 500.
        with transaction.atomic():
            updated = OrgUnit.objects.filter(pk=unit.pk, version=version).update(
                name=name,
                code=code,
                is_active=is_active,
                active_until=active_until,
                management_zone=new_zone,
                pinyin_initials=initials(name),
                version=F("version") + 1,
            )
    except IntegrityError:
        raise ValidationError(gettext("代码 %(code)s 已被使用") % {"code": code}) from None
    if not updated:
        raise ConcurrentEditError()
    unit.refresh_from_db()
    if before["management_zone"] != unit.management_zone_id:
        fill_ancestors(unit, unit.parent)
        unit.save(update_fields=["zone"])
        _rewrite_descendants(unit)
    after = _unit_fields(unit)
    changed = {key for key in ("name", "code", "management_zone") if before[key] != after[key]}
    if closing:
        action, summary = "org_unit.close", f"撤销单位 {unit.name}：{reason.strip()}"
    elif reopening:
        action, summary = "org_unit.reopen", f"恢复单位 {unit.name}：{reason.strip()}"
    elif changed == {"code"}:
        action = "org_unit.code"
        summary = f"修改单位 {unit.name} 的代码：{before['code'] or '无'} → {after['code'] or '无'}"
    elif changed == {"management_zone"}:
        old_zone = OrgUnit.objects.filter(pk=before["management_zone"]).first()
        action = "org_unit.zone"
        summary = (
            f"调整单位 {unit.name} 的代管管理区："
            f"{old_zone.name if old_zone else '无'} → {new_zone.name if new_zone else '无'}"
        )
    else:
        action, summary = "org_unit.update", f"修改单位 {unit.name}"
    audit_record(
        actor=actor,
        action=action,
        obj=unit,
        org_unit_id=unit.pk,
        summary=summary,
        before=before,
        after=after,
    )
    return unit


def _unit_fields(unit: OrgUnit) -> dict:
    """What org_unit_update changes, as its audit entry records it before and after."""
    return {
        "name": unit.name,
        "code": unit.code,
        "is_active": unit.is_active,
        "management_zone": unit.management_zone_id,
        "active_until": str(unit.active_until or ""),
    }


def _check_zone_change(actor: User | None, unit: OrgUnit, zone: OrgUnit | None) -> None:
    """Refuse giving `unit` (locked) to management zone `zone` (locked; None: to none) when its kind
    cannot have one, the zone is not an open zone, or the zone given or left lies outside the acting
    administrator's jurisdiction or is their own unit (that would change their own jurisdiction)."""
    if zone is not None:
        if unit.kind not in ZONE_ASSIGNABLE_KINDS:
            raise ValidationError(
                gettext("%(label)s不能由管理区代管，只有乡镇（街道）可以")
                % {"label": OrgKind(unit.kind).label}
            )
        if unit.parent is not None and unit.parent.kind == OrgKind.MANAGEMENT_ZONE:
            raise ValidationError(
                gettext("%(name)s直属于%(name2)s，不能再由其他管理区代管")
                % {"name": unit.name, "name2": unit.parent.name}
            )
        if zone.kind != OrgKind.MANAGEMENT_ZONE:
            raise ValidationError(gettext("%(name)s不是管理区") % {"name": zone.name})
        if not zone.is_active:
            raise ValidationError(gettext("%(name)s已撤销，不能代管单位") % {"name": zone.name})
    if actor is None:
        return
    for affected in (unit.management_zone, zone):
        if affected is None:
            continue
        if affected.pk == actor.org_unit_id:
            raise ValidationError(gettext("不能更改您本人所在管理区代管的单位"))
        if not unit_in_scope(actor, affected):
            raise ValidationError(
                gettext("%(name)s不在您的管辖范围内，不能更改其代管的单位") % {"name": affected.name}
            )


@transaction.atomic
def org_unit_move(*, actor: User, unit: OrgUnit, new_parent: OrgUnit, version: int) -> OrgUnit:
    """Move a unit under another parent; rewrites the path and ancestors of its whole subtree.
    `version` is the one the editor loaded: a move of a unit changed since is refused."""
    # Both rows locked in one order (by id), so two moves of two units under each other cannot deadlock;
    # the new parent read under its lock, so it cannot be closed or moved under us meanwhile.
    locked = {
        u.pk: u
        for u in OrgUnit.objects.select_for_update().filter(pk__in=[unit.pk, new_parent.pk]).order_by("pk")
    }
    if locked[unit.pk].version != version:
        raise ConcurrentEditError()
    unit.refresh_from_db()
    new_parent = locked[new_parent.pk]
    _refuse_own_branch(actor, unit, "移动")
    if not new_parent.is_active:
        raise ValidationError(gettext("%(name)s已撤销，不能将单位移到其下") % {"name": new_parent.name})
    validate_parent(unit.kind, new_parent)
    if new_parent.path.startswith(unit.path):
        raise ValidationError(gettext("不能把单位移动到其自身的下级之下"))
    if new_parent.pk == unit.parent_id:
        raise ValidationError(
            gettext("%(name)s已在%(name2)s之下") % {"name": unit.name, "name2": new_parent.name}
        )
    old_parent = unit.parent_id
    unit.parent = new_parent
    fill_ancestors(unit, new_parent)
    unit.version += 1
    unit.save()
    moved = _rewrite_descendants(unit)
    audit_record(
        actor=actor,
        action="org_unit.move",
        obj=unit,
        org_unit_id=unit.pk,
        summary=f"移动单位 {unit.name}（含下级 {moved} 个）",
        before={"parent": old_parent},
        after={"parent": new_parent.pk},
    )
    return unit


def _refuse_own_branch(actor: User | None, unit: OrgUnit, verb: str) -> None:
    """An administrator does not move or close the unit they belong to, nor one above it: that would
    change their own jurisdiction under them."""
    if actor is not None and actor.org_unit_id is not None and actor.org_unit.path.startswith(unit.path):
        raise ValidationError(gettext("不能%(verb)s您本人所在的单位或其上级单位") % {"verb": verb})


# --- accounts ------------------------------------------------------------------------------------
def _require_role(actor: User | None, role: str) -> None:
    if actor is not None and not actor.has_role(role):
        raise PermissionDenied


def validate_role_combination(roles: set[str]) -> None:
    """三员分立: an administrator role stands alone — never two of them, never with a business role."""
    admin = roles & ADMIN_ROLES
    if admin and len(roles) > 1:
        raise ValidationError(
            gettext("系统管理员、安全保密管理员、安全审计员三员分立：管理员角色不能与其他角色兼任")
        )
    unknown = roles - set(Role.values)
    if unknown:
        raise ValidationError(gettext("未知角色：%(items)s") % {"items": ", ".join(sorted(unknown))})


@transaction.atomic
def user_create(
    *,
    actor: User | None,
    username: str,
    full_name: str,
    org_unit: OrgUnit,
    roles: set[str] | None = None,
    password: str | None = None,
    phone: str = "",
    id_number: str = "",
    position: str = "",
    email: str = "",
    appointed_on: date | None = None,
    is_demo: bool = False,
    audit: bool = True,
) -> User:
    """Create an account (system administrator). The account must change its password at first
    login. Roles other than administrator roles are granted by the security administrator
    (role_grant); `roles` here is for set-up commands and demo data (actor None)."""
    _require_role(actor, Role.SYSTEM_ADMIN)
    roles = set(roles or ())
    if actor is not None and roles:
        raise PermissionDenied  # 三员分立: the system admin creates, the security admin grants
    validate_role_combination(roles)
    if phone:
        phone = validate_mobile(phone)
    if User.objects.filter(username=username).exists():
        raise ValidationError(gettext("用户名 %(username)s 已存在") % {"username": username})
    org_unit = lock_open_unit(org_unit, "{name}已撤销，不能在该单位新建账号")
    user = User(
        username=username,
        full_name=full_name,
        org_unit=org_unit,
        phone=phone,
        id_number=id_number,
        position=position,
        email=email,
        appointed_on=appointed_on,
        is_demo=is_demo,
        name_initials=initials(full_name)[:20],
    )
    if password:
        validate_password(password, user)
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.save()
    UserRole.objects.bulk_create([UserRole(user=user, role=r, granted_by=actor) for r in sorted(roles)])
    if audit:
        audit_record(
            actor=actor,
            action="user.create",
            obj=user,
            org_unit_id=org_unit.pk,
            summary=f"创建账号 {username}",
            after={"username": username, "org_unit": org_unit.pk, "roles": sorted(roles)},
        )
    return user


def password_stamp(user: User) -> str:
    """When the account's password was last set, as the reset form carries it back."""
    return user.password_changed_at.isoformat() if user.password_changed_at else ""


@transaction.atomic
def user_update(
    *,
    actor: User,
    user: User,
    version: int,
    full_name: str,
    org_unit: OrgUnit,
    position: str,
    phone: str | None,
) -> User:
    """The system administrator edits an account's name, unit, position and mobile number (`phone`
    None: left as it is; "": removed). `version` is the one the editor loaded: a stale edit is refused.
    Roles stay the security administrator's (三员分立): a new unit must fit every role the account
    holds, else the move is refused until a role is revoked."""
    _require_role(actor, Role.SYSTEM_ADMIN)
    current = User.objects.select_for_update().get(pk=user.pk)
    if current.version != version:
        raise ConcurrentEditError()
    full_name = full_name.strip()
    if not full_name:
        raise ValidationError(gettext("请填写姓名"))
    if org_unit.pk != current.org_unit_id:
        org_unit = lock_open_unit(org_unit, "{name}已撤销，不能将账号调往该单位")
    unfit = [r for r in sorted(current.role_set) if not role_fits_unit(r, org_unit.kind)]
    if unfit:
        raise ValidationError(
            gettext(
                "“%(label)s”角色只能授予%(role_unit_words)s的账号，不能调往%(name)s（%(kind)s）；请先由安全保密管理员撤销该角色"
            )
            % {
                "label": Role(unfit[0]).label,
                "role_unit_words": role_unit_words(unfit[0]),
                "name": org_unit.name,
                "kind": org_unit.get_kind_display(),
            }
        )
    before = {
        "full_name": current.full_name,
        "org_unit": current.org_unit_id,
        "position": current.position,
    }
    current.full_name = full_name
    current.name_initials = initials(full_name)[:20]
    current.org_unit = org_unit
    current.position = position.strip()
    fields = ["full_name", "name_initials", "org_unit", "position", "version"]
    if phone:
        phone = validate_mobile(phone)
    phone_changed = phone is not None and phone != current.phone
    if phone_changed:
        current.phone = phone or ""
        fields += ["phone", "phone_index"]
    current.version += 1
    current.save(update_fields=fields)
    after = {"full_name": current.full_name, "org_unit": current.org_unit_id, "position": current.position}
    changed = sorted(k for k in before if before[k] != after[k])
    if phone_changed:
        changed.append("phone")  # the number itself never enters the trail
    audit_record(
        actor=actor,
        action="user.update",
        obj=current,
        org_unit_id=current.org_unit_id,
        summary=f"修改账号 {current.username}：{'、'.join(changed) or '无变化'}",
        before=before,
        after={**after, "phone_changed": phone_changed},
    )
    return current


@transaction.atomic
def user_set_password(
    *, actor: User, user: User, password: str, temporary: bool, seen: str | None = None
) -> None:
    """Set a password: by its owner (temporary=False) or as an administrator's reset (temporary=True,
    forces a change at next login). Enforces the policy, including "not recently used". With `seen`
    (password_stamp of the page the administrator reset from) a reset is refused when the password
    has been set since — another administrator's reset, or the owner's change — saying when."""
    if actor.pk != user.pk:
        _require_role(actor, Role.SYSTEM_ADMIN)
    if seen is not None:  # before the policy: a stale page is refused before what it sent is judged
        current = User.objects.select_for_update().get(pk=user.pk)  # two resets take turns
        if password_stamp(current) != seen:
            changed = current.password_changed_at
            at = f"{timezone.localtime(changed):%Y-%m-%d %H:%M}" if changed else ""
            raise ValidationError(
                f"该账号的密码已由他人于 {at} 重置，本次未重置（请核对后再操作）"
                if current.must_change_password
                else f"该账号本人已于 {at} 修改密码，本次未重置（请核对后再操作）"
            )
    validate_password(password, user)
    if user.has_usable_password():
        PasswordHistory.objects.create(user=user, password=user.password)
    user.set_password(password)
    user.must_change_password = temporary
    user.password_changed_at = timezone.now()
    user.failed_login_count = 0
    user.locked_until = None
    user.last_failed_login_at = None
    user.save(
        update_fields=[
            "password",
            "must_change_password",
            "password_changed_at",
            "failed_login_count",
            "locked_until",
            "last_failed_login_at",
        ]
    )
    if temporary:
        # An administrator's reset means the password may be known to someone else: its tokens go too.
        api_tokens_revoke_all(actor=actor, user=user, reason="重置密码")
    audit_record(
        actor=actor,
        action="user.password_reset" if temporary else "user.password_change",
        obj=user,
        org_unit_id=user.org_unit_id,
        summary=f"{'重置' if temporary else '修改'}密码 {user.username}",
    )


@transaction.atomic
def user_set_active(*, actor: User, user: User, is_active: bool, reason: str, version: int) -> None:
    """Enable or disable an account, with a reason. `version` is the one the editor loaded."""
    _require_role(actor, Role.SYSTEM_ADMIN)
    if not reason.strip():
        raise ValidationError(gettext("请填写原因"))
    current = User.objects.select_for_update().get(pk=user.pk)
    if current.version != version:
        raise ConcurrentEditError()
    if is_active and not current.is_active and current.org_unit_id is not None:
        lock_open_unit(current.org_unit, "{name}已撤销，请先将账号调往其他单位再启用")
    before = current.is_active
    user.is_active = is_active
    user.version = current.version + 1
    user.save(update_fields=["is_active", "version"])
    if not is_active:
        api_tokens_revoke_all(actor=actor, user=user, reason="停用账号")
    audit_record(
        actor=actor,
        action="user.activate" if is_active else "user.deactivate",
        obj=user,
        org_unit_id=user.org_unit_id,
        summary=reason,
        before={"is_active": before},
        after={"is_active": is_active},
    )


@transaction.atomic
def role_grant(*, actor: User, user: User, role: str) -> UserRole:
    """Security administrator grants a role, within their subtree."""
    _require_role(actor, Role.SECURITY_ADMIN)
    if actor.pk == user.pk:
        raise PermissionDenied
    current = set(user.roles.values_list("role", flat=True))
    if role in current:
        return user.roles.get(role=role)  # idempotent
    validate_role_combination(current | {role})
    unit = user.org_unit
    if unit is not None and not role_fits_unit(role, unit.kind):
        raise ValidationError(
            gettext("“%(label)s”角色只能授予%(role_unit_words)s的账号；%(value)s属于%(name)s（%(kind)s）")
            % {
                "label": Role(role).label,
                "role_unit_words": role_unit_words(role),
                "value": user.full_name or user.username,
                "name": unit.name,
                "kind": unit.get_kind_display(),
            }
        )
    granted = UserRole.objects.create(user=user, role=role, granted_by=actor)
    user.__dict__.pop("role_set", None)
    with platform_language():
        audit_record(
            actor=actor,
            action="role.grant",
            obj=user,
            org_unit_id=user.org_unit_id,
            summary=f"授予 {user.username} 角色 {Role(role).label}",
            before={"roles": sorted(current)},
            after={"roles": sorted(current | {role})},
        )
    return granted


@transaction.atomic
def role_revoke(*, actor: User, user: User, role: str) -> None:
    _require_role(actor, Role.SECURITY_ADMIN)
    if actor.pk == user.pk:
        raise PermissionDenied
    current = set(user.roles.values_list("role", flat=True))
    if role not in current:
        return
    UserRole.objects.filter(user=user, role=role).delete()
    user.__dict__.pop("role_set", None)
    with platform_language():
        audit_record(
            actor=actor,
            action="role.revoke",
            obj=user,
            org_unit_id=user.org_unit_id,
            summary=f"撤销 {user.username} 角色 {Role(role).label}",
            before={"roles": sorted(current)},
            after={"roles": sorted(current - {role})},
        )


# --- working-day calendar ------------------------------------------------------------------------
@transaction.atomic
def calendar_day_set(*, actor: User, day: date, is_working_day: bool, name: str) -> CalendarDay:
    """Mark one day as a working day or a day off (an override of the seeded calendar)."""
    _require_role(actor, Role.SYSTEM_ADMIN)
    existing = CalendarDay.objects.filter(date=day).first()
    before = {"is_working_day": existing.is_working_day, "name": existing.name} if existing else None
    obj, _ = CalendarDay.objects.update_or_create(
        date=day, defaults={"is_working_day": is_working_day, "name": name, "source": "manual"}
    )
    audit_record(
        actor=actor,
        action="calendar.set",
        object_type="core.calendarday",
        object_id=str(day),
        summary=f"设置 {day} 为{'工作日' if is_working_day else '休息日'}",
        before=before,
        after={"is_working_day": is_working_day, "name": name},
    )
    return obj


@transaction.atomic
def calendar_year_confirm(*, actor: User, year: int) -> CalendarYear:
    """Record that the State Council's arrangement for `year` has been entered by hand, so the year
    is no longer provisional (its deadlines lose the 暂定 mark)."""
    _require_role(actor, Role.SYSTEM_ADMIN)
    from django.core.cache import cache

    from .orgs.workdays import confirmed_key

    obj, created = CalendarYear.objects.get_or_create(year=year, defaults={"confirmed_by": actor})
    cache.delete(confirmed_key(year))
    transaction.on_commit(lambda: cache.delete(confirmed_key(year)))
    if created:
        audit_record(
            actor=actor,
            action="calendar.confirm_year",
            object_type="core.calendaryear",
            object_id=str(year),
            summary=f"确认 {year} 年放假安排已录入",
            after={"year": year},
        )
    return obj
