"""The media server: Janus (Debian packages janus, janus-tools), reached by Django through its HTTP
API on loopback. One VideoRoom room per reception, created with a secret, a PIN, `record` and
`lock_record` (no client can stop the recording), and the plugin's admin key (no client can create
rooms). janus_config_write() writes the configuration the embedded default runs Janus with
(`jijian reception_janus`)."""

from __future__ import annotations

import base64
import contextlib
import hashlib
import hmac
import json
import secrets
import shutil
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext, gettext_lazy

UNREACHABLE = gettext_lazy(
    "视频服务器（Janus）暂时无法连接，本次接访未能开始；预约保留，请稍后重试或联系系统管理员"
)
MISSING = gettext_lazy(
    "本机未安装视频服务器 Janus：视频接访不可用（请以 root 执行 apt-get install janus janus-tools ffmpeg）"
)
PLUGIN = "janus.plugin.videoroom"


class JanusError(ValidationError):
    pass


def hosts() -> list[dict]:
    """The Janus hosts rooms are placed on: RECEPTION_JANUS_HOSTS (each {"url": how Django reaches it,
    "public_url": how browsers reach it}), or the one host of RECEPTION_JANUS_URL."""
    configured = list(getattr(settings, "RECEPTION_JANUS_HOSTS", []) or [])
    if configured:
        return configured
    return [{"url": settings.RECEPTION_JANUS_URL, "public_url": settings.RECEPTION_JANUS_PUBLIC_URL}]


def public_url(url: str) -> str:
    """How browsers reach the host Django reaches at `url` (the room's host)."""
    for host in hosts():
        if host["url"] == url:
            return host["public_url"]
    return url if url else settings.RECEPTION_JANUS_PUBLIC_URL


