"""Benchmark of the compliance board (/phong-trao/<id>/tien-do) at the size of a whole province.

Builds a database with 3,000 participating units and 10,000 initiatives (seeded, so every run
builds the same data), then renders the board N times through the Flask test client signed in
as the secretariat, for Đợt 1 and Đợt 2, and prints per phase: the SQL statements of one
render, the median and p95 render time, the size of the page, and the time of the XLSX export.

    .venv/bin/python bench/board.py                       # SQLite in a temporary file
    .venv/bin/python bench/board.py --database-url postgresql+psycopg://user@host/db
    .venv/bin/python bench/board.py --renders 50 --units 3000 --initiatives 10000

PostgreSQL: the database's tables are DROPPED and re-created; give it a database of its own.
"""
from __future__ import annotations

import argparse
import os
import random
import re
import statistics
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import sqlalchemy as sa  # noqa: E402
from werkzeug.security import generate_password_hash  # noqa: E402

from thidua import create_app, timeutil  # noqa: E402
from thidua.config import Config  # noqa: E402
from thidua.extensions import db  # noqa: E402
from thidua.text import fold  # noqa: E402

PASSWORD = "bench-password"
LAUNCH = date(2024, 8, 1)
REGISTRATION_DEADLINE = date(2024, 8, 25)
REPORT_DEADLINE = date(2024, 10, 31)
# The moment the benchmark lives in (local time): three weeks into Đợt 2, so both series are drawn.
NOW_LOCAL = datetime(2024, 10, 15, 9, 0)

# A province: the Sở's own offices, its schools and centres, the district offices and the
# schools under them. (block, unit type, share of the units, name pattern)
MIX = [
    ("Khối các phòng thuộc Sở", "phong_thuoc_so", 0.006, "Phòng {name}"),
    ("Khối trực thuộc", "thpt", 0.07, "Trường THPT {name}"),
    ("Khối trực thuộc", "tt_gdnn_gdtx", 0.01, "Trung tâm GDNN-GDTX {name}"),
    ("Khối trực thuộc", "pho_thong_nhieu_cap", 0.004, "Trường phổ thông nhiều cấp học {name}"),
    ("Khối Phòng GD&ĐT", "phong_gddt", 0.01, "Phòng GD&ĐT {name}"),
    ("Khối Phòng GD&ĐT", "thcs", 0.3, "Trường THCS {name}"),
    ("Khối Phòng GD&ĐT", "th", 0.3, "Trường Tiểu học {name}"),
    ("Khối Phòng GD&ĐT", "mn", 0.3, "Trường Mầm non {name}"),
]
PLACES = ["Chu Văn An", "Nguyễn Trãi", "Lê Quý Đôn", "Trần Phú", "Phan Đình Phùng", "Việt Đức", "Đống Đa",
          "Hoàng Hoa Thám", "Yên Hòa", "Cầu Giấy", "Nhân Chính", "Thăng Long", "Quang Trung", "Kim Liên",
          "Ba Vì", "Sơn Tây", "Đông Anh", "Sóc Sơn", "Mê Linh", "Thạch Thất", "Quốc Oai", "Hoài Đức"]
STATES = (["draft"] * 3 + ["withdrawn"] + ["registered"] * 4 + ["returned"]
          + ["reported", "under_review", "scored", "shortlisted", "not_awarded", "awarded", "published"] * 2)
REGISTERED = {"registered", "reported", "returned", "under_review", "scored", "shortlisted", "not_awarded",
              "awarded", "published"}
REPORTED = REGISTERED - {"registered", "returned"}


def utc(local: datetime) -> datetime:
    return local.replace(tzinfo=timeutil.zone()).astimezone(timeutil.zone("UTC")).replace(tzinfo=None)


