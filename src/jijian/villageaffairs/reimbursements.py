"""The reimbursement co-sign chain (报账联审联签): writes and reads.

A village voucher is entered with its receipt photos (on behalf of the handler, 经手人), then signed
step by step in the order the township set: the village affairs supervision committee reviews, the
discipline member re-checks and signs (复审签字, with their own account: an endorsement of the
voucher's content), the secretary and the chair co-sign, the township leader signs from an amount on,
and the township 三资 agency books it. Signatures on paper are recorded with the name of the person who
signed: the village's by the member, the township leader's and the agency's by the township committee
(`recorded_by` is the account that recorded it; only the member's re-check is signed by the account's
own name). Every step is audited.

Refused, changing nothing: a signature out of turn (only the next step can be signed), a step without
its signer's name, the handler signing his own voucher, one person signing twice (names compared
without spaces and full-width forms: same_person), an objection without a reason, a stale page. An
objection stops the chain and goes to the township with a time limit in working days; the township
lets the chain resume (the step is signed again) or refuses the voucher."""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import NamedTuple
from uuid import UUID

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, F, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy

from jijian.attachments.services import STAFF_KINDS, attachments_store_all
from jijian.audit.services import audit_record
from jijian.core import links
from jijian.core.access import get_or_404, scope
from jijian.core.language import platform_language, written_in_platform_language
from jijian.core.notify import notify
from jijian.core.orgs.workdays import WorkingDays, add_working_days, provisional_mark
from jijian.core.roles import Module, Role
from jijian.core.services import ConcurrentEditError
from jijian.core.validators import text_length_error, typed_text
from jijian.smcrypto import sm3_hex

from .access import member_village
from .models import (
    DEFAULT_CHAIN,
    DEFAULT_OBJECTION_WORKING_DAYS,
    DEFAULT_TOWNSHIP_APPROVAL_FROM,
    TOWNSHIP_CHAIN_STEPS,
    ChainStep,
    ReimbursementChain,
    SplitFlagAnswer,
    Voucher,
    VoucherSignature,
    VoucherState,
)

RECEIPT_PURPOSE = "villageaffairs.voucher"
MAX_RECEIPTS = 9
# The typed texts of a voucher and its signatures: their columns (models.py); longer is refused.
MAX_PURPOSE = 120
MAX_NAME = 50
MAX_OPINION = 500
VILLAGE_STEPS = [s for s in ChainStep.values if s not in TOWNSHIP_CHAIN_STEPS]


# --- access --------------------------------------------------------------------------------------
def vouchers_visible_to(user) -> QuerySet[Voucher]:
    """Vouchers of the villages in the user's jurisdiction (module VILLAGE_AFFAIRS): the member's own
    village, the township's villages, the county's; the same 404 for anything else."""
    return scope(
        Voucher.objects.select_related("village"), user, module=Module.VILLAGE_AFFAIRS, unit_field="village"
    )


def get_voucher_for(user, pk) -> Voucher:
    return get_or_404(vouchers_visible_to(user), pk)


def is_township_officer(user) -> bool:
    return (
        Role.TOWNSHIP_COMMITTEE in user.role_set
        and user.has_module(Module.VILLAGE_AFFAIRS)
        and (user.org_unit.is_township)
    )


def notify_township(village, *, title: str, body: str, link: str, dedup_key: str) -> None:
    """Tell the township committee over `village` (each of its active accounts), once per key."""
    from jijian.core.models import User

    officers = User.objects.filter(
        org_unit_id=village.township_id, roles__role=Role.TOWNSHIP_COMMITTEE, is_active=True
    ).distinct()
    for officer in officers:
        notify(recipient=officer, title=title, body=body, link=link, dedup_key=dedup_key)


# --- the township's chain ------------------------------------------------------------------------
def chain_of(township) -> ReimbursementChain:
    """The township's chain, or the default one (not saved) when it has not set its own."""
    found = ReimbursementChain.objects.filter(township=township).first()
    return found or ReimbursementChain(
        township=township,
        steps=[str(s) for s in DEFAULT_CHAIN],
        township_approval_from=Decimal(DEFAULT_TOWNSHIP_APPROVAL_FROM),
        objection_working_days=DEFAULT_OBJECTION_WORKING_DAYS,
        version=0,
    )


