"""A realistic campaign at a chosen scale, built through the product's own tables, deterministic from a seed.

    S: one Sở         300 units,   1,000 initiatives,   ~3,000 criterion scores
    M: a province   3,000 units,  10,000 initiatives,  ~30,000 criterion scores
    L: the nation  30,000 units, 100,000 initiatives, ~300,000 criterion scores

What is built: the compliance board's campaign of 2024 (bench/board.py: units in blocks and types,
participants, initiatives across the state machine, results reports, extensions), what the city
report reads (bench/report.py: areas and kinds, indicators, two reviewers with submitted reviews),
and on top of that a three-criterion rubric with a score per criterion of every review, two
commendation levels, the award list of the shortlisted and awarded initiatives, gallery entries
for the published ones, a unit head account for every participating unit, and the 2025 campaign
whose registration is open at the bench's moment (the deadline rush registers in it).

The clock of the served app is frozen at NOW_LOCAL (bench/board.py) so that the data's dates mean
the same thing on every run.

    .venv/bin/python -m bench.harness.generate --scale M --database-url postgresql+psycopg://...

The database's tables are DROPPED and re-created.
"""
from __future__ import annotations

import argparse
import random
import time
from dataclasses import dataclass
from datetime import date, timedelta

import sqlalchemy as sa

SCALES = {
    "XS": (60, 200),  # the CI smoke test
    "S": (300, 1_000),
    "M": (3_000, 10_000),
    "L": (30_000, 100_000),
}
# Unit heads sign in with this password. The accounts carry a cheap PBKDF2 hash (1,000 rounds) computed once:
# the product's default (scrypt) costs tens of ms of CPU per sign-in, measured apart by the rush (--scrypt).
HEAD_PASSWORD = "bench-head-password"
CHEAP_HASH_METHOD = "pbkdf2:sha256:1000"
RUSH_YEAR = 2025
MARKER = "bench-harness scale={scale} seed={seed}"
CRITERIA = [("Tính mới, sáng tạo", 40), ("Hiệu quả, lợi ích", 40), ("Khả năng nhân rộng", 20)]


@dataclass
class Manifest:
    """What the scripts need to find in a generated database."""

    scale: str
    campaign_id: int
    rush_campaign_id: int
    heads: list[str]  # unit heads' usernames, in unit order
    units: int
    initiatives: int
    scores: int

    @classmethod
    def load(cls) -> Manifest | None:
        from thidua.auth.models import User
        from thidua.campaigns.models import Campaign
        from thidua.extensions import db
        from thidua.registration.models import Initiative
        from thidua.review.models import CriterionScore
        from thidua.units.models import Unit

        try:
            campaigns = dict(db.session.execute(sa.select(Campaign.year, Campaign.id)).all())
            marker = db.session.scalar(sa.select(Campaign.description).where(Campaign.year == RUSH_YEAR))
        except sa.exc.DBAPIError:
            db.session.rollback()
            return None
        if not marker or not marker.startswith("bench-harness"):
            return None
        heads = db.session.scalars(sa.select(User.username).where(User.role == "unit_head").order_by(User.unit_id)).all()
        count = lambda model: db.session.scalar(sa.select(sa.func.count()).select_from(model))  # noqa: E731
        return cls(scale=marker.split("scale=")[1].split()[0], campaign_id=campaigns[2024],
                   rush_campaign_id=campaigns[RUSH_YEAR], heads=list(heads), units=count(Unit),
                   initiatives=count(Initiative), scores=count(CriterionScore))


