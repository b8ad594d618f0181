"""Upload fuzzing: random bytes, mutated real files and glued-together files under every allowed
extension. Each upload is either refused with a ValidationError or stored as a file whose content is
what the row says it is; nothing else (no other exception, no polyglot stored as an accepted type)."""

import io
import zipfile

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from jijian.attachments import sniff
from jijian.attachments.services import ALL_KINDS, attachment_store, file_storage
from jijian.core.roles import Module

from . import samples

EXTENSIONS = sorted(sniff.ALLOWED_EXTENSIONS)
SAMPLES = {
    "jpg": samples.photo("JPEG"),
    "png": samples.photo("PNG"),
    "webp": samples.photo("WEBP"),
    "pdf": samples.pdf(),
    "docx": samples.docx(),
    "xlsx": samples.xlsx(),
    "wav": samples.wav(),
    "mp4": samples.mp4(),
    "webm": samples.webm(),
    "mp3": samples.mp3(),
    "ogg": samples.ogg(),
}
FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck), derandomize=False)


@st.composite
def mutated(draw):
    ext = draw(st.sampled_from(sorted(SAMPLES)))
    data = bytearray(SAMPLES[ext])
    for _ in range(draw(st.integers(1, 4))):
        op = draw(st.sampled_from(["truncate", "flip", "append", "insert", "prepend"]))
        if op == "truncate" and len(data) > 1:
            del data[draw(st.integers(0, len(data) - 1)) :]
        elif op == "flip" and data:
            at = draw(st.integers(0, len(data) - 1))
            data[at] ^= draw(st.integers(1, 255))
        elif op == "append":
            data += draw(st.binary(max_size=64))
        elif op == "insert" and data:
            at = draw(st.integers(0, len(data)))
            data[at:at] = draw(st.binary(min_size=1, max_size=16))
        elif op == "prepend":
            data[:0] = draw(st.binary(min_size=1, max_size=16))
    name_ext = ext if draw(st.integers(0, 3)) else draw(st.sampled_from(EXTENSIONS))  # mostly its own
    return bytes(data), f"fuzz.{name_ext}"


@st.composite
def glued(draw):
    first, second = draw(st.sampled_from(sorted(SAMPLES))), draw(st.sampled_from(sorted(SAMPLES)))
    name_ext = draw(st.sampled_from([first, first, second, second, *EXTENSIONS]))
    return SAMPLES[first] + SAMPLES[second], f"glued.{name_ext}"


@st.composite
def random_bytes(draw):
    head = draw(
        st.sampled_from(
            [
                b"",
                b"\xff\xd8\xff",
                b"\x89PNG\r\n\x1a\n",
                b"%PDF-1.7\n",
                b"PK\x03\x04",
                b"\x00\x00\x00\x18ftypisom",
                b"RIFF\x00\x00\x00\x00WAVE",
                b"ID3\x03\x00",
                b"OggS\x00",
                b"\x1a\x45\xdf\xa3",
                b"\xff\xfb\x90\x00",
            ]
        )
    )
    return head + draw(st.binary(max_size=2048)), f"random.{draw(st.sampled_from(EXTENSIONS))}"


def check_upload(tree, people, content: bytes, name: str) -> None:
    try:
        attachment = attachment_store(
            actor=people.member_a,
            file=SimpleUploadedFile(name, content),
            org_unit=tree.village_a,
            module=Module.REPORTS,
            purpose="reports.fuzz",
            kinds=ALL_KINDS,  # the format checks of every kind
        )
    except ValidationError as refused:
        assert refused.code == "attachment_refused" and refused.messages[0]
        # the service's last-resort catch turns a parser crash into a refusal; here it is a failure
        assert "无法解析" not in refused.messages[0], "a parser raised an unexpected exception"
        return
    with file_storage().open(attachment.storage_name, "rb") as fh:
        stored = fh.read()
    fmt = sniff.detect(stored[: sniff.HEAD], attachment.original_name)
    assert (fmt.kind, fmt.mime) == (attachment.kind, attachment.mime)
    if fmt.kind == sniff.Kind.IMAGE:
        image = Image.open(io.BytesIO(stored))
        image.load()
        assert dict(image.getexif()) == {}
    else:
        assert stored == content
        sniff.inspect(io.BytesIO(stored), fmt)  # the stored file passes the checks on its own
    if fmt.kind != sniff.Kind.OFFICE:
        assert not zipfile.is_zipfile(io.BytesIO(stored)), "a polyglot with a zip was stored"


@FUZZ
@given(case=random_bytes())
def test_random_bytes_are_refused_or_stored_as_what_they_are(tree, people, case):
    check_upload(tree, people, *case)


@FUZZ
@given(case=mutated())
def test_mutated_files_are_refused_or_stored_as_what_they_are(tree, people, case):
    check_upload(tree, people, *case)


@FUZZ
@given(case=glued())
def test_glued_files_are_never_stored_as_polyglots(tree, people, case):
    content, name = case
    check_upload(tree, people, content, name)


def test_every_sample_is_accepted_under_its_own_extension(tree, people):
    # the fuzz above starts from files that are valid, so a refusal there is about the mutation
    for ext, content in SAMPLES.items():
        attachment_store(
            actor=people.member_a,
            file=SimpleUploadedFile(f"ok.{ext}", content),
            org_unit=tree.village_a,
            module=Module.REPORTS,
            purpose="reports.fuzz",
            kinds=ALL_KINDS,  # the format checks of every kind
        )
