"""video_sessions_per_host (issue 17): how many 2-party 480p video reception sessions, recorded, one
Janus host holds below 1% packet loss; floor = a city's peak (10 sessions), ratio = sessions held / 10,
target >= 3. Also printed per step: Janus's CPU per session and the packet loss.

A real Janus (the Debian package, from the configuration `jijian reception_janus` writes:
reception.media.janus_config_write) on loopback; each session is a VideoRoom room created as the app
creates it (reception.media.room_create: secret, PIN, `record` and `lock_record`, the room's 512 kbit/s
cap, its own recording directory). The peers are pages of one headless Chromium with the fake camera
(640x480, 20 fps) and microphone (bench/video_peer.html, served from a local HTTP server): each
publishes its camera and microphone and subscribes to the other participant of its session, as the
room page does. Sessions are added in steps (2 at a time by default); after each step the pages warm
up, then for `--window` seconds the script samples Janus's CPU (/proc/<pid>/stat) and every page's
getStats counters. Loss = packets lost / packets expected over the window, on both legs: publisher ->
Janus (the receiver reports Janus sends back) and Janus -> subscriber (the subscriber's inbound
counters). A step is held when loss < 1% and every subscriber decoded new frames. It stops at the
first step not held, at `--max-sessions`, or when `--budget` seconds are spent.

THE PEERS RUN ON THE SAME MACHINE: on the 2-core development VM every page encodes VP8 and decodes
the other side's, which costs far more CPU than Janus's forwarding and recording, so the figure is what
this machine can drive, a lower bound for a dedicated 2-core Janus host. Janus's CPU per session is
printed so the host's capacity can be estimated apart from the peers (bench/README.md).

    .venv/bin/python bench/bench_video.py [--max-sessions 30] [--step 2] [--window 15] [--budget 240]

Skipped, with a message, where janus, chromium or Playwright are missing."""

from __future__ import annotations

import argparse
import contextlib
import functools
import http.server
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if __name__ == "__main__":
    sys.path[:0] = [str(ROOT), str(ROOT / "src")]

NAME = "video_sessions_per_host"
FLOOR = 10  # a city's peak: every office and leader receiving at once
TARGET = 3.0
MAX_LOSS = 0.01
ADMIN_KEY = "bench-admin-key"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
TICKS = os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def janus_cpu(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS  # utime + stime


def machine_busy() -> tuple[float, float]:
    """(busy seconds, total seconds) of all CPUs, from /proc/stat."""
    parts = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = parts[3] + parts[4]
    return (sum(parts) - idle) / TICKS, sum(parts) / TICKS


def start_janus(work: Path) -> tuple[subprocess.Popen, str]:
    from jijian.reception.media import janus_config_write

    port = free_port()
    janus_config_write(work / "conf", http_port=port, admin_key=ADMIN_KEY, rtp_ports="22000-22999")
    log = (work / "janus.log").open("w")
    proc = subprocess.Popen(["janus", "-F", str(work / "conf"), "-o"], stdout=log, stderr=subprocess.STDOUT)  # noqa: S603, S607
    url = f"http://127.0.0.1:{port}/janus"
    deadline = time.monotonic() + 20
    while True:
        try:
            body = json.dumps({"janus": "info", "transaction": "t"}).encode()
            urllib.request.urlopen(urllib.request.Request(url, data=body, method="POST"), timeout=1)  # noqa: S310
            return proc, url
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                raise SystemExit(f"Janus did not start: {(work / 'janus.log').read_text()[-2000:]}") from None
            time.sleep(0.2)


def serve_peer_page() -> tuple[http.server.ThreadingHTTPServer, str]:
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, format, *args):  # noqa: A002 - the base class's signature
            pass

    handler = functools.partial(Quiet, directory=str(ROOT / "bench"))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", free_port()), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/video_peer.html"


