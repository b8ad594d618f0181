"""四亮 public board (亮身份、亮职责、亮承诺、亮成效): the member writes it, anyone reads it without
signing in. The public page is rendered once and kept in the cache until the board changes (or an
hour passes, for the year's figures), so a township can print every village's board at once cheaply.

A mobile number in the contact line is published only with the member's consent, recorded with the
board, however it is written (mobile_spans: grouped with spaces, hyphens or dots, in full-width digits,
with +86, 86 or 0086 before it); a landline with its area code is shown. A village without a
discipline member has no board."""

from __future__ import annotations

import re
import unicodedata

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import get_language, gettext

from jijian.audit.services import audit_record
from jijian.core.language import platform_language
from jijian.core.models import OrgUnit
from jijian.core.services import ConcurrentEditError

from .access import member_village, villages_visible_to
from .models import DecisionStep, PublicBoard, VoucherSignature

PHOTO_PURPOSE = "villageaffairs.board_photo"

# A mainland mobile number as people write it, matched in the NFKC form of the text (full-width digits,
# spaces and signs read as ASCII): eleven digits 1[3-9]…, a single space, hyphen or dot allowed between
# any two of them (139-0722-1234, 139 0722 1234, 139.0722.1234), the country code before it or not
# (+86, 86, 0086, bracketed or not), and no digit right before or after it. A landline (0722-3581234)
# starts with 0 and a service number (12388) is short: neither matches.
_SEPARATOR = r"[ \t\-.\u2010-\u2015]"
MOBILE = re.compile(
    rf"(?<![0-9])(?:\(?(?:\+|00)?86\)?{_SEPARATOR}?)?1{_SEPARATOR}?[3-9](?:{_SEPARATOR}?[0-9]){{9}}(?![0-9])"
)
CACHE_SECONDS = 3600


def mobile_spans(text: str) -> list[tuple[int, int]]:
    """Where the mobile numbers are in `text`: (start, end) of each as written, its country code
    included. Each character is normalised on its own (NFKC), so a span maps back to the text."""
    normalised, origin = [], []
    for i, char in enumerate(text or ""):
        form = unicodedata.normalize("NFKC", char)
        normalised.append(form)
        origin.extend([i] * len(form))
    return [(origin[m.start()], origin[m.end() - 1] + 1) for m in MOBILE.finditer("".join(normalised))]


def has_mobile(text: str) -> bool:
    return bool(mobile_spans(text))


def mask_mobiles(text: str) -> str:
    """`text` with each mobile number, as written, replaced by （未公开）."""
    shown, last = [], 0
    for start, end in mobile_spans(text):
        shown += [text[last:start], gettext("（未公开）")]
        last = end
    return "".join(shown) + (text or "")[last:]


def cache_key(village_id: int, language: str | None = None) -> str:
    """The cached page of a village's board in a language (the request's, by default). "v2": pages
    cached before grouped and full-width mobile numbers were masked are never served."""
    return f"villageaffairs:board:v2:{village_id}:{language or get_language()}"


def cache_keys(village_id: int) -> list[str]:
    """The board's cached page in every language: all are stale once the board changes."""
    return [cache_key(village_id, code) for code, _ in settings.LANGUAGES]


@transaction.atomic
def public_board_publish(
    *, actor, version: int, duties: str, commitments: str, contact: str = "", phone_consent: bool = False
) -> PublicBoard:
    village = member_village(actor)
    if village is None:
        raise PermissionDenied
    duties, commitments, contact = (
        (duties or "").strip(),
        (commitments or "").strip(),
        (contact or "").strip(),
    )
    errors = []
    if not duties:
        errors.append(gettext("请填写亮职责"))
    if not commitments:
        errors.append(gettext("请填写亮承诺"))
    if len(duties) > 2000 or len(commitments) > 2000 or len(contact) > 200:
        errors.append(gettext("职责、承诺不超过2000字，联系方式不超过200字"))
    if has_mobile(contact) and not phone_consent:
        errors.append(gettext("联系方式中有手机号码：公开手机号码须本人勾选同意；也可填写村委会办公电话"))
    if errors:
        raise ValidationError(errors)
    fields = {
        "member": actor,
        "duties": duties,
        "commitments": commitments,
        "contact": contact,
        "phone_consent": phone_consent and has_mobile(contact),
        "published_at": timezone.now(),
    }
    current = PublicBoard.objects.select_for_update().filter(village=village).first()
    if current is None:
        if version != 0:
            raise ConcurrentEditError()
        board = PublicBoard.objects.create(village=village, **fields)
    else:
        if version != current.version:
            raise ConcurrentEditError()
        PublicBoard.objects.filter(pk=current.pk).update(version=F("version") + 1, **fields)
        board = PublicBoard.objects.get(pk=current.pk)
    audit_record(
        actor=actor,
        action="public_board.publish",
        obj=board,
        org_unit_id=village.pk,
        summary=f"{village.name} 四亮公示（第{board.version}版）",
        after={"contact": contact, "phone_consent": board.phone_consent},
    )
    transaction.on_commit(lambda: cache.delete_many(cache_keys(village.pk)))
    return board


def may_set_photo(actor, village_id: int) -> bool:
    """The member of the village, or the township committee over it, sets the member's photo."""
    from .reimbursements import is_township_officer

    own = member_village(actor)
    if own is not None:
        return own.pk == village_id
    return is_township_officer(actor) and villages_visible_to(actor).filter(pk=village_id).exists()


