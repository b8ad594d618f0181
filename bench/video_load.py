"""A WebRTC load generator for Janus that neither encodes nor decodes (bench/bench_video.py, issue 17).

Each participant of a 2-party session is what bench/video_peer.html is in Chromium, without the
codecs: over Janus's HTTP API it creates a session, attaches the VideoRoom plugin, publishes with
`joinandconfigure` (PIN, its id) an offer carrying one VP8 and one Opus track, then subscribes to the
other participant (`join` as subscriber, answer, `start`), retrying each second until the other one
publishes, as the page does. The media is real WebRTC (aiortc: ICE, DTLS, SRTP, RTCP):

- publishers send a clip encoded ONCE with ffmpeg (640x480, 20 fps, VP8 ~480 kbit/s, Opus 32 kbit/s,
  a key frame every 2 s; `make_clip`), demuxed once into memory (`Clip`) and paced at its own
  timestamps, looping; aiortc packs a pre-encoded packet into RTP without encoding
  (RTCRtpSender: an av.Packet goes to the codec's `pack`, a frame to its encoder);
- subscribers receive, decrypt and reassemble frames, and count them without decoding: aiortc's
  receiver hands every complete frame to a decoder obtained from `aiortc.rtcrtpreceiver.get_decoder`;
  `no_decoding()` puts a pass-through there for the generator's lifetime, so the receiving track yields
  the encoded frames themselves, which are counted (video) and dropped.

Loss comes from the RTP sequence numbers as WebRTC counts it (getStats): Janus -> subscriber from the
subscriber's `inbound-rtp` (expected - received), publisher -> Janus from the receiver reports Janus
sends back (`remote-inbound-rtp`).

All peers run on one asyncio loop in a thread of their own (`Generator`), driven from synchronous
code. Blocking HTTP calls to Janus go through a thread pool."""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import fractions
import json
import logging
import multiprocessing
import secrets
import subprocess
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import aiortc.rtcrtpreceiver
import av
from aiortc import MediaStreamTrack, RTCConfiguration, RTCPeerConnection, RTCSessionDescription
from aiortc.mediastreams import MediaStreamError

CLIP_SECONDS = 10
# Host candidates only, as video_peer.html's `iceServers: []`: without it aiortc asks a public STUN
# server, which the project never uses (and which an offline host waits for).
NO_ICE_SERVERS = RTCConfiguration(iceServers=[])
# A sender later than this (s) does not send its backlog in a burst (which would make a late loop later
# still) but goes on at the clip's pace: the frames received per second show the shortfall.
CATCH_UP = 0.2


def make_clip(path: Path, seconds: int = CLIP_SECONDS) -> Path:
    """Encode the publishers' clip once: 640x480 at 20 fps, VP8 ~480 kbit/s (constant), a key frame
    every 40 frames, and Opus 32 kbit/s (a tone) in WebM."""
    subprocess.run(  # noqa: S603
        [  # noqa: S607
            "ffmpeg", "-v", "error", "-y",
            "-f", "lavfi", "-i", f"testsrc2=size=640x480:rate=20:duration={seconds}",
            "-f", "lavfi", "-i", f"sine=frequency=440:sample_rate=48000:duration={seconds}",
            "-c:v", "libvpx", "-b:v", "480k", "-minrate", "480k", "-maxrate", "480k", "-bufsize", "480k",
            "-g", "40", "-deadline", "realtime", "-cpu-used", "8",
            "-c:a", "libopus", "-b:a", "32k", "-ac", "1",
            str(path),
        ],
        check=True,
    )  # fmt: skip
    return path


@dataclass
class Stream:
    packets: list[tuple[bytes, int]]  # (payload, pts in time_base)
    time_base: fractions.Fraction
    length: int  # one loop of the clip, in time_base


@dataclass
class Clip:
    video: Stream
    audio: Stream

    @classmethod
    def load(cls, path: Path) -> Clip:
        streams: dict[str, Stream] = {}
        with av.open(str(path)) as container:
            for kind in ("video", "audio"):
                stream = getattr(container.streams, kind)[0]
                packets = [
                    (bytes(p), int(p.pts)) for p in container.demux(stream) if p.size and p.pts is not None
                ]
                container.seek(0)
                step = packets[1][1] - packets[0][1]
                tb = fractions.Fraction(stream.time_base)
                streams[kind] = Stream(packets, tb, packets[-1][1] - packets[0][1] + step)
        return cls(video=streams["video"], audio=streams["audio"])


