"""Benchmark of the report to UBND Thành phố at the size of a province: time and peak memory.

Builds the board benchmark's campaign (3,000 units, 10,000 initiatives; bench/board.py) and adds
what the report reads besides: CCHC areas and kinds spread over the initiatives, two or three
indicators on every results report (common names spelt several ways), and two submitted reviews on
every scored initiative. Then, in a fresh process as a worker would be, runs the report job
(figures → Word → XLSX → storage) and prints its wall time, the process's peak memory (RSS) before
and after, and the size of the files.

    .venv/bin/python bench/report.py                    # SQLite in a temporary file
    .venv/bin/python bench/report.py --database-url postgresql+psycopg://user@host/db
    .venv/bin/python bench/report.py --runs 3 --units 3000 --initiatives 10000

PostgreSQL: the database's tables are DROPPED and re-created; give it a database of its own.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

INDICATORS = [
    ("Thời gian giải quyết hồ sơ", "ngày", (3, 15), 0.4),
    ("Thoi gian giai quyet ho so", "Ngày", (3, 15), 0.4),
    ("Số hồ sơ tiếp nhận trực tuyến", "hồ sơ", (50, 2000), 1.8),
    ("Tỷ lệ hồ sơ trực tuyến", "%", (10, 60), 1.5),
    ("Mức độ hài lòng của phụ huynh", "%", (60, 85), 1.1),
    ("Chi phí in ấn", "triệu đồng", (5, 80), 0.5),
    ("Số giờ làm việc tiết kiệm", "giờ", (10, 300), 1.0),
]


def _child(database_url: str, upload: str, campaign_id: int) -> None:
    """Run one report job in this fresh process and print its figures as JSON."""
    os.environ["DATABASE_URL"] = database_url
    from thidua import create_app
    from thidua.config import Config
    from thidua.extensions import db
    from thidua.jobs.models import Job
    from thidua.jobs.services import execute, start_job
    from thidua.reports.models import CityReport
    from thidua.reports.services import GENERATE_REPORT

    class BenchConfig(Config):
        SQLALCHEMY_DATABASE_URI = database_url
        UPLOAD_FOLDER = upload
        REDIS_URL = None

    app = create_app(BenchConfig)
    with app.app_context():
        report = CityReport(campaign_id=campaign_id, number=int(time.time() * 1000) % 1_000_000_000, draft={})
        db.session.add(report)
        db.session.flush()
        job = start_job(GENERATE_REPORT, campaign_id=campaign_id, report_id=report.id)
        report.job_id = job.id
        db.session.commit()
        before = _peak_kib()
        started = time.perf_counter()
        execute(job.id)
        elapsed = time.perf_counter() - started
        peak = _peak_kib()
        job = db.session.get(Job, job.id)
        report = db.session.get(CityReport, report.id)
        print(json.dumps({"seconds": elapsed, "rss_before_kib": before, "rss_peak_kib": peak, "status": job.status,
                          "error": job.error, "docx": report.docx_size, "xlsx": report.xlsx_size,
                          "headline": report.headline}))


def _peak_kib() -> int:
    """This process's own peak RSS. getrusage's ru_maxrss would also count the parent's size when this child
    was started (Linux keeps the largest RSS across fork and exec); /proc's VmHWM is this program's alone."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def _enrich(campaign_id: int, seed: int) -> dict:
    """Areas, kinds, indicators and reviews on top of the board benchmark's campaign."""
    import sqlalchemy as sa
    from werkzeug.security import generate_password_hash

    from thidua.auth.models import User
    from thidua.campaigns.models import Campaign
    from thidua.extensions import db
    from thidua.registration.models import AREA_LABELS, KIND_LABELS, Initiative
    from thidua.results.models import ReportIndicator, ResultReport
    from thidua.models import refresh_figures
    from thidua.review.models import Assignment, CommitteeMember, Review

    rng = random.Random(seed)
    areas, kinds = list(AREA_LABELS), list(KIND_LABELS)
    ids = db.session.scalars(sa.select(Initiative.id).where(Initiative.campaign_id == campaign_id)
                             .order_by(Initiative.id)).all()
    by_pair: dict[tuple[str, str], list[int]] = {}
    for initiative_id in ids:
        by_pair.setdefault((rng.choice(areas), rng.choice(kinds)), []).append(initiative_id)
    for (area, kind), members in by_pair.items():
        db.session.execute(sa.update(Initiative).where(Initiative.id.in_(members)).values(area=area, kind=kind))
    reports = db.session.execute(sa.select(ResultReport.id, ResultReport.initiative_id)).all()
    db.session.execute(sa.update(ResultReport).values(
        achievements="Rút ngắn thời gian giải quyết hồ sơ, tăng tỷ lệ hồ sơ trực tuyến; phụ huynh hài lòng hơn."))
    indicator_rows = []
    for report_id, _ in reports:
        for position, (name, unit, (low, high), factor) in enumerate(rng.sample(INDICATORS, rng.randint(2, 3))):
            before = rng.randint(low, high)
            indicator_rows.append({"report_id": report_id, "position": position, "name": name,
                                   "unit_of_measure": unit, "before": before,
                                   "after": round(before * factor * rng.uniform(0.9, 1.1), 2), "source": ""})
    db.session.execute(sa.insert(ReportIndicator), indicator_rows)
    reviewers = []
    for n in range(2):
        reviewer = User(username=f"hoidong{n}", full_name=f"Thành viên Hội đồng {n}", role="reviewer",
                        organiser_id=db.session.get(Campaign, campaign_id).organiser_id,
                        password_hash=generate_password_hash("bench", method="pbkdf2:sha256:1"))
        db.session.add(reviewer)
        db.session.flush()
        db.session.add(CommitteeMember(campaign_id=campaign_id, user_id=reviewer.id))
        reviewers.append(reviewer.id)
    ranked = db.session.scalars(sa.select(Initiative.id).where(
        Initiative.campaign_id == campaign_id,
        Initiative.status.in_(["under_review", "scored", "shortlisted", "not_awarded", "awarded", "published"]))).all()
    db.session.execute(sa.insert(Assignment), [{"campaign_id": campaign_id, "initiative_id": i, "reviewer_id": r}
                                               for i in ranked for r in reviewers])
    assignments = db.session.scalars(sa.select(Assignment.id).where(Assignment.campaign_id == campaign_id)).all()
    db.session.execute(sa.insert(Review), [{"assignment_id": a, "status": "submitted",
                                            "total": round(rng.uniform(55, 98), 2)} for a in assignments])
    refresh_figures(campaign_id)  # the rows above bypass the ORM's bookkeeping
    db.session.commit()
    if db.engine.dialect.name == "postgresql":  # as a bulk import should, so the planner knows the new rows
        with db.engine.connect() as connection:
            connection.execute(sa.text("ANALYZE"))
            connection.commit()
    return {"indicators": len(indicator_rows), "reviews": len(assignments), "reports": len(reports)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url")
    parser.add_argument("--units", type=int, default=3000)
    parser.add_argument("--initiatives", type=int, default=10000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--child", nargs=3, metavar=("URL", "UPLOAD", "CAMPAIGN"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _child(args.child[0], args.child[1], int(args.child[2]))
        return

    from bench.board import build
    from thidua import create_app
    from thidua.config import Config
    from thidua.extensions import db

    workdir = tempfile.mkdtemp(prefix="thidua-bench-report-")
    url = args.database_url or f"sqlite:///{workdir}/bench.sqlite"

    class BenchConfig(Config):
        SQLALCHEMY_DATABASE_URI = url
        UPLOAD_FOLDER = f"{workdir}/files"

    app = create_app(BenchConfig)
    with app.app_context():
        db.drop_all()
        db.create_all()
        started = time.perf_counter()
        campaign_id = build(args.units, args.initiatives, args.seed)
        extra = _enrich(campaign_id, args.seed)
        print(f"data: {args.units:,} units, {args.initiatives:,} initiatives, {extra['reports']:,} results reports "
              f"with {extra['indicators']:,} indicators, {extra['reviews']:,} reviews, built in "
              f"{time.perf_counter() - started:.1f} s")
        db.session.remove()
        db.engine.dispose()
    database = "PostgreSQL" if url.startswith("postgresql") else "SQLite"
    for run in range(1, args.runs + 1):
        output = subprocess.run([sys.executable, __file__, "--child", url, f"{workdir}/files", str(campaign_id)],
                                cwd=ROOT, capture_output=True, text=True, check=True).stdout
        result = json.loads(output.strip().splitlines()[-1])
        if result["status"] != "done":
            raise SystemExit(f"the report job failed: {result['error']}")
        headline = result["headline"]
        print(f"run {run} ({database}): {result['seconds']:.2f} s | worker RSS {result['rss_before_kib'] / 1024:.0f} MiB "
              f"before, peak {result['rss_peak_kib'] / 1024:.0f} MiB | Word {result['docx'] / 1024:.0f} KiB, "
              f"XLSX {result['xlsx'] / 1024:.0f} KiB | {headline['initiatives']:,} registered initiatives, "
              f"{headline['shortlisted']:,} shortlisted")


if __name__ == "__main__":
    main()
