"""The video reception pages (module RECEPTION: 信访室, 乡镇纪委, 纪委监委领导). The reception used here
is held by the city commission and was booked at township A's terminal: the city's petition office
and township A see it; township B, the county's conduct supervision office (no module) and everyone
else get 404. The petitioner's pages and the join endpoint are public (their credential is the
booking code or the join token)."""

import tempfile
from pathlib import Path

from jijian.reception.models import VideoReception
from tests.authz import ALL, PUBLIC, Entry
from tests.reception.helpers import petitioner, reception

RECEIVERS = frozenset({"township_a", "township_b", "city_petition"})


def reception_a(t, p):
    return [reception(t.city, township=t.township_a, booked_by=p.township_a).pk]


def _booking(t, p):
    return {**petitioner(1), "slot": "0|2026-01-01", "accused_level": "other"}


def recording_a(t, p):
    import hashlib

    from jijian.reception.models import ReceptionRecording

    r = VideoReception.objects.get(pk=reception_a(t, p)[0])
    path = Path(tempfile.mkdtemp()) / "petitioner.webm"
    path.write_bytes(b"webm")
    rec = ReceptionRecording.objects.create(
        reception=r,
        participant="petitioner",
        segment="1",
        file_path=str(path),
        sha256=hashlib.sha256(b"webm").hexdigest(),
        state="verified",
    )
    return [r.pk, rec.pk]


ENTRIES = [
    # Playback: the receiving office only; the township terminal that booked it gets 404 too.
    Entry("reception:recording", frozenset({"city_petition"}), args=recording_a),
    Entry("reception:list", RECEIVERS),
    Entry("reception:stats", RECEIVERS),
    Entry("reception:stats_xlsx", RECEIVERS),
    Entry(
        "reception:schedules",
        RECEIVERS,
        methods=("GET",),
    ),
    Entry(
        "reception:book", frozenset({"township_a", "township_b"}), methods=("GET", "POST"), post_data=_booking
    ),
    # The township form's slot list (htmx): a township officer only.
    Entry("reception:book_slots", frozenset({"township_a", "township_b"}), query="?accused_level=section"),
    Entry("reception:detail", frozenset({"township_a", "city_petition"}), args=reception_a),
    # 转交: the receiving office only (not the township terminal that booked it).
    Entry(
        "reception:transfer",
        frozenset({"city_petition"}),
        args=reception_a,
        methods=("GET", "POST"),
        post_data=lambda t, p: {"accused_level": "section", "refresh": "1"},
    ),
    Entry(
        "reception:act",
        frozenset({"city_petition"}),
        args=reception_a,
        methods=("POST",),
        post_data=lambda t, p: {"action": "confirm", "version": VideoReception.objects.get().version},
    ),
    Entry("reception:room", frozenset({"township_a", "city_petition"}), args=reception_a, get_ok=(302,)),
    Entry(
        "reception:minutes",
        frozenset({"township_a", "city_petition"}),
        args=reception_a,
        methods=("GET", "POST"),
        # The office saves; the township terminal is told it may only record the confirmation.
        post_data=lambda t, p: {"action": "save", "text": "接访笔录" * 10, "version": 0},
    ),
    Entry(
        "reception:public_confirm",
        ALL,
        methods=("POST",),
        post_data=lambda t, p: {"code": "NOPE", "digest": "x"},
        anonymous=PUBLIC,
    ),
    Entry(
        "reception:document_add",
        frozenset({"township_a", "city_petition"}),
        args=reception_a,
        methods=("POST",),
    ),
    Entry(
        "reception:join",
        ALL,
        args=reception_a,
        methods=("POST",),
        post_data=lambda t, p: {"token": "forged"},
        anonymous=PUBLIC,
    ),
    # The waiting room as the office sees it: the receiving office only (not the terminal).
    Entry(
        "reception:lobby",
        frozenset({"city_petition"}),
        args=reception_a,
        methods=("GET", "POST"),
        post_data=lambda t, p: {"decision": "admit"},
    ),
    # The petitioner's upload: its credential is the upload token given on admission.
    Entry(
        "reception:petitioner_upload",
        ALL,
        args=reception_a,
        methods=("POST",),
        post_data=lambda t, p: {"document": "none"},
        anonymous=PUBLIC,
    ),
    Entry("reception:public_slots", ALL, query="?accused_level=division", anonymous=PUBLIC),
    Entry("reception:public_book", ALL, methods=("GET", "POST"), post_data=_booking, anonymous=PUBLIC),
    Entry(
        "reception:public_code",
        ALL,
        methods=("POST",),
        post_data=lambda t, p: {"petitioner_phone": "12"},
        anonymous=PUBLIC,
    ),
    Entry(
        "reception:public_status",
        ALL,
        methods=("GET", "POST"),
        post_data=lambda t, p: {"code": "NOPE"},
        anonymous=PUBLIC,
    ),
]
