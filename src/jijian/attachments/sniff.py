"""What an uploaded file really is, judged from its bytes, never from its name or the browser's word.

`detect()` names the format from the first bytes against an allow-list; `inspect()` then checks the
whole file for that format (structure complete, nothing appended, no active content, no archive
bomb) and raises `Refused` with a Chinese message for the user. Images are not checked here but
decoded and re-encoded by `reencode_image()`, which also drops their metadata.

Pure functions over a seekable binary file: no database, no storage. See docs/attachments.md for the
decisions (legacy Office refused, PDF with JavaScript or encryption refused, and why).
"""

from __future__ import annotations

import io
import re
import struct
import warnings
import zipfile
import zlib
from dataclasses import dataclass
from typing import IO, TYPE_CHECKING, Any

import filetype
from django.utils.translation import gettext, gettext_lazy
from PIL import Image, ImageCms, ImageFile, ImageOps, UnidentifiedImageError

CHUNK = 64 * 1024
HEAD = 8 * 1024  # bytes read to name a format

# Office (OOXML) archives
ZIP_MAX_MEMBERS = 2000
ZIP_MAX_UNCOMPRESSED = 256 * 1024 * 1024  # all members together, as declared and as really inflated
ZIP_MAX_RATIO = 100  # per member larger than ZIP_RATIO_FLOOR
ZIP_RATIO_FLOOR = 1024 * 1024
# PDF: inflate compressed object streams to look for active content inside them, within this budget
PDF_OBJSTM_BUDGET = 64 * 1024 * 1024
# Images: beyond this many pixels the decoded bitmap alone would take hundreds of MB
IMAGE_MAX_PIXELS = 50_000_000


if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


class Refused(Exception):
    """The file is not accepted; the message is for the user (Chinese)."""


class Kind:
    IMAGE = "image"
    PDF = "pdf"
    OFFICE = "office"
    AUDIO = "audio"
    VIDEO = "video"


@dataclass(frozen=True)
class Format:
    key: str
    kind: str
    mime: str
    extensions: frozenset[str]
    label: StrOrPromise  # lazy: named in a refusal, in the reader's language


def _f(key, kind, mime, exts, label):
    return Format(key, kind, mime, frozenset(exts), label)


FORMATS: dict[str, Format] = {
    f.key: f
    for f in (
        _f("jpeg", Kind.IMAGE, "image/jpeg", {"jpg", "jpeg"}, gettext_lazy("JPEG 图片")),
        _f("png", Kind.IMAGE, "image/png", {"png"}, gettext_lazy("PNG 图片")),
        _f("webp", Kind.IMAGE, "image/webp", {"webp"}, gettext_lazy("WebP 图片")),
        _f("pdf", Kind.PDF, "application/pdf", {"pdf"}, gettext_lazy("PDF 文档")),
        _f(
            "docx",
            Kind.OFFICE,
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            {"docx"},
            gettext_lazy("Word 文档"),
        ),
        _f(
            "xlsx",
            Kind.OFFICE,
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            {"xlsx"},
            gettext_lazy("Excel 表格"),
        ),
        _f(
            "pptx",
            Kind.OFFICE,
            "application/vnd.openxmlformats-officedocument.presentationml.presentation",
            {"pptx"},
            gettext_lazy("PowerPoint 演示文稿"),
        ),
        _f("mp4", Kind.VIDEO, "video/mp4", {"mp4", "m4v"}, gettext_lazy("MP4 视频")),
        _f("mov", Kind.VIDEO, "video/quicktime", {"mov"}, gettext_lazy("MOV 视频")),
        _f("m4a", Kind.AUDIO, "audio/mp4", {"m4a"}, gettext_lazy("M4A 音频")),
        _f("webm", Kind.VIDEO, "video/webm", {"webm"}, gettext_lazy("WebM 视频")),
        _f("ogg", Kind.AUDIO, "audio/ogg", {"ogg", "oga", "opus"}, gettext_lazy("Ogg 音频")),
        _f("mp3", Kind.AUDIO, "audio/mpeg", {"mp3"}, gettext_lazy("MP3 音频")),
        _f("wav", Kind.AUDIO, "audio/wav", {"wav"}, gettext_lazy("WAV 音频")),
    )
}
ALLOWED_EXTENSIONS = frozenset(ext for f in FORMATS.values() for ext in f.extensions)

# Formats that share a container: the extension picks one of them.
_FAMILIES = {
    "ooxml": ("docx", "xlsx", "pptx"),
    "isobmff": ("mp4", "mov", "m4a"),
}