def generate(scale: str, seed: int = 2024) -> Manifest:
    """Fill the empty tables (inside an app context) and return the manifest."""
    from werkzeug.security import generate_password_hash

    from bench.board import NOW_LOCAL, build, utc
    from bench.gallery import OBJECTS, SUBJECTS
    from bench.report import _enrich
    from thidua.auth.models import User
    from thidua.awards.models import AwardEntry, AwardList
    from thidua.campaigns.models import Campaign, CampaignUnit
    from thidua.extensions import db
    from thidua.gallery.models import GalleryEntry
    from thidua.gallery.services import search_document
    from thidua.models import refresh_figures
    from thidua.registration.models import Initiative
    from thidua.review.models import Assignment, CommendationLevel, Criterion, CriterionScore, Review
    from thidua.text import slugify
    from thidua.units.models import Unit

    units, initiatives = SCALES[scale]
    rng = random.Random(seed * 7 + 1)
    now = utc(NOW_LOCAL)
    campaign_id = build(units, initiatives, seed)
    _enrich(campaign_id, seed)
    campaign = db.session.get(Campaign, campaign_id)
    root_id = campaign.organiser_id

    # The rubric and a score per criterion of every review, summing to the review's total.
    criteria = [Criterion(campaign_id=campaign_id, position=n, name=name, max_score=top)
                for n, (name, top) in enumerate(CRITERIA)]
    levels = [CommendationLevel(campaign_id=campaign_id, position=0, name="Bằng khen của Chủ tịch UBND Thành phố",
                                min_score=90, max_count=max(5, initiatives // 200)),
              CommendationLevel(campaign_id=campaign_id, position=1, name="Giấy khen của Giám đốc Sở", min_score=75)]
    db.session.add_all(criteria + levels)
    db.session.flush()
    reviews = db.session.execute(sa.select(Review.id, Review.total).order_by(Review.id)).all()
    score_rows = []
    for review_id, total in reviews:
        for criterion in criteria:
            score_rows.append({"review_id": review_id, "criterion_id": criterion.id, "comment": "",
                               "score": round(float(total) * criterion.max_score / 100, 2)})
    _insert(CriterionScore, score_rows)
    db.session.execute(sa.update(Review).values(submitted_at=now - timedelta(days=3)))
    refresh_figures(campaign_id)  # the rows above bypass the ORM's bookkeeping

    # The award list: every shortlisted, awarded or published initiative, best first.
    awarded = db.session.execute(
        sa.select(Initiative.id, Unit.name, sa.func.avg(Review.total))
        .join(Unit, Unit.id == Initiative.unit_id)
        .join(Assignment, Assignment.initiative_id == Initiative.id)
        .join(Review, Review.assignment_id == Assignment.id)
        .where(Initiative.campaign_id == campaign_id,
               Initiative.status.in_(["shortlisted", "awarded", "published"]))
        .group_by(Initiative.id, Unit.name).order_by(sa.func.avg(Review.total).desc(), Initiative.id)
    ).all()
    award_list = AwardList(campaign_id=campaign_id, status="draft")
    db.session.add(award_list)
    db.session.flush()
    _insert(AwardEntry, [
        {"award_list_id": award_list.id, "initiative_id": iid, "position": n, "recipient_type": "tap_the",
         "recipient_name": name, "recipient_title": "", "score": round(float(score), 2), "note": "",
         "level_id": levels[0 if n < levels[0].max_count else 1].id}
        for n, (iid, name, score) in enumerate(awarded)])

    # The gallery: every published initiative, with a public text worth searching.
    published = db.session.execute(
        sa.select(Initiative.id, Initiative.area, Initiative.kind, Unit.id, Unit.name, Unit.unit_type)
        .join(Unit, Unit.id == Initiative.unit_id)
        .where(Initiative.campaign_id == campaign_id, Initiative.status == "published").order_by(Initiative.id)
    ).all()
    gallery_rows = []
    for iid, area, kind, unit_id, unit_name, unit_type in published:
        title = f"{rng.choice(SUBJECTS)} trong quản lý {rng.choice(OBJECTS)} tại {unit_name}"
        summary = (f"Đơn vị triển khai {title.lower()}: rút ngắn thời gian xử lý từ {rng.randint(3, 15)} ngày "
                   f"xuống {rng.randint(1, 3)} ngày; {rng.randint(60, 100)}% hồ sơ được tiếp nhận trực tuyến.")
        gallery_rows.append({
            "initiative_id": iid, "is_public": True, "title": title, "slug": slugify(title), "summary": summary,
            "excerpt": summary[:300], "search_text": search_document(title, summary, "Thời gian xử lý hồ sơ", unit_name),
            "kind": kind, "area": area, "year": 2024, "unit_id": unit_id, "unit_name": unit_name,
            "unit_type": unit_type, "commendation": rng.choice(["", "Giấy khen của Giám đốc Sở"]),
            "adoption_count": min(int(rng.expovariate(0.4)), 60),
            "published_at": now - timedelta(minutes=rng.randrange(60 * 24 * 30)), "updated_at": now})
    _insert(GalleryEntry, gallery_rows)

    # A unit head for every participating unit; one hash for all (the password is the same).
    password_hash = generate_password_hash(HEAD_PASSWORD, method=CHEAP_HASH_METHOD)
    participants = db.session.execute(
        sa.select(Unit.id, Unit.code, Unit.name).join(CampaignUnit, CampaignUnit.unit_id == Unit.id)
        .where(CampaignUnit.campaign_id == campaign_id).order_by(Unit.id)).all()
    _insert(User, [{"username": f"ht-{code}", "full_name": f"Thủ trưởng {name}"[:160], "email": f"{code}@example.edu.vn",
                    "phone": "0243 826 1234", "job_title": "Hiệu trưởng", "password_hash": password_hash,
                    "role": "unit_head", "unit_id": unit_id, "is_active_account": True, "created_at": now}
                   for unit_id, code, name in participants])

    # The next campaign, open for registration at the bench's moment: the deadline rush registers in it.
    rush = Campaign(organiser_id=root_id, name="Phong trào thi đua “Cải cách hành chính” năm 2025", year=RUSH_YEAR,
                    period="2023–2025", launch_date=date(2024, 10, 1), registration_deadline=date(2024, 10, 31),
                    report_deadline=date(2025, 10, 31), city_report_deadline=date(2025, 11, 15),
                    description=MARKER.format(scale=scale, seed=seed), min_initiatives_per_unit=1)
    db.session.add(rush)
    db.session.flush()
    _insert(CampaignUnit, [{"campaign_id": rush.id, "unit_id": unit_id} for unit_id, _, _ in participants])
    refresh_figures(rush.id)
    db.session.commit()
    if db.engine.dialect.name == "postgresql":
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(sa.text("VACUUM ANALYZE"))
    return Manifest.load()


def _insert(model, rows: list[dict], chunk: int = 20_000) -> None:
    from thidua.extensions import db

    for start in range(0, len(rows), chunk):
        db.session.execute(sa.insert(model.__table__), rows[start:start + chunk])


def prepare(scale: str, seed: int = 2024, *, fresh: bool = False) -> tuple[Manifest, float | None]:
    """The manifest of the current app's database at this scale, generating it when it is not there yet.

    Returns (manifest, seconds spent generating or None when the database already held the scale)."""
    from thidua.extensions import db

    if not fresh:
        manifest = Manifest.load()
        if manifest is not None and manifest.scale == scale:
            expected = MARKER.format(scale=scale, seed=seed)
            marker = db.session.scalar(sa.text("SELECT description FROM campaign WHERE year = :y"), {"y": RUSH_YEAR})
            if marker == expected:
                return manifest, None
    db.session.remove()
    db.drop_all()
    db.create_all()
    started = time.perf_counter()
    manifest = generate(scale, seed)
    return manifest, time.perf_counter() - started


def main() -> None:
    from bench.harness.common import bench_app, default_url

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", choices=list(SCALES), default="S")
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    url = args.database_url or default_url(args.scale)
    app = bench_app(url)
    with app.app_context():
        manifest, seconds = prepare(args.scale, args.seed, fresh=True)
    print(f"{url}: scale {args.scale}: {manifest.units:,} units, {manifest.initiatives:,} initiatives, "
          f"{manifest.scores:,} criterion scores, {len(manifest.heads):,} unit heads; built in {seconds:.1f} s")


if __name__ == "__main__":
    main()