class ClipTrack(MediaStreamTrack):
    """Sends a pre-encoded stream at its own pace, looping: each recv() is one av.Packet, which
    aiortc's sender packetizes as it is."""

    def __init__(self, kind: str, stream: Stream) -> None:
        super().__init__()
        self.kind = kind
        self.stream = stream
        self.index = 0
        self.start: float | None = None

    async def recv(self) -> av.Packet:  # type: ignore[override]
        if self.readyState != "live":
            raise MediaStreamError
        loop_no, i = divmod(self.index, len(self.stream.packets))
        self.index += 1
        data, pts = self.stream.packets[i]
        pts = pts - self.stream.packets[0][1] + loop_no * self.stream.length
        now = time.monotonic()
        if self.start is None:
            self.start = now
        wait = self.start + float(pts * self.stream.time_base) - now
        if wait > 0:
            await asyncio.sleep(wait)
        elif wait < -CATCH_UP:  # the loop fell behind: go on at the clip's pace from here, no burst
            self.start -= wait
        packet = av.Packet(data)
        packet.pts = pts
        packet.time_base = self.stream.time_base
        return packet


class PassThrough:
    """Stands where aiortc's receiver puts a VP8/Opus decoder: returns the reassembled encoded frame
    as it is, so nothing is decoded."""

    def decode(self, encoded_frame):
        return [encoded_frame]


@contextlib.contextmanager
def no_decoding():
    """While active, aiortc's receivers in this process hand on encoded frames instead of decoding."""
    original = aiortc.rtcrtpreceiver.get_decoder
    aiortc.rtcrtpreceiver.get_decoder = lambda codec: PassThrough()
    try:
        yield
    finally:
        aiortc.rtcrtpreceiver.get_decoder = original


class JanusError(Exception):
    pass


class JanusSession:
    """One Janus session over the HTTP API, as video_peer.html holds one: blocking calls run in
    `pool`; events are read by long poll while a request waits for its answer."""

    def __init__(self, base: str, pool: concurrent.futures.Executor) -> None:
        self.base = base
        self.pool = pool
        self.id: int | None = None
        self.events: dict[str, dict] = {}

    def _http(self, path: str, body: dict | None) -> object:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(
            self.base + path, data=data, method="GET" if body is None else "POST"
        )
        with urllib.request.urlopen(request, timeout=40) as response:  # noqa: S310 - loopback Janus
            return json.loads(response.read())

    async def call(self, path: str, body: dict | None = None) -> object:
        return await asyncio.get_running_loop().run_in_executor(self.pool, self._http, path, body)

    async def post(self, path: str, body: dict) -> dict:
        body = {**body, "transaction": secrets.token_hex(6)}
        answer = await self.call(path, body)
        assert isinstance(answer, dict)
        if answer.get("janus") == "error":
            raise JanusError(answer["error"]["reason"])
        return answer

    async def create(self) -> None:
        self.id = (await self.post("", {"janus": "create"}))["data"]["id"]

    async def attach(self) -> int:
        return (await self.post(f"/{self.id}", {"janus": "attach", "plugin": "janus.plugin.videoroom"}))[
            "data"
        ]["id"]

    async def message(self, handle: int, body: dict, jsep: dict | None = None) -> dict:
        msg: dict = {"janus": "message", "body": body}
        if jsep:
            msg["jsep"] = jsep
        transaction = secrets.token_hex(6)
        answer = await self.call(f"/{self.id}/{handle}", {**msg, "transaction": transaction})
        assert isinstance(answer, dict)
        if answer.get("janus") == "error":
            raise JanusError(answer["error"]["reason"])
        deadline = time.monotonic() + 30
        while transaction not in self.events:
            if time.monotonic() > deadline:
                raise JanusError("no answer from Janus within 30 s")
            got = await self.call(f"/{self.id}?maxev=10&rid={time.time_ns()}")
            for ev in got if isinstance(got, list) else [got]:
                if ev.get("janus") == "event" and ev.get("transaction"):
                    self.events[ev["transaction"]] = ev
        ev = self.events.pop(transaction)
        data = (ev.get("plugindata") or {}).get("data") or {}
        if data.get("error"):
            raise JanusError(data["error"])
        return ev

    async def keepalive(self) -> None:
        with contextlib.suppress(OSError, JanusError):
            await self.post(f"/{self.id}", {"janus": "keepalive"})