_OOXML_MAIN_PART = {"docx": "word/document.xml", "xlsx": "xl/workbook.xml", "pptx": "ppt/presentation.xml"}
_ISO_BRANDS = {
    b"isom",
    b"iso2",
    b"iso3",
    b"iso4",
    b"iso5",
    b"iso6",
    b"mp41",
    b"mp42",
    b"avc1",
    b"M4V ",
    b"M4A ",
    b"M4B ",
    b"dash",
    b"qt  ",
    b"3gp4",
    b"3gp5",
    b"3gp6",
    b"MSNV",
    b"f4v ",
    b"mmp4",
}
_ARCHIVE_MAGICS = (
    b"PK\x03\x04",
    b"PK\x05\x06",
    b"Rar!",
    b"7z\xbc\xaf\x27\x1c",
    b"\x1f\x8b",
    b"BZh",
    b"\xfd7zXZ\x00",
    b"\xd0\xcf\x11\xe0",
    b"MZ",
)
_ARCHIVE_SUFFIXES = (
    ".zip",
    ".rar",
    ".7z",
    ".gz",
    ".tgz",
    ".bz2",
    ".xz",
    ".tar",
    ".jar",
    ".cab",
    ".docx",
    ".xlsx",
    ".pptx",
    ".docm",
    ".xlsm",
    ".pptm",
    ".exe",
    ".dll",
    ".bin",
)


def extension_of(name: str) -> str:
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    return base.rsplit(".", 1)[-1].lower() if "." in base.strip(".") else ""


# --- naming the format -------------------------------------------------------------------------------
def _mp3_frame(head: bytes, at: int) -> int | None:
    """Length of the MPEG audio frame whose header starts at `at`, or None if it is not one."""
    if at + 4 > len(head):
        return None
    b1, b2, b3 = head[at + 1], head[at + 2], head[at + 3]  # noqa: F841 - b3 kept for clarity
    if head[at] != 0xFF or (b1 & 0xE0) != 0xE0:
        return None
    version, layer = (b1 >> 3) & 3, (b1 >> 1) & 3
    bitrate_index, rate_index, padding = b2 >> 4, (b2 >> 2) & 3, (b2 >> 1) & 1
    if version == 1 or layer != 1 or bitrate_index in (0, 15) or rate_index == 3:
        return None  # layer III only (what .mp3 is), no "free" bitrate
    v1 = version == 3
    bitrates = (
        (0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320)
        if v1
        else (0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160)
    )
    rates = {3: (44100, 48000, 32000), 2: (22050, 24000, 16000), 0: (11025, 12000, 8000)}[version]
    return (144 if v1 else 72) * bitrates[bitrate_index] * 1000 // rates[rate_index] + padding


def _is_mp3(head: bytes) -> bool:
    if head.startswith(b"ID3") and len(head) >= 10 and head[3] in (2, 3, 4):
        return all(b < 0x80 for b in head[6:10])  # sync-safe size
    first = _mp3_frame(head, 0)
    return first is not None and first > 0 and _mp3_frame(head, first) is not None  # two frames in a row


def _ebml_doctype(head: bytes) -> bytes | None:
    at = head.find(b"\x42\x82", 4, 64)  # DocType element in the EBML header
    if at < 0 or at + 3 > len(head):
        return None
    size_byte = head[at + 2]
    if not size_byte & 0x80:
        return None
    size = size_byte & 0x7F
    return head[at + 3 : at + 3 + size]


def detect_family(head: bytes) -> str | None:
    """The container named by the leading bytes, or None."""
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        return "wav"
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"PK\x03\x04"):
        return "ooxml"
    if head[4:8] == b"ftyp" and len(head) >= 12:
        return "isobmff"
    if head.startswith(b"\x1a\x45\xdf\xa3") and _ebml_doctype(head) == b"webm":
        return "webm"
    if head.startswith(b"OggS\x00"):
        return "ogg"
    if _is_mp3(head):
        return "mp3"
    return None


# What the `filetype` package may call each container; anything else is a second opinion that
# disagrees (a file that is two things at once) and is refused.
_FILETYPE_AGREES = {
    "jpeg": {"image/jpeg"},
    "png": {"image/png", "image/apng"},
    "webp": {"image/webp"},
    "wav": {"audio/x-wav", "audio/wav"},
    "pdf": {"application/pdf"},
    "ooxml": {
        "application/zip",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    },
    "isobmff": {
        "video/mp4",
        "audio/mp4",
        "audio/x-m4a",
        "audio/m4a",
        "video/x-m4v",
        "video/quicktime",
        "video/3gpp",
    },
    "webm": {"video/webm", "video/x-matroska"},
    "ogg": {"audio/ogg", "video/ogg", "audio/opus"},
    "mp3": {"audio/mpeg"},
}