@transaction.atomic
def reimbursement_chain_set(
    *, actor, steps: list[str], township_approval_from: Decimal, objection_working_days: int, version: int
) -> ReimbursementChain:
    """The township committee sets its villages' chain. Vouchers already entered keep theirs."""
    if not is_township_officer(actor):
        raise PermissionDenied
    township = actor.org_unit
    if len(set(steps)) != len(steps) or any(s not in VILLAGE_STEPS for s in steps):
        raise ValidationError(gettext("签字环节不能重复，只能从村级环节中选择"))
    if ChainStep.MEMBER_RECHECK not in steps:
        raise ValidationError(gettext("村级报账须经纪检委员复审签字，不能省略该环节"))
    if township_approval_from is None or township_approval_from <= 0:
        raise ValidationError(gettext("乡镇领导签批起点须大于0元"))
    if not 1 <= objection_working_days <= 30:
        raise ValidationError(gettext("异议处理时限应在1至30个工作日之间"))
    current = ReimbursementChain.objects.select_for_update().filter(township=township).first()
    fields = {
        "steps": list(steps),
        "township_approval_from": township_approval_from,
        "objection_working_days": objection_working_days,
        "updated_by": actor,
        "updated_at": timezone.now(),
    }
    if current is None:
        if version != 0:
            raise ConcurrentEditError()
        chain = ReimbursementChain.objects.create(township=township, **fields)
    else:
        if version != current.version:
            raise ConcurrentEditError()
        ReimbursementChain.objects.filter(pk=current.pk).update(version=F("version") + 1, **fields)
        chain = ReimbursementChain.objects.get(pk=current.pk)
    audit_record(
        actor=actor,
        action="reimbursement_chain.set",
        obj=chain,
        org_unit_id=township.pk,
        summary=f"{township.name} 报账签字流程（第{chain.version}版）",
        after={"steps": steps, "township_approval_from": str(township_approval_from)},
    )
    return chain


# --- vouchers ------------------------------------------------------------------------------------
@transaction.atomic
def voucher_enter(
    *,
    actor,
    purpose: str,
    amount: Decimal,
    spent_on: date,
    handler_name: str,
    files=(),
    ip_address: str = "",
    client_uuid: UUID | None = None,
) -> Voucher:
    """The member enters a voucher with its receipts. The same `client_uuid` again (the form sent
    twice) answers with the voucher it entered, unchanged, and stores no second set of receipts."""
    village = member_village(actor)
    if village is None:
        raise PermissionDenied
    if client_uuid is not None:
        existing = _entered_with(actor, client_uuid)
        if existing is not None:
            return existing
    errors = []
    purpose, handler_name = (purpose or "").strip(), (handler_name or "").strip()
    if not purpose:
        errors.append(gettext("请填写用途"))
    if not handler_name:
        errors.append(gettext("请填写经手人"))
    for text, limit, label in (
        (purpose, MAX_PURPOSE, gettext("用途")),
        (handler_name, MAX_NAME, gettext("经手人")),
    ):
        too_long = text_length_error(text, limit=limit, label=label)
        if too_long:
            errors.append(too_long)
    if amount is None or amount <= 0:
        errors.append(gettext("金额须大于0元"))
    if spent_on is None:
        errors.append(gettext("请填写支出日期"))
    elif spent_on > timezone.localdate():
        errors.append(gettext("支出日期不能晚于今天"))
    files = list(files)
    if not files:
        errors.append(gettext("请上传票据照片"))
    if len(files) > MAX_RECEIPTS:
        errors.append(gettext("每张凭证最多上传 %(MAX_RECEIPTS)s 个文件") % {"MAX_RECEIPTS": MAX_RECEIPTS})
    if errors:
        raise ValidationError(errors)
    township_chain = chain_of(village.parent)
    chain = list(township_chain.steps)
    if amount >= township_chain.township_approval_from:
        chain.append(str(ChainStep.TOWNSHIP_LEADER))
    chain.append(str(ChainStep.AGENCY_BOOKING))
    try:
        with transaction.atomic():  # a savepoint: the same key sent at the same moment loses here
            voucher = Voucher.objects.create(
                village=village,
                purpose=purpose,
                amount=amount,
                spent_on=spent_on,
                handler_name=handler_name,
                chain=chain,
                objection_working_days=township_chain.objection_working_days,
                created_by=actor,
                client_uuid=client_uuid,
            )
    except IntegrityError:
        existing = _entered_with(actor, client_uuid) if client_uuid is not None else None
        if existing is None:
            raise
        return existing
    attachments_store_all(
        actor=actor,
        files=files,
        org_unit=village,
        module=Module.VILLAGE_AFFAIRS,
        purpose=RECEIPT_PURPOSE,
        object_id=voucher.pk,
        ip_address=ip_address,
        kinds=STAFF_KINDS,  # receipts: photos or scans
    )
    audit_record(
        actor=actor,
        action="voucher.enter",
        obj=voucher,
        org_unit_id=village.pk,
        summary=f"报账凭证 {purpose} {amount} 元（经手人 {handler_name}）",
        after={"amount": str(amount), "chain": chain, "receipts": len(files)},
        ip_address=ip_address,
    )
    _tell_township_of_split(actor, voucher)
    return voucher


