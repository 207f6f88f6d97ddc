"""Running time of the automatic assignment for 3,000 initiatives and 60 reviewers (k = 3).

    .venv/bin/python bench/assignment.py            # the algorithm alone, median of 5 runs
    .venv/bin/python bench/assignment.py --service  # also through the real service on a temporary SQLite

Units and their initiatives are random but seeded, so the figures are comparable run to run.
"""
from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import thidua.models  # noqa: E402,F401  (imports the app's modules in their working order)
from thidua.review.assignment import Candidate, plan_assignment  # noqa: E402

INITIATIVES, REVIEWERS, UNITS, K, RUNS = 3000, 60, 400, 3, 5


def population(seed: int = 42):
    rng = random.Random(seed)
    initiatives = [Candidate(100000 + n, rng.randrange(UNITS)) for n in range(INITIATIVES)]
    reviewers = [Candidate(1 + n, rng.randrange(UNITS) if n % 3 else None) for n in range(REVIEWERS)]
    return initiatives, reviewers


def algorithm() -> None:
    initiatives, reviewers = population()
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        plan = plan_assignment(initiatives, reviewers, K, seed=7)
        times.append(time.perf_counter() - start)
    assert plan.ok, plan.problems
    loads = Counter(r for _, r in plan.pairs)
    print(f"plan_assignment: {INITIATIVES} initiatives × k={K}, {REVIEWERS} reviewers, {UNITS} units -> "
          f"{len(plan.pairs)} pairs, loads {min(loads.values())}–{max(loads.values())}; "
          f"median of {RUNS}: {statistics.median(times) * 1000:.0f} ms (min {min(times) * 1000:.0f}, "
          f"max {max(times) * 1000:.0f})")
    # The exact fallback alone (what runs when the greedy pass falls short).
    from thidua.review import assignment as module

    original = module._greedy
    module._greedy = lambda *args, **kwargs: None
    try:
        flow_times = []
        for _ in range(3):
            start = time.perf_counter()
            flow = plan_assignment(initiatives, reviewers, K, seed=7)
            flow_times.append(time.perf_counter() - start)
    finally:
        module._greedy = original
    assert flow.ok, flow.problems
    print(f"min-cost-flow fallback alone: median of 3: {statistics.median(flow_times):.2f} s")


def service() -> None:
    import sqlalchemy as sa

    from thidua import create_app
    from thidua.auth.models import User
    from thidua.auth.roles import Role
    from thidua.campaigns.models import Campaign
    from thidua.config import Config
    from thidua.extensions import db
    from thidua.registration.models import Initiative
    from thidua.review import assigning
    from thidua.review.models import Assignment, CommitteeMember
    from thidua.units.models import Unit
    from datetime import date

    folder = tempfile.mkdtemp(prefix="thidua-bench-")

    class BenchConfig(Config):
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{folder}/bench.sqlite"
        SECRET_KEY = "bench"
        UPLOAD_FOLDER = f"{folder}/files"

    app = create_app(BenchConfig)
    with app.app_context():
        db.create_all()
        rng = random.Random(42)
        db.session.execute(sa.insert(Unit), [{"code": f"u{n}", "name": f"Đơn vị {n}", "unit_type": "thpt",
                                             "block": "Khối trực thuộc"} for n in range(UNITS)])
        unit_ids = db.session.scalars(sa.select(Unit.id)).all()
        campaign = Campaign(name="Bench", year=2024, organiser_id=unit_ids[0], launch_date=date(2024, 1, 1),
                            registration_deadline=date(2024, 2, 1), report_deadline=date(2024, 3, 1))
        db.session.add(campaign)
        db.session.flush()
        db.session.execute(sa.insert(User), [{"username": f"r{n}", "full_name": f"Thành viên {n}", "role": Role.REVIEWER.value,
                                              "password_hash": "x", "unit_id": rng.choice(unit_ids) if n % 3 else None,
                                              "organiser_id": unit_ids[0]}
                                             for n in range(REVIEWERS)])
        secretariat = User(username="vp", full_name="Văn phòng", role=Role.SECRETARIAT.value, password_hash="x",
                           organiser_id=unit_ids[0])
        db.session.add(secretariat)
        db.session.flush()
        reviewer_ids = db.session.scalars(sa.select(User.id).where(User.role == Role.REVIEWER.value)).all()
        db.session.execute(sa.insert(CommitteeMember), [{"campaign_id": campaign.id, "user_id": r} for r in reviewer_ids])
        db.session.execute(sa.insert(Initiative), [
            {"campaign_id": campaign.id, "unit_id": rng.choice(unit_ids), "status": "reported", "kind": "giai_phap",
             "title": f"Sáng kiến {n}", "area": "chinh_quyen_so"} for n in range(INITIATIVES)])
        db.session.commit()
        start = time.perf_counter()
        plan = assigning.run_auto_assignment(campaign, actor=secretariat)
        db.session.commit()
        elapsed = time.perf_counter() - start
        assert plan.ok, plan.problems
        count = db.session.scalar(sa.select(sa.func.count(Assignment.id)))
        moved = db.session.scalar(sa.select(sa.func.count(Initiative.id)).where(Initiative.status == "under_review"))
        print(f"service on SQLite (load, plan, {count} Assignment rows, {moved} transitions + audit, commit): "
              f"{elapsed:.2f} s")
        start = time.perf_counter()
        again = assigning.run_auto_assignment(campaign, actor=secretariat)
        db.session.commit()
        print(f"re-run (nothing missing): {len(again.pairs)} new pairs in {time.perf_counter() - start:.2f} s")


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--service", action="store_true")
    options = parser.parse_args()
    algorithm()
    if options.service:
        service()
