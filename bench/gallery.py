"""Benchmark of the public gallery list (/thu-vien) with 50,000 published models.

Builds the tables on the database named by DATABASE_URL (or --database-url; default SQLite in a
temporary file), bulk-inserts N published initiatives with their gallery rows (seeded, so every
run builds the same data), then requests the list page anonymously through the Flask test client
and prints, per case, the SQL statements of one request and the median and p95 time (server side:
queries, Python and template; no network): the plain list, a filtered list, a deep page, the
most-replicated sort, and searches with and without diacritics.

    DATABASE_URL=postgresql+psycopg://user@host/db .venv/bin/python bench/gallery.py
    .venv/bin/python bench/gallery.py --models 50000 --requests 30

The database's tables are DROPPED and re-created: give it a database of its own.
"""
from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path
from urllib.parse import quote

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import sqlalchemy as sa  # noqa: E402

from thidua import create_app  # noqa: E402
from thidua.config import Config  # noqa: E402
from thidua.extensions import db  # noqa: E402
from thidua.text import slugify  # noqa: E402

AREAS = ["the_che", "tthc", "to_chuc_bo_may", "cong_vu", "tai_chinh_cong", "chinh_quyen_so", "chi_dao_dieu_hanh",
         "de_an_06", "khac"]
UNIT_TYPES = [("thpt", "Trường THPT"), ("thcs", "Trường THCS"), ("th", "Trường Tiểu học"), ("mn", "Trường Mầm non"),
              ("phong_gddt", "Phòng GD&ĐT"), ("tt_gdnn_gdtx", "Trung tâm GDNN-GDTX")]
PLACES = ["Chu Văn An", "Nguyễn Trãi", "Lê Quý Đôn", "Trần Phú", "Phan Đình Phùng", "Việt Đức", "Đống Đa",
          "Hoàng Hoa Thám", "Yên Hòa", "Cầu Giấy", "Nhân Chính", "Thăng Long", "Quang Trung", "Kim Liên"]
SUBJECTS = ["Ứng dụng chữ ký số", "Một cửa điện tử", "Số hóa hồ sơ", "Tra cứu văn bằng trực tuyến",
            "Thanh toán không dùng tiền mặt", "Sổ liên lạc điện tử", "Tuyển sinh trực tuyến",
            "Làm sạch dữ liệu dân cư", "Khảo sát sự hài lòng", "Quản lý tài sản công", "Lưu trữ điện tử",
            "Họp không giấy", "Cải tiến quy trình nội bộ", "Công khai tài chính", "Chuyển đổi số trong dạy học"]
OBJECTS = ["hồ sơ học sinh", "hồ sơ chuyên môn của giáo viên", "thủ tục hành chính", "học phí", "tuyển sinh lớp 10",
           "văn bản đi đến", "kế hoạch bài dạy", "thiết bị dạy học", "chế độ chính sách", "hồ sơ cán bộ"]
LEVELS = ["", "", "Giấy khen của Giám đốc Sở", "Bằng khen của Chủ tịch UBND Thành phố"]
CASES = [
    ("plain list", "/thu-vien"),
    ("filtered: area + year", "/thu-vien?area=chinh_quyen_so&year=2024"),
    ("filtered: unit type + level", "/thu-vien?unit_type=thcs&level=" + quote("Giấy khen của Giám đốc Sở")),
    ("page 100", "/thu-vien?page=100"),
    ("sort by replications", "/thu-vien?sort=nhan-rong"),
    ("search 'mot cua' (no diacritics)", "/thu-vien?q=mot+cua"),
    ("search 'một cửa' (diacritics)", "/thu-vien?q=" + quote("một cửa")),
    ("search 'chu ky so giao vien'", "/thu-vien?q=chu+ky+so+giao+vien"),
    ("search rare 'hop khong giay van ban'", "/thu-vien?q=hop+khong+giay+van+ban"),
    ("search + filter + sort", "/thu-vien?q=" + quote("số hóa") + "&area=tthc&sort=nhan-rong"),
    ("JSON listing", "/thu-vien.json?q=tuyen+sinh"),
]