def _tell_township_of_split(actor, voucher: Voucher) -> None:
    """A voucher that completes a split-expense window reaches the township committee, as a decision's
    flag does (once per flag: a window that gains another voucher is a new flag, told again)."""
    from .models import answer_working_days

    with platform_language():  # a notification is a stored record
        for flag in split_expenses(actor):
            if voucher.pk not in flag.voucher_ids:
                continue
            due = add_working_days(timezone.localdate(), answer_working_days())
            notify_township(
                voucher.village,
                title=f"疑似拆分报账：{flag.village_name} {flag.purpose}",
                body=(
                    f"{len(flag.vouchers)} 张凭证合计 {flag.total} 元，每张低于本村大额资金标准 {flag.threshold} 元。"
                    f"请于 {due:%Y-%m-%d}{provisional_mark(due)} 前处理。"
                ),
                link=reverse("villageaffairs:flag_board")
                + f"?village={voucher.village_id}#split-{flag.key[:12]}",
                dedup_key=f"villageaffairs.split:{flag.key}",
            )


def _entered_with(actor, client_uuid: UUID) -> Voucher | None:
    """The voucher entered with this form key, if any; another person's key is refused."""
    existing = Voucher.objects.filter(client_uuid=client_uuid).first()
    if existing is not None and existing.created_by_id != actor.pk:
        raise PermissionDenied
    return existing


def signed_steps(voucher: Voucher) -> list[VoucherSignature]:
    return [s for s in voucher.signatures.all() if not s.is_objection]


def next_step(voucher: Voucher) -> str | None:
    done = len(signed_steps(voucher))
    return (
        voucher.chain[done] if voucher.state == VoucherState.SIGNING and done < len(voucher.chain) else None
    )


def may_sign(user, voucher: Voucher, step: str | None) -> bool:
    """Village steps are recorded by the village's member, township steps by the township committee."""
    if step is None:
        return False
    if step in TOWNSHIP_CHAIN_STEPS:
        return is_township_officer(user) and voucher.village.township_id == user.org_unit_id
    village = member_village(user)
    return village is not None and village.pk == voucher.village_id


def vouchers_waiting_on(user) -> list[Voucher]:
    """The vouchers whose next signature is the user's to give (may_sign: the member's village's steps,
    the township committee's township steps), oldest first: the voucher list's 待我签字 and the home
    page's to-do. Two queries (the vouchers being signed in the user's jurisdiction, their signatures)."""
    signing = (
        vouchers_visible_to(user)
        .filter(state=VoucherState.SIGNING)
        .prefetch_related("signatures")
        .order_by("created_at", "pk")
    )
    if member_village(user) is None and not is_township_officer(user):
        return []  # a county officer reads the vouchers, never signs one
    return [v for v in signing if may_sign(user, v, next_step(v))]