@transaction.atomic
def public_board_photo_set(*, actor, village_id: int, file, ip_address: str = "") -> PublicBoard:
    """The member's photo on the board (and its poster): stored through the attachment service (its
    checks: an image, re-encoded without metadata), in the village's unit. The board must be published
    (the photo goes with the member's page); a new photo replaces the old one."""
    from jijian.attachments.models import AttachmentKind
    from jijian.attachments.services import attachment_store
    from jijian.core.roles import Module

    if not may_set_photo(actor, village_id):
        raise PermissionDenied
    board = PublicBoard.objects.select_for_update().filter(village_id=village_id).first()
    if board is None:
        raise ValidationError(gettext("该村（社区）尚未发布四亮公示：请纪检委员先发布，再上传照片"))
    if file is None:
        raise ValidationError(gettext("请选择照片"))
    attachment = attachment_store(
        actor=actor,
        file=file,
        org_unit=board.village,
        module=Module.VILLAGE_AFFAIRS,
        purpose=PHOTO_PURPOSE,
        object_id=board.pk,
        ip_address=ip_address,
        kinds={AttachmentKind.IMAGE},  # a photo: anything else is refused before it is stored
    )
    before = board.photo_id
    PublicBoard.objects.filter(pk=board.pk).update(photo_id=attachment.pk, version=F("version") + 1)
    board.refresh_from_db()
    audit_record(
        actor=actor,
        action="public_board.photo",
        obj=board,
        org_unit_id=village_id,
        summary=f"{board.village.name} 四亮公示照片",
        before={"photo": before},
        after={"photo": attachment.pk},
        ip_address=ip_address,
    )
    transaction.on_commit(lambda: cache.delete_many([*cache_keys(village_id), photo_cache_key(village_id)]))
    return board


def photo_cache_key(village_id: int) -> str:
    return f"villageaffairs:board-photo:{village_id}"


def board_photo(board: PublicBoard) -> bytes | None:
    """The member's photo as a small JPEG (the attachment's thumbnail: the stored, re-encoded copy),
    kept in the cache with the page; None without a photo."""
    from jijian.attachments.models import Attachment
    from jijian.attachments.services import NoThumbnail, attachment_thumbnail

    if board.photo_id is None:
        return None
    key = photo_cache_key(board.village_id)
    data = cache.get(key)
    if data is None:
        attachment = Attachment.objects.filter(
            pk=board.photo_id, purpose=PHOTO_PURPOSE, object_id=str(board.pk)
        ).first()
        if attachment is None:
            return None
        try:
            data = attachment_thumbnail(attachment=attachment)
        except NoThumbnail:
            return None
        cache.set(key, data, CACHE_SECONDS)
    return data


def board_for_village(village_id) -> PublicBoard | None:
    """The published board of an active village whose member is still its member, else None."""
    board = (
        PublicBoard.objects.select_related("village", "village__parent", "member")
        .filter(village_id=village_id, village__is_active=True, member__is_active=True)
        .first()
    )
    if board is None or board.member.org_unit_id != board.village_id:
        return None
    return board


def boards_for(villages: list[OrgUnit]) -> tuple[list[PublicBoard], list[str]]:
    """The published boards of these villages (one query) and the names of those without one."""
    found = {
        b.village_id: b
        for b in PublicBoard.objects.select_related("village", "village__parent", "member").filter(
            village__in=villages, village__is_active=True, member__is_active=True
        )
        if b.member.org_unit_id == b.village_id
    }
    return [found[v.pk] for v in villages if v.pk in found], [v.name for v in villages if v.pk not in found]


def year_results(board: PublicBoard, year: int) -> dict:
    """亮成效: what the member supervised this year, from the village-affairs records."""
    steps = DecisionStep.objects.filter(
        decision__village_id=board.village_id, member_present=True, held_on__year=year
    )
    signatures = VoucherSignature.objects.filter(
        voucher__village_id=board.village_id,
        step="member_recheck",
        recorded_by=board.member,
        signed_at__year=year,
    )
    return {
        "steps": steps.count(),
        "decisions": steps.values("decision_id").distinct().count(),
        "opinions": steps.exclude(member_opinion="").count(),
        "vouchers": signatures.filter(is_objection=False).count(),
        "objections": signatures.filter(is_objection=True).count(),
    }


def shown_contact(board: PublicBoard) -> str:
    """The contact line as the public page and the poster show it: mobile numbers masked unless the
    member consented."""
    return board.contact if board.phone_consent else mask_mobiles(board.contact)


def villages_with_boards(township: OrgUnit):
    return PublicBoard.objects.filter(village__parent=township, village__is_active=True).select_related(
        "village"
    )


def posters_pdf(boards: list[PublicBoard], *, page_url, report_url, missing: list[str], year: int) -> bytes:
    """Printable A4 posters, one page per board, with the member's photo and a QR code that opens the
    public report form with the village filled in (`report_url(village_id)`), the public page's address
    printed too (`page_url(village_id)`); `missing` names the villages that have no board (no member,
    or not published), on a last page."""
    import base64

    import segno
    from django.template.loader import render_to_string
    from weasyprint import HTML

    pages = []
    for b in boards:
        qr = segno.make(report_url(b.village_id), error="m")
        photo = board_photo(b)
        pages.append(
            {
                "board": b,
                "contact": shown_contact(b),
                "results": year_results(b, year),
                "url": page_url(b.village_id),
                "report_url": report_url(b.village_id),
                "photo": "data:image/jpeg;base64," + base64.b64encode(photo).decode() if photo else "",
                "qr_svg": qr.svg_inline(scale=6, dark="#000", light="#fff"),
            }
        )
    with platform_language():  # posted in the village: in the source language
        html = render_to_string(
            "villageaffairs/board_poster.html", {"pages": pages, "missing": missing, "year": year}
        )
    return HTML(string=html).write_pdf()
