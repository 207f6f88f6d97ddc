"""The figures kept as records change (each unit's progress, each initiative's standing) stay equal
to a recount: through the whole demo, under two transactions at once, and after the migration
that fills them from existing records."""
from __future__ import annotations

import threading
import time
from datetime import timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa

from tests import factories
from tests.conftest import is_postgres
from thidua.auth.roles import Role
from thidua.campaigns.models import Campaign, CampaignUnit
from thidua.extensions import db
from thidua.models import refresh_figures
from thidua.registration.models import Initiative
from thidua.review.models import Assignment, Review, Standing
from thidua.timeutil import utcnow
from thidua.workflow import State

PROGRESS = [CampaignUnit.campaign_id, CampaignUnit.unit_id, CampaignUnit.registered_count,
            CampaignUnit.reported_count, CampaignUnit.draft_count, CampaignUnit.last_activity_at,
            CampaignUnit.registration_done_at, CampaignUnit.report_done_at]
STANDING = [Standing.initiative_id, Standing.campaign_id, Standing.status, Standing.registered_at,
            Standing.assigned, Standing.reviews, Standing.mean, Standing.first_mean, Standing.low, Standing.high,
            Standing.criterion_means]


def kept() -> tuple[list, list]:
    db.session.expire_all()
    return (db.session.execute(sa.select(*PROGRESS).order_by(*PROGRESS[:2])).all(),
            db.session.execute(sa.select(*STANDING).order_by(Standing.initiative_id)).all())


def recounted() -> tuple[list, list]:
    for campaign_id in db.session.scalars(sa.select(Campaign.id)):
        refresh_figures(campaign_id)
    return kept()


def test_after_the_whole_demo_every_kept_figure_equals_a_recount(app):
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["demo", "load"])
    assert result.exit_code == 0, result.output
    progress, standings = kept()
    # The demo goes through registrations, imports, reports, extensions, reviews, shortlisting and awards.
    assert sum(row.registered_count for row in progress) > 100
    assert sum(1 for row in progress if row.report_done_at) > 10
    assert len(standings) > 50 and all(row.mean is not None for row in standings)
    assert (progress, standings) == recounted()


def test_progress_follows_each_change_of_an_initiative(world):
    campaign, school = world.campaign, world.school
    row = lambda: db.session.execute(  # noqa: E731
        sa.select(*PROGRESS).where(CampaignUnit.campaign_id == campaign.id, CampaignUnit.unit_id == school.id)).one()
    item = factories.initiative(campaign, school, actor=world.editor)
    db.session.commit()
    assert (row().draft_count, row().registered_count, row().registration_done_at) == (1, 0, None)
    item.status, item.registered_at = State.REGISTERED.value, utcnow()
    db.session.commit()
    assert (row().draft_count, row().registered_count) == (0, 1)
    assert row().registration_done_at == item.registered_at
    # A higher minimum: the unit is no longer done with one registration.
    world.campaign.min_initiatives_per_unit = 2
    db.session.commit()
    assert row().registration_done_at is None
    db.session.delete(item)
    db.session.commit()
    assert (row().draft_count, row().registered_count, row().last_activity_at) == (0, 0, None)


def test_standing_follows_reviews_submitted_reopened_and_conflicts(world):
    item = factories.initiative(world.campaign, world.school, actor=world.editor, status=State.UNDER_REVIEW)
    factories.submitted_review(item, world.reviewer, total=Decimal("80.5"))
    other = factories.user(Role.REVIEWER, world.office_unit, username="hoidong-2")
    factories.submitted_review(item, other, total=Decimal("70"))
    db.session.commit()
    standing = lambda: db.session.get(Standing, item.id, populate_existing=True)  # noqa: E731
    assert (standing().assigned, standing().reviews, standing().mean) == (2, 2, Decimal("75.25"))
    review = db.session.scalar(sa.select(Review).join(Assignment).where(Assignment.reviewer_id == other.id))
    review.status = "draft"
    db.session.commit()
    assert (standing().reviews, standing().mean, standing().low) == (1, Decimal("80.50"), Decimal("80.50"))
    assignment = db.session.scalar(sa.select(Assignment).where(Assignment.reviewer_id == world.reviewer.id))
    assignment.conflict_at = utcnow()
    db.session.commit()
    assert (standing().assigned, standing().reviews, standing().mean) == (1, 0, None)
    item.status = State.REPORTED.value  # out of the ranked states: out of the ranking
    db.session.commit()
    assert standing() is None


# --------------------------------------------------------------------------- two transactions at once


def _one_after_the_other(app, first, second) -> None:
    """Run `first` and `second` in two sessions: the second flushes while the first, having flushed, waits."""
    flushed, errors = threading.Event(), []

    def run(work, before_commit):
        with app.app_context():
            try:
                work()
                db.session.flush()
                before_commit()
                db.session.commit()
            except Exception as error:  # reported to the test below
                errors.append(error)
                flushed.set()
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=(first, lambda: (flushed.set(), time.sleep(0.5)))),
               threading.Thread(target=run, args=(second, lambda: None))]
    threads[0].start()
    assert flushed.wait(10)
    threads[1].start()
    for thread in threads:
        thread.join(20)
    assert not errors, errors


@pytest.mark.postgres_only
@pytest.mark.skipif(not is_postgres(), reason="two writers at once need PostgreSQL")
def test_two_registrations_of_one_unit_sent_at_once_are_both_counted(app, world):
    campaign_id, unit_id = world.campaign.id, world.school.id
    db.session.commit()

    def register(n):
        def work():
            db.session.add(Initiative(campaign_id=campaign_id, unit_id=unit_id, status=State.REGISTERED.value,
                                      kind="giai_phap", title=f"Sáng kiến {n}", area="tthc",
                                      registered_at=utcnow() - timedelta(minutes=n)))
        return work

    _one_after_the_other(app, register(1), register(2))
    db.session.expire_all()
    count = db.session.scalar(sa.select(CampaignUnit.registered_count).where(
        CampaignUnit.campaign_id == campaign_id, CampaignUnit.unit_id == unit_id))
    assert count == 2


@pytest.mark.postgres_only
@pytest.mark.skipif(not is_postgres(), reason="two writers at once need PostgreSQL")
def test_two_reviews_of_one_initiative_submitted_at_once_are_both_counted(app, world):
    item = factories.initiative(world.campaign, world.school, actor=world.editor, status=State.UNDER_REVIEW)
    other = factories.user(Role.REVIEWER, world.office_unit, username="hoidong-2")
    ids = []
    for reviewer in (world.reviewer, other):
        assignment = Assignment(campaign_id=item.campaign_id, initiative_id=item.id, reviewer_id=reviewer.id)
        db.session.add(assignment)
        db.session.flush()
        review = Review(assignment_id=assignment.id, status="draft")
        db.session.add(review)
        db.session.flush()
        ids.append(review.id)
    db.session.commit()

    def submit(review_id, total):
        def work():
            review = db.session.get(Review, review_id)
            review.status, review.total, review.submitted_at = "submitted", Decimal(total), utcnow()
        return work

    _one_after_the_other(app, submit(ids[0], 90), submit(ids[1], 70))
    db.session.expire_all()
    standing = db.session.get(Standing, item.id)
    assert (standing.reviews, standing.mean, standing.low, standing.high) == (
        2, Decimal("80.00"), Decimal("70.00"), Decimal("90.00"))
