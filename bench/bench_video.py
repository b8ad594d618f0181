"""video_sessions_per_host (issue 17): how many 2-party 480p video reception sessions, recorded, one
Janus host holds below 1% packet loss; floor = a city's peak (10 sessions), ratio = sessions held / 10,
target >= 3. Also printed per step: Janus's CPU per session, the packet loss on each leg, the
recordings written, and the peers' own CPU and lateness.

A real Janus (the Debian package, from the configuration `jijian reception_janus` writes:
reception.media.janus_config_write) on loopback; each session is a VideoRoom room created as the app
creates it (reception.media.room_create: secret, PIN, `record` and `lock_record`, the room's 512 kbit/s
cap, its own recording directory). Each participant publishes audio and video and subscribes to the
other participant of its session, over Janus's HTTP API as the room page does. The peers are either

- `--peers rtp` (default): the load generator bench/video_load.py, real WebRTC peers (ICE, DTLS,
  SRTP, RTCP) that send a clip encoded once with ffmpeg (640x480, 20 fps, VP8 ~480 kbit/s + Opus) and
  count what they receive without decoding, in `--workers` processes (3). They share the machine's CPUs
  with Janus, so Janus has less than a host of its own: what it holds is a lower bound. With `--pin`
  Janus runs on the first CPU and the generator on the others (taskset / sched_setaffinity): what Janus
  holds on one core (on a 2-core machine the generator then has one core and runs short sooner);
- `--peers chromium`: pages of one headless Chromium with the fake camera (640x480, 20 fps) and
  microphone (bench/video_peer.html): the real browser, which encodes and decodes VP8 for every peer,
  so on a small machine it measures the peers, not Janus.

Sessions are added in steps (4 at a time with rtp, 2 with chromium); after each step the peers get up
to 60 s to connect and `--warmup` seconds, then for `--window` seconds the script samples Janus's CPU
(/proc/<pid>/stat), the peers' counters (getStats) and the recording files' growth. Loss is taken over
the window on each leg against that leg's packets: publisher -> Janus (lost, from the receiver reports
Janus sends back, of sent) and Janus -> subscriber (lost of expected, from the subscriber's sequence
numbers). A step is held when both legs lose < 1%, every
peer is connected and every subscriber received video at 90% of the clip's frame rate (Chromium: any new
decoded frame). It stops at the first step not held, saying what limited it, at `--max-sessions`, or
when `--budget` seconds are spent.

    .venv/bin/python bench/bench_video.py [--peers rtp|chromium] [--pin] [--workers 3] [--max-sessions 40]
                                          [--step 4] [--window 15] [--budget 300]

Skipped, with a message, where janus, ffmpeg and aiortc (rtp) or chromium and Playwright are missing."""

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
LATE = 0.02  # the generator's loop this late on average (s): it is short of CPU
ADMIN_KEY = "bench-admin-key"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
TICKS = os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def machine_busy() -> tuple[float, float]:
    """(busy seconds, total seconds) of all CPUs, from /proc/stat."""
    parts = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = parts[3] + parts[4]
    return (sum(parts) - idle) / TICKS, sum(parts) / TICKS


def start_janus(work: Path, cpu: int | None = None) -> tuple[subprocess.Popen, str]:
    from jijian.reception.media import janus_config_write

    port = free_port()
    janus_config_write(work / "conf", http_port=port, admin_key=ADMIN_KEY, rtp_ports="22000-22999")
    log = (work / "janus.log").open("w")
    command = ["janus", "-F", str(work / "conf"), "-o"]
    if cpu is not None:  # every thread of Janus on that CPU
        command[:0] = ["taskset", "-c", str(cpu)]
    proc = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)  # noqa: S603
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


