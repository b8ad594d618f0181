from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

SEAL_FIELDS = frozenset({"seq", "chain_hash"})


class AuditEventQuerySet(models.QuerySet):
    """Bulk writes that would rewrite history are refused here; the database triggers of migration
    0003 refuse them again for raw SQL (PostgreSQL: UPDATE and DELETE; SQLite: UPDATE)."""

    def update(self, **kwargs):
        # Sealing (bulk_update of seq and chain_hash on unsealed rows) is the only update allowed.
        if not set(kwargs) <= SEAL_FIELDS:
            raise PermissionError("audit entries are append-only")
        return super().update(**kwargs)

    def delete(self):
        raise PermissionError("audit entries are append-only")

    delete.queryset_only = True  # type: ignore[attr-defined]  # Django reads this flag off the method


class AuditEvent(models.Model):
    """One append-only audit entry. `content_hash` is SM3 of the canonical content, written in the
    same transaction as the change it records; `chain_hash` links it to the previous sealed entry and
    is filled by audit_seal() a few seconds later, in `seq` order, so that many app servers do not
    queue on one "last hash" row (docs/audit.md). The application never updates or deletes a sealed
    entry: the model refuses it, and `jijian audit verify` finds it if anyone does it in SQL."""

    created_at = models.DateTimeField(_("时间"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        "core.User",
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    actor_name = models.CharField(_("操作人姓名"), max_length=120, blank=True, default="")
    # Staff only: never filled for anonymous reporters (docs/domain.md §2: anonymous reporters leave no IP).
    ip_address = models.CharField(_("来源地址"), max_length=45, blank=True, default="")
    action = models.CharField(_("事件"), max_length=64, db_index=True)
    object_type = models.CharField(_("对象类型"), max_length=64, blank=True, default="", db_index=True)
    object_id = models.CharField(_("对象编号"), max_length=64, blank=True, default="")
    org_unit_id = models.BigIntegerField(null=True, blank=True)
    summary = models.CharField(_("摘要"), max_length=255, blank=True, default="")
    before = models.JSONField(_("变更前"), null=True, blank=True)
    after = models.JSONField(_("变更后"), null=True, blank=True)
    content_hash = models.CharField(max_length=64)
    seq = models.BigIntegerField(null=True, blank=True, unique=True)
    chain_hash = models.CharField(max_length=64, blank=True, default="")

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("审计日志")
        verbose_name_plural = _("审计日志")
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["actor", "created_at"]),
            models.Index(fields=["object_type", "object_id"]),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.action}"

    def save(self, *args, **kwargs):
        if self.pk and not kwargs.pop("_sealing", False):
            raise PermissionError("audit entries are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("audit entries are append-only")


class AuditSeal(models.Model):
    """The single row that serialises sealing (not writing): the last sealed seq and hash."""

    last_seq = models.BigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default="0" * 64)

    class Meta:
        verbose_name = _("审计日志封存")
        verbose_name_plural = _("审计日志封存")

    def __str__(self) -> str:
        return f"sealed up to {self.last_seq}"


class AuditCheckpoint(models.Model):
    """Where the chain picks up after retention pruning removed every entry up to `seq`: verify starts
    from the newest checkpoint's hash instead of the genesis hash. Append-only like the entries."""

    seq = models.BigIntegerField(unique=True)
    chain_hash = models.CharField(max_length=64)
    pruned_before = models.DateTimeField(_("清理截止时间"))
    pruned_count = models.BigIntegerField(_("清理条数"))
    created_at = models.DateTimeField(_("时间"), default=timezone.now)

    class Meta:
        verbose_name = _("审计日志检查点")
        verbose_name_plural = _("审计日志检查点")

    def __str__(self) -> str:
        return f"checkpoint at {self.seq}"

    def save(self, *args, **kwargs):
        if self.pk:
            raise PermissionError("audit checkpoints are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("audit checkpoints are append-only")
