"""Storing and serving attachments. Every module that takes a file calls attachment_store(); nothing
else writes Attachment rows or puts bytes in the file storage.

The upload is read in chunks into a spooled temporary file and never past the limit of its kind
(plus one chunk): an oversized upload is refused after that much, whatever its declared length. The
format is named from the bytes (sniff.detect), the whole file is checked (sniff.inspect) and images
are re-encoded without metadata (sniff.reencode_image). Only then is anything written to storage.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import secrets
import tempfile
import unicodedata
from collections.abc import Collection, Iterable
from datetime import timedelta
from typing import IO, Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, PermissionDenied, ValidationError
from django.core.files import File
from django.core.files.base import ContentFile
from django.core.files.storage import Storage, storages
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy

from jijian.audit.services import audit_record
from jijian.core.access import scope
from jijian.core.models import OrgUnit
from jijian.core.roles import Module
from jijian.core.sensitive.crypto import CryptoError, keyring, sm3_hex

from . import sniff
from .models import Attachment
from .sniff import Kind, Refused

logger = logging.getLogger(__name__)

MB = 1024 * 1024
SPOOL_IN_MEMORY = 4 * MB  # larger uploads spill to a temporary file while they are checked
HELD_SECONDS = 3600  # how long a held upload lives (attachments.held)
_PURPOSE = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)*$")


def file_storage() -> Storage:
    """The default storage of settings.STORAGES: the filesystem under FILES_DIR (outside the web
    root, never served directly), or S3-compatible object storage when JIJIAN_FILE_STORAGE=s3."""
    return storages["default"]


def size_limits() -> dict[str, int]:
    """Bytes allowed per kind. JIJIAN_UPLOAD_MAX_MB caps documents; images stay small (they are
    decoded in memory), recordings may be larger."""
    base = settings.UPLOAD_MAX_MB
    limits_mb = {
        Kind.IMAGE: min(base, 20),
        Kind.PDF: base,
        Kind.OFFICE: base,
        Kind.AUDIO: max(base, 200),
        Kind.VIDEO: max(base, 1024),
    }
    limits_mb.update(getattr(settings, "ATTACHMENT_LIMITS_MB", {}))
    return {kind: mb * MB for kind, mb in limits_mb.items()}


KIND_LABELS = {
    Kind.IMAGE: gettext_lazy("图片"),
    Kind.PDF: "PDF",
    Kind.OFFICE: gettext_lazy("Office 文档"),
    Kind.AUDIO: gettext_lazy("录音"),
    Kind.VIDEO: gettext_lazy("视频"),
}


# What an ordinary staff upload takes when its caller names nothing else: documents and photos. A
# caller that takes recordings or videos says so (kinds=...), and so does its URL's body limit
# (config/bodylimits.py): a 300 MB video sent to a photo form is refused, not stored.
STAFF_KINDS: frozenset[str] = frozenset({Kind.IMAGE, Kind.PDF, Kind.OFFICE})
ALL_KINDS: frozenset[str] = frozenset(KIND_LABELS)


def kinds_label(kinds: Collection[str]) -> str:
    """The kinds named for people, in a fixed order: "图片、PDF、Office 文档"."""
    return "、".join(str(label) for kind, label in KIND_LABELS.items() if kind in kinds)


def public_kinds() -> frozenset[str]:
    """The kinds of file the public may upload (JIJIAN_PUBLIC_UPLOAD_KINDS)."""
    kinds = frozenset(settings.PUBLIC_UPLOAD_KINDS)
    if unknown := kinds - set(KIND_LABELS):
        raise ImproperlyConfigured(f"JIJIAN_PUBLIC_UPLOAD_KINDS: 未知类型 {', '.join(sorted(unknown))}")
    return kinds


def public_max_bytes() -> int:
    """The most one file from the public may carry (JIJIAN_PUBLIC_UPLOAD_MAX_MB)."""
    return settings.PUBLIC_UPLOAD_MAX_MB * MB


def public_limits() -> dict[str, int]:
    """Bytes allowed per kind for an upload by the public: only the public kinds, none above
    public_max_bytes()."""
    cap = public_max_bytes()
    return {kind: min(limit, cap) for kind, limit in size_limits().items() if kind in public_kinds()}


def upload_hard_limit() -> int:
    """The most any upload may carry, whatever its kind (used by the upload handler)."""
    return max(size_limits().values())


def clean_name(name: str) -> str:
    """A file name safe to keep and show: the last path component, NFC, no control or bidi
    characters (U+202E would turn "gpj.exe" around), no characters Windows forbids, at most 120."""
    base = unicodedata.normalize("NFC", str(name or "")).replace("\\", "/").rsplit("/", 1)[-1]
    base = "".join(ch for ch in base if unicodedata.category(ch)[0] != "C")
    base = re.sub(r'[<>:"|?*;]', "_", base).strip(" .")
    if len(base) > 120:
        stem, dot, ext = base.rpartition(".")
        base = (stem[:110] + dot + ext[:9]) if dot and len(ext) <= 9 else base[:120]
    return base or "附件"


def _human(size: int) -> str:
    return f"{size / MB:.0f} MB" if size >= MB else f"{size // 1024} KB"


def _receive(file: IO[bytes], name: str, limits: dict[str, int]) -> tuple[Any, sniff.Format, int, str]:
    """Copy the upload into a spooled temporary file, naming its format from the first bytes and
    stopping as soon as it passes the limit of that kind (a kind without a limit is refused).
    Returns (copy, format, size, SM3)."""
    if hasattr(file, "seek"):
        with contextlib.suppress(OSError, ValueError):
            file.seek(0)
    limit = max(limits.values())
    spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_IN_MEMORY)  # noqa: SIM115 - returned
    digest = hashes.Hash(hashes.SM3())
    received, fmt, head = 0, None, b""
    try:
        while True:
            chunk = file.read(sniff.CHUNK)
            if not chunk:
                break
            received += len(chunk)
            if received > limit:
                label = fmt.label if fmt else gettext("文件")
                raise Refused(
                    gettext("%(label)s超过 %(human)s 的大小上限") % {"label": label, "human": _human(limit)}
                )
            spool.write(chunk)
            digest.update(chunk)
            if fmt is None:
                head += chunk[: sniff.HEAD - len(head)]
                if len(head) >= sniff.HEAD:
                    fmt = _judge(head, name, received, limits)
                    limit = limits[fmt.kind]
        if fmt is None:
            fmt = _judge(head, name, received, limits)
    except BaseException:
        spool.close()
        raise
    spool.seek(0)
    return spool, fmt, received, digest.finalize().hex()


def _judge(head: bytes, name: str, size: int, limits: dict[str, int]) -> sniff.Format:
    """The format named by the first bytes, if its kind is one of `limits` and `size` within its
    limit; else Refused (the message for the user)."""
    fmt = sniff.detect(head, name, kinds_label(limits))
    if fmt.kind not in limits:
        raise Refused(
            gettext("不接收%(label)s：只接收%(kinds_label)s")
            % {"label": fmt.label, "kinds_label": kinds_label(limits)}
        )
    if size > limits[fmt.kind]:
        raise Refused(
            gettext("%(label)s超过 %(human)s 的大小上限")
            % {"label": fmt.label, "human": _human(limits[fmt.kind])}
        )
    return fmt


def attachment_refusal(
    file: Any, *, name: str | None = None, kinds: Collection[str] | None = None, public: bool = False
) -> str | None:
    """Why attachment_store(kinds=..., public=...) would refuse `file` at once, from its first bytes,
    its name and its size (a format not recognised, a kind not taken, an extension that disagrees, too
    large), in its words; None if it would go on to the whole file's check. Nothing is stored; the
    file is left at its start."""
    limits = _limits_for(kinds, public)
    file.seek(0)
    head = file.read(sniff.HEAD)
    size = getattr(file, "size", None)
    if size is None:
        size = file.seek(0, os.SEEK_END)
    file.seek(0)
    try:
        _judge(head, clean_name(name if name is not None else getattr(file, "name", "")), size, limits)
    except Refused as refused:
        return str(refused)
    return None


def _limits_for(kinds: Collection[str] | None, public: bool) -> dict[str, int]:
    """The per-kind limits one upload follows: the public's own kinds and sizes for the public portal
    (public_limits(), JIJIAN_PUBLIC_UPLOAD_KINDS), else size_limits() of the kinds the caller takes
    (STAFF_KINDS unless it names others)."""
    if public:
        if kinds is not None:
            raise ValueError("a public upload follows JIJIAN_PUBLIC_UPLOAD_KINDS, not kinds=")
        return public_limits()
    kinds = STAFF_KINDS if kinds is None else frozenset(kinds)
    if not kinds or kinds - ALL_KINDS:
        raise ValueError(f"kinds must be attachment kinds, not {sorted(kinds)!r}")
    return {kind: limit for kind, limit in size_limits().items() if kind in kinds}


def encrypt_copy(src: Any, key: bytes, aad: bytes) -> tempfile.SpooledTemporaryFile:
    """SM4-GCM over the stream, in the layout of jijian.core.sensitive.crypto.sm4_gcm_encrypt
    (nonce | ciphertext | tag), so sm4_gcm_decrypt reads it back."""
    nonce = os.urandom(12)
    encryptor = Cipher(algorithms.SM4(key), modes.GCM(nonce)).encryptor()
    encryptor.authenticate_additional_data(aad)
    out = tempfile.SpooledTemporaryFile(max_size=SPOOL_IN_MEMORY)  # noqa: SIM115 - returned
    out.write(nonce)
    src.seek(0)
    for chunk in iter(lambda: src.read(sniff.CHUNK), b""):
        out.write(encryptor.update(chunk))
    out.write(encryptor.finalize())
    out.write(encryptor.tag)
    out.seek(0)
    return out


def decrypt_copy(blob: Any, key: bytes, aad: bytes) -> Any:
    """Streaming counterpart of encrypt_copy: the plaintext goes to a spooled temporary file, which
    is handed back only after the GCM tag checked out (CryptoError otherwise)."""
    blob.seek(0, os.SEEK_END)
    length = blob.tell()
    if length < 28:
        raise CryptoError("ciphertext too short")
    blob.seek(length - 16)
    tag = blob.read(16)
    blob.seek(0)
    nonce = blob.read(12)
    decryptor = Cipher(algorithms.SM4(key), modes.GCM(nonce, tag)).decryptor()
    decryptor.authenticate_additional_data(aad)
    out = tempfile.SpooledTemporaryFile(max_size=SPOOL_IN_MEMORY)  # noqa: SIM115 - returned
    left = length - 28
    try:
        while left:
            chunk = blob.read(min(sniff.CHUNK, left))
            if not chunk:
                raise CryptoError("ciphertext cut short")
            left -= len(chunk)
            out.write(decryptor.update(chunk))
        try:
            out.write(decryptor.finalize())
        except InvalidTag:
            raise CryptoError("authentication failed: wrong key or altered ciphertext") from None
    except BaseException:
        out.close()
        raise
    out.seek(0)
    return out


def _evidence_aad(kid: str, evidence_name: str) -> bytes:
    return f"jijian-attachment|{kid}|{evidence_name}".encode()


def delete_quietly(storage: Storage, names: list[str]) -> None:
    for name in names:
        with contextlib.suppress(Exception):  # the orphan sweep removes what is left
            storage.delete(name)


def attachments_discard_bytes(attachments: list[Attachment]) -> None:
    """Delete the stored bytes of attachments whose rows are being rolled back: a caller storing
    several files refuses them all when one is refused, and the bytes of those stored before it go
    too (attachment_orphans_sweep would find them only hours later)."""
    delete_quietly(
        file_storage(),
        [
            n
            for a in attachments
            for n in (a.storage_name, a.evidence_storage_name, a.thumbnail_storage_name)
            if n
        ],
    )


def attachment_store(
    *,
    actor,
    file: IO[bytes],
    org_unit: OrgUnit,
    module: str,
    purpose: str,
    object_id: str | int = "",
    keep_original: bool = False,
    name: str | None = None,
    ip_address: str = "",
    public: bool = False,
    kinds: Collection[str] | None = None,
) -> Attachment:
    """Check and store one uploaded file for `purpose` (e.g. "reports.duty_log") of object `object_id`,
    in `org_unit` (whose jurisdiction governs who may download it) under `module`.

    Raises ValidationError (Chinese message, code "attachment_refused") for a file of a type not on
    the allow-list, whose extension disagrees with its content, that is too large, truncated,
    corrupt, a polyglot, an archive bomb or carries active content; nothing is stored then. Raises
    PermissionDenied when a signed-in actor stores a file for a unit outside their jurisdiction for
    `module`. `actor` may be None for the public (anonymous reports). keep_original=True keeps the
    bytes as received, SM4-GCM encrypted, for evidence, and stores nothing else: the file is stored
    once, encrypted, and downloads decrypt it (an image is re-encoded on the way out, see
    attachment_open). Without it an image is stored as its re-encoded copy only.

    `kinds` (Kind values) are what this upload takes: STAFF_KINDS (images, PDF, Office documents)
    when not given; a file of another kind is refused ("不接收视频：只接收图片、PDF、Office 文档")
    before anything is stored. public=True (an upload by the public portal) accepts only the public
    kinds and sizes (public_limits()) and takes no `kinds`."""
    if module not in Module.values:
        raise ValueError(f"unknown module {module!r}")
    if not _PURPOSE.match(purpose or "") or len(purpose) > 64:
        raise ValueError(f"purpose must be a dotted lowercase name, not {purpose!r}")
    signed_in = getattr(actor, "is_authenticated", False)
    if (
        signed_in
        and not scope(OrgUnit.objects.filter(pk=org_unit.pk), actor, module=module, unit_field=None).exists()
    ):
        raise PermissionDenied
    limits = _limits_for(kinds, public)
    original_name = clean_name(name if name is not None else getattr(file, "name", ""))
    try:
        spool, fmt, original_size, original_sm3 = _receive(file, original_name, limits)
    except Refused as refused:
        raise ValidationError(str(refused), code="attachment_refused") from None

    storage = file_storage()
    saved: list[str] = []
    encrypted = None
    try:
        try:
            if fmt.kind == Kind.IMAGE:
                content = sniff.reencode_image(spool, fmt)
                stored: File = ContentFile(content)
                size, digest = len(content), sm3_hex(content)
            else:
                sniff.inspect(spool, fmt)
                stored, size, digest = File(spool), original_size, original_sm3
        except Refused as refused:
            raise ValidationError(str(refused), code="attachment_refused") from None
        except Exception:  # a parser tripped on hostile input: refuse it, never answer 500
            logger.warning("attachment check failed on %r (%s)", original_name, fmt.key, exc_info=True)
            raise ValidationError(
                gettext("%(label)s无法解析，不予接收") % {"label": fmt.label}, code="attachment_refused"
            ) from None

        stamp = timezone.now()
        evidence_name = kid = ""
        if keep_original:
            ring = keyring()
            kid = ring.primary_id
            evidence_name = f"evidence/{module}/{stamp:%Y/%m}/{secrets.token_hex(16)}.sm4"
            spool.seek(0)
            encrypted = encrypt_copy(spool, ring.key(kid), _evidence_aad(kid, evidence_name))
            saved.append(storage.save(evidence_name, File(encrypted)))
        if keep_original:
            # One stored object, the encrypted original, serves both: attachment_open decrypts it
            # and re-encodes an image again on the way out (no plaintext copy lies in storage). The
            # image was re-encoded above all the same: that refuses a broken image before anything
            # is stored, and `size`/`sm3` name the copy served.
            storage_name = evidence_name
        else:
            storage_name = f"{module}/{stamp:%Y/%m}/{secrets.token_hex(16)}.{fmt.key}"
            saved.append(storage.save(storage_name, stored))
        if saved[0] != (evidence_name or storage_name) or saved[-1] != storage_name:
            raise RuntimeError("storage renamed a fresh random name")  # would break the evidence AAD

        with transaction.atomic():
            attachment = Attachment.objects.create(
                org_unit=org_unit,
                module=module,
                purpose=purpose,
                object_id=str(object_id),
                uploaded_by=actor if signed_in else None,
                original_name=original_name,
                kind=fmt.kind,
                mime=fmt.mime,
                extension=sniff.extension_of(original_name),
                size=size,
                sm3=digest,
                original_size=original_size,
                original_sm3=original_sm3,
                storage_name=storage_name,
                evidence_storage_name=evidence_name,
                evidence_key_id=kid,
                created_at=stamp,
            )
            audit_record(
                actor=actor,
                action="attachment.upload",
                obj=attachment,
                ip_address=ip_address,
                summary=f"上传附件：{original_name}",
                after={
                    "module": module,
                    "purpose": purpose,
                    "object_id": str(object_id),
                    "kind": fmt.kind,
                    "mime": fmt.mime,
                    "size": size,
                    "sm3": digest,
                    "original_sm3": original_sm3,
                    "evidence": bool(evidence_name),
                },
            )
    except BaseException:
        # Nothing half-stored: the row did not commit, so the bytes go too. (A rollback of an outer
        # transaction later is caught by attachment_orphans_sweep.)
        delete_quietly(storage, saved)
        raise
    finally:
        spool.close()
        if encrypted is not None:
            encrypted.close()
    return attachment


def attachments_store_all(
    *,
    actor,
    files: Iterable[IO[bytes]],
    org_unit: OrgUnit,
    module: str,
    purpose: str,
    object_id: str | int = "",
    keep_original: bool = False,
    ip_address: str = "",
    public: bool = False,
    kinds: Collection[str] | None = None,
) -> list[Attachment]:
    """Store several files for one object, all or nothing: every file goes through attachment_store
    (same arguments; each file keeps its own name), and when one is refused none is kept — the rows
    roll back (one transaction, a savepoint inside the caller's) and the bytes of the files stored
    before it are deleted at once (attachments_discard_bytes), not left to the orphan sweep.

    The refusal is the store's own ValidationError (code "attachment_refused") with the refused
    file's name in front ("“收据.exe”：不接收…"); PermissionDenied and anything else pass unchanged.
    Every caller that takes more than one file at once stores them through here."""
    stored: list[Attachment] = []
    try:
        with transaction.atomic():
            for file in files:
                name = getattr(file, "name", None)
                try:
                    stored.append(
                        attachment_store(
                            actor=actor,
                            file=file,
                            org_unit=org_unit,
                            module=module,
                            purpose=purpose,
                            object_id=object_id,
                            keep_original=keep_original,
                            name=name,
                            ip_address=ip_address,
                            public=public,
                            kinds=kinds,
                        )
                    )
                except ValidationError as refused:
                    label = clean_name(name or "")
                    message = "；".join(refused.messages)
                    raise ValidationError(f"“{label}”：{message}", code="attachment_refused") from None
    except BaseException:
        attachments_discard_bytes(stored)
        raise
    return stored


def attachment_open(*, actor, attachment: Attachment, ip_address: str = "") -> File:
    """Open the stored file for download and write the audit entry for it. The caller has resolved
    `attachment` through access.get_attachment_for (jurisdiction)."""
    with transaction.atomic():
        audit_record(
            actor=actor,
            action="attachment.download",
            obj=attachment,
            ip_address=ip_address,
            summary=f"下载附件：{attachment.original_name}",
        )
    return _open_served(attachment)


def _open_served(attachment: Attachment) -> File:
    """The file as served: the stored copy, or, for a file stored once (encrypted original), the
    decrypted original, re-encoded again if it is an image (sniff.reencode_image, the function the
    upload used: EXIF/GPS dropped, orientation applied). Rows from before images were stored once
    (a re-encoded copy next to the encrypted original) serve their copy.

    Decrypting and re-encoding costs tens of milliseconds of CPU per view of a phone photo, where a
    stored copy is a plain read (bench/README.md, "Thumbnails"); pages that show many photos show
    thumbnails (attachment_thumbnail), kept after their first view."""
    if attachment.storage_name != attachment.evidence_storage_name:
        return file_storage().open(attachment.storage_name, "rb")
    kid, name = attachment.evidence_key_id, attachment.evidence_storage_name
    with file_storage().open(name, "rb") as fh:
        plain = decrypt_copy(fh, keyring().key(kid), _evidence_aad(kid, name))
    if attachment.kind != Kind.IMAGE:
        return File(plain)
    fmt = next(f for f in sniff.FORMATS.values() if f.kind == Kind.IMAGE and f.mime == attachment.mime)
    with plain:
        return ContentFile(sniff.reencode_image(plain, fmt))


THUMBNAIL_SIDE = 320  # px, the longest side: a list row on a phone, sharp at 2x


class NoThumbnail(Exception):
    """The attachment is not an image (or its stored copy cannot be decoded)."""


def attachment_thumbnail(*, attachment: Attachment) -> bytes:
    """A small JPEG of an image attachment, made from the copy served (re-encoded, metadata-free:
    _open_served) at its first view and kept, so that later views read it rather than decrypt, decode
    and re-encode the photo again: beside the copy for an image stored as its copy, and SM4-GCM
    encrypted like the original, under the row's data key, for an image stored once (no plaintext of a
    reporter's photo lies in storage, not even a small one). A kept thumbnail that cannot be read is made
    again. Not audited as a download: it is a preview inside a page the viewer may open anyway; opening
    the file itself goes through attachment_open. The caller has resolved `attachment` through
    access.get_attachment_for (jurisdiction)."""
    if attachment.kind != Kind.IMAGE:
        raise NoThumbnail
    if attachment.thumbnail_storage_name:
        try:
            return _thumbnail_read(attachment)
        except (OSError, CryptoError):  # gone from storage or altered: made again below
            logger.warning(
                "kept thumbnail of attachment %s unreadable; made again", attachment.pk, exc_info=True
            )
    data = _thumbnail_make(attachment)
    _thumbnail_keep(attachment, data)
    return data


def _stored_once(attachment: Attachment) -> bool:
    return (
        bool(attachment.evidence_storage_name) and attachment.storage_name == attachment.evidence_storage_name
    )


def _thumbnail_read(attachment: Attachment) -> bytes:
    name = attachment.thumbnail_storage_name
    with file_storage().open(name, "rb") as fh:
        if not _stored_once(attachment):
            return fh.read()
        kid = attachment.evidence_key_id
        with decrypt_copy(fh, keyring().key(kid), _evidence_aad(kid, name)) as plain:
            return plain.read()


def _thumbnail_make(attachment: Attachment) -> bytes:
    from io import BytesIO

    from PIL import Image

    try:
        handle = _open_served(attachment)
    except (Refused, CryptoError) as exc:
        raise NoThumbnail from exc
    with handle:
        try:
            source = Image.open(handle)
            source.draft("RGB", (THUMBNAIL_SIDE * 2, THUMBNAIL_SIDE * 2))  # JPEG: decode at a fraction
            image = source.convert("RGB")
            image.thumbnail((THUMBNAIL_SIDE, THUMBNAIL_SIDE))
        except (OSError, ValueError, Image.DecompressionBombError) as exc:
            raise NoThumbnail from exc
    out = BytesIO()
    image.save(out, "JPEG", quality=80, optimize=True)
    return out.getvalue()


def _thumbnail_keep(attachment: Attachment, data: bytes) -> None:
    """Store the thumbnail under a fresh random name and name it on the row if the row still names what
    this view read (none, or an unreadable one) and the same file and key (compare-and-set: of two first
    views at once one keeps its file, the other deletes its own; a file re-encrypted meanwhile under a new
    key keeps none). Keeping it is a saving, not a duty: a failure leaves the row as it was."""
    from io import BytesIO

    storage = file_storage()
    stamp, token = attachment.created_at, secrets.token_hex(16)
    saved = ""
    try:
        if _stored_once(attachment):
            kid = attachment.evidence_key_id
            name = f"evidence/{attachment.module}/{stamp:%Y/%m}/{token}.thumb.sm4"
            body: Any = encrypt_copy(BytesIO(data), keyring().key(kid), _evidence_aad(kid, name))
        else:
            name = f"{attachment.module}/{stamp:%Y/%m}/{token}.thumb.jpg"
            body = ContentFile(data)
        with body:
            saved = storage.save(name, File(body))
        if saved != name:
            raise RuntimeError("storage renamed a fresh random name")  # would break the AAD
        kept = Attachment.objects.filter(
            pk=attachment.pk,
            thumbnail_storage_name=attachment.thumbnail_storage_name,
            storage_name=attachment.storage_name,
            evidence_key_id=attachment.evidence_key_id,
        ).update(thumbnail_storage_name=name)
    except Exception:
        logger.warning("thumbnail of attachment %s not kept", attachment.pk, exc_info=True)
        delete_quietly(storage, [saved] if saved else [])
        return
    if not kept:
        delete_quietly(storage, [name])
        return
    if attachment.thumbnail_storage_name:  # the unreadable one it replaces
        delete_quietly(storage, [attachment.thumbnail_storage_name])
    attachment.thumbnail_storage_name = name


def attachment_open_original(*, actor, attachment: Attachment, ip_address: str = "") -> Any:
    """The bytes as received (keep_original=True), decrypted and checked (GCM tag), as a temporary
    file to stream or read; audited. The caller has resolved `attachment` through access (and any
    stricter rule of its module) and closes the file."""
    if not attachment.evidence_storage_name:
        raise ValueError("this attachment kept no original")
    kid, name = attachment.evidence_key_id, attachment.evidence_storage_name
    with file_storage().open(name, "rb") as fh:
        plain = decrypt_copy(fh, keyring().key(kid), _evidence_aad(kid, name))
    try:
        with transaction.atomic():
            audit_record(
                actor=actor,
                action="attachment.original_read",
                obj=attachment,
                ip_address=ip_address,
                summary=f"读取附件原件：{attachment.original_name}",
            )
    except BaseException:
        plain.close()
        raise
    return plain


def attachment_read_original(*, actor, attachment: Attachment, ip_address: str = "") -> bytes:
    """attachment_open_original() read into memory: for small evidence (photos, documents)."""
    with attachment_open_original(actor=actor, attachment=attachment, ip_address=ip_address) as plain:
        return plain.read()


def _walk(storage: Storage, path: str):
    directories, files = storage.listdir(path)
    for name in files:
        yield f"{path}/{name}" if path else name
    for directory in directories:
        yield from _walk(storage, f"{path}/{directory}" if path else directory)


def attachment_orphans_sweep(*, older_than: timedelta = timedelta(hours=6)) -> int:
    """Delete stored files that no Attachment row names (left by a rolled-back transaction or a
    crash between storing and committing), once older than `older_than`, and held uploads once they
    expired (HELD_SECONDS). Safe to run twice."""
    storage = file_storage()
    cutoff = timezone.now() - older_than
    held_cutoff = timezone.now() - timedelta(seconds=HELD_SECONDS)
    top = [m.value for m in Module] + ["evidence", "held"]
    try:
        known_dirs = set(storage.listdir("")[0])
    except FileNotFoundError:  # nothing stored yet
        return 0
    removed = 0
    for directory in (d for d in top if d in known_dirs):
        for names in _batches(_walk(storage, directory), SWEEP_BATCH):
            for name in names - _named_by_rows(names):
                try:
                    modified = storage.get_modified_time(name)
                except (OSError, NotImplementedError):
                    continue
                # Held uploads (attachments.held) are never rows: they go once they expire.
                if modified < (held_cutoff if directory == "held" else cutoff):
                    storage.delete(name)
                    removed += 1
    return removed


SWEEP_BATCH = 500  # stored names checked against the rows per statement (each column indexed)


def _batches(names, size: int):
    batch: set[str] = set()
    for name in names:
        batch.add(name)
        if len(batch) == size:
            yield batch
            batch = set()
    if batch:
        yield batch


def _named_by_rows(names: set[str]) -> set[str]:
    """Those of `names` an Attachment row names: its file, its evidence original or its thumbnail."""
    named: set[str] = set()
    for column in ("storage_name", "evidence_storage_name", "thumbnail_storage_name"):
        named.update(Attachment.objects.filter(**{f"{column}__in": names}).values_list(column, flat=True))
    return named


def attachment_evidence_rekey(*, actor=None, batch: int = 50) -> int:
    """Re-encrypt evidence originals kept under an older data key with the current primary key (run
    after `jijian keys rotate`, so `jijian keys retire` can drop the old key). Each file is written
    under a new name first; the row is switched only if it still names the old file (compare-and-set),
    then the old file is deleted. Idempotent and resumable. Returns the number re-encrypted."""
    ring = keyring()
    primary = ring.primary_id
    storage = file_storage()
    done = 0
    while True:
        rows = list(
            Attachment.objects.exclude(evidence_storage_name="")
            .exclude(evidence_key_id=primary)
            .order_by("pk")
            .only(
                "pk",
                "module",
                "org_unit_id",
                "evidence_storage_name",
                "evidence_key_id",
                "thumbnail_storage_name",
                "created_at",
            )[:batch]
        )
        if not rows:
            return done
        for row in rows:
            old_name, old_kid = row.evidence_storage_name, row.evidence_key_id
            new_name = f"evidence/{row.module}/{row.created_at:%Y/%m}/{secrets.token_hex(16)}.sm4"
            with (
                storage.open(old_name, "rb") as fh,
                decrypt_copy(fh, ring.key(old_kid), _evidence_aad(old_kid, old_name)) as plain,
            ):
                encrypted = encrypt_copy(plain, ring.key(primary), _evidence_aad(primary, new_name))
            try:
                if storage.save(new_name, File(encrypted)) != new_name:
                    raise RuntimeError("storage renamed a fresh random name")
            finally:
                encrypted.close()
            with transaction.atomic():
                # A file stored once (encrypted) is served from the evidence object too: follow it.
                Attachment.objects.filter(
                    pk=row.pk, evidence_storage_name=old_name, storage_name=old_name
                ).update(storage_name=new_name)
                # A kept thumbnail was encrypted under the old key: dropped, made again at its next view.
                switched = Attachment.objects.filter(pk=row.pk, evidence_storage_name=old_name).update(
                    evidence_storage_name=new_name, evidence_key_id=primary, thumbnail_storage_name=""
                )
                if switched:
                    audit_record(
                        actor=actor,
                        action="attachment.evidence_rekey",
                        object_type="attachments.attachment",
                        object_id=row.pk,
                        org_unit_id=row.org_unit_id,
                        summary=f"附件原件改用密钥 {primary} 加密（原 {old_kid}）",
                    )
            if switched:
                delete_quietly(storage, [n for n in (old_name, row.thumbnail_storage_name) if n])
                done += 1
            else:  # someone else re-encrypted it meanwhile
                delete_quietly(storage, [new_name])
