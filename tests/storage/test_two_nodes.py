"""An installation of several machines, brought up for real on loopback: two web processes
(gunicorn, as deployed), an RQ worker and the object store, sharing the suite's database and Redis.

Each process has a disk of its own that none of the others sees; a person's session signed on one
node is valid on the other (one SECRET_KEY), as behind a load balancer without sticky sessions.
"""
from __future__ import annotations

import os
import secrets
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from thidua import timeutil
from thidua.extensions import db
from thidua.reports.models import CityReport
from thidua.results.models import EvidenceFile

from tests.conftest import Config
from tests.jobs.conftest import ROOT, WORKER_CLASS, redis_server_url, rq_command  # noqa: F401
from tests.notifications.smtp import free_port
from tests.results.conftest import PDF, reporting  # noqa: F401
from tests.servers import Browser, wait_until_answers

@pytest.fixture
def installation(s3_url, redis_server_url, tmp_path):  # noqa: F811
    """Environment of every process of one installation, and the two web nodes' addresses."""
    bucket = f"thidua-{secrets.token_hex(4)}"
    from redis import Redis

    Redis.from_url(redis_server_url).flushdb()
    shared = {k: v for k, v in os.environ.items()
              if not k.startswith(("MAIL_", "THIDUA_", "DATABASE_URL", "REDIS_URL", "TEST_"))}
    shared.update({
        "DATABASE_URL": Config.SQLALCHEMY_DATABASE_URI, "REDIS_URL": redis_server_url, "SECRET_KEY": "two-nodes",
        "THIDUA_S3_BUCKET": bucket, "THIDUA_S3_ENDPOINT_URL": s3_url, "THIDUA_S3_REGION": "us-east-1",
        "AWS_ACCESS_KEY_ID": os.environ.get("AWS_ACCESS_KEY_ID", "thidua-test"),
        "AWS_SECRET_ACCESS_KEY": os.environ.get("AWS_SECRET_ACCESS_KEY", "thidua-test"),
    })
    import boto3

    boto3.client("s3", endpoint_url=s3_url, region_name="us-east-1", aws_access_key_id=shared["AWS_ACCESS_KEY_ID"],
                 aws_secret_access_key=shared["AWS_SECRET_ACCESS_KEY"]).create_bucket(Bucket=bucket)

    def env_of(name: str) -> dict[str, str]:
        return shared | {"THIDUA_UPLOAD_FOLDER": str(tmp_path / name / "files")}

    processes, nodes = [], []
    gunicorn = Path(sys.executable).with_name("gunicorn")
    for name in ("a", "b"):
        port = free_port()
        processes.append(subprocess.Popen(
            [str(gunicorn), "-w", "1", "-b", f"127.0.0.1:{port}", "thidua:create_app()"],
            cwd=ROOT, env=env_of(name), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        nodes.append(f"http://127.0.0.1:{port}")
    try:
        for node, process in zip(nodes, processes):
            wait_until_answers(f"{node}/healthz", what="a web node", process=process)
        yield env_of, nodes, tmp_path
    finally:
        for process in processes:
            process.terminate()
            process.wait(timeout=30)


def _run_worker(env: dict[str, str]) -> None:
    result = subprocess.run([*rq_command(), "worker", "-w", WORKER_CLASS, "--burst", "-u", env["REDIS_URL"], "thidua"],
                            cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]


def _flask(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(Path(sys.executable).with_name("flask")), "--app", "thidua", *args],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)


def test_two_web_nodes_a_worker_and_the_object_store_serve_one_installation(installation, reporting):
    env_of, (node_a, node_b), tmp_path = installation
    world = reporting
    # The web processes live in real time: put today inside Đợt 2.
    timeutil.freeze(None)
    today = timeutil.local_today()
    world.campaign.launch_date = today - timedelta(days=30)
    world.campaign.registration_deadline = today - timedelta(days=5)
    world.campaign.report_deadline = today + timedelta(days=30)
    db.session.commit()

    # Evidence uploaded through node A is served by node B.
    editor = Browser()
    editor.sign_in(node_a, world.editor.username)
    form = f"{node_a}/sang-kien/{world.initiative.id}/bao-cao"
    status, page = editor.post(f"{node_a}/sang-kien/{world.initiative.id}/minh-chung",
                               {"csrf_token": editor.token(form)}, {"file": ("bien-ban.pdf", PDF, "application/pdf")})
    assert status == 200
    db.session.expire_all()
    evidence = db.session.scalar(sa.select(EvidenceFile))
    assert evidence is not None, page.decode()[:3000]
    office = Browser()
    office.sign_in(node_b, world.secretariat.username)
    evidence_id = evidence.id
    assert office.get(f"{node_b}/minh-chung/{evidence_id}") == (200, PDF)

    # The report to UBND Thành phố, asked for on node B, written by the worker, downloaded from node A.
    status, _ = office.post(f"{node_b}/phong-trao/{world.campaign.id}/bao-cao-ubnd/tao",
                            {"csrf_token": office.token(f"{node_b}/phong-trao/{world.campaign.id}/bao-cao-ubnd")})
    assert status == 200
    _run_worker(env_of("worker"))
    db.session.expire_all()
    report = db.session.scalar(sa.select(CityReport).order_by(CityReport.id.desc()))
    assert report is not None and report.docx_key
    campaign_id, report_id = world.campaign.id, report.id
    status, docx = office.get(f"{node_a}/phong-trao/{campaign_id}/bao-cao-ubnd/{report_id}.docx")
    assert status == 200 and docx[:2] == b"PK"

    # A backup taken on node A holds every file; restored through node B, every row and file is identical.
    archive = tmp_path / "sao-luu.tar.gz"
    made = _flask(env_of("a"), "backup", "create", str(archive))
    assert made.returncode == 0, made.stderr + made.stdout
    rows_before = _snapshot()
    restored = _flask(env_of("b"), "backup", "restore", "--force", str(archive))
    assert restored.returncode == 0, restored.stderr + restored.stdout
    assert _snapshot() == rows_before
    assert office.get(f"{node_a}/minh-chung/{evidence_id}") == (200, PDF)
    assert office.get(f"{node_b}/phong-trao/{campaign_id}/bao-cao-ubnd/{report_id}.docx") == (200, docx)
    # Nothing of it was written to any machine's own disk.
    assert [path for path in tmp_path.rglob("*") if path.is_file() and "files" in path.parts] == []


def _snapshot() -> dict[str, list[tuple]]:
    db.session.remove()
    with db.engine.connect() as connection:
        return {table.name: [tuple(row) for row in connection.execute(
                    sa.select(table).order_by(*(list(table.primary_key.columns) or list(table.columns))))]
                for table in db.metadata.sorted_tables}
