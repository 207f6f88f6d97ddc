"""Servers the tests start as separate processes, and a browser without a browser to talk to them."""
from __future__ import annotations

import html
import http.cookiejar
import re
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from pathlib import Path


def wait_until_answers(url: str, *, what: str, opener=None, process: subprocess.Popen | None = None,
                       timeout: float = 60.0, log: Path | None = None) -> None:
    """Return once `url` answers 200; fail, saying why, if `process` exits or `timeout` passes."""
    open_url = (opener or urllib.request.build_opener()).open
    deadline = time.monotonic() + timeout
    while True:
        try:
            with open_url(url, timeout=5) as response:
                if response.status == 200:
                    return
                last = f"HTTP {response.status}"
        except OSError as error:  # refused while it starts (URLError and HTTPError are OSErrors)
            last = repr(error)
        told = log.read_text(errors="replace")[-2000:] if log is not None and log.exists() else ""
        assert process is None or process.poll() is None, f"{what} exited ({process.returncode}): {last}\n{told}"
        assert time.monotonic() < deadline, f"{what} did not answer at {url} within {timeout:.0f} s: {last}\n{told}"
        time.sleep(0.2)


CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


class Browser:
    """A person's browser: its own cookies, any node's address."""

    def __init__(self):
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))

    def get(self, url: str) -> tuple[int, bytes]:
        try:
            with self.opener.open(url, timeout=60) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.read()

    def token(self, url: str) -> str:
        status, body = self.get(url)
        match = CSRF.search(body.decode("utf-8"))
        assert match, (status, body[:500])
        return html.unescape(match.group(1))

    def post(self, url: str, fields: dict[str, str], files: dict[str, tuple[str, bytes, str]] | None = None):
        if files:
            boundary = uuid.uuid4().hex
            parts = []
            for name, value in fields.items():
                parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode())
            for name, (filename, data, mimetype) in files.items():
                parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
                             f'Content-Type: {mimetype}\r\n\r\n'.encode() + data + b"\r\n")
            body = b"".join(parts) + f"--{boundary}--\r\n".encode()
            request = urllib.request.Request(url, body, {"Content-Type": f"multipart/form-data; boundary={boundary}"})
        else:
            request = urllib.request.Request(url, urllib.parse.urlencode(fields).encode(),
                                             {"Content-Type": "application/x-www-form-urlencoded"})
        try:
            with self.opener.open(request, timeout=120) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.read()

    def sign_in(self, node: str, username: str) -> None:
        from tests.factories import PASSWORD

        status, _ = self.post(f"{node}/dang-nhap", {"csrf_token": self.token(f"{node}/dang-nhap"),
                                                     "username": username, "password": PASSWORD})
        assert status == 200
