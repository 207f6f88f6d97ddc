"""Benchmark of the Google Forms import with a 5,000-row export.

Loads the sample directory (thidua/demo_data/units-hanoi.csv) and a 2023 campaign, writes a
registration export of N rows shaped like the samples (the sample answers cycled, unit names
as people typed them, every title made distinct, all fields quoted, CRLF) and a results-report
export answering each of those registrations, then times for each file: the dry run
(plan_batch: read, match, plan) and the import (apply_batch + commit, one transaction).

    .venv/bin/python bench/import_forms.py                      # SQLite in a temporary file
    .venv/bin/python bench/import_forms.py --rows 5000 --database-url postgresql+psycopg://user@host/db

PostgreSQL: the database's tables are DROPPED and re-created; give it a database of its own.
"""
from __future__ import annotations

import argparse
import csv
import io
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import sqlalchemy as sa  # noqa: E402

from thidua import create_app  # noqa: E402
from thidua.config import Config  # noqa: E402
from thidua.extensions import db  # noqa: E402

DATA = Path(__file__).resolve().parent.parent / "thidua" / "demo_data"
# Names that need the user's choice (a namesake, a unit not in the directory): left out of the bench.
UNCLEAR = {"THPT Nguyễn Trãi", "Trường THCS Trưng Vương", "THPT Quang Trung"}


def _rows(name: str) -> tuple[list[str], list[list[str]]]:
    with open(DATA / name, encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    return rows[0], [r for r in rows[1:] if any(c.strip() for c in r) and r[2 if name.startswith("dk") else 3] not in UNCLEAR]


def _csv(header: list[str], rows: list[list[str]]) -> bytes:
    out = io.StringIO(newline="")
    writer = csv.writer(out, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def make_exports(count: int) -> tuple[bytes, bytes]:
    header, source = _rows("dk_khoitructhuoc.csv")
    _, offices = _rows("dk_khoicacphongthuocso.csv")
    source += offices
    report_header, report_source = _rows("bckq_mohinhgiaiphap.csv")
    start = datetime(2023, 8, 1, 7, 0)
    registrations, reports = [], []
    for index in range(count):
        row = list(source[index % len(source)])
        row[0] = (start + timedelta(seconds=index * 400)).strftime("%d/%m/%Y %H:%M:%S")
        row[6] = f"{row[6]} (nhân rộng lần {index + 1})"
        registrations.append(row)
        answer = list(report_source[index % len(report_source)])
        answer[0] = (datetime(2023, 9, 1, 7, 0) + timedelta(seconds=index * 900)).strftime("%d/%m/%Y %H:%M:%S")
        answer[3] = row[2]
        answer[7] = row[6].upper()
        reports.append(answer)
    return _csv(header, registrations), _csv(report_header, reports)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", help="SQLAlchemy URL (default: SQLite in a temporary file)")
    parser.add_argument("--rows", type=int, default=5000)
    args = parser.parse_args()
    workdir = tempfile.mkdtemp(prefix="thidua-bench-")
    url = args.database_url or f"sqlite:///{workdir}/bench.sqlite"

    class BenchConfig(Config):
        SQLALCHEMY_DATABASE_URI = url
        SECRET_KEY = "bench"
        UPLOAD_FOLDER = f"{workdir}/files"
        REDIS_URL = None

    app = create_app(BenchConfig)
    with app.app_context():
        db.drop_all()
        db.create_all()
        from thidua.auth.models import User
        from thidua.auth.roles import Role
        from thidua.campaigns import services as campaign_services
        from thidua.imports import services
        from thidua.units.importer import apply_plan, plan_import
        from thidua.units.models import Unit

        apply_plan(plan_import("units-hanoi.csv", (DATA / "units-hanoi.csv").read_bytes()), actor=None)
        units = {u.code: u for u in db.session.scalars(sa.select(Unit))}
        office = User(username="vanphong", full_name="Văn phòng", role=Role.SECRETARIAT.value,
                      unit_id=units["van-phong"].id, organiser_id=units["van-phong"].parent_id, password_hash="x")
        db.session.add(office)
        campaign = campaign_services.create_campaign(
            actor=office, organiser=units["so-gddt-ha-noi"], name="Phong trào 2023", year=2023, period="2023–2025",
            launch_date=date(2023, 8, 1), registration_deadline=date(2023, 8, 25), report_deadline=date(2023, 10, 31),
        )
        campaign_services.set_participants(
            campaign, {(u.block, u.unit_type) for u in units.values() if u.parent_id}, actor=office)
        db.session.commit()

        registrations, reports = make_exports(args.rows)
        print(f"database: {url.split(':')[0]}; directory: {len(units)} units; rows per file: {args.rows:,}")
        for label, name, data, kind in (("registrations", "dk.csv", registrations, "registration"),
                                        ("results reports", "bckq.csv", reports, "report")):
            batch = services.create_batch(campaign, name, data, kind=kind, actor=office)
            db.session.commit()
            began = time.perf_counter()
            plan = services.plan_batch(batch)
            dry_run = time.perf_counter() - began
            began = time.perf_counter()
            counts = services.apply_batch(batch, actor=office)
            db.session.commit()
            applied = time.perf_counter() - began
            made = counts["create"] + counts["report"]
            print(f"  {label:16} {len(data) / 1024:7.0f} KiB | dry run {dry_run:5.2f} s | import {applied:5.2f} s "
                  f"| {made:,} records, {counts['superseded']} superseded, {counts['refused']} refused, "
                  f"{len(plan.names)} distinct unit names")


if __name__ == "__main__":
    main()
