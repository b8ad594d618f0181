"""Small, real sample files made on the fly (nothing binary checked in)."""

from __future__ import annotations

import io
import struct
import wave
import zipfile

from PIL import ExifTags, Image

GPS_IFD = ExifTags.IFD.GPSInfo


def _exif(orientation: int = 1) -> Image.Exif:
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "TestPhone"
    exif[ExifTags.Base.Orientation] = orientation
    gps = exif.get_ifd(GPS_IFD)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (31.0, 41.0, 24.0)
    gps[ExifTags.GPS.GPSLongitudeRef] = "E"
    gps[ExifTags.GPS.GPSLongitude] = (113.0, 22.0, 48.0)
    return exif


def photo(fmt: str = "JPEG", size=(64, 32), orientation: int = 1) -> bytes:
    """A photo with EXIF (camera make, orientation and GPS position)."""
    image = Image.new("RGB", size, (200, 30, 30))
    image.paste((30, 30, 200), (0, 0, size[0] // 2, size[1]))
    out = io.BytesIO()
    image.save(out, fmt, exif=_exif(orientation).tobytes())
    return out.getvalue()


def png_with_text() -> bytes:
    from PIL import PngImagePlugin

    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", "secret location 31.69N 113.38E")
    out = io.BytesIO()
    Image.new("RGBA", (20, 10), (1, 2, 3, 128)).save(out, "PNG", pnginfo=info, exif=_exif().tobytes())
    return out.getvalue()


def pdf(extra_objects: bytes = b"", catalog_extra: bytes = b"") -> bytes:
    """A minimal valid one-page PDF with a correct xref table."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R " + catalog_extra + b">>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    out.write(extra_objects)
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref))
    return out.getvalue()


CONTENT_TYPES = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    b'<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    b'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    b'<Default Extension="xml" ContentType="application/xml"/>'
    b'<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.'
    b'wordprocessingml.document.main+xml"/></Types>'
)
RELS = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    b'<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    b'officeDocument" Target="word/document.xml"/></Relationships>'
)
DOCUMENT = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
    "<w:body><w:p><w:r><w:t>随县厉山镇神农村纪检委员履职记录</w:t></w:r></w:p></w:body></w:document>"
).encode()


def docx(extra: dict[str, bytes] | None = None, content_types: bytes = CONTENT_TYPES) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", content_types)
        archive.writestr("_rels/.rels", RELS)
        archive.writestr("word/document.xml", DOCUMENT)
        for name, data in (extra or {}).items():
            archive.writestr(name, data)
    return out.getvalue()


def docx_bomb(gigabytes: float = 1.0) -> bytes:
    """A .docx with one member that inflates to `gigabytes` of zeros (about 1 MB on disk), written
    in streaming mode so the test never holds the inflated bytes."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("_rels/.rels", RELS)
        archive.writestr("word/document.xml", DOCUMENT)
        block = b"\0" * (16 * 1024 * 1024)
        with archive.open("word/media/zeros.xml", "w", force_zip64=True) as member:
            for _ in range(int(gigabytes * 64)):
                member.write(block)
    return out.getvalue()


def xlsx() -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["村名", "月报"])
    sheet.append(["神农村", "已提交"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def wav(seconds: float = 0.1) -> bytes:
    out = io.BytesIO()
    with wave.open(out, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(8000)
        w.writeframes(b"\x00\x01" * int(8000 * seconds))
    return out.getvalue()


def _box(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I", 8 + len(payload)) + kind + payload


def mp4(brand: bytes = b"isom") -> bytes:
    """An ISO base media file whose top-level boxes tile the file (ftyp, free, mdat)."""
    return (
        _box(b"ftyp", brand + b"\0\0\2\0" + b"isomiso2avc1mp41")
        + _box(b"free", b"")
        + _box(b"mdat", b"\0" * 2000)
    )


def _ebml(element_id: bytes, payload: bytes) -> bytes:
    assert len(payload) < 2**14
    return element_id + bytes([0x40 | (len(payload) >> 8), len(payload) & 0xFF]) + payload


def webm(*, tail: bytes = b"") -> bytes:
    """What MediaRecorder writes: an EBML header with DocType webm, then a Segment and a Cluster of
    unknown size (the recorder cannot know them in advance) holding simple blocks."""
    header = _ebml(
        b"\x1a\x45\xdf\xa3",
        b"\x42\x86\x81\x01\x42\xf7\x81\x01\x42\xf2\x81\x04\x42\xf3\x81\x08\x42\x82\x84webm"
        b"\x42\x87\x81\x04\x42\x85\x81\x02",
    )
    info = _ebml(b"\x15\x49\xa9\x66", _ebml(b"\x2a\xd7\xb1", b"\x0f\x42\x40"))
    tracks = _ebml(b"\x16\x54\xae\x6b", _ebml(b"\xae", _ebml(b"\xd7", b"\x01") + _ebml(b"\x86", b"V_VP8")))
    blocks = b"".join(_ebml(b"\xa3", b"\x81\x00\x00\x80" + bytes(range(40))) for _ in range(5))
    cluster = b"\x1f\x43\xb6\x75\x01\xff\xff\xff\xff\xff\xff\xff" + _ebml(b"\xe7", b"\x00") + blocks
    segment = b"\x18\x53\x80\x67\x01\xff\xff\xff\xff\xff\xff\xff" + info + tracks + cluster
    return header + segment + tail


def mp3(frames: int = 5) -> bytes:
    """MPEG-1 layer III frames at 128 kbit/s, 44.1 kHz (417 bytes each), behind an ID3v2 tag."""
    frame = b"\xff\xfb\x90\x00" + b"\x00" * 413
    return b"ID3\x03\x00\x00\x00\x00\x00\x00" + frame * frames


def _ogg_page(sequence: int, payload: bytes, header_type: int = 0) -> bytes:
    segments = [255] * (len(payload) // 255) + [len(payload) % 255]
    return (
        b"OggS\x00"
        + bytes([header_type])
        + b"\x00" * 8
        + b"\x01\x00\x00\x00"
        + sequence.to_bytes(4, "little")
        + b"\x00" * 4
        + bytes([len(segments)])
        + bytes(segments)
        + payload
    )


def ogg() -> bytes:
    """Three Ogg pages (the CRC is not checked by the store)."""
    return (
        _ogg_page(0, b"\x01vorbis" + b"\x00" * 22, header_type=2)
        + _ogg_page(1, b"\x03vorbis" + b"\x00" * 300)
        + _ogg_page(2, b"\x00" * 100, header_type=4)
    )


def zip_archive(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return out.getvalue()


def vp8_film(path, *, source: str, seconds: float) -> None:
    """A real, playable WebM film (VP8) at `path`, made by ffmpeg (a test dependency: make sysdeps-test)
    from one of its test sources, e.g. "color=c=navy:s=64x48:r=10" or "testsrc=size=160x120:rate=10"."""
    import subprocess

    subprocess.run(
        [
            "ffmpeg",
            "-v",
            "error",
            "-f",
            "lavfi",
            "-i",
            source,
            "-t",
            str(seconds),
            "-c:v",
            "libvpx",
            str(path),
        ],
        check=True,
    )
