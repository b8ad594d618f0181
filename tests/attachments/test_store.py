import io
import zipfile

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from jijian.attachments import sniff
from jijian.attachments.models import Attachment
from jijian.attachments.services import (
    ALL_KINDS,
    attachment_open,
    attachment_orphans_sweep,
    attachment_read_original,
    attachment_store,
    attachment_thumbnail,
    attachments_store_all,
    clean_name,
    file_storage,
)
from jijian.audit.models import AuditEvent
from jijian.core.roles import Module
from jijian.core.sensitive.crypto import keyring, sm3_hex, sm4_gcm_decrypt

from . import samples


def store(people, tree, name, content, **kwargs):
    kwargs.setdefault("module", Module.REPORTS)
    if not kwargs.get("public"):
        kwargs.setdefault("kinds", ALL_KINDS)  # the format checks of every kind
    return attachment_store(
        actor=people.member_a,
        file=SimpleUploadedFile(name, content),
        org_unit=tree.village_a,
        purpose="reports.duty_log",
        object_id=7,
        **kwargs,
    )


def stored_bytes(attachment):
    with file_storage().open(attachment.storage_name, "rb") as fh:
        return fh.read()


def refused(people, tree, name, content, match=""):
    with pytest.raises(ValidationError) as info:
        store(people, tree, name, content)
    assert info.value.code == "attachment_refused"
    message = info.value.messages[0]
    assert match in message
    return message


# --- accepted --------------------------------------------------------------------------------------
@pytest.mark.parametrize("fmt,name", [("JPEG", "现场照片.jpg"), ("PNG", "截图.png"), ("WEBP", "photo.webp")])
def test_photo_is_stored_re_encoded_without_exif_or_gps(people, tree, fmt, name):
    original = samples.photo(fmt, orientation=6)
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(samples.GPS_IFD)  # the sample has GPS

    attachment = store(people, tree, name, original)

    data = stored_bytes(attachment)
    image = Image.open(io.BytesIO(data))
    assert image.format == fmt
    assert dict(image.getexif()) == {}
    assert "exif" not in image.info and "icc_profile" not in image.info
    assert b"TestPhone" not in data and b"GPS" not in data
    assert image.size == (32, 64)  # orientation 6 applied to the pixels before EXIF was dropped
    assert attachment.kind == "image" and attachment.mime == f"image/{fmt.lower()}"
    assert attachment.original_name == name
    assert attachment.sm3 == sm3_hex(data) and attachment.original_sm3 == sm3_hex(original)
    assert attachment.size == len(data) and attachment.original_size == len(original)


def test_png_text_chunks_are_dropped(people, tree):
    attachment = store(people, tree, "a.png", samples.png_with_text())
    data = stored_bytes(attachment)
    assert b"secret location" not in data and b"tEXt" not in data and b"eXIf" not in data
    assert Image.open(io.BytesIO(data)).mode == "RGBA"