def _describe(head: bytes) -> str:
    """A word for what an unaccepted file looks like, for the message."""
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        return gettext("旧版 Office 文档（.doc/.xls/.ppt），请另存为 .docx/.xlsx/.pptx 后上传")
    if head.startswith(b"MZ") or head.startswith(b"\x7fELF"):
        return gettext("可执行程序")
    text = head[:512].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if text.startswith((b"<svg", b"<?xml")) and b"<svg" in head.lower():
        return gettext("SVG 图片（可含脚本）")
    if text.startswith((b"<!doctype html", b"<html", b"<script", b"<head", b"<body")):
        return gettext("网页文件")
    kind = filetype.guess(head)
    return f"{kind.mime}" if kind else gettext("无法识别的格式")


def detect(head: bytes, name: str, accepted: str = "") -> Format:
    """The accepted format of a file from its leading bytes; the extension of `name` must agree.
    `accepted` names for people what the caller takes (services.kinds_label), said when the format
    is not recognised; without it, every format this module knows."""
    if not head:
        raise Refused(gettext("文件为空"))
    ext = extension_of(name)
    if not ext:
        raise Refused(gettext("文件名缺少扩展名"))
    family = detect_family(head)
    if family is None:
        accepted = accepted or (
            "图片（JPG/PNG/WebP）、PDF、Word/Excel/PowerPoint（docx/xlsx/pptx）"
            "和音视频（MP3/WAV/M4A/OGG/MP4/MOV/WebM）"
        )
        raise Refused(
            gettext("不支持的文件类型：%(describe)s。可上传%(accepted)s")
            % {"describe": _describe(head), "accepted": accepted}
        )
    second = filetype.guess(head)
    if second is not None and second.mime not in _FILETYPE_AGREES[family]:
        raise Refused(gettext("文件内容的类型不明确（%(mime)s），不予接收") % {"mime": second.mime})
    candidates = [FORMATS[k] for k in _FAMILIES.get(family, (family,))]
    for fmt in candidates:
        if ext in fmt.extensions:
            return fmt
    if family == "ooxml" and ext not in ALLOWED_EXTENSIONS:
        raise Refused(gettext("不支持的文件类型：压缩包或其他 ZIP 格式文件"))
    if family == "isobmff" and head[8:12] not in _ISO_BRANDS:
        raise Refused(gettext("不支持的音视频格式"))
    expected = "/".join(sorted({e for f in candidates for e in f.extensions}))
    raise Refused(
        gettext("文件扩展名 .%(ext)s 与文件内容（%(label)s）不符，应为 .%(expected)s")
        % {"ext": ext, "label": candidates[0].label, "expected": expected}
    )


# --- checking the whole file ---------------------------------------------------------------------------
def _size(fh: IO[bytes]) -> int:
    fh.seek(0, io.SEEK_END)
    return fh.tell()


def _read_at(fh: IO[bytes], offset: int, length: int) -> bytes:
    fh.seek(offset)
    return fh.read(length)


def inspect(fh: IO[bytes], fmt: Format) -> None:
    """Check the whole file for its format; raise Refused if anything is off. Images are checked by
    reencode_image() instead."""
    size = _size(fh)
    if fmt.kind != Kind.OFFICE and zipfile.is_zipfile(fh):
        raise Refused(gettext("文件同时是%(label)s和压缩包（多重格式文件），不予接收") % {"label": fmt.label})
    if fmt.key == "pdf":
        _inspect_pdf(fh, size)
    elif fmt.kind == Kind.OFFICE:
        _inspect_ooxml(fh, size, fmt)
    elif fmt.key in ("mp4", "mov", "m4a"):
        _inspect_isobmff(fh, size)
    elif fmt.key in ("wav", "webp"):
        _inspect_riff(fh, size, fmt)
    elif fmt.key == "ogg":
        _inspect_ogg(_Window(fh, size))
    elif fmt.key == "mp3":
        _inspect_mp3(_Window(fh, size))
    elif fmt.key == "webm":
        _inspect_webm(_Window(fh, size))
    fh.seek(0)


