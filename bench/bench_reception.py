"""recording_conversion (issue 17): seconds of CPU to convert one hour of recorded video reception, as a
ratio to the hour (target <= 0.02).

The input is what Janus writes for a session of a petitioner and one official: per participant one
.mjr file of VP8 video and one of Opus audio (Janus's MJR00002 layout: a JSON header, then each RTP
packet behind "MEET", its time in ms since the first packet and its length), named as the VideoRoom
names them. Its media is real encoded media: ffmpeg encodes `--clip` seconds of a moving test picture
(640x480, 30 fps, VP8 at 500 kbit/s, the room's 512 kbit/s cap, a key frame every 10 s) and a tone
(Opus 32 kbit/s in 20 ms frames, as Chromium sends), packetised into RTP as a browser does (RFC 7741
VP8 descriptors, packets of at most 1,100 bytes, the marker on a frame's last packet; one Opus frame
per packet), and the clip is repeated with running RTP timestamps and sequence numbers (which wrap, as
they do in an hour) until the session is `--minutes` long.

Timed: the app's own conversion, exactly as recordings_convert runs it for each segment
(reception.recordings.raw_segments to group the files, convert_segment: janus-pp-rec per track,
ffmpeg -c copy into one .webm, ffprobe verification of packet counts and duration) plus the SHA-256
the case record stores (sha256_of). CPU = user + system time of the child processes
(resource.getrusage(RUSAGE_CHILDREN)) plus this process's for the hash. The converted files must last
the session's length (within 1 s) or the run fails. Printed: CPU seconds per hour of session, and its
ratio to the hour (3600 s); the floor measured in the same run is the CPU of merely reading the same
raw bytes once (`cat` to /dev/null), for scale.

    .venv/bin/python bench/bench_reception.py [--minutes 60] [--clip 60] [--keep DIR]

Needs janus-pp-rec (janus-tools), ffmpeg and ffprobe; nothing else (no database is touched). See
bench/README.md, "Recording conversion"."""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import struct
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if __name__ == "__main__":
    sys.path[:0] = [str(ROOT), str(ROOT / "src")]

NAME = "recording_conversion"
TARGETS = {NAME: 0.02}
HOUR = 3600.0
MAX_PAYLOAD = 1100
VIDEO_PT, AUDIO_PT = 96, 111
ROOM = 10_000_001
PARTICIPANTS = (1, 1_000_001)  # the petitioner and one official (publisher ids, reception.recordings)


def _ffmpeg(args: list[str]) -> None:
    subprocess.run(["ffmpeg", "-v", "error", "-y", *args], check=True)  # noqa: S603, S607


def encode_clip(directory: Path, seconds: int) -> tuple[Path, Path]:
    video, audio = directory / "clip.ivf", directory / "clip.ogg"
    _ffmpeg(
        ["-f", "lavfi", "-i", f"testsrc2=size=640x480:rate=30:duration={seconds}"]
        + ["-c:v", "libvpx", "-b:v", "500k", "-deadline", "realtime", "-cpu-used", "8", "-g", "300"]
        + [str(video)]
    )
    _ffmpeg(
        ["-f", "lavfi", "-i", f"sine=frequency=440:sample_rate=48000:duration={seconds}"]
        + ["-c:a", "libopus", "-b:a", "32k", "-frame_duration", "20", "-application", "voip", str(audio)]
    )
    return video, audio


def ivf_frames(path: Path) -> list[bytes]:
    data = path.read_bytes()
    assert data[:4] == b"DKIF", "not an IVF file"
    pos, frames = struct.unpack_from("<H", data, 6)[0], []
    while pos + 12 <= len(data):
        size = struct.unpack_from("<I", data, pos)[0]
        frames.append(data[pos + 12 : pos + 12 + size])
        pos += 12 + size
    return frames


def ogg_packets(path: Path) -> list[bytes]:
    """The Opus packets of an Ogg file (the OpusHead and OpusTags packets left out)."""
    data, pos, packets, current = path.read_bytes(), 0, [], b""
    while pos < len(data):
        assert data[pos : pos + 4] == b"OggS", "not an Ogg page"
        count = data[pos + 26]
        lacing = data[pos + 27 : pos + 27 + count]
        body = pos + 27 + count
        for size in lacing:
            current += data[body : body + size]
            body += size
            if size < 255:
                packets.append(current)
                current = b""
        pos = body
    return packets[2:]


class MjrWriter:
    """One track as Janus records it: MJR00002, a JSON header, then per RTP packet "MEET", the time in
    ms since the first packet (uint32) and the packet's length (uint16)."""

    def __init__(self, path: Path, *, kind: str, codec: str, created_us: int) -> None:
        self.file = path.open("wb")
        info = json.dumps({"t": kind, "c": codec, "s": created_us, "u": created_us}).encode()
        self.file.write(b"MJR00002" + struct.pack(">H", len(info)) + info)
        self.packets = 0

    def packet(self, ms: int, rtp: bytes) -> None:
        self.file.write(b"MEET" + struct.pack(">IH", ms, len(rtp)) + rtp)
        self.packets += 1

    def close(self) -> None:
        self.file.close()


def rtp(pt: int, seq: int, ts: int, ssrc: int, payload: bytes, *, marker: bool) -> bytes:
    return (
        struct.pack(">BBHII", 0x80, pt | (0x80 if marker else 0), seq & 0xFFFF, ts & 0xFFFFFFFF, ssrc)
        + payload
    )