def totals(pages) -> dict:
    out = {"received": 0, "lost": 0, "frames": [], "sent": 0, "remote_lost": 0, "down": 0}
    for page in pages:
        s = page.evaluate("window.peerStats()")
        if s["state"] != "up":
            out["down"] += 1
        out["received"] += s["received"]
        out["lost"] += s["lost"]
        out["sent"] += s["sent"]
        out["remote_lost"] += s["remoteLost"]
        out["frames"].append(s["frames"])
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--max-sessions", type=int, default=30)
    parser.add_argument("--step", type=int, default=2, help="sessions added per step (default 2)")
    parser.add_argument("--window", type=float, default=15.0, help="seconds measured per step (default 15)")
    parser.add_argument("--warmup", type=float, default=6.0, help="seconds after a step's pages are up")
    parser.add_argument(
        "--budget", type=float, default=240.0, help="stop adding steps after this many seconds"
    )
    args = parser.parse_args()
    missing = [tool for tool in ("janus",) if shutil.which(tool) is None]
    if not os.path.exists(CHROMIUM):
        missing.append("chromium")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        missing.append("playwright (make deps)")
    if missing:
        print(f"# {NAME}: not run: {', '.join(missing)} not installed (apt-get install janus chromium)")
        return 0

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jijian.config.settings")
    os.environ.setdefault("JIJIAN_ENV", "test")
    os.environ["JIJIAN_JANUS_ADMIN_KEY"] = ADMIN_KEY
    import django

    django.setup()
    from jijian.reception import media

    started = time.monotonic()
    work = Path(tempfile.mkdtemp(prefix="bench-video-"))
    janus, url = start_janus(work)
    server, page_url = serve_peer_page()
    steps: list[dict] = []
    held = 0
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(
                executable_path=CHROMIUM,
                args=[
                    "--no-sandbox",
                    "--disable-gpu",
                    "--use-fake-device-for-media-stream",
                    "--use-fake-ui-for-media-stream",
                    "--autoplay-policy=no-user-gesture-required",
                    "--disable-background-timer-throttling",
                    "--disable-renderer-backgrounding",
                    "--disable-backgrounding-occluded-windows",
                ],
            )
            context = browser.new_context()
            pages = []
            sessions = 0
            while sessions < args.max_sessions and time.monotonic() - started < args.budget:
                for _ in range(min(args.step, args.max_sessions - sessions)):
                    sessions += 1
                    room, pin = 20_000_000 + sessions, f"{sessions:08d}"
                    rec = work / "rec" / str(room)
                    rec.mkdir(parents=True)
                    media.room_create(
                        room_id=room,
                        secret=f"s{room}",
                        pin=pin,
                        rec_dir=rec,
                        description=f"bench-{room}",
                        url=url,
                    )
                    for me, other in ((1, 1_000_001), (1_000_001, 1)):
                        page = context.new_page()
                        page.goto(f"{page_url}?janus={url}&room={room}&pin={pin}&id={me}&other={other}")
                        pages.append(page)
                deadline = time.monotonic() + 60
                while time.monotonic() < deadline:
                    states = [pg.evaluate("window.peerStats()")["state"] for pg in pages]
                    if all(s == "up" for s in states):
                        break
                    time.sleep(1)
                time.sleep(args.warmup)
                a, cpu_a, busy_a, wall_a = (
                    totals(pages),
                    janus_cpu(janus.pid),
                    machine_busy(),
                    time.monotonic(),
                )
                time.sleep(args.window)
                b, cpu_b, busy_b, wall_b = (
                    totals(pages),
                    janus_cpu(janus.pid),
                    machine_busy(),
                    time.monotonic(),
                )
                wall = wall_b - wall_a
                lost = (b["lost"] - a["lost"]) + (b["remote_lost"] - a["remote_lost"])
                expected = (
                    (b["received"] - a["received"])
                    + (b["lost"] - a["lost"])
                    + (b["remote_lost"] - a["remote_lost"])
                )
                loss = lost / expected if expected else 1.0
                stalled = sum(1 for x, y in zip(a["frames"], b["frames"], strict=False) if y <= x)
                fps = (
                    sum(y - x for x, y in zip(a["frames"], b["frames"], strict=False))
                    / max(len(pages), 1)
                    / wall
                )
                janus_share = (cpu_b - cpu_a) / wall
                machine = (busy_b[0] - busy_a[0]) / max(busy_b[1] - busy_a[1], 1e-9)
                ok = loss < MAX_LOSS and stalled == 0 and b["down"] == 0
                step = {
                    "sessions": sessions,
                    "loss": loss,
                    "janus_cpu": janus_share,
                    "per_session": janus_share / sessions,
                    "fps": fps,
                    "stalled": stalled,
                    "down": b["down"],
                    "machine": machine,
                    "load": os.getloadavg()[0],
                    "ok": ok,
                }
                steps.append(step)
                print(
                    f"# {NAME}: {sessions} sessions ({len(pages)} peers): loss {loss * 100:.2f}%, "
                    f"Janus CPU {janus_share * 100:.1f}% of a core ({step['per_session'] * 100:.2f}% per session), "
                    f"{fps:.1f} frames/s decoded per peer, {stalled} peers stalled, {b['down']} not up, "
                    f"all CPUs {machine * 100:.0f}% busy, load average {step['load']:.1f} -> {'held' if ok else 'NOT held'}",
                    flush=True,
                )
                if not ok:
                    break
                held = sessions
            browser.close()
    finally:
        server.shutdown()
        janus.terminate()
        try:
            janus.wait(timeout=10)
        except subprocess.TimeoutExpired:
            janus.kill()
        recorded = sum(1 for _ in (work / "rec").rglob("*.mjr")) if (work / "rec").exists() else 0
        with contextlib.suppress(OSError):
            shutil.rmtree(work)
    per = [s["per_session"] for s in steps if s["ok"]]
    if per:
        est = 2.0 / (sum(per) / len(per))
        print(
            f"# {NAME}: {recorded} recording files written; Janus averaged {sum(per) / len(per) * 100:.2f}% of a core per "
            f"recorded 2-party session while held: a dedicated 2-core host would reach ~{est:.0f} sessions by CPU alone "
            f"(an estimate, not measured: the peers ran on the same 2 cores); {time.monotonic() - started:.0f} s in all",
            flush=True,
        )
    ratio = held / FLOOR
    print(
        f"BENCH name={NAME} scale=host value={held} unit=sessions floor={FLOOR} ratio={ratio:.2f} target={TARGET:g}",
        flush=True,
    )
    return 0 if ratio >= TARGET else 1


if __name__ == "__main__":
    raise SystemExit(main())