def _inspect_riff(fh: IO[bytes], size: int, fmt: Format) -> None:
    declared = struct.unpack("<I", _read_at(fh, 4, 4))[0] + 8
    if size < 12 or declared not in (size, size - 1):  # a RIFF chunk may carry one pad byte
        raise Refused(gettext("%(label)s文件不完整或尾部附加了其他数据") % {"label": fmt.label})


class _Window:
    """Random reads over a large file through a sliding buffer (few system calls for small reads)."""

    SPAN = 1024 * 1024

    def __init__(self, fh: IO[bytes], size: int) -> None:
        self.fh, self.size, self.start, self.buf = fh, size, 0, b""

    def at(self, offset: int, length: int) -> bytes:
        if not (self.start <= offset and offset + length <= self.start + len(self.buf)):
            self.fh.seek(offset)
            self.start, self.buf = offset, self.fh.read(max(length, self.SPAN))
        return self.buf[offset - self.start : offset - self.start + length]


def _inspect_ogg(w: _Window) -> None:
    """Ogg pages must follow one another to the end of the file."""
    offset = 0
    while offset < w.size:
        header = w.at(offset, 27)
        if len(header) < 27 or header[:5] != b"OggS\x00":
            raise Refused(gettext("Ogg 音频已损坏、不完整或尾部附加了其他数据"))
        segments = w.at(offset + 27, header[26])
        if len(segments) < header[26]:
            raise Refused(gettext("Ogg 音频不完整"))
        offset += 27 + header[26] + sum(segments)
    if offset != w.size:
        raise Refused(gettext("Ogg 音频不完整"))


def _inspect_mp3(w: _Window) -> None:
    """An optional ID3v2 tag, then MPEG audio frames one after another to the end, then an optional
    ID3v1 tag (or zero padding)."""
    offset = 0
    head = w.at(0, 10)
    if head.startswith(b"ID3"):
        tag = (head[6] << 21) | (head[7] << 14) | (head[8] << 7) | head[9]
        offset = 10 + tag + (10 if head[5] & 0x10 else 0)
    frames = 0
    while offset < w.size:
        length = _mp3_frame(w.at(offset, 4), 0)
        if length is None:
            rest = w.size - offset
            tail = w.at(offset, min(rest, 4096))
            if (rest == 128 and tail.startswith(b"TAG")) or (rest <= 4096 and not tail.strip(b"\x00")):
                break
            raise Refused(gettext("MP3 音频已损坏或尾部附加了其他数据"))
        if offset + length > w.size:
            raise Refused(gettext("MP3 音频不完整"))
        offset += length
        frames += 1
    if not frames:
        raise Refused(gettext("MP3 音频没有音频数据"))


def _vint(data: bytes, keep_marker: bool) -> tuple[int, int] | None:
    """An EBML variable-length integer: (value, length); value -1 for "unknown size"."""
    if not data or data[0] == 0:
        return None
    length = 9 - data[0].bit_length()
    if len(data) < length:
        return None
    value = int.from_bytes(data[:length], "big")
    if keep_marker:
        return value, length
    value &= (1 << (7 * length)) - 1
    return (-1 if value == (1 << (7 * length)) - 1 else value), length


_EBML_HEADER, _SEGMENT, _CLUSTER, _ATTACHMENTS = 0x1A45DFA3, 0x18538067, 0x1F43B675, 0x1941A469
# Children of Segment: SeekHead, Info, Tracks, Cluster, Cues, Attachments, Chapters, Tags, Void, CRC-32
_SEGMENT_CHILDREN = {
    0x114D9B74,
    0x1549A966,
    0x1654AE6B,
    _CLUSTER,
    0x1C53BB6B,
    _ATTACHMENTS,
    0x1043A770,
    0x1254C367,
    0xEC,
    0xBF,
}


# Children of Cluster: Timecode, SimpleBlock, BlockGroup, PrevSize, Position, SilentTracks,
# EncryptedBlock, Void, CRC-32
_CLUSTER_CHILDREN = {0xE7, 0xA3, 0xA0, 0xAB, 0xA7, 0x5854, 0xAF, 0xEC, 0xBF}


def _ebml_element(w: _Window, offset: int) -> tuple[int, int, int]:
    """(id, payload size or -1, header length) of the element at `offset`."""
    raw = w.at(offset, 12)
    element = _vint(raw, keep_marker=True)
    if element is None:
        raise Refused(gettext("WebM 视频已损坏"))
    size = _vint(raw[element[1] :], keep_marker=False)
    if size is None:
        raise Refused(gettext("WebM 视频已损坏"))
    return element[0], size[0], element[1] + size[1]


