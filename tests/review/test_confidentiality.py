"""The committee's confidentiality towards the unit it scores: the initiative's history shows each role what
that role may know."""
from __future__ import annotations

from decimal import Decimal

import pytest
import sqlalchemy as sa

from thidua.extensions import db
from thidua.registration.models import Initiative
from thidua.review import scoring
from thidua.review.models import Assignment

from tests.review import scoring_world

CONFLICT_REASON = "Vợ tôi là tác giả sáng kiến này"


@pytest.fixture
def scored(world):
    setup = scoring_world.build(world)
    first, second = setup.assignments
    scoring.declare_conflict(db.session.get(Assignment, first.id), actor=setup.reviewers[0], reason=CONFLICT_REASON)
    db.session.commit()
    active = db.session.scalars(sa.select(Assignment).where(Assignment.initiative_id == setup.initiative.id,
                                                            Assignment.conflict_at.is_(None))).all()
    assert len(active) == 2
    by_id = {r.id: r for r in setup.reviewers}
    for assignment in active:
        scores = {c.id: (Decimal(c.max_score) * Decimal("0.8"), "") for c in setup.criteria}
        scoring.save_review(assignment, actor=by_id[assignment.reviewer_id], scores=scores, comment="Tốt",
                            expected_version=None, submit=True)
        db.session.commit()
    assert db.session.get(Initiative, setup.initiative.id).status == "scored"
    setup.active = [by_id[a.reviewer_id] for a in active]
    return setup


def history_of(client, setup) -> str:
    page = client.get(f"/sang-kien/{setup.initiative.id}").get_data(as_text=True)
    return page[page.index("Lịch sử xử lý"):]


def test_the_unit_never_learns_who_scored_it_or_who_declared_a_conflict(client, scored):
    for user in (scored.world.head, scored.world.editor):
        client.login(user)
        history = history_of(client, scored)
        for reviewer in scored.reviewers:
            assert reviewer.full_name not in history, (user.username, reviewer.full_name)
        assert CONFLICT_REASON not in history
        assert "Gửi phiếu chấm" not in history
        # It still sees where its initiative stands, as the committee's doing.
        assert "Hội đồng chấm điểm:" in history and "Đã chấm điểm" in history
        client.logout()


def test_the_office_and_the_leader_see_who_did_what_in_the_committee(client, scored):
    for user in (scored.world.secretariat, scored.world.leader):
        client.login(user)
        history = history_of(client, scored)
        assert scored.reviewers[0].full_name in history and CONFLICT_REASON in history
        for reviewer in scored.active:
            assert reviewer.full_name in history
        client.logout()
