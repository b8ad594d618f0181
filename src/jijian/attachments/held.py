"""Files chosen on a form that came back with an error (an ID check digit, a missing field), held so
the person does not have to choose them again.

A browser cannot re-fill a file input, so the files are kept on the server: each one SM4-GCM
encrypted under the current data key (the additional data names the held file, so a file cannot be
swapped for another), in the file storage under `held/`, and listed only in the browser's session,
under the form's key ("petitions.public"). The re-rendered form shows them as attached, each with a
box to let it go (`held_keep`); the next valid post takes the kept ones with the new ones, and they go
through attachment_store like any upload (the held copies are then deleted). A file that service
would refuse at once, from its first bytes, name and size (a kind the form does not take: a .exe, a
video on a photo form), is not held: the files field says why (attachment_refusal). Nothing else is
checked and nothing is recorded when holding: a held file is not an attachment yet. Where the form's
kinds depend on what is typed (a report's channel), each post checks the held files again
(HeldUploads.drop_refused): one the kinds now refuse is let go, named in the files field's error. They expire after
HELD_SECONDS (the session forgets them, and attachment_orphans_sweep deletes the bytes).

A view uses them through HeldUploads, which writes the pattern once:

    uploads = HeldUploads(request, "reports.duty_record.new", "uploads")  # kinds=, public= as the
    # service passes them to attachment_store, if not its defaults
    uploads.on_get()  # a fresh form page lets go of what was held
    uploads.drop_refused(form)  # on a post: held files the form's kinds now refuse are let go
    if request.method == "POST" and form.is_valid():
        with uploads.files(form.cleaned_data["uploads"]) as files:  # kept + chosen
            try:
                service(files=files)
            except ValidationError as error:
                form.add_error(None, error.messages)
            else:
                uploads.release()
                return redirect(...)
    uploads.hold_if(form)  # after any error, unless the files themselves were refused
    context["held"] = uploads.shown()
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Collection, Iterator
from contextlib import contextmanager
from typing import Any

from django.core.files import File
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext

from jijian.core.sensitive.crypto import CryptoError, keyring

from .services import (
    HELD_SECONDS,
    attachment_refusal,
    clean_name,
    decrypt_copy,
    delete_quietly,
    encrypt_copy,
    file_storage,
)

HELD_DIR = "held"
SESSION_KEY = "attachments.held"
MAX_HELD = 10  # per form key


def _aad(kid: str, storage_name: str) -> bytes:
    return f"jijian-held|{kid}|{storage_name}".encode()


def _entries(session, key: str) -> list[dict]:
    now = time.time()
    return [e for e in session.get(SESSION_KEY, {}).get(key, []) if now - e["at"] < HELD_SECONDS]


def _save(session, key: str, entries: list[dict]) -> None:
    held = dict(session.get(SESSION_KEY, {}))
    if entries:
        held[key] = entries
    else:
        held.pop(key, None)
    session[SESSION_KEY] = held


def uploads_hold(*, session, key: str, files: list[UploadedFile], keep: list[str]) -> list[dict]:
    """Hold `files` for the form `key` of this session, after the held ones named in `keep` (the
    others are let go); returns what is held now: [{"id", "name", "size"}]."""
    storage = file_storage()
    entries = _entries(session, key)
    dropped = [e for e in entries if e["id"] not in set(keep)]
    delete_quietly(storage, [e["storage"] for e in dropped])
    entries = [e for e in entries if e not in dropped]
    ring = keyring()
    for upload in files[: max(MAX_HELD - len(entries), 0)]:
        kid = ring.primary_id
        storage_name = f"{HELD_DIR}/{secrets.token_hex(16)}.sm4"
        encrypted = encrypt_copy(upload, ring.key(kid), _aad(kid, storage_name))
        try:
            saved = storage.save(storage_name, File(encrypted))
        finally:
            encrypted.close()
        if saved != storage_name:
            delete_quietly(storage, [saved])
            raise RuntimeError("storage renamed a fresh random name")
        entries.append(
            {
                "id": secrets.token_hex(8),
                "name": clean_name(upload.name or ""),
                "size": upload.size,
                "storage": storage_name,
                "kid": kid,
                "at": time.time(),
            }
        )
    _save(session, key, entries)
    return uploads_held(session=session, key=key)


def uploads_held(*, session, key: str) -> list[dict]:
    """What this session holds for the form `key`, for the page: [{"id", "name", "size"}]."""
    return [{"id": e["id"], "name": e["name"], "size": e["size"]} for e in _entries(session, key)]


def uploads_held_files(*, session, key: str, keep: list[str]) -> list[Any]:
    """The held files named in `keep` (ids from the page; others are let go), decrypted into
    temporary files with their names, ready for attachment_store. A held file that cannot be read
    back (expired, altered) is left out. Call uploads_release once they are stored."""
    storage = file_storage()
    ring = keyring()
    wanted, dropped, files = set(keep), [], []
    entries = _entries(session, key)
    for entry in entries:
        if entry["id"] not in wanted:
            dropped.append(entry)
            continue
        try:
            with storage.open(entry["storage"]) as blob:
                plain = decrypt_copy(blob, ring.key(entry["kid"]), _aad(entry["kid"], entry["storage"]))
        except (OSError, CryptoError, KeyError):
            dropped.append(entry)
            continue
        files.append(File(plain, name=entry["name"]))
    delete_quietly(storage, [e["storage"] for e in dropped])
    _save(session, key, [e for e in entries if e not in dropped])
    return files


def uploads_held_refused(
    *, session, key: str, keep: list[str], kinds: Collection[str] | None = None, public: bool = False
) -> list[tuple[str, str]]:
    """The held files named in `keep` that attachment_store(kinds=..., public=...) would now refuse
    at once (the form's kinds changed since they were held: a report's channel switched from video to
    letter), let go and deleted; returns [(name, why)]. The other held files stay held."""
    storage = file_storage()
    ring = keyring()
    wanted, refused = set(keep), []
    entries = _entries(session, key)
    for entry in entries:
        if entry["id"] not in wanted:
            continue
        try:
            with storage.open(entry["storage"]) as blob:
                plain = decrypt_copy(blob, ring.key(entry["kid"]), _aad(entry["kid"], entry["storage"]))
        except (OSError, CryptoError, KeyError):
            continue  # left to uploads_held_files, which lets go of what it cannot read back
        with plain:
            why = attachment_refusal(File(plain, name=entry["name"]), kinds=kinds, public=public)
        if why:
            refused.append((entry, why))
    gone = [e for e, _ in refused]
    delete_quietly(storage, [e["storage"] for e in gone])
    _save(session, key, [e for e in entries if e not in gone])
    return [(e["name"], why) for e, why in refused]


def uploads_release(*, session, key: str) -> None:
    """Forget and delete everything held for the form `key` (after a successful post)."""
    entries = session.get(SESSION_KEY, {}).get(key, [])
    delete_quietly(file_storage(), [e["storage"] for e in entries])
    _save(session, key, [])


class HeldUploads:
    """The held files of one form (`key`, its file input `field`) in one request's session.

    `keep` is what the page asked to keep (the ticked `held_keep` boxes). With `single` the form
    takes one file: a new one chosen replaces the one held, and a post without one leaves it held.
    `kinds` and `public` are what the form's service passes to attachment_store (STAFF_KINDS when not
    given; public=True for the public portal's kinds and sizes): a file it would refuse for its kind
    is never held."""

    def __init__(
        self,
        request,
        key: str,
        field: str,
        *,
        single: bool = False,
        kinds: Collection[str] | None = None,
        public: bool = False,
    ) -> None:
        self.request, self.key, self.field, self.single = request, key, field, single
        self.kinds, self.public = kinds, public
        self.keep: list[str] = request.POST.getlist("held_keep")
        self.dropped: list[str] = []  # the files field's messages for held files let go by drop_refused

    def drop_refused(self, form) -> None:
        """On a post, the held files the form's current kinds refuse (held under other kinds: the
        channel was switched since) are let go, each named in an error on the files field; the form
        comes back with everything else kept, so the next post goes through without them."""
        if self.request.method != "POST":
            return
        refused = uploads_held_refused(
            session=self.request.session, key=self.key, keep=self.keep, kinds=self.kinds, public=self.public
        )
        for name, why in refused:
            message = gettext("已附的文件“%(name)s”已移除：%(why)s") % {"name": name, "why": why}
            self.dropped.append(message)
            form.add_error(self.field, message)

    def on_get(self) -> None:
        """A fresh form page (a GET) lets go of what was held for it."""
        if self.request.method == "GET":
            self.release()

    @contextmanager
    def files(self, chosen: list[Any]) -> Iterator[list[Any]]:
        """The kept held files (read back into temporary files) followed by `chosen`, the files of
        this post; the temporary copies are closed when the block ends. The post's own uploads are
        not closed: they may yet be held."""
        kept = uploads_held_files(session=self.request.session, key=self.key, keep=self.keep)
        try:
            yield kept + list(chosen)
        finally:
            for file in kept:
                file.close()

    def hold_if(self, form) -> None:
        """After a post that came back with an error (the form's or the service's): hold the files
        chosen, unless the files field itself has an error (refused files are not kept). A file the
        service would refuse for its kind (attachment_refusal) is not held either: the files field
        says why at once, and the others are held. The errors drop_refused gave about held files
        do not stop the files of this post from being held."""
        if self.request.method != "POST":
            return
        if any(e not in self.dropped for e in form.errors.get(self.field, [])):
            return  # the files chosen were refused (a held file let go is not a refusal of them)
        chosen = self.request.FILES.getlist(self.field)
        if self.single:
            chosen = chosen[-1:]
        refusals = [attachment_refusal(f, kinds=self.kinds, public=self.public) for f in chosen]
        if any(refusals):
            form.add_error(self.field, [r for r in dict.fromkeys(refusals) if r])
            chosen = [f for f, refusal in zip(chosen, refusals, strict=True) if not refusal]
        if not self.single:
            uploads_hold(session=self.request.session, key=self.key, files=chosen, keep=self.keep)
        elif chosen:
            uploads_hold(session=self.request.session, key=self.key, files=chosen, keep=[])

    def release(self) -> None:
        """Forget and delete what is held (after a successful post, or on a fresh form page)."""
        uploads_release(session=self.request.session, key=self.key)

    def shown(self) -> list[dict]:
        """What the page shows as attached: [{"id", "name", "size"}]."""
        return uploads_held(session=self.request.session, key=self.key)
