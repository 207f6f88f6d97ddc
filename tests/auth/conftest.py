from tests.notifications.conftest import smtp, smtp_server  # noqa: F401  (the real local SMTP server)