@dataclass
class Peer:
    """One participant: publishes the clip, subscribes to the other participant."""

    room: int
    pin: str
    me: int
    other: int
    state: str = "starting"
    pub: RTCPeerConnection | None = None
    sub: RTCPeerConnection | None = None
    janus: JanusSession | None = None
    frames: int = 0  # video frames received (reassembled, not decoded)
    video_bytes: int = 0  # their encoded size
    tasks: list = field(default_factory=list)

    async def run(self, base: str, pool: concurrent.futures.Executor, clip: Clip) -> None:
        try:
            self.janus = JanusSession(base, pool)
            await self.janus.create()
            await self.publish(clip)
            await self.subscribe()
            self.state = "up"
        except Exception as error:  # noqa: BLE001 - the state reports it
            self.state = f"failed: {error!r}"

    async def publish(self, clip: Clip) -> None:
        assert self.janus is not None
        handle = await self.janus.attach()
        self.pub = RTCPeerConnection(NO_ICE_SERVERS)
        self.pub.addTrack(ClipTrack("audio", clip.audio))
        self.pub.addTrack(ClipTrack("video", clip.video))
        await self.pub.setLocalDescription(await self.pub.createOffer())  # gathers every candidate
        ev = await self.janus.message(
            handle,
            {
                "request": "joinandconfigure",
                "room": self.room,
                "pin": self.pin,
                "ptype": "publisher",
                "id": self.me,
                "display": f"p{self.me}",
                "audio": True,
                "video": True,
            },
            {"type": "offer", "sdp": self.pub.localDescription.sdp},
        )
        await self.pub.setRemoteDescription(RTCSessionDescription(**ev["jsep"]))

    async def subscribe(self) -> None:
        assert self.janus is not None
        while True:
            handle = await self.janus.attach()
            try:
                ev = await self.janus.message(
                    handle,
                    {
                        "request": "join",
                        "ptype": "subscriber",
                        "room": self.room,
                        "pin": self.pin,
                        "streams": [{"feed": self.other}],
                    },
                )
                break
            except JanusError:  # the other participant has not published yet
                await asyncio.sleep(1)
        pc = RTCPeerConnection(NO_ICE_SERVERS)

        @pc.on("track")
        def on_track(track: MediaStreamTrack) -> None:
            self.tasks.append(asyncio.ensure_future(self.drain(track)))

        await pc.setRemoteDescription(RTCSessionDescription(**ev["jsep"]))
        await pc.setLocalDescription(await pc.createAnswer())
        await self.janus.message(
            handle,
            {"request": "start", "room": self.room},
            {"type": "answer", "sdp": pc.localDescription.sdp},
        )
        self.sub = pc

    async def drain(self, track: MediaStreamTrack) -> None:
        """Read the encoded frames the receiver reassembled; count the video ones."""
        with contextlib.suppress(MediaStreamError):
            while True:
                frame = await track.recv()
                if track.kind == "video":
                    self.frames += 1
                    self.video_bytes += len(frame.data)  # an encoded frame: a decoded one has no .data

    def current_state(self) -> str:
        """ "up" while both connections are; else why not (a closed one: ICE consent or DTLS lost)."""
        if self.state != "up":
            return self.state
        for name, pc in (("publisher", self.pub), ("subscriber", self.sub)):
            if pc is not None and pc.connectionState != "connected":
                return f"{name} connection {pc.connectionState}"
        return "up"

    async def stats(self) -> dict:
        out = {
            "state": self.current_state(),
            "received": 0,
            "lost": 0,
            "frames": self.frames,
            "videoBytes": self.video_bytes,
            "sent": 0,
            "remoteLost": 0,
        }
        if self.sub is not None:
            for r in (await self.sub.getStats()).values():
                if r.type == "inbound-rtp":
                    out["received"] += r.packetsReceived
                    out["lost"] += max(r.packetsLost, 0)
        if self.pub is not None:
            for r in (await self.pub.getStats()).values():
                if r.type == "outbound-rtp":
                    out["sent"] += r.packetsSent
                elif r.type == "remote-inbound-rtp":
                    out["remoteLost"] += max(r.packetsLost, 0)
        return out

    async def close(self) -> None:
        for task in self.tasks:
            task.cancel()
        for pc in (self.pub, self.sub):
            if pc is not None:
                await pc.close()


def new_loop() -> asyncio.AbstractEventLoop:
    """uvloop's loop where installed (uvicorn[standard] brings it): less CPU per packet than asyncio's."""
    try:
        import uvloop
    except ImportError:
        return asyncio.new_event_loop()
    return uvloop.new_event_loop()


