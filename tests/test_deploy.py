"""deploy/: the production steps of the README, run as written on a fresh database.

The environment file is the example's, with a temporary database and folders; the commands are the
README's, through deploy/thidua-flask and deploy/backup.sh, in processes of their own.
"""
from __future__ import annotations

import os
import shutil
import urllib.error
import re
import subprocess
import sys
import tarfile
import time
from pathlib import Path

import pytest

from tests.servers import Browser, wait_until_answers

ROOT = Path(__file__).resolve().parents[1]
DEPLOY = ROOT / "deploy"
VENV_BIN = Path(sys.executable).parent


@pytest.fixture
def env_file(tmp_path):
    """deploy/thidua.env.example with this machine's temporary database, files and backups."""
    text = (DEPLOY / "thidua.env.example").read_text(encoding="utf-8")
    replace = {
        "DATABASE_URL": f"sqlite:///{tmp_path}/thidua.sqlite",
        "SECRET_KEY": "deploy-test",
        "THIDUA_UPLOAD_FOLDER": str(tmp_path / "files"),
        "THIDUA_BACKUP_DIR": str(tmp_path / "backups"),
        "THIDUA_SECURE_COOKIES": "0",  # plain HTTP on loopback here: nginx's HTTPS is not in front
    }
    for name, value in replace.items():
        text, count = re.subn(rf"^{name}=.*$", f"{name}={value}", text, flags=re.M)
        assert count == 1, name
    text = re.sub(r"^REDIS_URL=.*$", "", text, flags=re.M)  # jobs in-process for these commands
    path = tmp_path / "thidua.env"
    path.write_text(text, encoding="utf-8")
    return path


def run(command: list[str], env_file: Path, **env) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items()
             if not k.startswith(("THIDUA_", "DATABASE_URL", "REDIS_URL", "SECRET_KEY", "MAIL_", "TEST_"))}
    clean["PATH"] = f"{VENV_BIN}:{clean.get('PATH', '')}"
    return subprocess.run(command, cwd=ROOT, env=clean | {"THIDUA_ENV": str(env_file)} | env,
                          capture_output=True, text=True, timeout=300)


def flask(env_file: Path, *args: str, **env) -> subprocess.CompletedProcess:
    result = run([str(DEPLOY / "thidua-flask"), *args], env_file, **env)
    assert result.returncode == 0, result.stdout + result.stderr
    return result