def build(models: int, seed: int) -> None:
    rng = random.Random(seed)
    now = datetime(2025, 11, 1, 3, 0)
    from thidua.campaigns.models import Campaign
    from thidua.gallery.models import GalleryEntry
    from thidua.gallery.services import search_document
    from thidua.registration.models import Initiative
    from thidua.units.models import Unit

    with db.engine.begin() as connection:
        unit_count = max(50, models // 25)
        connection.execute(sa.insert(Unit.__table__), [
            {"code": f"u{n}", "name": f"{UNIT_TYPES[n % len(UNIT_TYPES)][1]} {PLACES[n % 14]} {n}",
             "unit_type": UNIT_TYPES[n % len(UNIT_TYPES)][0], "created_at": now, "updated_at": now}
            for n in range(unit_count)])
        units = connection.execute(sa.select(Unit.id, Unit.name, Unit.unit_type).order_by(Unit.id)).all()
        connection.execute(sa.insert(Campaign.__table__), [
            {"organiser_id": units[0].id, "name": f"Phong trào {year}", "year": year, "period": "2023–2025",
             "launch_date": date(year, 8, 1), "registration_deadline": date(year, 8, 25),
             "report_deadline": date(year, 10, 31), "city_report_deadline": date(year, 11, 15),
             "created_at": now, "updated_at": now} for year in (2023, 2024, 2025)])
        campaigns = dict(connection.execute(sa.select(Campaign.year, Campaign.id)).all())
        rows, entries = [], []
        for n in range(models):
            unit = units[rng.randrange(len(units))]
            year = rng.choice((2023, 2024, 2025))
            title = f"{rng.choice(SUBJECTS)} trong quản lý {rng.choice(OBJECTS)} tại {unit.name}"
            area = rng.choice(AREAS)
            summary = (f"Đơn vị triển khai {title.lower()}: rút ngắn thời gian xử lý từ {rng.randint(3, 15)} ngày "
                       f"xuống {rng.randint(1, 3)} ngày; {rng.randint(60, 100)}% hồ sơ được tiếp nhận trực tuyến.")
            rows.append({"campaign_id": campaigns[year], "unit_id": unit.id, "status": "published", "kind": "mo_hinh",
                         "title": title, "area": area, "search_text": "", "created_at": now, "updated_at": now})
            entries.append({"unit": unit, "year": year, "title": title, "area": area, "summary": summary})
        connection.execute(sa.insert(Initiative.__table__), rows)
        ids = connection.execute(sa.select(Initiative.id).order_by(Initiative.id)).scalars().all()
        gallery_rows = []
        for initiative_id, e in zip(ids, entries):
            published = now - timedelta(minutes=rng.randrange(0, 3 * 365 * 24 * 60))
            gallery_rows.append({
                "initiative_id": initiative_id, "is_public": True, "title": e["title"], "slug": slugify(e["title"]),
                "summary": e["summary"], "excerpt": e["summary"][:300],
                "search_text": search_document(e["title"], e["summary"], "Thời gian xử lý hồ sơ", e["unit"].name),
                "kind": "mo_hinh", "area": e["area"], "year": e["year"], "unit_id": e["unit"].id,
                "unit_name": e["unit"].name, "unit_type": e["unit"].unit_type, "commendation": rng.choice(LEVELS),
                "adoption_count": min(int(rng.expovariate(0.4)), 60), "published_at": published, "updated_at": now,
            })
        connection.execute(sa.insert(GalleryEntry.__table__), gallery_rows)
    if db.engine.dialect.name == "postgresql":
        # What autovacuum does after a bulk load: statistics, and the visibility map for index-only counts.
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(sa.text("VACUUM ANALYZE"))


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(fraction * len(ordered) + 0.5) - 1))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL"),
                        help="SQLAlchemy URL (default: DATABASE_URL, else SQLite in a temporary file)")
    parser.add_argument("--models", type=int, default=50000)
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--explain", action="store_true", help="print PostgreSQL's plan of the search query")
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
    with app.app_context():
        began = time.perf_counter()
        db.drop_all()
        db.create_all()
        build(args.models, args.seed)
        print(f"data: {args.models:,} published models on {db.engine.dialect.name}, built in "
              f"{time.perf_counter() - began:.1f} s")
        if args.explain and db.engine.dialect.name == "postgresql":
            from thidua.gallery.services import Filters, public_entries

            stmt = public_entries(Filters(q="mot cua")).limit(20)
            compiled = stmt.compile(db.engine, compile_kwargs={"literal_binds": True})
            for (line,) in db.session.execute(sa.text(f"EXPLAIN ANALYZE {compiled}")):
                print("   ", line)

    client = app.test_client()
    statements: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    with app.app_context():
        sa.event.listen(db.engine, "before_cursor_execute", count)
    print(f"requests: {args.requests} per case (after one warm-up), anonymous, through the test client")
    for label, path in CASES:
        response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)
        statements.clear()
        client.get(path)
        per_request = len(statements)
        times = []
        for _ in range(args.requests):
            start = time.perf_counter()
            response = client.get(path)
            times.append((time.perf_counter() - start) * 1000)
        data = response.get_json() if path.startswith("/thu-vien.json") else None
        total = data["total"] if data else response.get_data(as_text=True).count('class="model-card"')
        print(f"  {label:<38} statements {per_request} | median {statistics.median(times):6.1f} ms, "
              f"p95 {percentile(times, 0.95):6.1f} ms | {'matches' if data else 'cards'} {total}")


if __name__ == "__main__":
    main()
