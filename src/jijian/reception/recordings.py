"""Converting Janus's raw recordings into one playable file per participant and connection.

Janus writes one .mjr file per track (videoroom-<room>-user-<publisher id>-<timestamp>-video-0.mjr,
…-audio-1.mjr). For each (publisher, timestamp) `janus-pp-rec` turns each track into a webm / opus
file without re-encoding, `ffmpeg -c copy` muxes them into one .webm, and ffprobe verifies it: every
stream present with the packets its source had and a duration. Only then is the SHA-256 stored, the
recording marked verified and the raw files removed; a conversion that dies halfway is simply run
again (what is verified is skipped, the rest redone)."""

from __future__ import annotations

import functools
import hashlib
import json
import re
import shutil
import subprocess
import tempfile
from collections import defaultdict
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from jijian.audit.services import audit_record

from .models import ReceptionRecording, RecordingState, VideoReception

RAW = re.compile(
    r"^videoroom-(?P<room>\d+)-user-(?P<user>\d+)-(?P<ts>\d+)-(?P<kind>audio|video)-(?P<m>\d+)\.mjr$"
)
PETITIONER_ID = 1
OFFICIAL_BASE = 1_000_000


def publisher_id(participant: str) -> int:
    """The VideoRoom publisher id Django assigns to a participant, so the raw files name who they are."""
    if participant == "petitioner":
        return PETITIONER_ID
    return OFFICIAL_BASE + int(participant.split(":", 1)[1])


def participant_of(pid: int) -> str:
    return "petitioner" if pid == PETITIONER_ID else f"official:{pid - OFFICIAL_BASE}"


def raw_segments(rec_dir: Path) -> dict[tuple[str, str], list[Path]]:
    """The raw files by (participant, segment). Each track's file has its own timestamp (audio and
    video of one connection differ by a few ms); a connection's segment starts with its first track,
    and a track kind that comes again starts the next segment (a reconnect)."""
    by_user: dict[int, list[tuple[int, str, Path]]] = defaultdict(list)
    for path in rec_dir.glob("*.mjr"):
        m = RAW.match(path.name)
        if m:
            by_user[int(m["user"])].append((int(m["ts"]), f"{m['kind']}-{m['m']}", path))
    out: dict[tuple[str, str], list[Path]] = {}
    for user, files in by_user.items():
        current: dict[str, Path] = {}
        start = 0
        for ts, track, path in sorted(files):
            if not current or track in current:
                current, start = {}, ts
                out[(participant_of(user), str(start))] = []
            current[track] = path
            out[(participant_of(user), str(start))].append(path)
    return out