def person_key(name: str) -> str:
    """A signer's name as compared: NFKC (full-width letters read as ASCII), without any whitespace or
    invisible space — "王 经手" and "王　经手" are 王经手."""
    return re.sub(r"[\s\u200b-\u200d\u2060\ufeff]+", "", unicodedata.normalize("NFKC", name or ""))


def same_person(a: str, b: str) -> bool:
    return person_key(a) == person_key(b)


# The signer a township step records, as the sign form names them.
TOWNSHIP_SIGNER_LABELS = {
    ChainStep.TOWNSHIP_LEADER: gettext_lazy("乡镇领导签字人"),
    ChainStep.AGENCY_BOOKING: gettext_lazy("三资代理中心经办人"),
}


def voucher_digest(voucher: Voucher) -> str:
    content = f"{voucher.pk}|{voucher.village_id}|{voucher.purpose}|{voucher.amount}|{voucher.spent_on}|{voucher.handler_name}"
    return sm3_hex(content.encode())


@dataclass(frozen=True)
class SignOutcome:
    signature: VoucherSignature
    duty_log_note: str


@transaction.atomic
def voucher_sign(
    *,
    actor,
    voucher: Voucher,
    version: int,
    signer_name: str = "",
    opinion: str = "",
    objection: bool = False,
    ip_address: str = "",
) -> SignOutcome:
    """Sign the voucher's next step, or object at it (a reason in `opinion`). `signer_name` is the
    person who signed on paper (a village step, recorded by the member; a township step — the leader's
    approval, the agency's booking — recorded by the township committee); the member's re-check is
    signed by the member's own account and ignores it."""
    locked = Voucher.objects.select_for_update().select_related("village").get(pk=voucher.pk)
    if locked.version != version:
        raise ConcurrentEditError()
    step = next_step(locked)
    if not may_sign(actor, locked, step):
        if step is None:
            raise ValidationError(gettext("该凭证当前不在签字中（已记账、有异议待处理或已不予报销）"))
        raise PermissionDenied
    assert step is not None
    label = ChainStep(step).label
    if step == ChainStep.MEMBER_RECHECK:
        signer_name = actor.full_name  # signed with the member's own account
    signer_name = typed_text(signer_name, limit=MAX_NAME, label=gettext("签字人姓名"))
    opinion = typed_text(opinion, limit=MAX_OPINION, label=gettext("意见"))
    if not person_key(signer_name):
        raise ValidationError(gettext("请填写“%(label)s”的签字人") % {"label": label})
    if same_person(signer_name, locked.handler_name):
        raise ValidationError(
            gettext("经手人 %(signer_name)s 不能在自己经手的凭证上签字") % {"signer_name": signer_name}
        )
    if any(same_person(s.signer_name, signer_name) for s in signed_steps(locked)):
        raise ValidationError(
            gettext("%(signer_name)s 已在本凭证上签过字，同一人不能签字两次") % {"signer_name": signer_name}
        )
    if objection and not opinion:
        raise ValidationError(gettext("提出异议须写明理由"))
    now = timezone.now()
    signature = VoucherSignature.objects.create(
        voucher=locked,
        step=step,
        signer_name=signer_name,
        recorded_by=actor,
        signed_at=now,
        opinion=opinion,
        is_objection=objection,
        endorsement_digest=voucher_digest(locked) if step == ChainStep.MEMBER_RECHECK else "",
    )
    changes: dict = {"version": F("version") + 1}
    due = add_working_days(timezone.localdate(), locked.objection_working_days) if objection else None
    if objection:
        changes.update(state=VoucherState.OBJECTED, objection_due=due)
    elif step == ChainStep.AGENCY_BOOKING:
        changes.update(state=VoucherState.BOOKED, booked_at=now)
    Voucher.objects.filter(pk=locked.pk).update(**changes)
    with platform_language():
        audit_record(
            actor=actor,
            action="voucher.object" if objection else "voucher.sign",
            obj=signature,
            org_unit_id=locked.village_id,
            summary=f"{locked.purpose} {label}：{signer_name}{'提出异议' if objection else '签字'}",
            after={
                "step": step,
                "signer": signer_name,
                "opinion": opinion,
                "digest": signature.endorsement_digest,
            },
            ip_address=ip_address,
        )
    if objection:
        with platform_language():
            notify_township(
                locked.village,
                title=f"报账凭证异议待处理：{locked.village.name} {locked.purpose}",
                body=f"{label}：{signer_name}提出异议——{opinion.rstrip('。')}。请于 {due:%Y-%m-%d}{provisional_mark(due)} 前处理。",
                link=reverse("villageaffairs:voucher_detail", args=[locked.pk]),
                dedup_key=f"villageaffairs.voucher-objection:{signature.pk}",
            )
    note = ""
    if step == ChainStep.MEMBER_RECHECK:
        note = _into_duty_log(actor, locked, signature)
    return SignOutcome(signature, note)


