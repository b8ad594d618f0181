from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from .api.models import ApiToken as ApiToken  # registered with core's models (core/api/models.py)
from .fields import BlindIndexField, EncryptedTextField
from .roles import ADMIN_ROLES, TWO_FACTOR_ROLES, Role, modules_for


class OrgKind(models.TextChoices):
    CITY = "city", _("市")
    DISTRICT = "district", _("区")
    COUNTY = "county", _("县")
    COUNTY_CITY = "county_city", _("县级市")
    MANAGEMENT_ZONE = "management_zone", _("管理区")
    SUBDISTRICT = "subdistrict", _("街道")
    TOWN = "town", _("镇")
    TOWNSHIP = "township", _("乡")
    TOWNSHIP_UNIT = "township_unit", _("乡级管理单位")
    VILLAGE = "village", _("村")
    COMMUNITY = "community", _("社区")
    DEPARTMENT = "department", _("市直单位")
    PARTY_ORG = "party_org", _("基层党组织")
    RESIDENT_GROUP = "resident_group", _("派驻纪检监察组")


COUNTY_KINDS = frozenset({OrgKind.DISTRICT, OrgKind.COUNTY, OrgKind.COUNTY_CITY})
TOWNSHIP_KINDS = frozenset({OrgKind.SUBDISTRICT, OrgKind.TOWN, OrgKind.TOWNSHIP, OrgKind.TOWNSHIP_UNIT})
VILLAGE_KINDS = frozenset({OrgKind.VILLAGE, OrgKind.COMMUNITY})

# Which kinds may sit under which: the importer and org_unit_create enforce it.
ALLOWED_PARENT_KINDS: dict[str, frozenset[str]] = {
    OrgKind.CITY: frozenset(),
    **{k: frozenset({OrgKind.CITY}) for k in COUNTY_KINDS},
    OrgKind.MANAGEMENT_ZONE: frozenset({OrgKind.CITY}),
    **{k: COUNTY_KINDS | {OrgKind.MANAGEMENT_ZONE} for k in TOWNSHIP_KINDS},
    **{k: TOWNSHIP_KINDS for k in VILLAGE_KINDS},
    OrgKind.DEPARTMENT: frozenset({OrgKind.CITY, *COUNTY_KINDS}),
    OrgKind.PARTY_ORG: frozenset({OrgKind.DEPARTMENT, OrgKind.PARTY_ORG}),
    # The commission's resident groups (派驻纪检监察组) sit under the commission that sends them.
    OrgKind.RESIDENT_GROUP: frozenset({OrgKind.CITY, *COUNTY_KINDS}),
}
# Which kinds a management zone (管理区) may be assigned to oversee (OrgUnit.management_zone): townships.
ZONE_ASSIGNABLE_KINDS = TOWNSHIP_KINDS