def _inspect_webm(w: _Window) -> None:
    """EBML header, then one Segment whose children (and the clusters' children) follow one another
    to the end. A Segment or Cluster of unknown size (a live MediaRecorder stream) runs until the next
    element of its level; a final element cut short (a browser that crashed mid-recording) is
    accepted. Embedded files (Matroska Attachments) are refused."""
    element, size, header = _ebml_element(w, 0)
    if element != _EBML_HEADER or size < 0:
        raise Refused(gettext("WebM 视频已损坏"))
    offset = header + size
    element, size, header = _ebml_element(w, offset)
    if element != _SEGMENT:
        raise Refused(gettext("WebM 视频已损坏"))
    end = w.size if size < 0 else offset + header + size
    if end != w.size and not (size >= 0 and end > w.size):  # nothing may follow the segment
        raise Refused(gettext("WebM 视频尾部附加了其他数据，不予接收"))
    offset += header
    in_cluster = False
    while offset < w.size:
        element, size, header = _ebml_element(w, offset)
        if element == _ATTACHMENTS:
            raise Refused(gettext("WebM 视频内嵌了文件，不予接收"))
        if element in _SEGMENT_CHILDREN:
            in_cluster = element == _CLUSTER and size < 0
            if size < 0 and element != _CLUSTER:
                raise Refused(gettext("WebM 视频已损坏"))
            offset += header + (0 if in_cluster else size)
        elif in_cluster and element in _CLUSTER_CHILDREN and size >= 0:
            offset += header + size  # a block, timecode or other child of an unknown-size cluster
        else:
            raise Refused(gettext("WebM 视频已损坏"))


def _inspect_isobmff(fh: IO[bytes], size: int) -> None:
    """Walk the top-level boxes: they must tile the file exactly (no truncation, nothing appended)."""
    offset, first = 0, True
    while offset < size:
        header = _read_at(fh, offset, 16)
        if len(header) < 8:
            raise Refused(gettext("音视频文件已损坏或不完整"))
        box_size, box_type = struct.unpack(">I4s", header[:8])
        if first and (box_type != b"ftyp" or header[8:12] not in _ISO_BRANDS):
            raise Refused(gettext("不支持的音视频格式"))
        if not all(32 <= c < 127 for c in box_type):
            raise Refused(gettext("音视频文件已损坏"))
        if box_size == 1:
            if len(header) < 16:
                raise Refused(gettext("音视频文件已损坏"))
            box_size = struct.unpack(">Q", header[8:16])[0]
        elif box_size == 0:
            box_size = size - offset
        if box_size < 8 or offset + box_size > size:
            raise Refused(gettext("音视频文件已损坏或不完整"))
        offset += box_size
        first = False


_PDF_NAME = re.compile(rb"/([A-Za-z0-9#]{2,40})")
# Active content a PDF reader may run or open: refused (see docs/attachments.md).
_PDF_ACTIVE = {
    b"JavaScript": gettext_lazy("JavaScript 脚本"),
    b"JS": gettext_lazy("JavaScript 脚本"),
    b"Launch": gettext_lazy("启动外部程序的动作"),
    b"EmbeddedFile": gettext_lazy("嵌入的文件"),
    b"EmbeddedFiles": gettext_lazy("嵌入的文件"),
    b"RichMedia": gettext_lazy("富媒体（Flash）内容"),
    b"XFA": gettext_lazy("XFA 动态表单"),
}


def _pdf_names(data: bytes) -> set[bytes]:
    names = set()
    for match in _PDF_NAME.finditer(data):
        raw = match.group(1)
        if b"#" in raw:  # /J#61vaScript is /JavaScript
            try:
                raw = re.sub(rb"#([0-9A-Fa-f]{2})", lambda m: bytes([int(m.group(1), 16)]), raw)
            except ValueError:
                continue
        names.add(raw)
    return names


# Long names are looked for in every byte (a chance match in compressed data is ~2^-56 per byte);
# short ones only outside streams, where a chance match in binary data would refuse good files.
_PDF_LONG = {name for name in _PDF_ACTIVE if len(name) >= 6} | {b"Encrypt"}
_PDF_STREAM = re.compile(rb"(?<![A-Za-z])stream(?:\r\n|\n|\r)")


