"""Redis down: pages serve, and the actions that start a job run it in the web process and say how it went."""
from __future__ import annotations

import time

import sqlalchemy as sa

from thidua.extensions import db
from thidua.jobs.models import Job, JobStatus

from tests.notifications.smtp import free_port


def test_with_redis_down_pages_serve_and_a_job_runs_here(app, world, client, make_client, monkeypatch):
    monkeypatch.setitem(app.config, "REDIS_URL", f"redis://127.0.0.1:{free_port()}/0")  # nothing listens there
    client.login(world.secretariat)
    unit = make_client()
    unit.login(world.editor)
    started = time.monotonic()
    for browser, url in ((client, f"/phong-trao/{world.campaign.id}"), (client, f"/phong-trao/{world.campaign.id}/tien-do"),
                         (client, f"/phong-trao/{world.campaign.id}/nhac-viec"), (unit, "/don-vi"),
                         (unit, "/thu-vien")):
        assert browser.get(url).status_code == 200, url
    response = client.post(f"/phong-trao/{world.campaign.id}/nhac-viec", {"phase": "registration"})
    assert response.status_code == 302
    job = db.session.scalars(sa.select(Job)).one()
    assert job.status == JobStatus.DONE and job.rq_job_id is None  # ran in this process, not lost
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Đã xong" in page
    assert time.monotonic() - started < 20  # the unreachable queue costs a short connect timeout, not a hang
