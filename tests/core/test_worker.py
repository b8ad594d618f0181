"""A real Celery worker, started by the test, takes a notification delivery from the broker the
deployment would use: the filesystem broker of the embedded default, and Redis when REDIS_URL is set
(the PostgreSQL + Redis run of CI). The database is a file SQLite database the worker and the test
share, migrated by the `jijian` command like a fresh installation."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from celery import Celery

VENV_BIN = Path(sys.executable).parent
JIJIAN = str(VENV_BIN / "jijian")
CELERY = str(VENV_BIN / "celery")

SETUP = """
from jijian.core.models import OrgKind
from jijian.core.notify import notify
from jijian.core.services import org_unit_create, user_create
city = org_unit_create(actor=None, name="随州市", kind=OrgKind.CITY, parent=None, code="421300")
user = user_create(actor=None, username="w", full_name="工作者", org_unit=city, phone="13800001111")
note = notify(recipient=user, title="提醒", body="请提交月报", channels=())
from jijian.core.models import NotificationDelivery
print(NotificationDelivery.objects.create(notification=note, channel="sms").pk)
"""


def brokers():
    yield pytest.param("filesystem", id="filesystem-broker")
    if os.environ.get("REDIS_URL"):
        yield pytest.param("redis", id="redis-broker")


def _env(tmp_path: Path, broker: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "CELERY_BROKER_URL")}
    env.update(
        JIJIAN_ENV="test",
        JIJIAN_CELERY_EAGER="false",
        JIJIAN_DATA_DIR=str(tmp_path),
        DATABASE_URL=f"sqlite:///{tmp_path / 'worker.sqlite3'}",
        CELERY_BROKER_URL="filesystem://" if broker == "filesystem" else os.environ["REDIS_URL"],
    )
    if broker == "filesystem":
        env.pop("REDIS_URL", None)
    return env


def _producer(tmp_path: Path, env: dict[str, str]) -> Celery:
    app = Celery("producer", broker=env["CELERY_BROKER_URL"])
    if env["CELERY_BROKER_URL"] == "filesystem://":
        folder = str(tmp_path / "broker" / "out")
        app.conf.broker_transport_options = {
            "data_folder_in": folder,
            "data_folder_out": folder,
            "control_folder": str(tmp_path / "broker" / "control"),
        }
    return app


def _status(db: Path, delivery_id: int) -> tuple[str, int]:
    with sqlite3.connect(db) as conn:
        return conn.execute(
            "SELECT status, attempts FROM core_notificationdelivery WHERE id = ?", (delivery_id,)
        ).fetchone()


@pytest.mark.parametrize("broker", list(brokers()))
def test_a_real_worker_sends_a_delivery_once(tmp_path, broker):
    env = _env(tmp_path, broker)
    (tmp_path / "broker" / "out").mkdir(parents=True)
    (tmp_path / "broker" / "processed").mkdir(parents=True)
    (tmp_path / "broker" / "control").mkdir(parents=True)
    subprocess.run([JIJIAN, "migrate", "--noinput", "-v", "0"], env=env, check=True, timeout=180)
    out = subprocess.run(
        [JIJIAN, "shell", "-c", SETUP], env=env, check=True, timeout=60, capture_output=True, text=True
    )
    delivery_id = int(out.stdout.strip().splitlines()[-1])
    queue = f"jijian-test-{uuid.uuid4().hex[:8]}"
    worker = subprocess.Popen(
        [
            CELERY,
            "-A",
            "jijian.config",
            "worker",
            "-Q",
            queue,
            "--pool",
            "solo",
            "--loglevel",
            "INFO",
            "--without-heartbeat",
            "--without-gossip",
            "--without-mingle",
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        producer = _producer(tmp_path, env)
        # The same delivery queued twice (a retry, a duplicated message): sent once.
        for _ in range(2):
            producer.send_task("jijian.core.tasks.deliver_notification", args=[delivery_id], queue=queue)
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            status, attempts = _status(tmp_path / "worker.sqlite3", delivery_id)
            if status == "sent":
                break
            time.sleep(0.5)
        time.sleep(2)  # give the second message time to be consumed
        assert _status(tmp_path / "worker.sqlite3", delivery_id) == ("sent", 1)
    finally:
        worker.terminate()
        try:
            log, _ = worker.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            worker.kill()
            log, _ = worker.communicate()
    assert log.count("deliver_notification[") >= 2, log[-2000:]
