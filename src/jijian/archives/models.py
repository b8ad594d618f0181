"""Integrity archives (廉情档案, DOMAIN.md §3): one archive per supervised person.

This is the archive's first part: the person (name, ID number encrypted with a blind index, unit,
post, level) and the reports from the public linked to it (petitions.PetitionReport.archive). The
other sections of §3 (family members, personal-matters reports, sanctions with their effect period,
integrity talks, commitments, gifts, audits) and the integrity opinion (党风廉政意见回复) come later.

Opening an archive needs a reason and is audited (access.py, services.archive_open); nobody opens
their own archive or that of a person they declared a relation to (回避申报)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jijian.core.fields import BlindIndexField, EncryptedTextField
from jijian.core.models import OrgUnit
from jijian.petitions.models import AccusedLevel


class IntegrityArchive(models.Model):
    name = models.CharField(_("姓名"), max_length=100)
    name_index = BlindIndexField(source="name")
    id_number = EncryptedTextField(_("身份证号"), blank=True, default="")
    id_number_index = BlindIndexField(source="id_number")
    # Where the person works: the archive is in the jurisdiction of whoever oversees this unit.
    org_unit = models.ForeignKey(
        OrgUnit, verbose_name=_("所在单位"), on_delete=models.PROTECT, related_name="+"
    )
    post = models.CharField(_("职务"), max_length=100, blank=True, default="")
    # The rank as the petitions' routing uses it (who manages the person).
    level = models.CharField(
        _("级别"), max_length=20, choices=AccusedLevel.choices, default=AccusedLevel.OTHER
    )
    notes = models.TextField(_("备注"), blank=True, default="")
    is_active = models.BooleanField(_("有效"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("廉情档案")
        verbose_name_plural = _("廉情档案")
        constraints = [
            # One archive per person: the ID number, where known, is unique among active archives.
            models.UniqueConstraint(
                fields=["id_number_index"],
                condition=models.Q(is_active=True) & ~models.Q(id_number_index=""),
                name="archive_one_per_id_number",
            )
        ]
        indexes = [models.Index(fields=["org_unit", "name_index"], name="archive_unit_name")]

    def __str__(self) -> str:
        return self.name
