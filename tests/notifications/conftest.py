import pytest

from tests.notifications.smtp import SmtpServer


@pytest.fixture(scope="session")
def smtp_server():
    """A real local SMTP server (aiosmtpd) for the whole session; each user clears what it collected."""
    with SmtpServer() as server:
        yield server


@pytest.fixture
def smtp(app, smtp_server, monkeypatch):
    """The app sends its e-mail to the local SMTP server for the duration of the test."""
    smtp_server.collector.clear()
    monkeypatch.setitem(app.config, "MAIL_SERVER", smtp_server.host)
    monkeypatch.setitem(app.config, "MAIL_PORT", smtp_server.port)
    monkeypatch.setitem(app.config, "MAIL_FROM", "Văn phòng Sở <vanphong@thidua-demo.edu.vn>")
    yield smtp_server
    smtp_server.collector.clear()
