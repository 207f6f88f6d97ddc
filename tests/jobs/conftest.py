"""A real Redis server and real RQ worker processes for the job tests.

scripts/test.sh exports TEST_REDIS_URL (a Redis it started); otherwise a session fixture starts
`redis-server` on a free loopback port. The tests skip only when there is no redis-server binary.
Worker processes get DATABASE_URL = the suite's database, so they see what the tests commit.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from tests.conftest import Config
from tests.notifications.smtp import SmtpServer, free_port

ROOT = Path(__file__).resolve().parents[2]
WORKER_CLASS = "thidua.jobs.worker.Worker"  # the README's worker command


def _redis(url: str):
    from redis import Redis

    return Redis.from_url(url, socket_connect_timeout=2, socket_timeout=5)


@pytest.fixture(scope="session")
def redis_server_url():
    url = os.environ.get("TEST_REDIS_URL")
    if url:
        yield url
        return
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.fail("redis-server is not installed (and TEST_REDIS_URL is not set) — scripts/test.sh installs it")
    port = free_port()
    workdir = tempfile.mkdtemp(prefix="thidua-redis-")
    process = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", workdir],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    url = f"redis://127.0.0.1:{port}/0"
    try:
        deadline = time.monotonic() + 15
        while True:
            client = _redis(url)
            try:
                client.ping()
                break
            except Exception:  # noqa: BLE001 - not up yet
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RuntimeError("redis-server did not start") from None
                time.sleep(0.05)
            finally:
                client.close()
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)
        shutil.rmtree(workdir, ignore_errors=True)


@pytest.fixture
def redis_url(app, redis_server_url, monkeypatch):
    """Redis emptied for the test, and the app enqueues its jobs there (REDIS_URL) during the test."""
    client = _redis(redis_server_url)
    client.flushdb()
    monkeypatch.setitem(app.config, "REDIS_URL", redis_server_url)
    yield redis_server_url
    client.flushdb()
    client.close()


@pytest.fixture
def redis_client(redis_url):
    client = _redis(redis_url)
    yield client
    client.close()


@pytest.fixture(scope="session")
def smtp_server():
    with SmtpServer() as server:
        yield server


@pytest.fixture
def smtp(smtp_server):
    smtp_server.collector.clear()
    yield smtp_server
    smtp_server.collector.clear()


def rq_command() -> list[str]:
    script = Path(sys.executable).with_name("rq")
    return [str(script)] if script.exists() else [sys.executable, "-m", "rq.cli"]


def worker_env(redis_url: str, smtp: SmtpServer | None = None) -> dict[str, str]:
    """The environment of a worker process: the suite's database, its Redis, the test's SMTP server."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MAIL_", "THIDUA_", "DATABASE_URL", "REDIS_URL"))}
    env.update({
        "DATABASE_URL": Config.SQLALCHEMY_DATABASE_URI,
        "REDIS_URL": redis_url,
        "SECRET_KEY": "test-secret-key",
        "THIDUA_UPLOAD_FOLDER": Config.UPLOAD_FOLDER,
    })
    if Config.S3_BUCKET:  # the same object store as the web side
        env.update({"THIDUA_S3_BUCKET": Config.S3_BUCKET, "THIDUA_S3_ENDPOINT_URL": Config.S3_ENDPOINT_URL,
                    "THIDUA_S3_REGION": Config.S3_REGION})
    if smtp is not None:
        env.update({"MAIL_SERVER": smtp.host, "MAIL_PORT": str(smtp.port),
                    "MAIL_FROM": "Văn phòng Sở <vanphong@thidua-demo.edu.vn>"})
    return env


def run_burst_worker(redis_url: str, smtp: SmtpServer | None = None, timeout: int = 120) -> subprocess.CompletedProcess:
    """`rq worker -w thidua.jobs.worker.Worker --burst -u $REDIS_URL thidua`: works off the queue, then exits."""
    result = subprocess.run(
        [*rq_command(), "worker", "-w", WORKER_CLASS, "--burst", "-u", redis_url, "thidua"],
        cwd=ROOT, env=worker_env(redis_url, smtp), capture_output=True, text=True, timeout=timeout,
    )
    assert result.returncode == 0, f"worker exited {result.returncode}\n{result.stdout}\n{result.stderr}"
    return result
