"""Environment helpers: every setting comes from the environment, and a malformed value stops
start-up with a message that names the variable (healthchecks' settings style)."""

from __future__ import annotations

import ipaddress
import os
from pathlib import Path
from typing import overload


class ImproperSetting(SystemExit):
    """Raised at start-up for a missing or malformed environment setting."""

    def __init__(self, name: str, problem: str) -> None:
        super().__init__(f"配置错误 / configuration error: {name}: {problem}")


def env_str(name: str, default: str | None = None) -> str:
    value = os.environ.get(name)
    if value is None or value == "":
        if default is None:
            raise ImproperSetting(name, "必须设置此环境变量 (required, not set)")
        return default
    return value


def env_int(name: str, default: int, *, minimum: int | None = None, maximum: int | None = None) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperSetting(name, f"应为整数，实际为 {raw!r} (expected an integer)") from None
    if minimum is not None and value < minimum:
        raise ImproperSetting(name, f"不能小于 {minimum} (must be >= {minimum})")
    if maximum is not None and value > maximum:
        raise ImproperSetting(name, f"不能大于 {maximum} (must be <= {maximum})")
    return value


_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    if raw.lower() in _TRUE:
        return True
    if raw.lower() in _FALSE:
        return False
    raise ImproperSetting(name, f"应为 true/false，实际为 {raw!r} (expected a boolean)")


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_networks(name: str) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    """A comma-separated list of addresses or networks (CIDR); empty by default. A malformed entry or
    a `*` stops start-up (used for the trusted reverse proxies, where a wildcard would let any client
    name its own address)."""
    networks = []
    for item in env_list(name, []):
        try:
            networks.append(ipaddress.ip_network(item, strict=False))
        except ValueError:
            raise ImproperSetting(name, f"应为 IP 地址或网段（CIDR），实际为 {item!r}") from None
    return tuple(networks)


def env_choice(name: str, default: str, choices: tuple[str, ...]) -> str:
    value = env_str(name, default)
    if value not in choices:
        raise ImproperSetting(name, f"取值必须是 {', '.join(choices)} 之一，实际为 {value!r}")
    return value


@overload
def env_url(name: str, default: str, schemes: tuple[str, ...]) -> str: ...
@overload
def env_url(name: str, default: None, schemes: tuple[str, ...]) -> str | None: ...
def env_url(name: str, default: str | None, schemes: tuple[str, ...]) -> str | None:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    scheme = raw.split("://", 1)[0] if "://" in raw else ""
    if scheme not in schemes:
        raise ImproperSetting(
            name, f"URL 协议必须是 {', '.join(schemes)} 之一，实际为 {raw.split('@')[-1]!r}"
        )
    return raw


def env_url_list(name: str, schemes: tuple[str, ...]) -> list[str]:
    """Several URLs separated by commas (empty: none), each with one of `schemes`."""
    raw = os.environ.get(name) or ""
    urls = [item.strip() for item in raw.split(",") if item.strip()]
    for url in urls:
        scheme = url.split("://", 1)[0] if "://" in url else ""
        if scheme not in schemes or not url.split("://", 1)[1].strip("/"):
            raise ImproperSetting(
                name, f"每一项都应为 {', '.join(schemes)} 协议的 URL，实际为 {url.split('@')[-1]!r}"
            )
    return urls


def env_uri_list(name: str, schemes: tuple[str, ...]) -> list[str]:
    """Several URIs of the form `scheme:host[:port][?query]` separated by commas (empty: none), as
    TURN URIs are written (RFC 7065: turn:10.0.0.5:3478?transport=udp), each with one of `schemes`."""
    uris = env_list(name, [])
    for uri in uris:
        scheme, _, rest = uri.partition(":")
        if scheme not in schemes or not rest.strip("/:") or "//" in rest or "@" in rest:
            raise ImproperSetting(
                name, f"每一项都应为 {', '.join(s + ':主机:端口' for s in schemes)} 形式，实际为 {uri!r}"
            )
    return uris


def _argon2_cost(name: str, text: str) -> tuple[int, int, int]:
    parts = [p.strip() for p in text.split(",")]
    try:
        time_cost, memory_kib, parallelism = (int(p) for p in parts)
    except ValueError:
        raise ImproperSetting(
            name, f"应为“次数,内存KiB,并行度”，如 1,65536,1，实际为 {text!r} (expected t,m,p)"
        ) from None
    if time_cost < 1 or parallelism < 1 or memory_kib < 8 * parallelism or memory_kib > 4 * 1024 * 1024:
        raise ImproperSetting(name, f"参数超出范围：{text!r} (t >= 1, p >= 1, 8p <= m <= 4194304)")
    return time_cost, memory_kib, parallelism


def env_argon2(name: str, default: tuple[int, int, int]) -> tuple[int, int, int]:
    """An Argon2id cost "time_cost,memory_KiB,parallelism", e.g. "1,65536,1"."""
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    return _argon2_cost(name, raw)


def env_argon2_list(name: str) -> list[tuple[int, int, int]]:
    """Several Argon2id costs separated by ";", e.g. "1,65536,1;2,32768,1" (empty: none)."""
    raw = os.environ.get(name) or ""
    return [_argon2_cost(name, item) for item in raw.split(";") if item.strip()]


def env_path(name: str, default: Path) -> Path:
    raw = os.environ.get(name)
    return Path(raw).expanduser().resolve() if raw else default