def _post(path: str, body: dict, url: str = "") -> dict:
    body = {**body, "transaction": secrets.token_hex(6)}
    url = url or hosts()[0]["url"]
    req = urllib.request.Request(  # noqa: S310 - the configured Janus address (http on loopback)
        url.rstrip("/") + path,
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(req, timeout=5) as resp:  # noqa: S310
            answer = json.loads(resp.read())
    except (OSError, ValueError):
        local = urlsplit(url).hostname in ("127.0.0.1", "localhost", "::1")
        raise JanusError(MISSING if local and shutil.which("janus") is None else UNREACHABLE) from None
    if answer.get("janus") == "error":
        raise JanusError(
            gettext("视频服务器拒绝了请求：%(reason)s")
            % {"reason": answer.get("error", {}).get("reason", "")}
        )
    return answer


def _videoroom(request: dict, url: str = "") -> dict:
    """Send one synchronous VideoRoom request on a session of its own, and close the session."""
    session = _post("", {"janus": "create"}, url)["data"]["id"]
    try:
        handle = _post(f"/{session}", {"janus": "attach", "plugin": PLUGIN}, url)["data"]["id"]
        answer = _post(f"/{session}/{handle}", {"janus": "message", "body": request}, url)
        data = answer.get("plugindata", {}).get("data", {})
        if data.get("videoroom") == "event" and data.get("error"):
            raise JanusError(gettext("视频服务器拒绝了请求：%(error)s") % {"error": data["error"]})
        return data
    finally:
        with contextlib.suppress(JanusError):
            _post(f"/{session}", {"janus": "destroy"}, url)


def host_load(url: str) -> tuple[int, int]:
    """A host's load: (participants in its VideoRoom rooms, rooms), from the plugin's `list` with the
    admin key (which lists the private rooms too)."""
    rooms = _videoroom({"request": "list", "admin_key": settings.RECEPTION_JANUS_ADMIN_KEY}, url).get(
        "list", []
    )
    return sum(int(r.get("num_participants") or 0) for r in rooms), len(rooms)


def place_room() -> str:
    """The least loaded reachable Janus host (fewest participants, then fewest rooms; the configured
    order breaks ties). Hosts that do not answer are passed over; none answering: JanusError."""
    best: tuple[tuple[int, int], int, str] | None = None
    error: JanusError | None = None
    for i, host in enumerate(hosts()):
        try:
            load = host_load(host["url"])
        except JanusError as exc:
            error = error or exc
            continue
        if best is None or (load, i) < best[:2]:
            best = (load, i, host["url"])
    if best is None:
        raise error or JanusError(UNREACHABLE)
    return best[2]


def recording_dir(reception_id: int) -> Path:
    path = Path(settings.RECEPTION_RECORDINGS_DIR) / "raw" / str(reception_id)
    path.mkdir(parents=True, exist_ok=True)
    return path


def room_create(
    *, room_id: int, secret: str, pin: str, rec_dir: Path, description: str, url: str = ""
) -> None:
    _videoroom(
        {
            "request": "create",
            "admin_key": settings.RECEPTION_JANUS_ADMIN_KEY,
            "room": room_id,
            "description": description,
            "secret": secret,
            "pin": pin,
            "is_private": True,
            "publishers": settings.RECEPTION_ROOM_PUBLISHERS,
            "bitrate": 512_000,
            "record": True,
            "lock_record": True,
            "rec_dir": str(rec_dir),
            "permanent": False,
        },
        url,
    )


def room_exists(*, room_id: int, url: str = "") -> bool:
    return bool(_videoroom({"request": "exists", "room": room_id}, url).get("exists"))


def room_participants(*, room_id: int, secret: str = "", url: str = "") -> list[dict]:
    return _videoroom({"request": "listparticipants", "room": room_id}, url).get("participants", [])


def room_destroy(*, room_id: int | None, secret: str, url: str = "") -> None:
    """Destroy the room; Janus closes its recordings. A room that is gone already is fine."""
    if room_id is None:
        return
    try:
        _videoroom({"request": "destroy", "room": room_id, "secret": secret}, url)
    except JanusError as error:
        if "No such room" not in str(error.messages):
            raise


def turn_credentials(*, tag: str, seconds: int, now: float | None = None) -> dict | None:
    """A time-limited TURN credential in coturn's REST API scheme (`use-auth-secret` with
    `static-auth-secret`): the username is "<expiry unix time>:<tag>" and the credential
    base64(HMAC-SHA1(shared secret, username)). coturn recomputes the HMAC with the same secret and
    refuses a username whose time has passed; the secret itself never leaves the server. None when
    no TURN is configured."""
    if not settings.RECEPTION_TURN_URLS or not settings.RECEPTION_TURN_SECRET:
        return None
    username = f"{int(time.time() if now is None else now) + seconds}:{tag}"
    digest = hmac.new(settings.RECEPTION_TURN_SECRET.encode(), username.encode(), hashlib.sha1).digest()
    return {
        "urls": list(settings.RECEPTION_TURN_URLS),
        "username": username,
        "credential": base64.b64encode(digest).decode("ascii"),
    }


def ice_servers(*, tag: str = "", seconds: int = 0) -> list[dict]:
    """ICE servers are configuration, never a public STUN: the plain entries of
    RECEPTION_ICE_SERVERS and, with an intranet coturn configured, a TURN entry whose credential is
    minted for `tag` and valid for `seconds`."""
    servers = list(settings.RECEPTION_ICE_SERVERS)
    turn = turn_credentials(tag=tag, seconds=seconds) if seconds > 0 else None
    return [*servers, turn] if turn else servers


def janus_config_write(
    directory: Path,
    *,
    http_port: int,
    admin_key: str,
    rtp_ports: str = "20000-20199",
    ice_enforce_list: str = "",
    bind: str = "127.0.0.1",
) -> Path:
    """Write a Janus configuration: only the VideoRoom plugin and the HTTP transport, bound to
    `bind`, rooms created only with `admin_key`. Returns the directory (janus -F <dir>)."""
    directory.mkdir(parents=True, exist_ok=True)
    lib = Path("/usr/lib/x86_64-linux-gnu/janus")
    for candidate in (Path("/usr/lib/aarch64-linux-gnu/janus"), Path("/usr/lib/janus")):
        if not lib.exists() and candidate.exists():
            lib = candidate
    plugins = sorted(p.name for p in (lib / "plugins").glob("*.so") if "videoroom" not in p.name)
    transports = sorted(p.name for p in (lib / "transports").glob("*.so") if "http" not in p.name)
    nat = f'\tice_enforce_list = "{ice_enforce_list}"\n' if ice_enforce_list else ""
    (directory / "janus.jcfg").write_text(
        "general: {\n"
        f'\tconfigs_folder = "{directory}"\n'
        f'\tplugins_folder = "{lib / "plugins"}"\n'
        f'\ttransports_folder = "{lib / "transports"}"\n'
        f'\tevents_folder = "{lib / "events"}"\n'
        f'\tloggers_folder = "{lib / "loggers"}"\n'
        "\tdebug_level = 4\n"
        "}\n"
        "media: {\n"
        f'\trtp_port_range = "{rtp_ports}"\n'
        "}\n"
        "nat: {\n"
        "\tnice_debug = false\n"
        f"{nat}"
        "}\n"
        "plugins: {\n"
        f'\tdisable = "{",".join(plugins)}"\n'
        "}\n"
        "transports: {\n"
        f'\tdisable = "{",".join(transports)}"\n'
        "}\n"
        "events: {\n}\nloggers: {\n}\ncertificates: {\n}\n"
    )
    (directory / "janus.transport.http.jcfg").write_text(
        "general: {\n"
        '\tjson = "plain"\n'
        '\tbase_path = "/janus"\n'
        "\thttp = true\n"
        f"\tport = {http_port}\n"
        f'\tip = "{bind}"\n'
        "\thttps = false\n"
        "}\n"
        "admin: {\n\tadmin_http = false\n}\n"
        "cors: {\n}\n"
    )
    (directory / "janus.plugin.videoroom.jcfg").write_text(
        f'general: {{\n\tadmin_key = "{admin_key}"\n\tlock_rtp_forward = true\n}}\n'
    )
    return directory


def room_csp(url: str = "") -> str:
    """The page's Content-Security-Policy: the site's own, with the origin of the room's Janus host
    (`url`, as Django reaches it; its public address is used) added to connect-src (the room page
    talks to Janus's HTTP API)."""
    from jijian.core.ops.middleware import CSP

    parts = urlsplit(public_url(url))
    return CSP.replace("connect-src 'self'", f"connect-src 'self' {parts.scheme}://{parts.netloc}")