class OrgUnit(models.Model):
    """A node of the organisation tree. Each unit stores its materialised path ("/1/4/17/") and the id
    of its city, county-level unit and township ancestors (DHIS2's org-unit structure), so a subtree
    is one indexed prefix filter and a roll-up per level is one GROUP BY. Only services in
    jijian.core.services write path and ancestors; moving a unit rewrites its descendants."""

    code = models.CharField(_("代码"), max_length=32, unique=True, null=True, blank=True)
    name = models.CharField(_("名称"), max_length=100)
    kind = models.CharField(_("类型"), max_length=20, choices=OrgKind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    path = models.CharField(_("路径"), max_length=255, db_index=True, editable=False, default="")
    depth = models.PositiveSmallIntegerField(_("层级"), default=0, editable=False)
    city = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        related_name="+",
        editable=False,
        db_constraint=False,
    )
    county = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        related_name="+",
        editable=False,
        db_constraint=False,
    )
    township = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        related_name="+",
        editable=False,
        db_constraint=False,
    )
    # The second dimension: management zones (高新区, 大洪山) oversee townships they do not own.
    management_zone = models.ForeignKey(
        "self",
        verbose_name=_("代管的管理区"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="managed_units",
        limit_choices_to={"kind": OrgKind.MANAGEMENT_ZONE},
    )
    zone = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        related_name="+",
        editable=False,
        db_constraint=False,
    )
    # A department (市直单位) is overseen by one of its commission's resident groups (派驻纪检监察组,
    # 综合派驻: one group, several departments); the group's staff see the department's subtree
    # (core.access.unit_scope_q).
    resident_group = models.ForeignKey(
        "self",
        verbose_name=_("派驻纪检监察组"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="overseen_units",
        limit_choices_to={"kind": "resident_group"},
    )
    pinyin_initials = models.CharField(max_length=50, blank=True, default="", db_index=True, editable=False)
    is_active = models.BooleanField(_("有效"), default=True)
    active_from = models.DateField(_("设立日期"), null=True, blank=True)
    active_until = models.DateField(_("撤并日期"), null=True, blank=True)
    sort_order = models.IntegerField(_("排序"), default=0)
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("组织单位")
        verbose_name_plural = _("组织单位")
        ordering = ["path"]
        indexes = [
            models.Index(fields=["county", "kind"]),
            models.Index(fields=["township", "kind"]),
            models.Index(fields=["kind", "path"]),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_village(self) -> bool:
        return self.kind in VILLAGE_KINDS

    @property
    def is_township(self) -> bool:
        return self.kind in TOWNSHIP_KINDS

    @property
    def is_county(self) -> bool:
        return self.kind in COUNTY_KINDS

    @cached_property
    def overseen_paths(self) -> tuple[str, ...]:
        """A resident group's overseen departments' paths (their subtrees are its jurisdiction); empty
        for any other unit. Read once per loaded unit."""
        if self.kind != OrgKind.RESIDENT_GROUP or self.pk is None:
            return ()
        return tuple(
            OrgUnit.objects.filter(resident_group_id=self.pk, is_active=True).values_list("path", flat=True)
        )

    def ancestor_ids(self) -> list[int]:
        return [int(p) for p in self.path.strip("/").split("/") if p]


# --- people facts that several platforms read -------------------------------------------------------
class CadreLevel(models.TextChoices):
    """Who manages a cadre (干部管理权限): decides which commission handles a report about the person
    (petitions' routing) and ranks the person in an integrity archive."""

    VILLAGE = "village", _("村（社区）干部")
    STAFF = "staff", _("一般干部")
    SECTION = "section", _("乡科级干部")
    DIVISION = "division", _("县处级干部")
    OTHER = "other", _("其他或不清楚")


class UserManager(BaseUserManager):
    use_in_migrations = True

    def create_user(self, username, password=None, **extra):
        user = self.model(username=username, **extra)
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save(using=self._db)
        return user

    def create_superuser(self, username, password=None, **extra):
        raise NotImplementedError("jijian has no superuser: use `jijian create-admin` (三员分立)")


class User(AbstractBaseUser, PermissionsMixin):
    """A staff account, bound to one org unit, with one or more roles (UserRole)."""

    username = models.CharField(_("用户名"), max_length=64, unique=True)
    full_name = models.CharField(_("姓名"), max_length=50)
    name_initials = models.CharField(max_length=20, blank=True, default="", db_index=True, editable=False)
    org_unit = models.ForeignKey(
        OrgUnit, verbose_name=_("所属单位"), on_delete=models.PROTECT, related_name="users"
    )
    position = models.CharField(_("职务"), max_length=50, blank=True, default="")
    phone = EncryptedTextField(_("手机号码"), blank=True, default="")
    phone_index = BlindIndexField(source="phone")
    id_number = EncryptedTextField(_("身份证号"), blank=True, default="")
    id_number_index = BlindIndexField(source="id_number")
    email = models.EmailField(_("电子邮箱"), blank=True, default="")
    is_active = models.BooleanField(_("启用"), default=True)
    must_change_password = models.BooleanField(_("须修改密码"), default=True)
    password_changed_at = models.DateTimeField(null=True, blank=True)
    failed_login_count = models.PositiveIntegerField(default=0)
    locked_until = models.DateTimeField(null=True, blank=True)
    last_failed_login_at = models.DateTimeField(null=True, blank=True)
    current_session_key = models.CharField(max_length=64, blank=True, default="", editable=False)
    appointed_on = models.DateField(_("任职日期"), null=True, blank=True)
    is_demo = models.BooleanField(default=False, editable=False)
    date_joined = models.DateTimeField(default=timezone.now)
    version = models.PositiveIntegerField(default=1, editable=False)

    objects = UserManager()

    USERNAME_FIELD = "username"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")

    def __str__(self) -> str:
        return f"{self.full_name}（{self.username}）"

    @cached_property
    def role_set(self) -> frozenset[str]:
        return frozenset(self.roles.values_list("role", flat=True))

    @property
    def modules(self) -> frozenset[str]:
        return modules_for(self.role_set)

    def has_role(self, role: str) -> bool:
        return role in self.role_set

    def has_module(self, module: str) -> bool:
        return self.is_active and module in self.modules

    @property
    def needs_two_factor(self) -> bool:
        return bool(self.role_set & TWO_FACTOR_ROLES)

    @property
    def is_admin_role(self) -> bool:
        return bool(self.role_set & ADMIN_ROLES)

    # Django admin: only the system administrator gets in (see core/admin.py).
    @property
    def is_staff(self) -> bool:
        return self.is_active and Role.SYSTEM_ADMIN in self.role_set


class UserRole(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="roles")
    role = models.CharField(_("角色"), max_length=32, choices=Role.choices)
    granted_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    granted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("角色授予")
        verbose_name_plural = _("角色授予")
        constraints = [models.UniqueConstraint(fields=["user", "role"], name="unique_user_role")]

    def __str__(self) -> str:
        return f"{self.user_id}:{self.role}"


class OtpEnrolmentCode(models.Model):
    """The one-time code a security administrator issues with an authenticator reset (security.
    otp_reset) and hands to the staff member in person or by telephone: enrolling the new
    authenticator needs it besides the password, so a password alone never becomes two factors.
    Kept as a keyed hash (HMAC-SM3 with the blind-index key); gone once used."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="otp_enrolment_code")
    code_hash = models.CharField(max_length=64)
    issued_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    issued_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()

    class Meta:
        verbose_name = _("验证器重新绑定码")
        verbose_name_plural = _("验证器重新绑定码")

    def __str__(self) -> str:
        return f"{self.user_id} until {self.expires_at:%Y-%m-%d %H:%M}"


class PasswordHistory(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="password_history")
    password = models.CharField(max_length=255)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("历史密码")
        verbose_name_plural = _("历史密码")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.user_id}@{self.created_at:%Y-%m-%d}"


class CalendarDay(models.Model):
    """An exception to the Monday–Friday rule: a holiday on a weekday, or a make-up working day (调休)
    on a weekend. Seeded from `chinese-calendar`, edited by the system administrator."""

    date = models.DateField(_("日期"), unique=True)
    is_working_day = models.BooleanField(_("工作日"))
    name = models.CharField(_("名称"), max_length=50, blank=True, default="")
    source = models.CharField(max_length=20, default="seed", choices=[("seed", "seed"), ("manual", "manual")])
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("工作日历")
        verbose_name_plural = _("工作日历")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date} {'上班' if self.is_working_day else '休息'} {self.name}"


class CalendarYear(models.Model):
    """A year whose State Council arrangement (放假安排) the system administrator entered by hand and
    confirmed, for a year that chinese-calendar does not know yet. Without it, such a year is
    provisional (workdays.provisional_years): its statutory holidays are applied by rule and its
    deadlines are shown as 暂定."""

    year = models.PositiveSmallIntegerField(_("年份"), unique=True)
    confirmed_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+", null=True, blank=True)
    confirmed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("已确认的放假安排")
        verbose_name_plural = _("已确认的放假安排")
        ordering = ["year"]

    def __str__(self) -> str:
        return str(self.year)


class Notification(models.Model):
    """An in-app message; SMS and e-mail copies are NotificationDelivery rows sent by Celery."""

    recipient = models.ForeignKey(User, on_delete=models.CASCADE, related_name="notifications")
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"), blank=True, default="")
    link = models.CharField(max_length=255, blank=True, default="")
    # Makes a notification idempotent: the same (recipient, dedup_key) is created once, ever.
    dedup_key = models.CharField(max_length=200, blank=True, null=True)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("通知")
        verbose_name_plural = _("通知")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["recipient", "dedup_key"], name="unique_notification_dedup"),
        ]
        indexes = [models.Index(fields=["recipient", "read_at"])]

    def __str__(self) -> str:
        return self.title


class DeliveryChannel(models.TextChoices):
    SMS = "sms", _("短信")
    EMAIL = "email", _("电子邮件")


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("待发送")
    SENT = "sent", _("已发送")
    FAILED = "failed", _("发送失败")
    SKIPPED = "skipped", _("无联系方式")


class NotificationDelivery(models.Model):
    notification = models.ForeignKey(Notification, on_delete=models.CASCADE, related_name="deliveries")
    channel = models.CharField(max_length=10, choices=DeliveryChannel.choices)
    status = models.CharField(max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=255, blank=True, default="")
    sent_at = models.DateTimeField(null=True, blank=True)
    # Its notification's created_at, copied when the delivery is made: the month partition key on
    # PostgreSQL (docs/partitions.md). Being the notification's, it keeps (notification, channel)
    # unique there, where the constraint must include it.
    created_at = models.DateTimeField(_("通知时间"), default=timezone.now)

    class Meta:
        verbose_name = _("通知送达记录")
        verbose_name_plural = _("通知送达记录")
        constraints = [
            models.UniqueConstraint(fields=["notification", "channel"], name="unique_delivery_channel"),
        ]
        indexes = [
            # What the resend task (every 15 minutes) looks for: deliveries never tried. Partial, so it
            # holds only those few rows, not months of sent ones.
            models.Index(
                fields=["created_at"],
                condition=models.Q(status="pending", attempts=0),
                name="delivery_untried",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.notification_id}:{self.channel}:{self.status}"


# --- recusal (回避): relations staff declare; every platform closes matching records to them --
class RelationKind(models.TextChoices):
    SPOUSE = "spouse", _("夫妻关系")
    DIRECT = "direct", _("直系血亲关系")
    COLLATERAL = "collateral", _("三代以内旁系血亲")
    IN_LAW = "in_law", _("近姻亲关系")
    OTHER = "other", _("其他可能影响公正办理的关系")


class StaffRelation(models.Model):
    """A relation a staff member has declared (回避申报). Reports and clues about a person of that name
    are closed to them: the access functions answer 404, as for any item outside their jurisdiction."""

    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="declared_relations")
    relative_name = EncryptedTextField(_("亲属姓名"), context="petitions.staffrelation.relative_name")
    relative_name_index = BlindIndexField(source="relative_name")
    relative_unit = EncryptedTextField(
        _("工作单位"), blank=True, default="", context="petitions.staffrelation.relative_unit"
    )
    kind = models.CharField(_("关系"), max_length=20, choices=RelationKind.choices)
    is_active = models.BooleanField(_("有效"), default=True)
    declared_at = models.DateTimeField(_("申报时间"), default=timezone.now)

    class Meta:
        verbose_name = _("回避关系")
        verbose_name_plural = _("回避关系")
        db_table = "petitions_staffrelation"  # the table kept its name when the model moved to core
        ordering = ["-declared_at", "-pk"]
        indexes = [models.Index(fields=["user", "relative_name_index"], name="relation_user_name")]

    def __str__(self) -> str:
        return self.get_kind_display()


# --- key fingerprints: which key the stored data was written with (never key material) --------
class KeyFingerprint(models.Model):
    """An HMAC of a fixed label under a key that leaves no trace of its own in the data: the blind-index
    key (`name="index"`). Written when the schema is created and by `jijian keys reindex`; compared by
    `jijian keys check`, `jijian restore` and the start-up check, so that data restored or served under
    another index key is refused instead of silently finding nothing (docs/keys.md)."""

    name = models.CharField(_("密钥"), max_length=32, primary_key=True)
    digest = models.CharField(_("指纹"), max_length=64)
    recorded_at = models.DateTimeField(_("记录时间"), default=timezone.now)

    class Meta:
        verbose_name = _("密钥指纹")
        verbose_name_plural = _("密钥指纹")

    def __str__(self) -> str:
        return self.name
