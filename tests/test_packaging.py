"""A wheel built from the repository runs on its own: the templates, the migrations, the static files
and the demo directory travel inside it, and nothing is read from the checkout."""
from __future__ import annotations

import os
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# Run from the unpacked wheel: migrate an empty SQLite database to the head, then serve the sign-in
# page and a static file through the test client.
SCRIPT = r"""
import sys
from pathlib import Path
import thidua
assert Path(thidua.__file__).is_relative_to(Path(sys.argv[1])), thidua.__file__
from flask_migrate import upgrade
app = thidua.create_app()
with app.app_context():
    upgrade()
    from thidua.extensions import db
    import sqlalchemy as sa
    print("tables", len(sa.inspect(db.engine).get_table_names()))
client = app.test_client()
page = client.get("/dang-nhap")
print("login", page.status_code, "Đăng nhập" in page.get_data(as_text=True))
print("static", client.get("/static/css/app.css").status_code)
print("templates", app.jinja_loader.searchpath[0])
"""


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """The wheel, built from a copy of the tracked files (the checkout itself is left untouched)."""
    work = tmp_path_factory.mktemp("wheel")
    tracked = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True).stdout
    source = work / "src"
    source.mkdir()
    with tarfile.open(work / "src.tar", "w") as archive:
        for name in filter(None, tracked.decode().split("\0")):
            if (ROOT / name).exists():
                archive.add(ROOT / name, arcname=name)
    with tarfile.open(work / "src.tar") as archive:
        archive.extractall(source, filter="data")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation", "-w",
                    str(work / "dist"), str(source)], check=True, capture_output=True)
    (built,) = (work / "dist").glob("thidua-*.whl")
    return built


def test_the_wheel_carries_the_templates_the_migrations_and_the_static_files(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    for folder in ("templates", "migrations"):
        expected = {f"thidua/{folder}/{path.relative_to(ROOT / folder).as_posix()}" for path in (ROOT / folder).rglob("*") if path.is_file() and "__pycache__" not in path.parts}
        assert expected and expected <= names, sorted(expected - names)[:5]
    assert "thidua/static/css/app.css" in names and "thidua/demo_data/units-hanoi.csv" in names
    assert not any("__pycache__" in name or name.endswith(".pyc") for name in names)


def test_the_installed_wheel_migrates_an_empty_database_and_serves_its_pages(wheel, tmp_path):
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    elsewhere = tmp_path / "run"
    elsewhere.mkdir()
    env = {**os.environ, "PYTHONPATH": str(site), "DATABASE_URL": f"sqlite:///{tmp_path / 'wheel.db'}",
           "SECRET_KEY": "wheel-test", "THIDUA_UPLOAD_FOLDER": str(tmp_path / "files")}
    done = subprocess.run([sys.executable, "-c", SCRIPT, str(site)], cwd=elsewhere, env=env, capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    lines = dict(line.split(" ", 1) for line in done.stdout.strip().splitlines())
    assert int(lines["tables"]) > 30
    assert lines["login"] == "200 True"
    assert lines["static"] == "200"
    assert lines["templates"].startswith(str(site))