@pytest.mark.parametrize(
    "name,make,kind,mime",
    [
        ("报告.pdf", samples.pdf, "pdf", "application/pdf"),
        (
            "记录.docx",
            samples.docx,
            "office",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        (
            "统计.xlsx",
            samples.xlsx,
            "office",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
        ("录音.wav", samples.wav, "audio", "audio/wav"),
        ("录音.mp3", samples.mp3, "audio", "audio/mpeg"),
        ("录音.ogg", samples.ogg, "audio", "audio/ogg"),
        ("录音.m4a", lambda: samples.mp4(b"M4A "), "audio", "audio/mp4"),
        ("接访.mp4", samples.mp4, "video", "video/mp4"),
        ("接访.mov", lambda: samples.mp4(b"qt  "), "video", "video/quicktime"),
        ("接访.webm", samples.webm, "video", "video/webm"),
    ],
)
def test_accepted_types_are_stored_as_received(people, tree, name, make, kind, mime):
    content = make()
    attachment = store(people, tree, name, content)
    assert (attachment.kind, attachment.mime) == (kind, mime)
    assert stored_bytes(attachment) == content
    assert attachment.sm3 == attachment.original_sm3 == sm3_hex(content)


def test_storage_name_is_random_and_carries_no_user_input(people, tree, files_dir):
    attachment = store(people, tree, "../../etc/passwd.pdf", samples.pdf())
    assert attachment.original_name == "passwd.pdf"
    assert "passwd" not in attachment.storage_name and ".." not in attachment.storage_name
    assert attachment.storage_name.startswith("reports/") and attachment.storage_name.endswith(".pdf")
    path = files_dir / attachment.storage_name
    assert path.is_file() and path.resolve().is_relative_to(files_dir.resolve())


def test_upload_writes_an_audit_entry_with_the_digest(people, tree):
    attachment = store(people, tree, "a.pdf", samples.pdf())
    event = AuditEvent.objects.get(action="attachment.upload")
    assert event.object_id == str(attachment.pk) and event.org_unit_id == tree.village_a.pk
    assert event.actor_id == people.member_a.pk and event.after["sm3"] == attachment.sm3


def test_original_is_kept_encrypted_for_evidence(people, tree, files_dir):
    original = samples.photo("JPEG")
    attachment = store(people, tree, "证据.jpg", original, keep_original=True)

    assert attachment.evidence_key_id == keyring().primary_id
    raw = (files_dir / attachment.evidence_storage_name).read_bytes()
    assert original not in raw and b"TestPhone" not in raw  # encrypted at rest
    # the layout of jijian.core.sensitive.crypto: the standard decrypt reads it
    aad = f"jijian-attachment|{attachment.evidence_key_id}|{attachment.evidence_storage_name}".encode()
    assert sm4_gcm_decrypt(keyring().key(attachment.evidence_key_id), raw, aad) == original
    assert attachment_read_original(actor=people.township_a, attachment=attachment) == original
    assert AuditEvent.objects.filter(action="attachment.original_read", object_id=str(attachment.pk)).exists()
    # stored once: the encrypted original is the only object, and what is served is the clean copy
    assert attachment.storage_name == attachment.evidence_storage_name
    assert [p for p in files_dir.rglob("*") if p.is_file()] == [files_dir / attachment.storage_name]
    with attachment_open(actor=people.township_a, attachment=attachment) as fh:
        served = fh.read()
    assert b"TestPhone" not in served and served[:2] == b"\xff\xd8"
    assert (len(served), sm3_hex(served)) == (attachment.size, attachment.sm3)


def test_an_image_kept_as_evidence_is_served_re_encoded_and_upright(people, tree, files_dir):
    original = samples.photo("JPEG", size=(64, 32), orientation=6)  # the phone held it sideways
    attachment = store(people, tree, "证据.jpg", original, keep_original=True)
    (stored,) = [p for p in files_dir.rglob("*") if p.is_file()]
    raw = stored.read_bytes()
    assert b"Exif" not in raw and original[:1024] not in raw and original[-1024:] not in raw
    with attachment_open(actor=people.township_a, attachment=attachment) as fh:
        served = Image.open(io.BytesIO(fh.read()))
    assert served.format == "JPEG" and served.size == (32, 64)
    assert not served.getexif() and "exif" not in served.info
    thumb = Image.open(io.BytesIO(attachment_thumbnail(attachment=attachment)))
    assert thumb.size == (32, 64) and not thumb.getexif()


def test_a_row_stored_twice_before_keeps_serving_its_copy(people, tree, files_dir):
    """Rows from before images were stored once: an encrypted original and a re-encoded copy."""
    from django.core.files.base import ContentFile

    original = samples.photo("JPEG", size=(64, 32))
    attachment = store(people, tree, "旧证据.jpg", original, keep_original=True)
    copy = sniff.reencode_image(io.BytesIO(original), sniff.FORMATS["jpeg"])
    name = file_storage().save("reports/2024/01/" + "ab" * 16 + ".jpeg", ContentFile(copy))
    Attachment.objects.filter(pk=attachment.pk).update(storage_name=name)
    attachment.refresh_from_db()

    with attachment_open(actor=people.township_a, attachment=attachment) as fh:
        assert fh.name == str(files_dir / name) and fh.read() == copy  # the copy, not the original
    assert Image.open(io.BytesIO(attachment_thumbnail(attachment=attachment))).size == (64, 32)
    assert attachment_read_original(actor=people.township_a, attachment=attachment) == original


def test_without_keep_original_nothing_else_is_stored(people, tree, files_dir):
    attachment = store(people, tree, "a.jpg", samples.photo())
    assert attachment.evidence_storage_name == ""
    assert [p for p in files_dir.rglob("*") if p.is_file()] == [files_dir / attachment.storage_name]


def test_names_are_sanitised():
    assert clean_name("C:\\Users\\张三\\照片.jpg") == "照片.jpg"
    assert clean_name("invoice\u202egpj.exe") == "invoicegpj.exe"
    assert clean_name('a<b>:"c".pdf') == "a_b___c_.pdf"
    assert clean_name("...") == "附件"
    long = clean_name("长" * 300 + ".docx")
    assert len(long) <= 120 and long.endswith(".docx")


def test_actor_outside_the_unit_cannot_store(people, tree):
    with pytest.raises(PermissionDenied):
        attachment_store(
            actor=people.outsider,
            file=SimpleUploadedFile("a.pdf", samples.pdf()),
            org_unit=tree.village_a,
            module=Module.REPORTS,
            purpose="reports.duty_log",
        )
    assert not Attachment.objects.exists()


def test_public_upload_has_no_uploader(tree):
    attachment = attachment_store(
        actor=None,
        file=SimpleUploadedFile("举报材料.pdf", samples.pdf()),
        org_unit=tree.county,
        module=Module.PETITIONS,
        purpose="petitions.report",
    )
    assert attachment.uploaded_by is None


# --- refused ---------------------------------------------------------------------------------------
def assert_nothing_stored(files_dir):
    assert not Attachment.objects.exists()
    assert not [p for p in files_dir.rglob("*") if p.is_file()] if files_dir.exists() else True


def test_wrong_extension_is_refused(people, tree, files_dir):
    message = refused(people, tree, "报告.pdf", samples.photo("PNG"), "扩展名")
    assert ".png" in message
    refused(people, tree, "photo.jpg", samples.pdf(), "扩展名")
    refused(people, tree, "table.docx", samples.xlsx(), "扩展名")
    refused(people, tree, "a.exe", samples.pdf(), "扩展名")
    refused(people, tree, "noextension", samples.pdf(), "扩展名")
    assert_nothing_stored(files_dir)


@pytest.mark.parametrize(
    "name,content,word",
    [
        ("a.exe", b"MZ\x90\x00" + b"\x00" * 200, "可执行程序"),
        ("a.jpg", b"MZ\x90\x00" + b"\x00" * 200, "可执行程序"),
        ("a.pdf", b"<!DOCTYPE html><html><script>alert(1)</script></html>", "网页"),
        (
            "a.png",
            b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
            "SVG",
        ),
        ("a.svg", b'<svg xmlns="http://www.w3.org/2000/svg"></svg>', "SVG"),
        ("a.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "旧版 Office"),
        ("a.txt", "纯文本".encode(), "不支持"),
        ("a.gif", b"GIF89a\x01\x00\x01\x00\x00\x00\x00;", "不支持"),
    ],
)
def test_unlisted_types_are_refused(people, tree, files_dir, name, content, word):
    refused(people, tree, name, content, word)
    assert_nothing_stored(files_dir)


def test_empty_file_is_refused(people, tree):
    refused(people, tree, "a.pdf", b"", "文件为空")


def test_truncated_images_are_refused(people, tree, files_dir):
    jpeg = samples.photo("JPEG", size=(300, 200))
    for cut in (len(jpeg) // 2, len(jpeg) - 2, 200):
        refused(people, tree, "a.jpg", jpeg[:cut])
    png = samples.photo("PNG", size=(300, 200))
    refused(people, tree, "a.png", png[: len(png) // 2])
    refused(people, tree, "a.png", png[:-12])  # IEND missing
    assert_nothing_stored(files_dir)


def test_corrupt_image_data_is_refused(people, tree):
    png = bytearray(samples.photo("PNG", size=(100, 100)))
    png[60] ^= 0xFF  # breaks a chunk CRC
    refused(people, tree, "a.png", bytes(png), "损坏")


@pytest.mark.parametrize(
    "make,name",
    [
        (lambda: samples.pdf() + samples.zip_archive({"evil.exe": b"MZ" + b"\0" * 100}), "a.pdf"),
        (lambda: samples.pdf() + b"<html><script>alert(1)</script></html>", "a.pdf"),
        (lambda: samples.wav() + samples.zip_archive({"a.txt": b"x"}), "a.wav"),
        (lambda: samples.mp4() + samples.zip_archive({"a.txt": b"x"}), "a.mp4"),
        (lambda: samples.mp3() + samples.zip_archive({"a.txt": b"x"}), "a.mp3"),
        (lambda: b"MZ" + b"\0" * 100 + samples.docx(), "a.docx"),
        (lambda: samples.docx() + b"MZ trailing payload", "a.docx"),
    ],
)
def test_polyglots_are_refused(people, tree, files_dir, make, name):
    refused(people, tree, name, make())
    assert_nothing_stored(files_dir)


@pytest.mark.parametrize(
    "fmt,name,trailer",
    [
        ("JPEG", "a.jpg", samples.zip_archive({"evil.js": b"alert(1)"})),
        ("PNG", "a.png", b"<script>alert(1)</script>"),
        ("JPEG", "motion.jpg", samples.mp4()),  # a phone's motion photo: a video after the JPEG
    ],
)
def test_data_after_an_image_does_not_survive_re_encoding(people, tree, fmt, name, trailer):
    image = samples.photo(fmt)
    attachment = store(people, tree, name, image + trailer)
    data = stored_bytes(attachment)
    assert data == sniff.reencode_image(io.BytesIO(image), sniff.detect(image, name))
    assert not zipfile.is_zipfile(io.BytesIO(data)) and b"<script>" not in data and b"ftyp" not in data


def test_gif_javascript_polyglot_is_refused(people, tree):
    # GIF89a header whose bytes are also valid JavaScript ("GIF89a=..."): GIF is not on the list.
    refused(people, tree, "a.gif", b"GIF89a/*\x01\x00\x01\x00\x00\x00\x00*/=1;alert(1);", "不支持")
    refused(people, tree, "a.jpg", b"GIF89a/*\x01\x00\x01\x00\x00\x00\x00*/=1;alert(1);", "不支持")


@pytest.fixture(scope="module")
def bomb():
    return samples.docx_bomb(1.0)


def test_zip_bomb_is_refused_without_inflating_it(people, tree, files_dir, bomb):
    assert len(bomb) < 2 * 1024 * 1024  # 1 GB of zeros inside
    refused(people, tree, "a.docx", bomb, "压缩炸弹")
    assert_nothing_stored(files_dir)


def test_high_ratio_member_is_refused_even_when_small_overall(people, tree):
    content = samples.docx({"word/media/zeros.xml": b"\0" * (20 * 1024 * 1024)})
    refused(people, tree, "a.docx", content, "压缩比异常")


def test_too_many_members_is_refused(people, tree, monkeypatch):
    monkeypatch.setattr(sniff, "ZIP_MAX_MEMBERS", 10)
    content = samples.docx({f"word/m{i}.xml": b"<x/>" for i in range(20)})
    refused(people, tree, "a.docx", content, "过多")


def test_nested_archives_are_refused(people, tree):
    inner = samples.zip_archive({"a.txt": b"hello"})
    refused(people, tree, "a.docx", samples.docx({"word/embeddings/x.zip": inner}), "内嵌")
    refused(people, tree, "a.docx", samples.docx({"word/media/image1.png": inner}), "内嵌")  # renamed
    refused(people, tree, "a.docx", samples.docx({"word/embeddings/sheet.xlsx": samples.xlsx()}), "内嵌")


def test_plain_zip_or_fake_docx_is_refused(people, tree):
    refused(people, tree, "a.zip", samples.zip_archive({"a.txt": b"x"}), "压缩包")
    refused(people, tree, "a.docx", samples.zip_archive({"a.txt": b"x"}), "损坏")
    no_main = samples.zip_archive({"[Content_Types].xml": samples.CONTENT_TYPES})
    refused(people, tree, "a.docx", no_main, "损坏")


def test_a_zip_needing_a_newer_unzip_is_refused_as_damaged(people, tree):
    # found by the fuzz: a flipped "version needed to extract" in the central directory made
    # zipfile raise NotImplementedError, which reached the last-resort "无法解析" refusal
    content = bytearray(samples.docx())
    at = bytes(content).find(b"PK\x01\x02") + 6
    content[at : at + 2] = (84).to_bytes(2, "little")
    message = refused(people, tree, "a.docx", bytes(content), "损坏")
    assert "无法解析" not in message


def test_macros_are_refused(people, tree):
    refused(people, tree, "a.docx", samples.docx({"word/vbaProject.bin": b"\0" * 10}), "宏")
    macro_types = samples.CONTENT_TYPES.replace(b"document.main+xml", b"document.macroEnabled.main+xml")
    refused(people, tree, "a.docx", samples.docx(content_types=macro_types), "宏")


def test_corrupt_member_is_refused(people, tree):
    content = bytearray(samples.docx())
    at = bytes(content).find(b"word/document.xml") + len("word/document.xml") + 5
    content[at] ^= 0xFF  # inside the deflated data of the first document member
    refused(people, tree, "a.docx", bytes(content), "")


@pytest.mark.parametrize(
    "objects,catalog,word",
    [
        (b"4 0 obj\n<< /S /JavaScript /JS (app.alert(1)) >>\nendobj\n", b"/OpenAction 4 0 R ", "JavaScript"),
        (
            b"4 0 obj\n<< /S /J#61vaScript /J#53 (app.alert(1)) >>\nendobj\n",
            b"/OpenAction 4 0 R ",
            "JavaScript",
        ),
        (b"4 0 obj\n<< /S /Launch /F (cmd.exe) >>\nendobj\n", b"/OpenAction 4 0 R ", "启动外部程序"),
        (b"4 0 obj\n<< /Type /EmbeddedFile /Length 2 >>\nstream\nMZ\nendstream\nendobj\n", b"", "嵌入的文件"),
        (b"4 0 obj\n<< /Filter /Standard /V 1 >>\nendobj\n", b"/Encrypt 4 0 R ", "加密"),
    ],
)
def test_pdf_with_active_content_is_refused(people, tree, objects, catalog, word):
    refused(people, tree, "a.pdf", samples.pdf(objects, catalog), word)


def test_pdf_javascript_hidden_in_an_object_stream_is_refused(people, tree):
    import zlib

    hidden = zlib.compress(b"4 0 << /S /JavaScript /JS (app.alert(1)) >>")
    objstm = (
        b"5 0 obj\n<< /Type /ObjStm /N 1 /First 4 /Filter /FlateDecode /Length %d >>\nstream\n" % len(hidden)
        + hidden
        + b"\nendstream\nendobj\n"
    )
    refused(people, tree, "a.pdf", samples.pdf(objstm), "JavaScript")


def test_truncated_pdf_is_refused(people, tree):
    content = samples.pdf()
    refused(people, tree, "a.pdf", content[: len(content) - 20], "不完整")


def test_truncated_media_is_refused(people, tree):
    refused(people, tree, "a.mp4", samples.mp4()[:-100], "不完整")
    refused(people, tree, "a.wav", samples.wav()[:-100], "不完整")
    refused(people, tree, "a.mp4", samples.mp4(b"heic"), "")  # an iPhone photo named .mp4


class EndlessUpload:
    """A file-like upload that never ends and counts what was read from it."""

    def __init__(self, head: bytes, name: str):
        self.head, self.name, self.read_bytes = head, name, 0

    def read(self, size=-1):
        assert size and size > 0, "the service must read in bounded chunks"
        chunk = (
            self.head[self.read_bytes : self.read_bytes + size] if self.read_bytes < len(self.head) else b""
        )
        chunk += b"\0" * (size - len(chunk))
        self.read_bytes += len(chunk)
        return chunk


@pytest.mark.parametrize(
    "head,name,kind",
    [
        (samples.photo("PNG")[:100], "a.png", "image"),
        (b"%PDF-1.7\n", "a.pdf", "pdf"),
        (samples.mp4()[:64], "a.mp4", "video"),
    ],
)
def test_oversized_upload_is_refused_after_reading_at_most_the_limit(
    people, tree, settings, files_dir, head, name, kind
):
    settings.ATTACHMENT_LIMITS_MB = {kind: 1}
    upload = EndlessUpload(head, name)
    with pytest.raises(ValidationError) as info:
        attachment_store(
            actor=people.member_a,
            file=upload,
            org_unit=tree.village_a,
            module=Module.REPORTS,
            purpose="reports.duty_log",
            kinds=ALL_KINDS,
        )
    assert "大小上限" in info.value.messages[0] and "1 MB" in info.value.messages[0]
    assert 1024 * 1024 < upload.read_bytes <= 1024 * 1024 + sniff.CHUNK
    assert_nothing_stored(files_dir)


# --- the kinds a caller takes -------------------------------------------------------------------------
def test_a_staff_upload_takes_images_pdf_and_office_only_by_default(people, tree, files_dir):
    for name, content in (("a.jpg", samples.photo()), ("a.pdf", samples.pdf()), ("a.docx", samples.docx())):
        store(people, tree, name, content, kinds=None)
    stored = Attachment.objects.count()
    for name, content in (("a.mp4", samples.mp4()), ("a.wav", samples.wav()), ("a.webm", samples.webm())):
        with pytest.raises(ValidationError) as info:
            store(people, tree, name, content, kinds=None)
        assert info.value.code == "attachment_refused"
        assert "只接收图片、PDF、Office 文档" in info.value.messages[0]
    assert Attachment.objects.count() == stored
    assert AuditEvent.objects.filter(action="attachment.upload").count() == stored


def test_a_large_video_to_a_staff_upload_is_refused_at_its_first_bytes(people, tree, files_dir):
    # a 300 MB video sent to a form of photos: refused once its format is named, nothing stored
    upload = EndlessUpload(samples.mp4()[:64], "会议.mp4")
    with pytest.raises(ValidationError) as info:
        attachment_store(
            actor=people.member_a,
            file=upload,
            org_unit=tree.village_a,
            module=Module.REPORTS,
            purpose="reports.duty_log",
        )
    assert info.value.messages == ["不接收MP4 视频：只接收图片、PDF、Office 文档"]
    assert upload.read_bytes <= sniff.HEAD + sniff.CHUNK
    assert_nothing_stored(files_dir)
    assert not Attachment.objects.exists()


def test_a_caller_names_the_kinds_it_takes(people, tree, files_dir):
    assert store(people, tree, "课.mp4", samples.mp4(), kinds={"video"}).kind == "video"
    with pytest.raises(ValidationError) as info:
        store(people, tree, "a.pdf", samples.pdf(), kinds={"image"})
    assert "只接收图片" in info.value.messages[0] and "PDF" not in info.value.messages[0].split("：")[1]
    assert Attachment.objects.count() == 1


def test_kinds_must_be_known_and_not_given_to_a_public_upload(people, tree):
    with pytest.raises(ValueError):
        store(people, tree, "a.jpg", samples.photo(), kinds={"exe"})
    with pytest.raises(ValueError):
        store(people, tree, "a.jpg", samples.photo(), kinds=set())
    with pytest.raises(ValueError):
        attachment_store(
            actor=None,
            file=SimpleUploadedFile("a.jpg", samples.photo()),
            org_unit=tree.village_a,
            module=Module.PETITIONS,
            purpose="petition_evidence",
            public=True,
            kinds={"image"},
        )
    assert not Attachment.objects.exists()


def test_image_bomb_dimensions_are_refused(people, tree, monkeypatch):
    monkeypatch.setattr(sniff, "IMAGE_MAX_PIXELS", 100 * 100)
    refused(people, tree, "a.png", samples.photo("PNG", size=(200, 200)), "尺寸过大")


def test_decompression_bomb_png_is_refused(people, tree):
    # 20000 x 20000 pixels of one colour: a few hundred KB compressed, 1.2 GB decoded
    image = Image.new("1", (20000, 20000))
    out = io.BytesIO()
    image.save(out, "PNG")
    refused(people, tree, "a.png", out.getvalue(), "尺寸过大")


def test_files_are_removed_when_the_transaction_fails(people, tree, files_dir, monkeypatch):
    import jijian.attachments.services as services

    def broken(**kwargs):
        raise RuntimeError("audit down")

    monkeypatch.setattr(services, "audit_record", broken)
    with pytest.raises(RuntimeError):
        store(people, tree, "a.jpg", samples.photo(), keep_original=True)
    assert_nothing_stored(files_dir)


# --- several files, all or nothing -----------------------------------------------------------------
def store_all(people, tree, files, **kwargs):
    return attachments_store_all(
        actor=people.member_a,
        files=files,
        org_unit=tree.village_a,
        module=Module.REPORTS,
        purpose="reports.duty_log",
        object_id=7,
        kinds=ALL_KINDS,
        **kwargs,
    )


@pytest.mark.parametrize("keep_original", [False, True])
def test_store_all_keeps_every_file_in_order(people, tree, files_dir, keep_original):
    files = [SimpleUploadedFile("一.jpg", samples.photo()), SimpleUploadedFile("二.pdf", samples.pdf())]
    stored = store_all(people, tree, files, keep_original=keep_original)
    assert [a.original_name for a in stored] == ["一.jpg", "二.pdf"]
    assert Attachment.objects.count() == 2
    assert {p.relative_to(files_dir).as_posix() for p in files_dir.rglob("*") if p.is_file()} == {
        a.storage_name for a in stored
    }


@pytest.mark.parametrize("keep_original", [False, True])
def test_a_refusal_of_the_third_file_keeps_no_bytes_and_no_rows(people, tree, files_dir, keep_original):
    files = [
        SimpleUploadedFile("一.jpg", samples.photo()),
        SimpleUploadedFile("二.pdf", samples.pdf()),
        SimpleUploadedFile("三.pdf", b"MZ\x90\x00 not a pdf"),
        SimpleUploadedFile("四.pdf", samples.pdf()),
    ]
    with pytest.raises(ValidationError) as info:
        store_all(people, tree, files, keep_original=keep_original)
    assert info.value.code == "attachment_refused"
    assert info.value.messages[0].startswith("“三.pdf”：")
    assert_nothing_stored(files_dir)
    assert not AuditEvent.objects.filter(action="attachment.upload").exists()


def test_store_all_passes_a_permission_refusal_unchanged_and_keeps_nothing(people, tree, files_dir):
    files = [SimpleUploadedFile("一.jpg", samples.photo())]
    with pytest.raises(PermissionDenied):
        attachments_store_all(
            actor=people.member_a,
            files=files,
            org_unit=tree.village_b,
            module=Module.REPORTS,
            purpose="reports.duty_log",
            kinds=ALL_KINDS,
        )
    assert_nothing_stored(files_dir)


def test_orphan_sweep_removes_files_without_a_row(people, tree, files_dir):
    from datetime import timedelta

    kept = store(people, tree, "a.pdf", samples.pdf(), keep_original=True)
    orphan = files_dir / "reports" / "2020" / "01" / "orphan.pdf"
    orphan.parent.mkdir(parents=True)
    orphan.write_bytes(b"left over")

    assert attachment_orphans_sweep(older_than=timedelta(hours=1)) == 0  # too fresh
    assert attachment_orphans_sweep(older_than=timedelta(seconds=-1)) == 1
    assert not orphan.exists()
    assert (files_dir / kept.storage_name).exists() and (files_dir / kept.evidence_storage_name).exists()


def test_unknown_module_or_purpose_is_a_programming_error(people, tree):
    with pytest.raises(ValueError):
        store(people, tree, "a.pdf", samples.pdf(), module="nope")
    with pytest.raises(ValueError):
        attachment_store(
            actor=people.member_a,
            file=SimpleUploadedFile("a.pdf", samples.pdf()),
            org_unit=tree.village_a,
            module=Module.REPORTS,
            purpose="../x",
        )


def test_zip_is_not_mistaken_for_office_by_member_names(people, tree):
    # an OOXML-looking archive whose main part is itself a zip: refused as nested
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", samples.CONTENT_TYPES)
        archive.writestr("word/document.xml", samples.zip_archive({"x": b"y"}))
    refused(people, tree, "a.docx", out.getvalue(), "内嵌")


def _stream_object(number: int, dictionary: bytes, data: bytes) -> bytes:
    return (
        b"%d 0 obj\n<< %s /Length %d >>\nstream\n" % (number, dictionary, len(data))
        + data
        + b"\nendstream\nendobj\n"
    )


def test_pdf_binary_stream_that_happens_to_contain_short_names_is_accepted(people, tree):
    # compressed image data is random bytes: "/JS " or "/XFA" turn up by chance in large files
    noise = b"\x8f\x12/JS \x00\xff/XFA\x01" * 50
    content = samples.pdf(_stream_object(4, b"/Type /XObject /Subtype /Image /Filter /DCTDecode", noise))
    attachment = store(people, tree, "scan.pdf", content)
    assert attachment.kind == "pdf"


def test_pdf_fake_stream_keyword_in_a_string_hides_nothing(people, tree):
    hidden = b"4 0 obj\n(>> stream\n) << /S /JavaScript /JS (app.alert(1)) >>\nendobj\n% endstream\n"
    refused(people, tree, "a.pdf", samples.pdf(hidden, b"/OpenAction 4 0 R "), "JavaScript")


def test_pdf_short_js_name_in_a_large_object_stream_is_found(people, tree):
    import os
    import zlib

    filler = os.urandom(600 * 1024).hex().encode()  # 1.2 MB of dictionaries-ish text before the action
    hidden = zlib.compress(filler + b" << /S /J#53cript /JS (app.alert(1)) >>")
    objstm = _stream_object(5, b"/Type /ObjStm /N 1 /First 4 /Filter /FlateDecode", hidden)
    refused(people, tree, "a.pdf", samples.pdf(objstm), "JavaScript")


def test_pdf_object_stream_bomb_is_refused(people, tree, monkeypatch):
    import zlib

    monkeypatch.setattr(sniff, "PDF_OBJSTM_BUDGET", 1024 * 1024)
    bomb = zlib.compress(b" " * (8 * 1024 * 1024), 9)
    objstm = _stream_object(5, b"/Type /ObjStm /N 1 /First 4 /Filter /FlateDecode", bomb)
    refused(people, tree, "a.pdf", samples.pdf(objstm), "过大")


def test_a_parser_crash_is_a_refusal_not_a_server_error(people, tree, monkeypatch, files_dir):
    def explode(fh, fmt):
        raise RuntimeError("unexpected inside a parser")

    monkeypatch.setattr(sniff, "inspect", explode)
    refused(people, tree, "a.pdf", samples.pdf(), "无法解析")
    assert_nothing_stored(files_dir)


def test_media_with_data_glued_on_is_refused(people, tree, files_dir):
    refused(people, tree, "a.ogg", samples.ogg() + samples.mp3(), "Ogg")
    refused(people, tree, "a.mp3", samples.mp3() + samples.ogg(), "MP3")
    refused(people, tree, "a.mp3", samples.mp3() + b"<script>alert(1)</script>", "MP3")
    refused(people, tree, "a.webm", samples.webm(tail=b"<html><script>alert(1)</script>"), "WebM")
    assert_nothing_stored(files_dir)


def test_truncated_ogg_and_mp3_are_refused(people, tree):
    refused(people, tree, "a.ogg", samples.ogg()[:-30], "不完整")
    refused(people, tree, "a.mp3", samples.mp3()[:-30], "不完整")


def test_mp3_with_an_id3v1_tag_at_the_end_is_accepted(people, tree):
    content = samples.mp3() + b"TAG" + b"\0" * 125
    assert store(people, tree, "a.mp3", content).mime == "audio/mpeg"


def test_webm_recording_cut_short_by_a_crashed_browser_is_accepted(people, tree):
    content = samples.webm()
    attachment = store(people, tree, "接访录像.webm", content[:-20])  # the last block is cut
    assert attachment.kind == "video"


def test_webm_with_embedded_files_is_refused(people, tree):
    attached = bytes.fromhex("1941a469") + bytes([0x80 | 3]) + b"abc"
    refused(people, tree, "a.webm", _webm_with(attached), "内嵌")


def _webm_with(element: bytes) -> bytes:
    content = samples.webm()
    cluster = content.find(bytes.fromhex("1f43b675"))
    return content[:cluster] + element + content[cluster:]


def test_colour_profile_is_applied_then_dropped(people, tree):
    from PIL import ImageCms

    # an image tagged with a LAB profile: its pixels mean something else than sRGB
    lab = ImageCms.ImageCmsProfile(ImageCms.createProfile("LAB")).tobytes()
    srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    out = io.BytesIO()
    Image.new("RGB", (8, 8), (120, 60, 200)).save(out, "PNG", icc_profile=srgb)
    attachment = store(people, tree, "srgb.png", out.getvalue())
    image = Image.open(io.BytesIO(stored_bytes(attachment)))
    assert "icc_profile" not in image.info
    assert all(abs(a - b) <= 2 for a, b in zip(image.getpixel((0, 0)), (120, 60, 200), strict=True))
    # an unusable profile (LAB on RGB pixels) is ignored, never an error
    out = io.BytesIO()
    Image.new("RGB", (8, 8), (120, 60, 200)).save(out, "PNG", icc_profile=lab)
    image = Image.open(io.BytesIO(stored_bytes(store(people, tree, "lab.png", out.getvalue()))))
    assert "icc_profile" not in image.info and image.getpixel((0, 0)) == (120, 60, 200)
    out = io.BytesIO()
    Image.new("RGB", (8, 8)).save(out, "PNG", icc_profile=b"garbage profile bytes")
    assert (
        "icc_profile"
        not in Image.open(io.BytesIO(stored_bytes(store(people, tree, "bad.png", out.getvalue())))).info
    )


def test_altered_evidence_is_detected(people, tree, files_dir):
    from jijian.core.sensitive.crypto import CryptoError

    attachment = store(people, tree, "证据.pdf", samples.pdf(), keep_original=True)
    path = files_dir / attachment.evidence_storage_name
    blob = bytearray(path.read_bytes())
    blob[40] ^= 1
    path.write_bytes(bytes(blob))
    with pytest.raises(CryptoError):
        attachment_read_original(actor=people.member_a, attachment=attachment)
    assert not AuditEvent.objects.filter(action="attachment.original_read").exists()


def test_large_evidence_round_trips_through_the_streaming_cipher(people, tree, settings):
    # a recording larger than the 4 MB spooled in memory would be, cut to 1 MB to keep the test fast
    content = samples.mp4()[:-2008] + (8 + 1024 * 1024 + 2000).to_bytes(4, "big") + b"mdat"
    content += b"\x01" * (1024 * 1024 + 2000)
    attachment = store(people, tree, "接访.mp4", content, keep_original=True)
    assert attachment_read_original(actor=people.member_a, attachment=attachment) == content
