"""Twenty simultaneous clicks on "Gửi đăng ký": one registration, and every other click answered
with a message on the page it came from — never a 500. Real requests, a threaded server, PostgreSQL."""
from __future__ import annotations

import threading

import pytest
import sqlalchemy as sa
from werkzeug.serving import make_server

from thidua.audit import AuditLog
from thidua.extensions import db
from thidua.registration.models import Initiative

from tests import factories
from tests.conftest import is_postgres
from tests.servers import Browser

CLICKS = 20


@pytest.mark.skipif(not is_postgres(), reason="concurrent writers need PostgreSQL (SQLite serialises them)")
def test_simultaneous_sends_record_one_registration_and_answer_every_other_click(app, world):
    initiative = factories.initiative(world.campaign, world.school, actor=world.editor)
    db.session.commit()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_port}"
    page = f"{base}/sang-kien/{initiative.id}"
    try:
        browsers = []
        for _ in range(CLICKS):  # the head's tabs, each with the page open
            browser = Browser()
            browser.sign_in(base, world.head.username)
            browsers.append((browser, browser.token(page)))
        barrier = threading.Barrier(CLICKS)
        answers: list[tuple[int, str]] = []

        def click(browser, token):
            barrier.wait()
            status, body = browser.post(f"{base}/sang-kien/{initiative.id}/trang-thai",
                                        {"csrf_token": token, "target": "registered"})
            answers.append((status, body.decode("utf-8")))

        threads = [threading.Thread(target=click, args=pair) for pair in browsers]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
    finally:
        server.shutdown()

    assert len(answers) == CLICKS
    assert all(status < 500 for status, _ in answers), sorted({status for status, _ in answers})
    db.session.expire_all()
    assert db.session.scalar(sa.select(Initiative.status).where(Initiative.id == initiative.id)) == "registered"
    moves = db.session.scalar(sa.select(sa.func.count()).select_from(AuditLog).where(
        AuditLog.object_id == initiative.id, AuditLog.to_state == "registered"))
    assert moves == 1