def build(units: int, initiatives: int, seed: int) -> int:
    """Fill the empty tables; returns the campaign's id."""
    from thidua.auth.models import User
    from thidua.campaigns.models import Campaign, CampaignUnit
    from thidua.models import refresh_figures
    from thidua.phases import Extension
    from thidua.registration.models import Initiative
    from thidua.results.models import ResultReport
    from thidua.units.models import Unit

    rng = random.Random(seed)
    now = utc(NOW_LOCAL)
    root = Unit(code="so-gddt", name="Sở Giáo dục và Đào tạo", block="", unit_type="so", is_organiser=True)
    office = Unit(code="van-phong", name="Văn phòng Sở", block="Khối các phòng thuộc Sở", unit_type="phong_thuoc_so")
    db.session.add_all([root, office])
    db.session.flush()
    office.parent_id = root.id
    secretariat = User(username="vanphong", full_name="Nguyễn Thị Thu Hà", role="secretariat", unit_id=office.id,
                       organiser_id=root.id,
                       password_hash=generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000"))
    db.session.add(secretariat)
    campaign = Campaign(organiser_id=root.id, name="Phong trào thi đua “Cải cách hành chính” năm 2024", year=2024,
                        period="2023–2025", launch_date=LAUNCH, registration_deadline=REGISTRATION_DEADLINE,
                        report_deadline=REPORT_DEADLINE, city_report_deadline=REPORT_DEADLINE + timedelta(days=15),
                        min_initiatives_per_unit=1)
    db.session.add(campaign)
    db.session.flush()

    rows = []
    for block, unit_type, share, pattern in MIX:
        for n in range(max(1, round(units * share))):
            name = pattern.format(name=f"{PLACES[n % len(PLACES)]} {n // len(PLACES) + 1}")
            code = f"{unit_type}-{n}"
            rows.append({"code": code, "name": name, "short_name": "", "block": block, "unit_type": unit_type,
                         "district": PLACES[(n * 7) % len(PLACES)], "email": f"{code}@example.edu.vn",
                         "parent_id": root.id, "is_active": True,
                         "search_text": fold(f"{name} {code} {PLACES[(n * 7) % len(PLACES)]}"),
                         "created_at": now, "updated_at": now})
    rows = rows[:units]
    db.session.execute(sa.insert(Unit), rows)
    ids = db.session.scalars(sa.select(Unit.id).where(Unit.parent_id == root.id, Unit.id != office.id)
                             .order_by(Unit.id)).all()
    db.session.execute(sa.insert(CampaignUnit), [{"campaign_id": campaign.id, "unit_id": u} for u in ids])

    launch = timeutil.start_of_day_utc(LAUNCH)
    registration_span = int((timeutil.end_of_day_utc(REGISTRATION_DEADLINE) - launch).total_seconds())
    report_open = timeutil.end_of_day_utc(REGISTRATION_DEADLINE)
    report_span = int((now - report_open).total_seconds())
    working = [u for u in ids if rng.random() < 0.85]  # some units have not started at all
    initiative_rows = []
    for k in range(initiatives):
        status = rng.choice(STATES)
        registered_at = launch + timedelta(seconds=rng.randrange(registration_span)) if status in REGISTERED else None
        initiative_rows.append({
            "campaign_id": campaign.id, "unit_id": working[k] if k < len(working) else rng.choice(working),
            "status": status, "version": 1, "kind": "giai_phap", "title": f"Giải pháp cải cách hành chính số {k}",
            "area": "tthc", "author_type": "tap_the", "search_text": f"giai phap cai cach hanh chinh so {k}",
            "created_at": launch, "updated_at": registered_at or launch, "registered_at": registered_at,
        })
    db.session.execute(sa.insert(Initiative).execution_options(render_nulls=True), initiative_rows)
    reported = db.session.scalars(sa.select(Initiative.id).where(Initiative.status.in_(REPORTED))).all()
    db.session.execute(sa.insert(ResultReport), [
        {"initiative_id": i, "version": 1, "created_at": now, "updated_at": now,
         "submitted_at": report_open + timedelta(seconds=rng.randrange(report_span))} for i in reported
    ])
    db.session.execute(sa.insert(Extension), [
        {"campaign_id": campaign.id, "unit_id": u, "phase": "registration",
         "until": REGISTRATION_DEADLINE + timedelta(days=7), "reason": "Gia hạn", "granted_by_id": secretariat.id,
         "granted_at": now} for u in ids[::40]
    ])
    refresh_figures(campaign.id)  # the rows above bypass the ORM's bookkeeping
    db.session.commit()
    if db.engine.dialect.name == "postgresql":
        with db.engine.connect() as connection:
            connection.execute(sa.text("ANALYZE"))
            connection.commit()
    return campaign.id


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(fraction * len(ordered) + 0.5) - 1))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", help="SQLAlchemy URL (default: SQLite in a temporary file)")
    parser.add_argument("--units", type=int, default=3000)
    parser.add_argument("--initiatives", type=int, default=10000)
    parser.add_argument("--renders", type=int, default=20)
    parser.add_argument("--exports", type=int, default=5)
    parser.add_argument("--seed", type=int, default=2024)
    args = parser.parse_args()

    workdir = tempfile.mkdtemp(prefix="thidua-bench-")
    url = args.database_url or f"sqlite:///{workdir}/bench.sqlite"

    class BenchConfig(Config):
        SQLALCHEMY_DATABASE_URI = url
        SECRET_KEY = "bench"
        UPLOAD_FOLDER = f"{workdir}/files"
        JOBS_IN_PROCESS = "sync"
        REDIS_URL = None

    app = create_app(BenchConfig)
    timeutil.freeze(utc(NOW_LOCAL))
    began = time.perf_counter()
    with app.app_context():
        db.drop_all()
        db.create_all()
        campaign_id = build(args.units, args.initiatives, args.seed)
        from thidua.campaigns.models import CampaignUnit
        from thidua.registration.models import Initiative

        counts = (db.session.scalar(sa.select(sa.func.count()).select_from(CampaignUnit)),
                  db.session.scalar(sa.select(sa.func.count()).select_from(Initiative)))
    print(f"database: {url.split(':')[0]} ({'temporary file ' + url if not args.database_url else url})")
    print(f"data: {counts[0]:,} participating units, {counts[1]:,} initiatives, built in "
          f"{time.perf_counter() - began:.1f} s")

    client = app.test_client()
    page = client.get("/dang-nhap").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    response = client.post("/dang-nhap", data={"username": "vanphong", "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 302, "sign-in failed"

    statements: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    with app.app_context():
        engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", count)
    base = f"/phong-trao/{campaign_id}/tien-do"
    print(f"renders: {args.renders} per phase (after one warm-up), exports: {args.exports}")
    for phase in ("registration", "report"):
        url_ = f"{base}?phase={phase}"
        client.get(url_)  # warm-up
        times, per_render = [], set()
        size = 0
        for _ in range(args.renders):
            statements.clear()
            start = time.perf_counter()
            response = client.get(url_)
            body = response.get_data()
            times.append((time.perf_counter() - start) * 1000)
            assert response.status_code == 200, response.status_code
            per_render.add(len(statements))
            size = len(body)
        exports = []
        for _ in range(args.exports):
            start = time.perf_counter()
            response = client.get(f"{url_}&format=xlsx")
            data = response.get_data()
            exports.append((time.perf_counter() - start) * 1000)
            assert response.status_code == 200 and data[:2] == b"PK"
        print(f"  {phase:<12} statements per render: {', '.join(map(str, sorted(per_render)))} | "
              f"median {statistics.median(times):.0f} ms, p95 {percentile(times, 0.95):.0f} ms | "
              f"page {size / 1024:.0f} KiB | XLSX export median {statistics.median(exports):.0f} ms "
              f"({len(data) / 1024:.0f} KiB)")
    sa.event.remove(engine, "before_cursor_execute", count)
    timeutil.freeze(None)
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


if __name__ == "__main__":
    os.environ.setdefault("THIDUA_JOBS_IN_PROCESS", "sync")
    main()