def probe(path: Path) -> dict:
    result = subprocess.run(  # noqa: S603 - fixed tool, our own file
        [
            settings.RECEPTION_FFPROBE,
            "-v",
            "error",
            "-count_packets",
            "-show_streams",
            "-show_format",
            "-of",
            "json",
            str(path),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    data = json.loads(result.stdout)
    streams = {
        s["codec_type"]: {"codec": s.get("codec_name"), "packets": int(s.get("nb_read_packets") or 0)}
        for s in data.get("streams", [])
    }
    return {"duration": float(data.get("format", {}).get("duration") or 0), "streams": streams}


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def convert_segment(files: list[Path], out: Path) -> dict:
    """One participant's segment: each raw track through janus-pp-rec, the tracks muxed by ffmpeg
    stream copy into `out`, which is then checked by ffprobe (every stream with its source's packets, a
    duration). Returns the probe of `out`; raises on any failure, leaving `out` untouched."""
    with tempfile.TemporaryDirectory(dir=out.parent) as tmp:
        parts = []
        expected: dict[str, int] = {}
        for raw in files:
            kind = "video" if "-video-" in raw.name else "audio"
            part = Path(tmp) / (raw.stem + (".webm" if kind == "video" else ".opus"))
            subprocess.run(  # noqa: S603
                [settings.RECEPTION_JANUS_PP_REC, str(raw), str(part)],
                capture_output=True,
                timeout=3600,
                check=True,
            )
            if not part.exists() or part.stat().st_size == 0:
                continue  # a track that never carried media (e.g. a camera that was off)
            parts.append(part)
            expected[kind] = probe(part)["streams"].get(kind, {}).get("packets", 0)
        if not parts:
            raise ValueError("没有可转换的媒体数据")
        args = [settings.RECEPTION_FFMPEG, "-v", "error", "-y"]
        for part in parts:
            args += ["-i", str(part)]
        for i in range(len(parts)):
            args += ["-map", str(i)]
        tmp_out = Path(tmp) / out.name
        subprocess.run([*args, "-c", "copy", str(tmp_out)], capture_output=True, timeout=3600, check=True)  # noqa: S603
        info = probe(tmp_out)
        for kind, packets in expected.items():
            got = info["streams"].get(kind, {}).get("packets", 0)
            if got != packets:
                raise ValueError(f"{kind} 流数据包数不符：原始 {packets}，转换后 {got}")
        if info["duration"] <= 0:
            raise ValueError("转换后的文件没有时长")
        tmp_out.replace(out)
    return info


def convert_reception(reception_id: int) -> list[ReceptionRecording]:
    reception = VideoReception.objects.get(pk=reception_id)
    rec_dir = Path(reception.rec_dir)
    out_dir = Path(settings.RECEPTION_RECORDINGS_DIR) / "converted" / str(reception.pk)
    out_dir.mkdir(parents=True, exist_ok=True)
    done = []
    for (participant, segment), files in sorted(raw_segments(rec_dir).items()):
        rec, _ = ReceptionRecording.objects.get_or_create(
            reception=reception,
            participant=participant,
            segment=segment,
            defaults={"raw_files": [str(f) for f in files]},
        )
        if rec.state == RecordingState.VERIFIED:
            done.append(rec)
            continue
        out = out_dir / f"{participant.replace(':', '-')}-{segment}.webm"
        try:
            info = convert_segment(files, out)
        except (subprocess.SubprocessError, OSError, ValueError) as exc:
            rec.state, rec.error = RecordingState.FAILED, str(exc)[:255]
            rec.save(update_fields=["state", "error"])
            continue
        with transaction.atomic():
            rec.file_path = str(out)
            rec.sha256 = sha256_of(out)
            rec.duration_seconds = info["duration"]
            rec.streams = info["streams"]
            rec.state, rec.error, rec.verified_at = RecordingState.VERIFIED, "", timezone.now()
            rec.save()
            audit_record(
                action="reception.recording_verified",
                obj=rec,
                org_unit_id=reception.org_unit_id,
                summary=f"接访录像已转换并核验：{participant}",
                after={"sha256": rec.sha256, "duration": round(rec.duration_seconds, 2)},
            )
        # The raw files go only once the converted file is verified and recorded.
        for f in files:
            f.unlink(missing_ok=True)
        done.append(rec)
    if rec_dir.exists() and not any(rec_dir.iterdir()):
        shutil.rmtree(rec_dir, ignore_errors=True)
    return done


def verify_stored(rec: ReceptionRecording) -> bool:
    """Whether the stored file still has the SHA-256 recorded at conversion (integrity check)."""
    path = Path(rec.file_path)
    return path.exists() and sha256_of(path) == rec.sha256


def unconverted_receptions():
    """Ended receptions whose recording directory still holds raw files."""
    from .models import ReceptionState

    for pk, rec_dir in (
        VideoReception.objects.filter(state=ReceptionState.ENDED)
        .exclude(rec_dir="")
        .values_list("pk", "rec_dir")
    ):
        if any(Path(rec_dir).glob("*.mjr")):
            yield pk


def _open_case_ids(refs: set[str]) -> set[str]:
    """Of the case references (VideoReception.case_ref), those whose case is still open."""
    from jijian.core import links

    report_ids = {}
    for ref in refs:
        head = ref.partition("|")[0]
        kind, _, pk = head.rpartition(":")
        if kind == "petitions.petitionreport" and pk.isdigit():
            report_ids[int(pk)] = ref
    still = links.petitions_open(list(report_ids)) if report_ids else set()
    # A reference to a kind of case this code does not know is treated as open: never purged.
    unknown = {ref for ref in refs if ref not in report_ids.values()}
    return {report_ids[pk] for pk in still} | unknown


def retention_due(now=None):
    """The verified recordings past the retention period (RECEPTION_RECORDING_RETENTION_DAYS after
    their session ended), with whether each may be removed now and why not."""
    from datetime import timedelta

    from .models import ReceptionState

    days = settings.RECEPTION_RECORDING_RETENTION_DAYS
    if not days:
        return []
    cutoff = (now or timezone.now()) - timedelta(days=days)
    due = list(
        ReceptionRecording.objects.select_related("reception")
        .filter(
            state=RecordingState.VERIFIED,
            reception__state=ReceptionState.ENDED,
            reception__ended_at__lt=cutoff,
        )
        .order_by("reception_id", "participant", "segment")
    )
    open_refs = _open_case_ids({r.reception.case_ref for r in due if r.reception.case_ref})
    out = []
    for rec in due:
        ref = rec.reception.case_ref
        out.append((rec, "" if ref not in open_refs else "所关联的信访举报尚未办结"))
    return out


def retention_purge(*, now=None, dry_run: bool = False) -> tuple[list, list]:
    """Remove the files of the recordings past retention whose reception is not linked to a case still
    open; the row stays (its SHA-256 and duration, state "purged"), each removal an audit event.
    Returns (removed, kept with the reason)."""
    removed, kept = [], []
    for rec, reason in retention_due(now):
        if reason:
            kept.append((rec, reason))
            continue
        if dry_run:
            removed.append(rec)
            continue
        with transaction.atomic():
            if not ReceptionRecording.objects.filter(pk=rec.pk, state=RecordingState.VERIFIED).update(
                state=RecordingState.PURGED, purged_at=timezone.now()
            ):
                continue
            audit_record(
                action="reception.recording_purge",
                obj=rec,
                org_unit_id=rec.reception.org_unit_id,
                summary=f"接访录像超过保存期限（{settings.RECEPTION_RECORDING_RETENTION_DAYS}天）已删除："
                f"{rec.participant}",
                before={"sha256": rec.sha256, "file": rec.file_path},
            )
            # The file goes once the row says so, after the commit (a rollback keeps the file).
            transaction.on_commit(functools.partial(Path(rec.file_path).unlink, missing_ok=True))
        removed.append(rec)
    return removed, kept
