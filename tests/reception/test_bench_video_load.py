"""The video benchmark's load generator (bench/video_load.py) against a real Janus: one recorded
2-party session in a room made by reception.media.room_create; both participants publish the
pre-encoded clip and receive the other's, counting RTP packets and whole encoded frames (nothing
decoded), and Janus writes both participants' recordings."""

from __future__ import annotations

import shutil
import time

import pytest

from jijian.reception import media

pytest.importorskip("aiortc")
if shutil.which("ffmpeg") is None:
    pytest.skip("ffmpeg is not installed (make sysdeps-test as root)", allow_module_level=True)


def test_one_session_flows_and_is_recorded_without_decoding(janus, tmp_path):
    from bench import video_load

    clip = video_load.Clip.load(video_load.make_clip(tmp_path / "clip.webm", seconds=3))  # loops
    assert len(clip.video.packets) == 60 and float(clip.video.length * clip.video.time_base) == 3
    rec = tmp_path / "rec"
    rec.mkdir()
    media.room_create(room_id=4242, secret="s", pin="4242", rec_dir=rec, description="load", url=janus)
    generator = video_load.Workers(janus, tmp_path / "clip.webm", 1)  # as the benchmark runs it
    try:
        generator.add_session(4242, "4242")
        deadline = time.monotonic() + 20
        while generator.states() != ["up", "up"] and time.monotonic() < deadline:
            time.sleep(0.5)
        assert generator.states() == ["up", "up"]
        time.sleep(2)
        before = generator.stats()
        time.sleep(3)
        after = generator.stats()
        for a, b in zip(before, after, strict=True):
            # ~100 RTP packets/s (VP8 ~480 kbit/s + Opus): the bounds leave room for a busy machine
            assert b["sent"] - a["sent"] > 100
            received = b["received"] - a["received"]
            assert received > 100
            assert (b["lost"] - a["lost"]) < 0.05 * received
            assert 20 <= b["frames"] - a["frames"] <= 80  # 20 frames/s for 3 s
            # whole encoded frames were counted (a decoded frame has no encoded size): ~480 kbit/s
            assert 50_000 < b["videoBytes"] - a["videoBytes"] < 300_000
        assert 0 <= generator.lag()[0] < 1
    finally:
        generator.close()
    media.room_destroy(room_id=4242, secret="s", url=janus)
    recordings = sorted(p.name.rsplit("-", 2)[-2] for p in rec.glob("*.mjr") if p.stat().st_size > 10_000)
    assert recordings == ["audio", "audio", "video", "video"]
