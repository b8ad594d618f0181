"""Whether a TCP port is free to listen on: `make run` asks before it starts the web server, and the
Janus command before it starts Janus, so a second copy of the platform (or another program) on the
same port gets a sentence in Chinese instead of a bind error in English."""

from __future__ import annotations

import socket


def port_taken(host: str, port: int) -> bool:
    """Whether another program already listens on host:port (a bind there fails)."""
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError:
            return True
    return False
