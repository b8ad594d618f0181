"""Writes of the petitions app: a report from the public, the reporter's follow-up, a message from the
office. Each in one transaction with its audit entry. Public actions are audited with no actor and
no address (audit_record keeps an address only for a signed-in actor): an anonymous reporter leaves
nothing behind that could identify them."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from jijian.attachments.models import Attachment
from jijian.attachments.services import attachment_store
from jijian.audit.services import audit_record
from jijian.core.models import OrgUnit
from jijian.core.roles import Module

from . import receipt
from .models import Channel, Direction, PetitionMessage, PetitionReport, PetitionState

EVIDENCE_PURPOSE = "petition_evidence"


@dataclass(frozen=True)
class Submitted:
    report: PetitionReport
    code: str  # shown once on the confirmation page; never stored


def _store_evidence(*, report: PetitionReport, files, actor=None) -> list[Attachment]:
    """Evidence keeps the bytes as received (encrypted); staff open the metadata-stripped copy by
    default (images are re-encoded by the attachment store)."""
    return [
        attachment_store(
            actor=actor,
            file=f,
            org_unit=report.region,
            module=Module.PETITIONS,
            purpose=EVIDENCE_PURPOSE,
            object_id=report.pk,
            keep_original=True,
            name=getattr(f, "name", None),
        )
        for f in files
    ]


def petition_submit(
    *,
    category: str,
    region: OrgUnit,
    facts: str,
    is_anonymous: bool,
    accused_name: str = "",
    accused_unit: str = "",
    accused_post: str = "",
    accused_level: str = "",
    matter: str = "",
    reporter_name: str = "",
    reporter_id_number: str = "",
    reporter_phone: str = "",
    files=(),
) -> Submitted:
    """Register a report from the public portal with its evidence, all or nothing. Returns the
    report and its receipt code. Raises ValidationError (Chinese) for a refused file: then no report,
    no attachment row (files already written are removed by the attachment orphan sweep)."""
    if not facts.strip():
        raise ValidationError("请填写反映的主要问题和事实")
    if is_anonymous:
        reporter_name = reporter_id_number = reporter_phone = ""
    elif not (reporter_name and reporter_id_number and reporter_phone):
        raise ValidationError("实名举报请填写姓名、身份证号和手机号码")
    for _attempt in range(3):  # a receipt collision (66 bits) is practically impossible; retry anyway
        code = receipt.new_code()
        try:
            with transaction.atomic():
                report = PetitionReport.objects.create(
                    category=category,
                    channel=Channel.ONLINE,
                    accused_name=accused_name,
                    accused_unit=accused_unit,
                    accused_post=accused_post,
                    accused_level=accused_level or PetitionReport._meta.get_field("accused_level").default,
                    region=region,
                    matter=matter or PetitionReport._meta.get_field("matter").default,
                    facts=facts.strip(),
                    is_anonymous=is_anonymous,
                    reporter_name=reporter_name,
                    reporter_id_number=reporter_id_number,
                    reporter_phone=reporter_phone,
                    receipt_hash=receipt.receipt_hash(code),
                    state=PetitionState.RECEIVED,
                )
                attachments = _store_evidence(report=report, files=files)
                audit_record(
                    actor=None,
                    action="petition.submit",
                    obj=report,
                    org_unit_id=region.pk,
                    summary="网上信访举报",
                    after={
                        "category": category,
                        "channel": Channel.ONLINE,
                        "is_anonymous": is_anonymous,
                        "attachments": len(attachments),
                    },
                )
            return Submitted(report=report, code=code)
        except IntegrityError:
            if PetitionReport.objects.filter(receipt_hash=receipt.receipt_hash(code)).exists():
                continue
            raise
    raise RuntimeError("could not draw a unique receipt code")


def petition_find_by_receipt(*, code: str) -> PetitionReport | None:
    """The report a receipt code belongs to, or None. One Argon2id per call (the caller throttles)."""
    digits = receipt.normalize(code)
    if digits is None:
        return None
    return (
        PetitionReport.objects.filter(receipt_hash=receipt.receipt_hash(digits))
        .select_related("region")
        .first()
    )


def petition_followed(*, report: PetitionReport) -> None:
    with transaction.atomic():
        audit_record(
            actor=None,
            action="petition.follow",
            obj=report,
            org_unit_id=report.region_id,
            summary="举报人凭回执码查询",
        )


def petition_follow_failed() -> None:
    """A wrong receipt code: audited with neither the code nor the address."""
    with transaction.atomic():
        audit_record(
            actor=None,
            action="petition.follow_failed",
            object_type="petitions.petitionreport",
            summary="回执码查询失败",
        )


def petition_reporter_reply(*, report: PetitionReport, body: str, files=()) -> PetitionMessage | None:
    """The reporter adds facts or files to their report (after a receipt lookup)."""
    body = (body or "").strip()
    files = list(files)
    if not body and not files:
        raise ValidationError("请填写补充说明或选择要补充的材料")
    if report.state == PetitionState.CLOSED:
        raise ValidationError("该举报已办结，不能再补充材料；如有新的问题请重新举报")
    with transaction.atomic():
        message = PetitionMessage.objects.create(
            report=report,
            direction=Direction.FROM_REPORTER,
            body=body or f"补充材料 {len(files)} 件",
        )
        attachments = _store_evidence(report=report, files=files)
        audit_record(
            actor=None,
            action="petition.reporter_reply",
            obj=message,
            org_unit_id=report.region_id,
            summary="举报人补充材料",
            after={"report": report.pk, "attachments": len(attachments)},
        )
    return message


def petition_message_send(*, actor, report: PetitionReport, body: str) -> PetitionMessage:
    """The office writes to the reporter (read through the receipt code). The caller resolved
    `report` through access.get_petition_for."""
    if not getattr(actor, "is_authenticated", False) or not actor.has_module(Module.PETITIONS):
        raise PermissionDenied
    body = (body or "").strip()
    if not body:
        raise ValidationError("请填写要告知举报人的内容")
    with transaction.atomic():
        message = PetitionMessage.objects.create(
            report=report, direction=Direction.TO_REPORTER, body=body, author=actor
        )
        audit_record(
            actor=actor,
            action="petition.message_send",
            obj=message,
            org_unit_id=report.region_id,
            summary="向举报人发送消息",
        )
    return message


def petition_evidence(report: PetitionReport):
    return Attachment.objects.filter(purpose=EVIDENCE_PURPOSE, object_id=str(report.pk)).order_by(
        "created_at", "pk"
    )