def _inspect_pdf(fh: IO[bytes], size: int) -> None:
    tail = _read_at(fh, max(0, size - 1024), 1024)
    end = tail.rfind(b"%%EOF")
    if end < 0:
        raise Refused(gettext("PDF 文件不完整（缺少文件结束标记）"))
    if tail[end + 5 :].strip(b"\r\n\t \x00\x0c"):
        raise Refused(gettext("PDF 文件结束后还附加了其他数据，不予接收"))
    found: set[bytes] = set()
    # Pass 1: long names anywhere (so a fake "stream" keyword inside a string hides nothing).
    fh.seek(0)
    carry = b""
    for block in iter(lambda: fh.read(CHUNK), b""):
        data = carry + block
        found |= _pdf_names(data) & _PDF_LONG
        carry = data[-64:]
    # Pass 2: every name outside streams, and inside the compressed object streams.
    found |= _PdfScanner().run(fh)
    if b"Encrypt" in found:
        raise Refused(gettext("PDF 文件已加密，请去除密码保护后再上传"))
    if found:
        what = "、".join(sorted({str(_PDF_ACTIVE[n]) for n in found}))
        raise Refused(gettext("PDF 文件含有%(what)s，不予接收；请打印为普通 PDF 后再上传") % {"what": what})


class _PdfScanner:
    """Walks the file once, outside streams and inside /ObjStm streams (inflated within a budget)."""

    KEEP = 1024  # bytes kept between blocks: a name cut at a block end, the dictionary before "stream"

    def __init__(self) -> None:
        self.found: set[bytes] = set()
        self.budget = PDF_OBJSTM_BUDGET
        self.inflater: Any = None  # a zlib decompress object (its type has no public name)
        self.plain_carry = b""

    def names(self, data: bytes) -> None:
        self.found |= _pdf_names(data) & (set(_PDF_ACTIVE) | {b"Encrypt"})

    def inflate(self, data: bytes) -> None:
        if self.inflater is None:
            return
        try:
            while data and not self.inflater.eof:
                plain = self.inflater.decompress(data, self.budget + 1)
                self.budget -= len(plain)
                if self.budget < 0:
                    raise Refused(gettext("PDF 文件的压缩内容过大，无法检查"))
                self.names(self.plain_carry + plain)
                self.plain_carry = (self.plain_carry + plain)[-64:]
                data = self.inflater.unconsumed_tail
        except zlib.error:
            self.inflater = None  # not Flate data: a reader cannot use it either

    def run(self, fh: IO[bytes]) -> set[bytes]:
        fh.seek(0)
        buf, in_stream, eof = b"", False, False
        while not eof:
            block = fh.read(CHUNK)
            eof = not block
            buf += block
            pos = 0
            while True:
                if in_stream:
                    end = buf.find(b"endstream", pos)
                    stop = end if end >= 0 else max(pos, len(buf) - 9)  # "endstream" may be cut
                    self.inflate(buf[pos:stop])
                    if end < 0:
                        buf = buf[stop:]
                        break
                    pos, in_stream, self.inflater = end + 9, False, None
                else:
                    match = _PDF_STREAM.search(buf, pos)
                    if match is None:
                        self.names(buf[pos:])
                        buf = buf[max(pos, len(buf) - self.KEEP) :]
                        break
                    self.names(buf[pos : match.start()])
                    dictionary = buf[max(0, match.start() - self.KEEP) : match.start()]
                    dictionary = dictionary[dictionary.rfind(b"obj") + 1 :]
                    if b"ObjStm" in _pdf_names(dictionary):
                        self.inflater, self.plain_carry = zlib.decompressobj(), b""
                    pos, in_stream = match.end(), True
        return self.found


def _zip_tail_ok(fh: IO[bytes], size: int) -> bool:
    """The end-of-central-directory record must end the file: nothing appended after the archive."""
    tail = _read_at(fh, max(0, size - 22 - 65535), 22 + 65535)
    at = tail.rfind(b"PK\x05\x06")
    if at < 0 or len(tail) - at < 22:
        return False
    comment_length = struct.unpack("<H", tail[at + 20 : at + 22])[0]
    return at + 22 + comment_length == len(tail)