class Generator:
    """The peers of many sessions on one asyncio loop in a background thread, driven synchronously:
    add_session(), stats(), close(). Encoded frames are passed through, never decoded."""

    def __init__(self, janus_url: str, clip: Clip, fast_loop: bool = True) -> None:
        self.url = janus_url
        self.clip = clip
        self.peers: list[Peer] = []
        self.pool = concurrent.futures.ThreadPoolExecutor(max_workers=64, thread_name_prefix="janus-http")
        self.loop = new_loop() if fast_loop else asyncio.new_event_loop()
        self.lags: list[float] = []
        for name in ("aioice", "aiortc"):  # every ICE check and RTCP packet is logged at INFO
            logging.getLogger(name).setLevel(logging.WARNING)
        self._decoding = no_decoding()
        self._decoding.__enter__()
        self.thread = threading.Thread(target=self.loop.run_forever, name="video-load", daemon=True)
        self.thread.start()
        self.keepalives = self._run(self._keepalives(), wait=False)
        self.lag_watch = self._run(self._watch_lag(), wait=False)

    def _run(self, coro, wait: bool = True, timeout: float = 120):
        future = asyncio.run_coroutine_threadsafe(coro, self.loop)
        return future.result(timeout) if wait else future

    async def _watch_lag(self) -> None:
        """How late the loop wakes up for a 50 ms timer: a loop short of CPU is late for every packet
        it sends or reads, which is the generator's limit, not Janus's."""
        loop = asyncio.get_running_loop()
        while True:
            due = loop.time() + 0.05
            await asyncio.sleep(0.05)
            self.lags.append(loop.time() - due)

    def lag(self) -> tuple[float, float]:
        """(mean, worst) lateness of the loop in seconds since the last call."""
        lags, self.lags = self.lags, []
        return (sum(lags) / len(lags), max(lags)) if lags else (0.0, 0.0)

    async def _keepalives(self) -> None:
        while True:
            await asyncio.sleep(20)
            await asyncio.gather(*(p.janus.keepalive() for p in self.peers if p.janus and p.janus.id))

    def add_session(self, room: int, pin: str, ids: tuple[int, int] = (1, 1_000_001)) -> None:
        """Start both participants of a session (returns at once; see states())."""
        for me, other in (ids, ids[::-1]):
            peer = Peer(room=room, pin=pin, me=me, other=other)
            self.peers.append(peer)
            self._run(self._start(peer), wait=False)

    async def _start(self, peer: Peer) -> None:
        await peer.run(self.url, self.pool, self.clip)

    def states(self) -> list[str]:
        return [p.current_state() for p in self.peers]

    def stats(self) -> list[dict]:
        async def everyone():
            return await asyncio.gather(*(p.stats() for p in self.peers))

        return self._run(everyone())

    def close(self) -> None:
        async def shutdown():
            await asyncio.gather(*(p.close() for p in self.peers), return_exceptions=True)

        self.keepalives.cancel()
        self.lag_watch.cancel()
        with contextlib.suppress(Exception):
            self._run(shutdown(), timeout=30)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=10)
        self.pool.shutdown(wait=False, cancel_futures=True)
        self._decoding.__exit__(None, None, None)


def worker_main(conn, janus_url: str, clip_path: str) -> None:
    """One generator process: answers (command, argument) messages on `conn` (see Workers)."""
    generator = Generator(janus_url, Clip.load(Path(clip_path)))
    while True:
        command, argument = conn.recv()
        if command == "add":
            generator.add_session(*argument)
            conn.send(None)
        elif command == "states":
            conn.send(generator.states())
        elif command == "stats":
            conn.send(generator.stats())
        elif command == "lag":
            conn.send(generator.lag())
        elif command == "close":
            generator.close()
            conn.send(None)
            return


class Workers:
    """Generators in `n` processes, sessions dealt out in turn; the same calls as Generator. Several
    processes use several CPUs (one Python process uses one) and, on a machine shared with other
    work, get a fairer share of the generator's CPU."""

    def __init__(self, janus_url: str, clip_path: Path, n: int) -> None:
        context = multiprocessing.get_context("spawn")
        self.conns = []
        self.procs = []
        for _ in range(n):
            parent, child = context.Pipe()
            proc = context.Process(target=worker_main, args=(child, janus_url, str(clip_path)), daemon=True)
            proc.start()
            self.conns.append(parent)
            self.procs.append(proc)
        self.added = 0

    def _all(self, command: str) -> list:
        for conn in self.conns:
            conn.send((command, None))
        return [conn.recv() for conn in self.conns]

    def add_session(self, room: int, pin: str) -> None:
        conn = self.conns[self.added % len(self.conns)]
        conn.send(("add", (room, pin)))
        conn.recv()
        self.added += 1

    def states(self) -> list[str]:
        return [state for states in self._all("states") for state in states]

    def stats(self) -> list[dict]:
        return [peer for peers in self._all("stats") for peer in peers]

    def lag(self) -> tuple[float, float]:
        lags = self._all("lag")
        return sum(mean for mean, _ in lags) / len(lags), max(worst for _, worst in lags)

    def pids(self) -> list[int]:
        return [proc.pid for proc in self.procs if proc.pid is not None]

    def close(self) -> None:
        with contextlib.suppress(OSError, EOFError):
            self._all("close")
        for proc in self.procs:
            proc.join(timeout=15)
            if proc.is_alive():
                proc.kill()