def write_session(directory: Path, frames: list[bytes], opus: list[bytes], seconds: int) -> list[Path]:
    """Both participants' raw tracks for a session of `seconds`: the clip repeated."""
    rng = random.Random(17)
    created_us = int(time.time() * 1_000_000)
    paths = []
    for pid in PARTICIPANTS:
        ts_name = created_us // 1000 + pid % 7
        video = directory / f"videoroom-{ROOM}-user-{pid}-{ts_name}-video-0.mjr"
        audio = directory / f"videoroom-{ROOM}-user-{pid}-{ts_name + 3}-audio-1.mjr"
        writer = MjrWriter(video, kind="v", codec="vp8", created_us=created_us)
        seq, ts0, ssrc = rng.randrange(1 << 16), rng.randrange(1 << 30), rng.randrange(1 << 32)
        for i in range(seconds * 30):
            frame = frames[i % len(frames)]
            chunks = [frame[k : k + MAX_PAYLOAD] for k in range(0, len(frame), MAX_PAYLOAD)]
            for n, chunk in enumerate(chunks):
                descriptor = b"\x10" if n == 0 else b"\x00"  # S bit on a frame's first packet, partition 0
                packet = rtp(
                    VIDEO_PT, seq, ts0 + i * 3000, ssrc, descriptor + chunk, marker=n == len(chunks) - 1
                )
                writer.packet(i * 1000 // 30, packet)
                seq += 1
        writer.close()
        writer = MjrWriter(audio, kind="a", codec="opus", created_us=created_us)
        seq, ts0, ssrc = rng.randrange(1 << 16), rng.randrange(1 << 30), rng.randrange(1 << 32)
        for i in range(seconds * 50):
            writer.packet(
                i * 20, rtp(AUDIO_PT, seq + i, ts0 + i * 960, ssrc, opus[i % len(opus)], marker=False)
            )
        writer.close()
        paths += [video, audio]
    return paths


def cpu_children() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def cpu_self() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=int, default=60, help="the session's length (default 60)")
    parser.add_argument("--clip", type=int, default=60, help="seconds of media encoded, then repeated")
    parser.add_argument("--keep", type=Path, help="work in this directory and keep it")
    args = parser.parse_args()
    missing = [tool for tool in ("janus-pp-rec", "ffmpeg", "ffprobe") if shutil.which(tool) is None]
    if missing:
        print(f"# {NAME}: not run: {', '.join(missing)} not installed (apt-get install janus-tools ffmpeg)")
        return 0

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jijian.config.settings")
    os.environ.setdefault("JIJIAN_ENV", "test")
    import django

    django.setup()
    from jijian.reception.recordings import convert_segment, raw_segments, sha256_of

    work = args.keep or Path(tempfile.mkdtemp(prefix="bench-reception-"))
    raw, out = work / "raw", work / "converted"
    raw.mkdir(parents=True, exist_ok=True)
    out.mkdir(exist_ok=True)
    seconds = args.minutes * 60
    try:
        t = time.monotonic()
        frames, opus = encode_clip(work, args.clip)
        files = write_session(raw, [f for f in ivf_frames(frames)], ogg_packets(opus), seconds)
        size = sum(f.stat().st_size for f in files)
        print(
            f"# {NAME}: input {len(files)} .mjr files, {size / 1e6:.0f} MB for a {args.minutes}-minute session "
            f"of {len(PARTICIPANTS)} participants, made in {time.monotonic() - t:.0f} s",
            flush=True,
        )

        before = cpu_children()
        for f in files:
            subprocess.run(["cat", str(f)], stdout=subprocess.DEVNULL, check=True)  # noqa: S603, S607
        floor = cpu_children() - before

        children, hashing, wall = cpu_children(), cpu_self(), time.monotonic()
        results = []
        for (participant, segment), segment_files in sorted(raw_segments(raw).items()):
            target = out / f"{participant.replace(':', '-')}-{segment}.webm"
            info = convert_segment(segment_files, target)
            results.append((participant, info, sha256_of(target)))
        children, hashing = cpu_children() - children, cpu_self() - hashing
        wall = time.monotonic() - wall
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)

    assert len(results) == len(PARTICIPANTS), results
    for participant, info, _ in results:
        if abs(info["duration"] - seconds) > 1.0:
            raise SystemExit(f"{participant}: converted {info['duration']:.2f} s, not {seconds} s")
    cpu = children + hashing
    per_hour = cpu * HOUR / seconds
    ratio = per_hour / HOUR
    streams = "; ".join(
        f"{p}: {info['duration']:.1f} s, video {info['streams']['video']['packets']} / audio "
        f"{info['streams']['audio']['packets']} packets"
        for p, info, _ in results
    )
    print(
        f"# {NAME}: CPU {cpu:.2f} s ({children:.2f} s janus-pp-rec + ffmpeg + ffprobe, {hashing:.2f} s SHA-256 "
        f"and this process) in {wall:.1f} s wall; reading the raw bytes alone {floor:.2f} s CPU; {streams}; "
        f"load average {os.getloadavg()[0]:.2f}",
        flush=True,
    )
    print(
        f"BENCH name={NAME} scale={args.minutes}min value={per_hour:.2f} unit=cpu_s_per_hour floor={HOUR:.0f} "
        f"ratio={ratio:.5f} target={TARGETS[NAME]}",
        flush=True,
    )
    return 0 if ratio <= TARGETS[NAME] else 1


if __name__ == "__main__":
    raise SystemExit(main())