def _into_duty_log(actor, voucher: Voucher, signature: VoucherSignature) -> str:
    """The member's re-check becomes a "reimbursement_check" duty record of its month: one per voucher.
    A re-check objected to and signed again once the township resolved it is still one re-check of one
    voucher, so its source is the voucher's first re-check signature (the key the first signature has
    always had): signing again finds that record and adds none. The record is the first re-check's —
    its month, and the objection if the first was one."""
    first = (
        VoucherSignature.objects.filter(voucher=voucher, step=ChainStep.MEMBER_RECHECK)
        .order_by("signed_at", "pk")
        .values_list("pk", flat=True)
        .first()
    )
    try:
        with transaction.atomic():
            links.duty_log_record(
                actor=actor,
                duty_type_code="reimbursement_check",
                occurred_on=timezone.localtime(signature.signed_at).date(),
                notes=f"复审报账凭证：{voucher.purpose}（{voucher.amount} 元）"
                + ("，提出异议" if signature.is_objection else ""),
                data={
                    "count": 1,
                    "amount": str(voucher.amount),
                    "objections": 1 if signature.is_objection else 0,
                },
                source=f"{RECEIPT_PURPOSE}:{voucher.pk}:{first or signature.pk}",
            )
    except ValidationError as error:
        return gettext("签字已记录，但未能计入履职纪实：%(why)s") % {"why": "；".join(error.messages)}
    return ""


@transaction.atomic
def voucher_resolve(*, actor, voucher: Voucher, version: int, resume: bool, resolution: str) -> Voucher:
    """The township answers an objection: the chain resumes at the objected step, or the voucher is
    refused."""
    locked = Voucher.objects.select_for_update().select_related("village").get(pk=voucher.pk)
    if not (is_township_officer(actor) and locked.village.township_id == actor.org_unit_id):
        raise PermissionDenied
    if locked.version != version:
        raise ConcurrentEditError()
    if locked.state != VoucherState.OBJECTED:
        raise ValidationError(gettext("该凭证没有待处理的异议"))
    resolution = typed_text(resolution, limit=MAX_OPINION, label=gettext("处理意见"))
    if not resolution:
        raise ValidationError(gettext("请填写处理意见"))
    objection = locked.signatures.filter(is_objection=True, resolved_at__isnull=True).latest("signed_at")
    VoucherSignature.objects.filter(pk=objection.pk).update(
        resolution=resolution, resolved_by=actor, resolved_at=timezone.now()
    )
    state = VoucherState.SIGNING if resume else VoucherState.REJECTED
    Voucher.objects.filter(pk=locked.pk).update(state=state, objection_due=None, version=F("version") + 1)
    audit_record(
        actor=actor,
        action="voucher.resolve",
        obj=locked,
        org_unit_id=locked.village_id,
        summary=f"{locked.purpose} 异议处理：{'继续签字' if resume else '不予报销'}",
        after={"resume": resume, "resolution": resolution},
    )
    locked.refresh_from_db()
    return locked


