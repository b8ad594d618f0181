"""A throwaway PostgreSQL primary and a streaming replica of it, on free loopback ports, for the
replica tests (tests/core/test_replicas.py) and the `stats_on_replica` benchmark.

The local server usually has no `replication` line in pg_hba.conf, so the primary is our own: initdb
into a temporary directory (from the newest /usr/lib/postgresql/*/bin, as .ci/run does; as the
postgres user when running as root), `wal_level = replica`, `host replication all 127.0.0.1/32
trust`; the replica is `pg_basebackup -R` of it, started on another port. `stop()` stops both and
removes the directory. Every wait is bounded. Nothing here is used by the platform itself.
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

START_TIMEOUT = 60  # seconds, for each of initdb, start, pg_basebackup


def pg_bin() -> Path | None:
    """The newest installed PostgreSQL's bin directory, or None."""
    found = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(Path(p).parent.parent.name)
    )
    return Path(found[-1]).parent if found else None


def _as_pg(args: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *args] if os.geteuid() == 0 else args


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Cluster:
    root: Path
    bin: Path
    primary_port: int
    replica_port: int

    def url(self, port: int, database: str = "postgres") -> str:
        return f"postgres://postgres@127.0.0.1:{port}/{database}"

    def primary_url(self, database: str = "postgres") -> str:
        return self.url(self.primary_port, database)

    def replica_url(self, database: str = "postgres") -> str:
        return self.url(self.replica_port, database)

    def run(self, *args: str, timeout: int = START_TIMEOUT) -> None:
        subprocess.run(_as_pg([str(self.bin / args[0]), *args[1:]]), check=True, timeout=timeout,
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)  # fmt: skip

    def _pg_ctl_start(self, data: Path, port: int) -> None:
        self.run(
            "pg_ctl", "-D", str(data), "-l", str(data / "log"), "-w", "-t", str(START_TIMEOUT),
            "-o", f"-p {port} -k {self.root} -c listen_addresses=127.0.0.1", "start",
        )  # fmt: skip

    def stop_replica(self) -> None:
        """Stop the replica alone (fast shutdown: its sessions are ended), as a replica that goes away."""
        self.run("pg_ctl", "-D", str(self.root / "replica"), "-m", "fast", "-w", "-t", "30", "stop")

    def start_replica(self) -> None:
        """Start the replica again on its port; it resumes streaming from the primary."""
        self._pg_ctl_start(self.root / "replica", self.replica_port)

    def stop(self) -> None:
        for name in ("replica", "primary"):
            data = self.root / name
            if (data / "postmaster.pid").exists():
                with contextlib.suppress(subprocess.SubprocessError, OSError):
                    self.run("pg_ctl", "-D", str(data), "-m", "immediate", "-w", "-t", "30", "stop")
        shutil.rmtree(self.root, ignore_errors=True)


def start(*, settings: dict[str, str] | None = None) -> Cluster:
    """initdb a primary, start it, pg_basebackup a replica (-R: it follows the primary) and start it.
    `settings`: extra postgresql.conf lines for both (e.g. shared_buffers for the benchmark)."""
    bindir = pg_bin()
    if bindir is None:
        raise RuntimeError("PostgreSQL server binaries not found under /usr/lib/postgresql/*/bin")
    root = Path(tempfile.mkdtemp(prefix="jijian-replica-"))
    if os.geteuid() == 0:
        shutil.chown(root, "postgres")
    cluster = Cluster(root=root, bin=bindir, primary_port=free_port(), replica_port=free_port())
    try:
        primary = root / "primary"
        cluster.run("initdb", "-D", str(primary), "-A", "trust", "-U", "postgres", "-E", "UTF8", "--no-sync")
        conf = {
            "wal_level": "replica",
            "max_wal_senders": "5",
            "hot_standby": "on",
            "fsync": "off",  # a throwaway cluster: no crash safety needed
            "synchronous_commit": "off",
            "full_page_writes": "off",
            **(settings or {}),
        }
        with open(primary / "postgresql.conf", "a") as fh:
            fh.writelines(f"{k} = '{v}'\n" for k, v in conf.items())
        with open(primary / "pg_hba.conf", "a") as fh:
            fh.write("host replication all 127.0.0.1/32 trust\n")
        cluster._pg_ctl_start(primary, cluster.primary_port)
        replica = root / "replica"
        cluster.run(
            "pg_basebackup", "-h", "127.0.0.1", "-p", str(cluster.primary_port), "-U", "postgres",
            "-D", str(replica), "-R", "-X", "stream", "--no-sync", "-c", "fast",
        )  # fmt: skip
        cluster._pg_ctl_start(replica, cluster.replica_port)
    except BaseException:
        cluster.stop()
        raise
    return cluster


def wait_caught_up(cluster: Cluster, *, timeout: float = 60.0) -> None:
    """Wait until the replica has replayed everything the primary has written so far."""
    import psycopg

    with psycopg.connect(cluster.primary_url(), autocommit=True) as p:
        target = p.execute("SELECT pg_current_wal_lsn()").fetchone()[0]  # type: ignore[index]
    deadline = time.monotonic() + timeout
    with psycopg.connect(cluster.replica_url(), autocommit=True) as r:
        while time.monotonic() < deadline:
            row = r.execute("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", [target]).fetchone()
            if row and row[0]:
                return
            time.sleep(0.05)
    raise TimeoutError("the replica did not catch up")
