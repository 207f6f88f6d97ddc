"""CPU of recomputing one participant's kept progress (thidua/progress.py), which every write of an
initiative runs in its transaction: the app's CPU per call, in five runs of 200 (rolled back).

    .venv/bin/python bench/progress_refresh.py --database-url postgresql+psycopg://USER@HOST:PORT/DB

The database must hold a campaign with participants (a bench scale, see bench/harness).
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import sqlalchemy as sa  # noqa: E402

from thidua import create_app  # noqa: E402
from thidua.config import Config  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--calls", type=int, default=200)
    args = parser.parse_args()

    class BenchConfig(Config):
        SQLALCHEMY_DATABASE_URI = args.database_url

    app = create_app(BenchConfig)
    from thidua import progress
    from thidua.campaigns.models import CampaignUnit
    from thidua.extensions import db

    with app.app_context():
        campaign_id, unit_id = db.session.execute(
            sa.select(CampaignUnit.campaign_id, CampaignUnit.unit_id)
            .order_by(CampaignUnit.campaign_id, CampaignUnit.unit_id).limit(1)).one()
        connection = db.session.connection()
        runs = []
        for _ in range(5):
            started = time.process_time()
            for _ in range(args.calls):
                progress.refresh(connection, campaign_id, [unit_id])
            runs.append((time.process_time() - started) / args.calls * 1000)
        db.session.rollback()
    print(f"app CPU per progress refresh (5 runs of {args.calls}): " + ", ".join(f"{ms:.2f} ms" for ms in runs))


if __name__ == "__main__":
    main()