# --- statistics ----------------------------------------------------------------------------------
def voucher_statistics(user, *, year: int) -> list[dict]:
    """Per village and month of entry: vouchers, amount, objections, booked, mean days to book."""
    qs = vouchers_visible_to(user).filter(created_at__year=year)
    objections = dict(
        qs.annotate(n=Count("signatures", filter=Q(signatures__is_objection=True))).values_list("pk", "n")
    )
    rows: dict[tuple[int, int], dict] = defaultdict(
        lambda: {"count": 0, "amount": Decimal(0), "objections": 0, "booked": 0, "book_days": 0.0}
    )
    names: dict[int, str] = {}
    for pk, village_id, village_name, amount, created_at, booked_at in qs.values_list(
        "pk", "village_id", "village__name", "amount", "created_at", "booked_at"
    ).order_by("village__path", "created_at"):
        month = timezone.localtime(created_at).month
        row = rows[(village_id, month)]
        names[village_id] = village_name
        row["count"] += 1
        row["amount"] += amount
        row["objections"] += objections.get(pk, 0)
        if booked_at:
            row["booked"] += 1
            row["book_days"] += (booked_at - created_at).total_seconds() / 86400
    out = []
    for (village_id, month), row in rows.items():
        mean = round(row["book_days"] / row["booked"], 1) if row["booked"] else None
        out.append({"village": names[village_id], "month": month, **row, "mean_book_days": mean})
    return out


@written_in_platform_language
def voucher_statistics_xlsx(user, *, year: int) -> bytes:
    import io

    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = f"{year}年报账统计"
    sheet.append(["村（社区）", "月份", "凭证数", "金额（元）", "异议数", "已记账", "平均记账用时（天）"])
    for r in voucher_statistics(user, year=year):
        sheet.append(
            [r["village"], f"{year}-{r['month']:02d}", r["count"], float(r["amount"]), r["objections"], r["booked"],
             r["mean_book_days"]]
        )  # fmt: skip
    buf = io.BytesIO()
    book.save(buf)
    audit_record(
        actor=user,
        action="voucher.export",
        object_type="villageaffairs.voucher",
        org_unit_id=user.org_unit_id,
        summary=f"导出 {year} 年报账统计",
    )
    return buf.getvalue()


# --- the split-expense flag ------------------------------------------------------------------------
SPLIT_WINDOW_DAYS = 30
SPLIT_RULE = gettext_lazy(
    "同一事项的支出在30天内分成多张凭证，每张都低于本村大额资金标准、合计达到标准：可能以拆分报账规避"
    "“三重一大”集体决策（四议两公开）。"
)
_PURPOSE_NOISE = re.compile(r"[\s0-9０-９一二三四五六七八九十第批次期号（）()、，,.。-]+")


def _purpose_key(purpose: str) -> str:
    return _PURPOSE_NOISE.sub("", purpose or "")


class SplitVoucher(NamedTuple):
    """What the split rule and the board's line read of a voucher (SPLIT_VOUCHER_FIELDS): read as
    rows, so a county's thousands of vouchers build no model instances."""

    pk: int
    village_id: int
    village_name: str
    purpose: str
    amount: Decimal
    spent_on: date
    created_at: datetime


SPLIT_VOUCHER_FIELDS = ("pk", "village_id", "village__name", "purpose", "amount", "spent_on", "created_at")


@dataclass(frozen=True)
class SplitFlag:
    village_name: str
    purpose: str
    vouchers: list[SplitVoucher]
    total: Decimal
    threshold: Decimal

    @property
    def rule(self) -> str:
        """The rule, as shown (in the active language)."""
        return str(SPLIT_RULE)

    @property
    def village_id(self) -> int:
        return self.vouchers[0].village_id

    @property
    def voucher_ids(self) -> list[int]:
        return sorted(v.pk for v in self.vouchers)

    @property
    def key(self) -> str:
        """The flag's name, stable while its window holds the same vouchers (SplitFlagAnswer): the
        SM3 digest of its village and its vouchers' ids. A window that gains a voucher is a new flag."""
        return sm3_hex(f"{self.village_id}:{','.join(map(str, self.voucher_ids))}".encode())

    @property
    def raised_at(self) -> datetime:
        """When the flag was raised: the entry of the latest voucher of its window."""
        return max(v.created_at for v in self.vouchers)