def _inspect_ooxml(fh: IO[bytes], size: int, fmt: Format) -> None:
    bad = gettext("%(label)s已损坏或不是有效的 %(extensions)s 文件") % {
        "label": fmt.label,
        "extensions": "/".join(sorted(fmt.extensions)),
    }
    if not _zip_tail_ok(fh, size):
        raise Refused(bad)
    try:
        fh.seek(0)
        archive = zipfile.ZipFile(fh)
        members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError, struct.error):
        raise Refused(bad) from None
    except NotImplementedError:  # a member "needs" a newer unzip than the standard ZIP any Office writes
        raise Refused(bad) from None
    if len(members) > ZIP_MAX_MEMBERS:
        raise Refused(
            gettext("%(label)s内含文件过多（%(count)s 个），疑似压缩炸弹")
            % {"label": fmt.label, "count": len(members)}
        )
    names = [m.filename for m in members]
    if len(set(names)) != len(names):
        raise Refused(bad)
    if not members or min(m.header_offset for m in members) != 0:
        raise Refused(gettext("%(label)s前面附加了其他数据，不予接收") % {"label": fmt.label})
    declared = sum(m.file_size for m in members)
    if declared > ZIP_MAX_UNCOMPRESSED:
        raise Refused(
            gettext("%(label)s解压后过大（%(value)s MB），疑似压缩炸弹")
            % {"label": fmt.label, "value": declared // (1024 * 1024)}
        )
    for m in members:
        if m.file_size > ZIP_RATIO_FLOOR and m.file_size > ZIP_MAX_RATIO * max(m.compress_size, 1):
            raise Refused(gettext("%(label)s压缩比异常，疑似压缩炸弹") % {"label": fmt.label})
        if m.flag_bits & 0x1:
            raise Refused(gettext("%(label)s已加密，请去除密码保护后再上传") % {"label": fmt.label})
        if m.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise Refused(bad)
        lowered = m.filename.lower()
        if lowered.endswith("vbaproject.bin") or lowered.endswith(".bin") and "activex" in lowered:
            raise Refused(
                gettext("%(label)s含有宏或控件，不予接收；请另存为不含宏的文档") % {"label": fmt.label}
            )
        if lowered.endswith(_ARCHIVE_SUFFIXES) and not lowered.endswith(".bin"):
            raise Refused(
                gettext("%(label)s内嵌了压缩包或其他文档，请去掉嵌入对象后再上传") % {"label": fmt.label}
            )
    if "[Content_Types].xml" not in names:
        raise Refused(bad)
    if _OOXML_MAIN_PART[fmt.key] not in names:
        for key, part in _OOXML_MAIN_PART.items():
            if part in names:
                raise Refused(
                    gettext("文件扩展名 .%(key)s 与文件内容（%(label)s）不符，应为 .%(key2)s")
                    % {"key": fmt.key, "label": FORMATS[key].label, "key2": key}
                )
        raise Refused(bad)
    # Inflate everything (bounded by the declared sizes checked above): catches corrupt members
    # and archives hidden under innocent names.
    try:
        for m in members:
            with archive.open(m) as member:
                first = member.read(8)
                if first.startswith(_ARCHIVE_MAGICS):
                    raise Refused(
                        gettext("%(label)s内嵌了压缩包或其他文档，请去掉嵌入对象后再上传")
                        % {"label": fmt.label}
                    )
                while member.read(CHUNK):
                    pass
        content_types = archive.read("[Content_Types].xml")
    except (zipfile.BadZipFile, OSError, EOFError, zlib.error, ValueError, NotImplementedError):
        raise Refused(bad) from None
    if b"macroenabled" in content_types.lower():
        raise Refused(gettext("%(label)s含有宏，不予接收；请另存为不含宏的文档") % {"label": fmt.label})


# --- images ------------------------------------------------------------------------------------------
def _png_end(fh: IO[bytes], size: int) -> int:
    offset = 8
    while offset + 12 <= size:
        length, chunk_type = struct.unpack(">I4s", _read_at(fh, offset, 8))
        offset += 12 + length
        if chunk_type == b"IEND":
            return offset
    raise Refused(gettext("PNG 图片不完整或已损坏"))


def _jpeg_end(fh: IO[bytes], size: int) -> int:
    """Offset just past the EOI marker that ends the main image (embedded EXIF thumbnails are inside
    APP segments and skipped)."""
    fh.seek(0)
    data = fh.read()
    at = 2
    while at + 2 <= len(data):
        if data[at] != 0xFF:
            raise Refused(gettext("JPEG 图片已损坏"))
        marker = data[at + 1]
        if marker == 0xFF:
            at += 1
            continue
        if marker == 0xD9:
            return at + 2
        if 0xD0 <= marker <= 0xD7 or marker == 0x01:
            at += 2
            continue
        if at + 4 > len(data):
            break
        length = struct.unpack(">H", data[at + 2 : at + 4])[0]
        if length < 2:
            raise Refused(gettext("JPEG 图片已损坏"))
        at += 2 + length
        if marker == 0xDA:  # entropy-coded data follows: find the next real marker
            while True:
                at = data.find(b"\xff", at)
                if at < 0 or at + 1 >= len(data):
                    raise Refused(gettext("JPEG 图片不完整（被截断）"))
                following = data[at + 1]
                if following == 0x00 or 0xD0 <= following <= 0xD7 or following == 0xFF:
                    at += 1 if following == 0xFF else 2
                    continue
                break
    raise Refused(gettext("JPEG 图片不完整（被截断）"))


def reencode_image(fh: IO[bytes], fmt: Format) -> bytes:
    """Decode the image fully and encode it again in the same format: EXIF (GPS included), XMP, ICC
    and text chunks are dropped, the EXIF orientation is applied to the pixels first. Raises Refused
    for truncated, corrupt or oversized images.

    Data after the end of a JPEG or PNG is dropped with the metadata, not refused: phones append a
    video to "motion photos" (动态照片) that way, and an appended archive or script (a polyglot)
    does not survive the re-encoding either."""
    size = _size(fh)
    if fmt.key == "png":
        _png_end(fh, size)  # refuses a PNG cut before IEND
    if fmt.key == "jpeg":
        _jpeg_end(fh, size)  # refuses a JPEG cut before its end-of-image marker
    if fmt.key == "webp":
        _inspect_riff(fh, size, fmt)
    ImageFile.LOAD_TRUNCATED_IMAGES = False
    pil_format = {"jpeg": "JPEG", "png": "PNG", "webp": "WEBP"}[fmt.key]
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            fh.seek(0)
            with Image.open(fh, formats=[pil_format]) as probe:
                width, height = probe.size
                if width * height > IMAGE_MAX_PIXELS:
                    raise Refused(
                        gettext("图片尺寸过大（%(width)s×%(height)s），请缩小后再上传")
                        % {"width": width, "height": height}
                    )
                probe.verify()
            fh.seek(0)
            with Image.open(fh, formats=[pil_format]) as image:
                image.load()
                return _encode(ImageOps.exif_transpose(image), pil_format)
    except Refused:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise Refused(gettext("图片尺寸过大，疑似图片炸弹，不予接收")) from None
    except (
        UnidentifiedImageError,
        OSError,
        SyntaxError,
        ValueError,
        EOFError,
        struct.error,
        IndexError,
        TypeError,
        KeyError,
        ZeroDivisionError,
        MemoryError,
    ):
        raise Refused(gettext("%(label)s已损坏或不完整") % {"label": fmt.label}) from None


def _to_srgb(image: Image.Image) -> Image.Image:
    """Apply an embedded colour profile (a phone's Display P3, a CMYK print profile) to the pixels, so
    that dropping the profile does not shift the colours. A profile that cannot be used is ignored."""
    icc = image.info.get("icc_profile")
    if not icc or image.mode not in ("RGB", "RGBA", "CMYK"):
        return image
    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        output = "RGBA" if image.mode == "RGBA" else "RGB"
        converted = ImageCms.profileToProfile(image, source, _SRGB, outputMode=output)
    except Exception:  # noqa: BLE001 - a hostile or odd profile: keep the pixels as they are
        return image
    return converted if converted is not None else image


_SRGB = ImageCms.createProfile("sRGB")


def _encode(image: Image.Image, pil_format: str) -> bytes:
    image = _to_srgb(image)
    keep: dict[str | tuple[int, int], Any] = (
        {"transparency": image.info["transparency"]} if "transparency" in image.info else {}
    )
    image.info = keep  # drop exif, icc_profile, xmp, text chunks, comments
    if pil_format == "JPEG" and image.mode not in ("L", "RGB"):
        image = image.convert("RGB")
    elif pil_format == "WEBP" and image.mode not in ("RGB", "RGBA"):
        image = image.convert("RGBA" if image.mode in ("LA", "PA", "P") else "RGB")
    elif pil_format == "PNG" and image.mode not in ("1", "L", "LA", "P", "RGB", "RGBA", "I", "I;16"):
        image = image.convert("RGBA")
    out = io.BytesIO()
    options: dict[str, dict[str, Any]] = {
        "JPEG": {"quality": 90, "optimize": True},
        "WEBP": {"quality": 90},
        "PNG": {"optimize": False},
    }
    image.save(out, pil_format, **options[pil_format])
    return out.getvalue()