class ChromiumPeers:
    """The real browser: one headless Chromium page per participant (bench/video_peer.html) with the
    fake camera and microphone; every page encodes and decodes VP8."""

    name = "Chromium pages (fake camera, encoding and decoding VP8)"
    min_fps = 0.0  # held while every page decodes new frames

    def __init__(self, janus_url: str) -> None:
        from playwright.sync_api import sync_playwright

        self.url = janus_url
        self.server, self.page_url = serve_peer_page()
        self.playwright = sync_playwright().start()
        self.browser = self.playwright.chromium.launch(
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
        self.context = self.browser.new_context()
        self.pages: list = []

    def add_session(self, room: int, pin: str) -> None:
        for me, other in ((1, 1_000_001), (1_000_001, 1)):
            page = self.context.new_page()
            page.goto(f"{self.page_url}?janus={self.url}&room={room}&pin={pin}&id={me}&other={other}")
            self.pages.append(page)

    def states(self) -> list[str]:
        return [pg.evaluate("window.peerStats()")["state"] for pg in self.pages]

    def stats(self) -> list[dict]:
        return [pg.evaluate("window.peerStats()") for pg in self.pages]

    def lag(self) -> tuple[float, float] | None:
        return None  # the pages' timers are not watched

    def cpu(self) -> float | None:
        return None  # Chromium's processes are not followed; see "CPUs busy"

    def close(self) -> None:
        self.browser.close()
        self.playwright.stop()
        self.server.shutdown()


class RtpPeers:
    """The load generator (bench/video_load.py): real WebRTC peers, in `workers` processes started from
    this one, that send a clip encoded once and count what they receive without decoding."""

    name = "RTP peers (pre-encoded VP8 + Opus sent, received frames counted, nothing encoded or decoded)"

    def __init__(self, janus_url: str, work: Path, workers: int) -> None:
        from bench import video_load

        path = video_load.make_clip(work / "clip.webm")
        clip = video_load.Clip.load(path)
        self.fps = len(clip.video.packets) / float(clip.video.length * clip.video.time_base)
        self.min_fps = 0.9 * self.fps
        self.generator = video_load.Workers(janus_url, path, workers)
        self.name = f"{self.name}, {workers} generator processes"

    def cpu(self) -> float | None:
        return sum(cpu_of(pid) for pid in self.generator.pids())

    def add_session(self, room: int, pin: str) -> None:
        self.generator.add_session(room, pin)

    def states(self) -> list[str]:
        return self.generator.states()

    def stats(self) -> list[dict]:
        return self.generator.stats()

    def lag(self) -> tuple[float, float] | None:
        return self.generator.lag()

    def close(self) -> None:
        self.generator.close()


def totals(peers) -> dict:
    out = {"received": 0, "lost": 0, "frames": [], "sent": 0, "remote_lost": 0, "down": 0, "failed": ""}
    for s in peers.stats():
        if s["state"] != "up":
            out["down"] += 1
            out["failed"] = out["failed"] or s["state"]
        out["received"] += s["received"]
        out["lost"] += s["lost"]
        out["sent"] += s["sent"]
        out["remote_lost"] += s["remoteLost"]
        out["frames"].append(s["frames"])
    return out


def cpu_of(pid: int | str) -> float:
    """CPU seconds (user + system, all threads) of a process."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def cores_busy() -> list[tuple[float, float]]:
    """(busy, total) seconds of each CPU, from /proc/stat's cpuN lines."""
    out = []
    for line in Path("/proc/stat").read_text().splitlines()[1:]:
        if not line.startswith("cpu"):
            break
        parts = [int(x) for x in line.split()[1:]]
        idle = parts[3] + parts[4]
        out.append(((sum(parts) - idle) / TICKS, sum(parts) / TICKS))
    return out


def disk_bytes(directory: Path) -> int:
    return sum(f.stat().st_size for f in directory.rglob("*.mjr"))


def sample(peers, janus_pid: int, rec: Path) -> dict:
    return {
        "peers": totals(peers),
        "janus": cpu_of(janus_pid),
        "generator": peers.cpu(),
        "machine": machine_busy(),
        "cores": cores_busy(),
        "disk": disk_bytes(rec),
        "wall": time.monotonic(),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--peers",
        choices=("rtp", "chromium"),
        default="rtp",
        help="rtp: the load generator, pre-encoded media, nothing decoded (default, measures the host); "
        "chromium: headless Chromium pages with the fake camera (the real browser, CPU-bound on the peers)",
    )
    parser.add_argument(
        "--pin",
        action=argparse.BooleanOptionalAction,
        default=False,
        help="Janus on the first CPU and the peers on the others (taskset); default off: see bench/README.md",
    )
    parser.add_argument(
        "--workers", type=int, default=3, help="generator processes with --peers rtp (default 3)"
    )
    parser.add_argument("--max-sessions", type=int, default=40)
    parser.add_argument(
        "--step", type=int, default=None, help="sessions added per step (default 4 rtp, 2 chromium)"
    )
    parser.add_argument("--window", type=float, default=15.0, help="seconds measured per step (default 15)")
    parser.add_argument("--warmup", type=float, default=6.0, help="seconds after a step's peers are up")
    parser.add_argument(
        "--budget", type=float, default=300.0, help="stop adding steps after this many seconds (default 300)"
    )
    args = parser.parse_args()
    step_size = args.step or (4 if args.peers == "rtp" else 2)
    pin = args.pin
    missing = [tool for tool in ("janus",) if shutil.which(tool) is None]
    if args.peers == "chromium":
        if not os.path.exists(CHROMIUM):
            missing.append("chromium")
        try:
            import playwright.sync_api  # noqa: F401
        except ImportError:
            missing.append("playwright (make deps)")
    else:
        if shutil.which("ffmpeg") is None:
            missing.append("ffmpeg")
        try:
            import aiortc  # noqa: F401
        except ImportError:
            missing.append("aiortc (make deps: dependency group bench)")
    if missing:
        print(
            f"# {NAME}: not run: {', '.join(missing)} not installed (apt-get install janus ffmpeg chromium)"
        )
        return 0
    cpus = sorted(os.sched_getaffinity(0))
    if pin and len(cpus) < 2:
        print(f"# {NAME}: only one CPU: Janus and the peers are not pinned apart", flush=True)
        pin = False
    janus_cpus = generator_cpus = "all CPUs"
    if pin:
        os.sched_setaffinity(0, cpus[1:])  # this process (the peers) and every thread it starts
        janus_cpus, generator_cpus = f"CPU {cpus[0]}", "CPU " + ",".join(map(str, cpus[1:]))

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jijian.config.settings")
    os.environ.setdefault("JIJIAN_ENV", "test")
    os.environ["JIJIAN_JANUS_ADMIN_KEY"] = ADMIN_KEY
    import django

    django.setup()
    from jijian.reception import media

    started = time.monotonic()
    work = Path(tempfile.mkdtemp(prefix="bench-video-"))
    rec_root = work / "rec"
    rec_root.mkdir()
    janus, url = start_janus(work, cpu=cpus[0] if pin else None)
    steps: list[dict] = []
    held = 0
    limit = ""
    peers = None
    try:
        peers = RtpPeers(url, work, args.workers) if args.peers == "rtp" else ChromiumPeers(url)
        print(
            f"# {NAME}: peers: {peers.name}; Janus on {janus_cpus}, peers on {generator_cpus} "
            f"(the machine's {len(cpus)} CPUs are shared with other work: load average {os.getloadavg()[0]:.1f})",
            flush=True,
        )
        sessions = 0
        n_peers = 0
        while sessions < args.max_sessions and time.monotonic() - started < args.budget:
            for _ in range(min(step_size, args.max_sessions - sessions)):
                sessions += 1
                room, room_pin = 20_000_000 + sessions, f"{sessions:08d}"
                rec = rec_root / str(room)
                rec.mkdir()
                media.room_create(
                    room_id=room,
                    secret=f"s{room}",
                    pin=room_pin,
                    rec_dir=rec,
                    description=f"bench-{room}",
                    url=url,
                )
                peers.add_session(room, room_pin)
                n_peers += 2
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                if all(s == "up" for s in peers.states()):
                    break
                time.sleep(1)
            time.sleep(args.warmup)
            peers.lag()  # from here on
            a = sample(peers, janus.pid, rec_root)
            time.sleep(args.window)
            b = sample(peers, janus.pid, rec_root)
            lag = peers.lag()
            wall = b["wall"] - a["wall"]
            pa, pb = a["peers"], b["peers"]
            # Each leg against its own packets: publisher -> Janus as Janus reports it (lost of sent),
            # Janus -> subscriber from the sequence numbers received (lost of expected).
            up_lost = pb["remote_lost"] - pa["remote_lost"]
            up_sent = pb["sent"] - pa["sent"]
            down_lost = pb["lost"] - pa["lost"]
            down_expected = pb["received"] - pa["received"] + down_lost
            up = up_lost / up_sent if up_sent > 0 else 1.0
            down = down_lost / down_expected if down_expected > 0 else 1.0
            loss = max(up, down)  # the worse leg
            lost, expected = up_lost + down_lost, up_sent + down_expected
            rates = [(y - x) / wall for x, y in zip(pa["frames"], pb["frames"], strict=False)]
            stalled = sum(1 for r in rates if r <= peers.min_fps)
            janus_share = (b["janus"] - a["janus"]) / wall
            generator_share = (b["generator"] - a["generator"]) / wall if a["generator"] is not None else None
            machine = (b["machine"][0] - a["machine"][0]) / max(b["machine"][1] - a["machine"][1], 1e-9)
            cores = [
                (cb[0] - ca[0]) / max(cb[1] - ca[1], 1e-9)
                for ca, cb in zip(a["cores"], b["cores"], strict=False)
            ]
            disk_kbit = (b["disk"] - a["disk"]) * 8 / 1000 / wall
            ok = loss < MAX_LOSS and stalled == 0 and pb["down"] == 0
            step = {
                "sessions": sessions,
                "loss": loss,
                "janus_cpu": janus_share,
                "per_session": janus_share / sessions,
                "generator": generator_share,
                "cores": cores,
                "ok": ok,
                "stalled": stalled,
                "down": pb["down"],
                "failed": pb["failed"],
                "lag": lag,
            }
            steps.append(step)
            late = (
                f" (their loop late by {lag[0] * 1000:.0f} ms on average, {lag[1] * 1000:.0f} at worst)"
                if lag
                else ""
            )
            slow = f"slowest {min(rates):.1f}" if rates else "no peer"
            print(
                f"# {NAME}: {sessions} sessions ({n_peers} peers): loss {loss * 100:.2f}% on the worse leg "
                f"(to Janus {up * 100:.2f}%, from Janus {down * 100:.2f}%; {lost} of {expected} packets), Janus CPU {janus_share * 100:.1f}% of a core "
                f"({step['per_session'] * 100:.2f}% per session), peers' CPU {'n/a' if generator_share is None else f'{generator_share * 100:.0f}% of a core'}{late}, "
                f"video {sum(rates) / max(len(rates), 1):.1f} frames/s received per peer ({slow}), "
                f"{stalled} peers {f'under {peers.min_fps:.0f} frames/s' if peers.min_fps else 'without a new frame'}, {pb['down']} not up, "
                f"recordings {disk_kbit / sessions:.0f} kbit/s per session to disk, "
                f"CPUs busy {' '.join(f'{c * 100:.0f}%' for c in cores)} (all {machine * 100:.0f}%), "
                f"load average {os.getloadavg()[0]:.1f} -> {'held' if ok else 'NOT held'}",
                flush=True,
            )
            if not ok:
                limit = why_not_held(step, pin)
                break
            held = sessions
    finally:
        if peers is not None:
            peers.close()
        janus.terminate()
        try:
            janus.wait(timeout=10)
        except subprocess.TimeoutExpired:
            janus.kill()
        recorded = sum(1 for _ in rec_root.rglob("*.mjr"))
        recorded_bytes = disk_bytes(rec_root)
        with contextlib.suppress(OSError):
            shutil.rmtree(work)
    per = [s["per_session"] for s in steps if s["ok"]]
    summary = f"{recorded} recording files written ({recorded_bytes / 1e6:.0f} MB)"
    if per:
        est = (1.0 if pin else 2.0) / (sum(per) / len(per))
        summary += (
            f"; Janus averaged {sum(per) / len(per) * 100:.2f}% of a core per recorded 2-party session while held "
            f"(~{est:.0f} sessions for {'its one core' if pin else 'two cores'} by CPU alone, an extrapolation, not measured)"
        )
    if limit:
        summary += f"; stopped by {limit}"
    elif held >= args.max_sessions:
        summary += f"; stopped at --max-sessions {args.max_sessions}, not at a limit"
    else:
        summary += f"; stopped by --budget {args.budget:.0f} s, not at a limit"
    print(f"# {NAME}: {summary}; {time.monotonic() - started:.0f} s in all", flush=True)
    ratio = held / FLOOR
    print(
        f"BENCH name={NAME} scale=host value={held} unit=sessions floor={FLOOR} ratio={ratio:.2f} target={TARGET:g}",
        flush=True,
    )
    return 0 if ratio >= TARGET else 1


def why_not_held(step: dict, pin: bool) -> str:
    """Which limit the first step not held ran into, from what was measured in it."""
    reasons = []
    if step["down"]:
        reasons.append(f"{step['down']} peers not connected ({step['failed']})")
    if step["loss"] >= MAX_LOSS:
        reasons.append(f"packet loss {step['loss'] * 100:.2f}%")
    if step["stalled"]:
        reasons.append(f"{step['stalled']} peers receiving too few frames")
    if step["lag"] and step["lag"][0] > LATE:
        reasons.append(
            f"the generator short of CPU (its loop {step['lag'][0] * 1000:.0f} ms late on average: "
            "what it sends and reads is late, so this step measures the generator, not Janus)"
        )
    busy = step["cores"]
    own = "n/a" if step["generator"] is None else f"{step['generator'] * 100:.0f}%"
    if pin and busy:
        reasons.append(
            f"Janus's CPU {busy[0] * 100:.0f}% busy (Janus itself {step['janus_cpu'] * 100:.0f}%), "
            f"the peers' CPU {max(busy[1:], default=0) * 100:.0f}% busy (the generator itself {own})"
        )
    else:
        reasons.append(
            f"CPUs {' '.join(f'{c * 100:.0f}%' for c in busy)} busy (Janus {step['janus_cpu'] * 100:.0f}%, "
            f"the generator {own})"
        )
    return ", ".join(reasons)


if __name__ == "__main__":
    raise SystemExit(main())
