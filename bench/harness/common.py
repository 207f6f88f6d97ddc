"""What the harness's scripts share: the app in-process, gunicorn, an HTTP client, statistics, RESULTS.md."""
from __future__ import annotations

import http.client
import os
import platform
import re
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from urllib.parse import urlencode, urlsplit

ROOT = Path(__file__).resolve().parents[2]
RESULTS = ROOT / "bench" / "RESULTS.md"
WORKDIR = Path(tempfile.gettempdir()) / "thidua-bench"
CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def default_url(scale: str) -> str:
    WORKDIR.mkdir(exist_ok=True)
    return f"sqlite:///{WORKDIR}/bench-{scale}.sqlite"


def database_name(url: str) -> str:
    return "PostgreSQL" if url.startswith("postgresql") else "SQLite"


def bench_now():
    from bench.board import NOW_LOCAL, utc

    return utc(NOW_LOCAL)


def bench_app(url: str):
    """The app in this process, on `url`, with the clock frozen at the bench's moment."""
    from thidua import create_app, timeutil
    from thidua.config import Config

    class BenchConfig(Config):
        SQLALCHEMY_DATABASE_URI = url
        SECRET_KEY = "bench"
        UPLOAD_FOLDER = str(WORKDIR / "files")
        JOBS_IN_PROCESS = "sync"
        REDIS_URL = None

    timeutil.freeze(bench_now())
    return create_app(BenchConfig)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """gunicorn serving bench.harness.wsgi:app on 127.0.0.1 only, as the product is deployed."""

    def __init__(self, url: str, *, workers: int = 2, python: str = sys.executable):
        self.url, self.workers, self.python = url, workers, python
        self.port = free_port()
        self.process: subprocess.Popen | None = None
        self.log = WORKDIR / f"gunicorn-{self.port}.log"

    def __enter__(self) -> Server:
        WORKDIR.mkdir(exist_ok=True)
        env = {**os.environ, "DATABASE_URL": self.url, "SECRET_KEY": "bench", "THIDUA_JOBS_IN_PROCESS": "sync",
               "THIDUA_UPLOAD_FOLDER": str(WORKDIR / "files"), "THIDUA_BENCH_NOW": bench_now().isoformat(),
               "PYTHONPATH": str(ROOT)}
        env.pop("REDIS_URL", None)
        self._log_file = self.log.open("wb")
        self.process = subprocess.Popen(
            [self.python, "-m", "gunicorn", "-w", str(self.workers), "-b", f"127.0.0.1:{self.port}",
             "--backlog", "4096", "--timeout", "120", "bench.harness.wsgi:app"],
            cwd=ROOT, env=env, stdout=self._log_file, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited: {self.log.read_text()[-2000:]}")
            try:
                if Client(self.port).get("/healthz").status == 200:
                    return self
            except OSError:
                pass
            time.sleep(0.2)
        raise RuntimeError("gunicorn did not answer within 60 s")

    def __exit__(self, *exc) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        self._log_file.close()


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")

    def csrf(self) -> str:
        match = CSRF_RE.search(self.text)
        if not match:
            raise AssertionError(f"no CSRF token in the page (HTTP {self.status})")
        return match.group(1)


class Client:
    """One browser: a cookie jar and plain HTTP/1.1 to 127.0.0.1 (gunicorn's sync workers close each connection)."""

    def __init__(self, port: int, timeout: float = 60):
        self.port, self.timeout = port, timeout
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, form: dict | list | None = None) -> Response:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
        headers = {"Host": f"127.0.0.1:{self.port}"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urlencode(form).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            connection.request(method, path, body=body, headers=headers)
            raw = connection.getresponse()
            data = raw.read()
            for value in raw.headers.get_all("Set-Cookie") or []:
                name, _, rest = value.partition("=")
                cookie_value = rest.split(";", 1)[0]
                if "expires=Thu, 01 Jan 1970" in value or not cookie_value:
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = cookie_value
            return Response(raw.status, {k.lower(): v for k, v in raw.getheaders()}, data)
        finally:
            connection.close()

    def get(self, path: str) -> Response:
        return self.request("GET", path)

    def post(self, path: str, form) -> Response:
        return self.request("POST", path, form)

    def login(self, username: str, password: str) -> None:
        token = self.get("/dang-nhap").csrf()
        response = self.post("/dang-nhap", {"username": username, "password": password, "csrf_token": token})
        if response.status != 302:
            raise AssertionError(f"sign-in of {username} answered {response.status}")


def location_path(response: Response) -> str:
    return urlsplit(response.headers.get("location", "")).path


def percentile(values: list[float], fraction: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(fraction * len(ordered) + 0.5) - 1))]


@dataclass
class Load:
    """Latencies (ms) and throughput of one page under concurrent requests."""

    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    seconds: float = 0.0
    size: int = 0

    @property
    def median(self) -> float:
        return percentile(self.latencies, 0.5)

    @property
    def p95(self) -> float:
        return percentile(self.latencies, 0.95)

    @property
    def throughput(self) -> float:
        return len(self.latencies) / self.seconds if self.seconds else 0.0


def run_load(requests: int, concurrency: int, one) -> Load:
    """Call one(i) -> Response `requests` times from `concurrency` threads; statuses >= 400 count as errors."""
    load = Load()
    lock = threading.Lock()
    counter = iter(range(requests))

    def worker():
        while True:
            with lock:
                i = next(counter, None)
            if i is None:
                return
            started = time.perf_counter()
            try:
                response = one(i)
                ok = response.status < 400
            except Exception:  # noqa: BLE001  (a refused or timed-out connection is an error to count)
                ok, response = False, None
            elapsed = (time.perf_counter() - started) * 1000
            with lock:
                if ok:
                    load.latencies.append(elapsed)
                    load.size = len(response.body)
                else:
                    load.errors += 1

    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    load.seconds = time.perf_counter() - started
    return load


def conditions(url: str, extra: str = "") -> str:
    load = os.getloadavg()
    return (f"{datetime.now():%Y-%m-%d %H:%M}, {database_name(url)}, {os.cpu_count()} cores "
            f"(load average {load[0]:.1f} at the start, shared machine), Python {platform.python_version()}, "
            f"gunicorn 2 sync workers on 127.0.0.1{extra}")


def write_results(key: str, text: str, path: Path = RESULTS) -> None:
    """Replace (or append) the section `## key` of RESULTS.md with `text`."""
    header = "# Benchmark results\n\nWritten by the scripts of `bench/harness` (see bench/README.md); each section is " \
             "replaced when its scenario runs again.\n"
    content = path.read_text() if path.exists() else header
    start_tag, end_tag = f"<!-- {key} -->", f"<!-- /{key} -->"
    block = f"{start_tag}\n{text.rstrip()}\n{end_tag}"
    if start_tag in content and end_tag in content:
        before, rest = content.split(start_tag, 1)
        after = rest.split(end_tag, 1)[1]
        content = before + block + after
    else:
        content = content.rstrip() + "\n\n" + block + "\n"
    path.write_text(content)