@dataclass
class SplitRow:
    """A split-expense flag on the board, with its answer and due date (as FlagRow for a decision)."""

    flag: SplitFlag
    answer: SplitFlagAnswer | None
    due: date

    @property
    def overdue(self) -> bool:
        return self.answer is None and self.due < timezone.localdate()


def split_expenses(user) -> list[SplitFlag]:
    """Vouchers of the user's villages that look like one expense split under the 大额资金 threshold
    of their village (its filed rules; the default without): the same purpose (numbers, ordinals and
    punctuation ignored), spent within SPLIT_WINDOW_DAYS, each below the threshold and together at or
    above it. A purpose split again after a flagged window starts a new window (the flagged vouchers
    are not counted twice): a village that splits its road works in March and again in September has
    two flags. One query whatever the number of villages."""
    from .models import DEFAULT_LARGE_AMOUNT

    default = Decimal(DEFAULT_LARGE_AMOUNT)
    thresholds: dict[int, Decimal] = {}
    purpose_keys: dict[str, str] = {}  # a village's vouchers repeat a few purposes
    groups: dict[tuple[int, str], list[SplitVoucher]] = defaultdict(list)
    # Only the columns the rule and the board's line read (the village's name for its heading), and
    # the village's filed threshold (its rules, joined: none filed reads None).
    rows = (
        vouchers_visible_to(user)
        .exclude(state=VoucherState.REJECTED)
        .order_by("village_id", "spent_on")
        .values_list(*SPLIT_VOUCHER_FIELDS, "village__decision_rules__large_amount")
    )
    for row in rows:
        v, filed = SplitVoucher(*row[:-1]), row[-1]
        limit = thresholds[v.village_id] = default if filed is None else filed
        if v.amount < limit:
            key = purpose_keys.get(v.purpose)
            if key is None:
                key = purpose_keys[v.purpose] = _purpose_key(v.purpose)
            groups[(v.village_id, key)].append(v)
    flags = []
    for (village_id, _key), group in groups.items():
        limit = thresholds[village_id]
        start, total = 0, Decimal(0)
        for end, last in enumerate(group):  # the widest window ending at each voucher, and its total
            total += last.amount
            while (last.spent_on - group[start].spent_on).days > SPLIT_WINDOW_DAYS:
                total -= group[start].amount
                start += 1
            if end > start and total >= limit:
                window = group[start : end + 1]
                flags.append(SplitFlag(window[0].village_name, window[0].purpose, window, total, limit))
                start, total = end + 1, Decimal(0)  # the same purpose split again later is its own flag
    return flags


def split_board(user, *, village_id: int | None = None, show_answered: bool = False) -> list[SplitRow]:
    """The split-expense flags of the user's villages with their answers and due dates (the answer
    is due answer_working_days() working days after the flag was raised, by the core calendar
    as for a decision's flags): open ones first, the most overdue first. Two queries more than
    split_expenses when there are flags (their answers; the calendar over their span), none without."""
    from .models import answer_working_days

    flags = [f for f in split_expenses(user) if not village_id or f.village_id == village_id]
    if not flags:
        return []
    answers = {
        (a.village_id, a.flag_key): a
        for a in SplitFlagAnswer.objects.select_related("answered_by").filter(
            village_id__in={f.village_id for f in flags}, flag_key__in=[f.key for f in flags]
        )
    }
    tz = timezone.get_current_timezone()
    raised = [f.raised_at.astimezone(tz).date() for f in flags]
    n = answer_working_days()
    calendar = WorkingDays(min(raised), max(raised) + timedelta(days=n * 3 + 60))
    rows = [
        SplitRow(f, answers.get((f.village_id, f.key)), calendar.add(day, n))
        for f, day in zip(flags, raised, strict=True)
    ]
    if not show_answered:
        rows = [r for r in rows if r.answer is None]
    rows.sort(key=lambda r: (r.answer is not None, r.due, r.flag.village_name, r.flag.voucher_ids))
    return rows


def split_flag_of(user, village_id: int, flag_key: str) -> SplitFlag | None:
    """The current split-expense flag `flag_key` of a village of the user's, or None (gone: its
    window changed since the page was shown)."""
    return next((f for f in split_expenses(user) if f.village_id == village_id and f.key == flag_key), None)
