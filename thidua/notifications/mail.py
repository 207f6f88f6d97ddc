"""E-mail through SMTP, configured by the environment (MAIL_SERVER, MAIL_PORT, ...).

Without MAIL_SERVER no e-mail is sent: the reminder is still made as an in-app
notification, and the job's result says that e-mail was skipped.
"""
from __future__ import annotations

import logging
import smtplib
import ssl
from collections.abc import Iterable
from email import policy
from email.message import EmailMessage
from email.utils import formataddr, formatdate, make_msgid, parseaddr

from flask import current_app

log = logging.getLogger(__name__)

SMTP_TIMEOUT = 30


HEADER_POLICY = policy.default.clone(max_line_length=998)


class MailError(Exception):
    """A message could not be handed to the SMTP server."""


def mail_enabled() -> bool:
    return bool(current_app.config.get("MAIL_SERVER"))


def clean_addresses(addresses: Iterable[str | None]) -> list[str]:
    """Distinct, plausible addresses in their first spelling (compared without case)."""
    seen: set[str] = set()
    result = []
    for raw in addresses:
        address = (raw or "").strip()
        if not address or "@" not in address or any(ch in address for ch in " ,;<>\r\n"):
            continue
        key = address.lower()
        if key not in seen:
            seen.add(key)
            result.append(address)
    return result


def build_message(to: list[str], subject: str, body: str) -> EmailMessage:
    config = current_app.config
    # UTF-8 headers (RFC 2047) and body. Headers are not folded below SMTP's 998 characters: the
    # standard library's folding drops the space where it breaks a Vietnamese subject between two
    # encoded words ("bổ sung: “…”" arrived as "bổ sung:“…”"). The body is quoted-printable, 7-bit safe.
    message = EmailMessage(policy=HEADER_POLICY)
    sender = config.get("MAIL_FROM") or "thidua@localhost"
    name, address = parseaddr(sender)
    message["From"] = formataddr((name or config.get("ORGANISATION_NAME", ""), address or sender))
    message["To"] = ", ".join(to)
    message["Subject"] = subject
    message["Date"] = formatdate(localtime=False, usegmt=True)
    message["Message-ID"] = make_msgid(domain=(address or sender).rpartition("@")[2] or None)
    message.set_content(body, charset="utf-8", cte="quoted-printable")
    return message


class Mailer:
    """One SMTP connection for a batch of messages, opened on first use and reopened after a drop.

    Use as a context manager; `send` raises MailError when the server refuses or is unreachable.
    """

    def __init__(self):
        config = current_app.config
        self.server = config.get("MAIL_SERVER")
        self.port = int(config.get("MAIL_PORT") or 25)
        self.username = config.get("MAIL_USERNAME")
        self.password = config.get("MAIL_PASSWORD")
        self.use_tls = bool(config.get("MAIL_USE_TLS"))
        self.use_ssl = bool(config.get("MAIL_USE_SSL"))
        self.sender = parseaddr(config.get("MAIL_FROM") or "thidua@localhost")[1] or "thidua@localhost"
        self._smtp: smtplib.SMTP | None = None

    @property
    def enabled(self) -> bool:
        return bool(self.server)

    def __enter__(self) -> Mailer:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _connect(self) -> smtplib.SMTP:
        if self.use_ssl:
            smtp: smtplib.SMTP = smtplib.SMTP_SSL(self.server, self.port, timeout=SMTP_TIMEOUT,
                                                  context=ssl.create_default_context())
        else:
            smtp = smtplib.SMTP(self.server, self.port, timeout=SMTP_TIMEOUT)
            if self.use_tls:
                smtp.starttls(context=ssl.create_default_context())
        if self.username:
            smtp.login(self.username, self.password or "")
        return smtp

    def close(self) -> None:
        if self._smtp is not None:
            try:
                self._smtp.quit()
            except (smtplib.SMTPException, OSError):
                self._smtp.close()
            self._smtp = None

    def send(self, to: list[str], subject: str, body: str) -> None:
        if not self.enabled:
            raise MailError("chưa cấu hình máy chủ thư (MAIL_SERVER)")
        message = build_message(to, subject, body)
        for attempt in (1, 2):
            try:
                if self._smtp is None:
                    self._smtp = self._connect()
                refused = self._smtp.send_message(message, from_addr=self.sender, to_addrs=to)
            except smtplib.SMTPServerDisconnected as error:
                self._smtp = None
                if attempt == 2:
                    raise MailError(f"máy chủ thư ngắt kết nối: {error}") from error
                continue  # a kept-open connection the server has closed: reconnect once
            except (smtplib.SMTPException, OSError) as error:
                self.close()
                raise MailError(f"{type(error).__name__}: {error}") from error
            if refused:
                log.warning("mail server refused %s", sorted(refused))
            return
