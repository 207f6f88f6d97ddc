"""deploy/: the production steps of the README, run as written on a fresh database.

The environment file is the example's, with a temporary database and folders; the commands are the
README's, through deploy/thidua-flask and deploy/backup.sh, in processes of their own.
"""
from __future__ import annotations

import os
import re
import subprocess
import sys
import tarfile
import time
from pathlib import Path

import pytest

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
        from tests.storage.test_two_nodes import Browser

        browser, base = Browser(), f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                if browser.get(f"{base}/healthz")[0] == 200:
                    break
            except OSError:
                pass
            assert time.monotonic() < deadline, "gunicorn did not start"
            time.sleep(0.2)
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