def test_the_readme_steps_make_a_working_installation_without_the_demo(env_file, tmp_path):
    flask(env_file, "db", "upgrade")
    imported = flask(env_file, "units", "import", "deploy/units-start.csv")
    assert "2" in imported.stdout
    created = flask(env_file, "users", "create", "--username", "vanphong", "--full-name", "Nguyễn Thị Thu Hà",
                    "--role", "secretariat", "--unit", "van-phong", "--password", "mat-khau-dai-123")
    assert "Đã tạo tài khoản vanphong" in created.stdout

    # The web as the systemd unit starts it, with the same environment file, and the first sign-in.
    from tests.notifications.smtp import free_port

    port = free_port()
    unit = (DEPLOY / "systemd" / "thidua-web.service").read_text()
    assert '"thidua:create_app()"' in unit and "EnvironmentFile=/etc/thidua/thidua.env" in unit
    server = subprocess.Popen(
        ["bash", "-c", f'set -a; . "{env_file}"; set +a; exec "{VENV_BIN}/gunicorn" -w 1 -b 127.0.0.1:{port} '
                       f'"thidua:create_app()"'],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        browser, base = Browser(), f"http://127.0.0.1:{port}"
        wait_until_answers(f"{base}/healthz", what="gunicorn", process=server)
        status, page = browser.post(f"{base}/dang-nhap", {"csrf_token": browser.token(f"{base}/dang-nhap"),
                                                           "username": "vanphong", "password": "mat-khau-dai-123"})
        assert status == 200 and "Nguyễn Thị Thu Hà" in page.decode()
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_variables_already_set_win_over_the_environment_file(env_file, tmp_path):
    flask(env_file, "db", "upgrade", DATABASE_URL=f"sqlite:///{tmp_path}/other.sqlite")
    assert (tmp_path / "other.sqlite").exists() and not (tmp_path / "thidua.sqlite").exists()


def test_the_nightly_backup_writes_a_dated_archive_and_removes_the_expired_ones(env_file, tmp_path):
    flask(env_file, "db", "upgrade")
    backups = tmp_path / "backups"
    backups.mkdir()
    expired, recent = backups / "thidua-20200101-013000.tar.gz", backups / "thidua-20261130-013000.tar.gz"
    for path, age_days in ((expired, 40), (recent, 2)):
        path.write_bytes(b"old")
        moment = time.time() - age_days * 86400
        os.utime(path, (moment, moment))
    result = run([str(DEPLOY / "backup.sh")], env_file)
    assert result.returncode == 0, result.stdout + result.stderr
    written = Path(re.search(r"backup written: (\S+)", result.stdout).group(1))
    with tarfile.open(written) as archive:
        assert "manifest.json" in archive.getnames()
    assert not expired.exists() and recent.exists()


def test_the_services_run_the_commands_the_tests_run():
    from tests.jobs.conftest import WORKER_CLASS

    worker = (DEPLOY / "systemd" / "thidua-worker.service").read_text()
    assert f"rq worker -w {WORKER_CLASS} --with-scheduler" in worker
    cron = (DEPLOY / "systemd" / "thidua-cron.service").read_text()
    assert "thidua/jobs/cron.py" in cron and (ROOT / "thidua/jobs/cron.py").exists()
    for unit in (DEPLOY / "systemd").glob("*.service"):
        text = unit.read_text()
        if "ExecStart" in text and "oneshot" not in text:
            assert "KillMode=control-group" in text, unit.name  # no orphaned process keeps a lock
        for binary in re.findall(r"ExecStart=(\S+)", text):
            assert (ROOT / binary.removeprefix("/srv/thidua/")).exists() or binary.startswith("/srv/thidua/.venv/")
    lock = (DEPLOY / "requirements.lock").read_text()
    pins = dict(re.findall(r"^([A-Za-z0-9_.-]+)==(\S+)$", lock, re.M))
    for package in ("Flask", "SQLAlchemy", "rq", "gunicorn", "psycopg", "boto3", "Babel"):
        assert any(name.lower() == package.lower() for name in pins), package


def test_static_file_urls_carry_their_content_hash_so_a_month_of_caching_never_serves_an_old_release(client, tmp_path):
    from thidua.web import static_version

    page = client.get("/dang-nhap").get_data(as_text=True)
    version = re.search(r'href="/static/css/app\.css\?v=([0-9a-f]{12})"', page)
    assert version and version.group(1) == static_version(str(ROOT / "thidua/static"), "css/app.css")
    assert client.get(f"/static/css/app.css?v={version.group(1)}").status_code == 200
    (tmp_path / "a.css").write_text("body{}")
    before = static_version(str(tmp_path), "a.css")
    (tmp_path / "a.css").write_text("body{color:red}")
    os.utime(tmp_path / "a.css", ns=(time.time_ns() + 10**9, time.time_ns() + 10**9))
    assert static_version(str(tmp_path), "a.css") != before
    assert "expires 30d" in (DEPLOY / "nginx" / "thidua.conf").read_text()


def _units_here(tmp_path: Path) -> Path:
    """The systemd units with /srv/thidua replaced by this checkout."""
    folder = tmp_path / "units"
    folder.mkdir()
    for unit in (DEPLOY / "systemd").iterdir():
        (folder / unit.name).write_text(unit.read_text().replace("/srv/thidua", str(ROOT)))
    return folder


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze is not installed")
def test_the_systemd_units_are_valid(tmp_path):
    folder = _units_here(tmp_path)
    result = subprocess.run(["systemd-analyze", "verify", *map(str, sorted(folder.iterdir()))],
                            capture_output=True, text=True, timeout=120,
                            env={**os.environ, "SYSTEMD_LOG_LEVEL": "warning"})
    problems = [line for line in (result.stdout + result.stderr).splitlines()
                if "thidua" in line and "EnvironmentFile" not in line]
    assert result.returncode == 0 and not problems, result.stdout + result.stderr


@pytest.mark.skipif(shutil.which("nginx") is None or shutil.which("openssl") is None,
                    reason="nginx and openssl are installed by scripts/test.sh")
def test_nginx_serves_https_static_files_with_a_months_cache_and_hands_the_client_address_to_the_app(
        app, env_file, tmp_path):
    """deploy/nginx/thidua.conf in front of gunicorn, with THIDUA_TRUSTED_PROXIES=1 as the example
    sets it: a forged X-Forwarded-For from the client reaches the sign-in throttle as nginx's own
    $remote_addr, never as what the client wrote."""
    import ssl
    import urllib.request

    from tests.notifications.smtp import free_port

    flask(env_file, "db", "upgrade")
    http_port, https_port, app_port = free_port(), free_port(), free_port()
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=localhost",
                    "-keyout", str(tmp_path / "key.pem"), "-out", str(tmp_path / "cert.pem")],
                   check=True, capture_output=True)
    site = (DEPLOY / "nginx" / "thidua.conf").read_text()
    site = (site.replace("listen 80;", f"listen 127.0.0.1:{http_port};").replace("listen [::]:80;", "")
            .replace("listen 443 ssl http2;", f"listen 127.0.0.1:{https_port} ssl http2;")
            .replace("listen [::]:443 ssl http2;", "")
            .replace("/etc/letsencrypt/live/thidua.example.edu.vn/fullchain.pem", str(tmp_path / "cert.pem"))
            .replace("/etc/letsencrypt/live/thidua.example.edu.vn/privkey.pem", str(tmp_path / "key.pem"))
            .replace("127.0.0.1:8000", f"127.0.0.1:{app_port}").replace("/srv/thidua", str(ROOT))
            .replace("/var/log/nginx", str(tmp_path)))
    (tmp_path / "nginx.conf").write_text(
        f"pid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/error.log;\nevents {{}}\n"
        f"http {{\n include /etc/nginx/mime.types;\n client_body_temp_path {tmp_path}/body;\n"
        f" proxy_temp_path {tmp_path}/proxy;\n{site}\n}}\n")
    checked = subprocess.run(["nginx", "-t", "-c", str(tmp_path / "nginx.conf"), "-p", str(tmp_path)],
                             capture_output=True, text=True)
    assert checked.returncode == 0, checked.stderr
    web = subprocess.Popen(
        ["bash", "-c", f'set -a; . "{env_file}"; set +a; exec "{VENV_BIN}/gunicorn" -w 1 -b 127.0.0.1:{app_port} '
                       f'"thidua:create_app()"'], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    proxy = subprocess.Popen(["nginx", "-c", str(tmp_path / "nginx.conf"), "-p", str(tmp_path), "-g", "daemon off;"],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    context = ssl.create_default_context(cafile=str(tmp_path / "cert.pem"))
    context.check_hostname = False
    base = f"https://127.0.0.1:{https_port}"
    try:
        opener = urllib.request.build_opener(urllib.request.HTTPSHandler(context=context))
        wait_until_answers(f"{base}/healthz", what="nginx in front of gunicorn", opener=opener, process=proxy,
                           log=tmp_path / "error.log")
        static = opener.open(f"{base}/static/css/app.css", timeout=10)
        assert static.status == 200 and "max-age=2592000" in static.headers["Cache-Control"]
        redirect = subprocess.run(["curl", "-s", "-o", "/dev/null", "-w", "%{http_code} %{redirect_url}",
                                   f"http://127.0.0.1:{http_port}/dang-nhap"], capture_output=True, text=True)
        assert redirect.stdout.startswith("301 https://")

        from tests.storage.test_two_nodes import Browser

        import http.cookiejar

        browser = Browser()
        browser.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()),
                                                     urllib.request.HTTPSHandler(context=context))
        token = browser.token(f"{base}/dang-nhap")
        request = urllib.request.Request(
            f"{base}/dang-nhap", f"csrf_token={token}&username=khong-co&password=sai".encode(),
            {"Content-Type": "application/x-www-form-urlencoded", "X-Forwarded-For": "198.51.100.66",
             "Referer": f"{base}/dang-nhap"})  # Flask-WTF checks the referrer over HTTPS
        try:
            answer = browser.opener.open(request, timeout=30)
            status, body = answer.status, answer.read()
        except urllib.error.HTTPError as error:
            status, body = error.code, error.read()
        assert "Tên đăng nhập hoặc mật khẩu không đúng" in body.decode(), (status, body.decode()[:1500])
        import sqlite3

        database = re.search(r"^DATABASE_URL=sqlite:///(.+)$", env_file.read_text(), re.M).group(1)
        with sqlite3.connect(database) as connection:
            addresses = [row[0] for row in connection.execute("SELECT remote_addr FROM login_failure")]
        assert addresses == ["127.0.0.1"]  # nginx's $remote_addr; the forged address is gone
    finally:
        proxy.terminate()
        web.terminate()
        proxy.wait(timeout=30)
        web.wait(timeout=30)
