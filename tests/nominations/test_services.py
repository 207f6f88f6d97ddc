"""Nomination upward, service by service: every refusal says why and changes nothing."""
from __future__ import annotations

import sqlalchemy as sa
import pytest

from thidua.audit import AuditLog
from thidua.campaigns.models import CampaignUnit
from thidua.extensions import db
from thidua.nominations import services
from thidua.nominations.models import Nomination, NominationState
from thidua.registration.models import Initiative, InitiativeAuthor
from thidua.results.models import EvidenceFile, ReportIndicator, ResultReport
from thidua.review import assigning, committee as committee_setup, setup_errors
from thidua.review.models import CommitteeMember
from thidua.storage import get_storage
from thidua.workflow import State

from tests import factories
from tests.nominations.conftest import EVIDENCE, awarded_initiative


def _count(model) -> int:
    db.session.expire_all()
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def _audits(action: str) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(AuditLog).where(AuditLog.action == action))


# --- the campaign a lower campaign feeds ---------------------------------------------------------

def test_the_lower_secretariat_names_the_upper_campaign_and_it_is_audited(levels):
    assert [c.id for c in services.upper_choices(levels.ward_campaign)] == [levels.campaign.id]
    services.set_feeds(levels.ward_campaign, levels.campaign, actor=levels.ward_secretariat)
    db.session.commit()
    assert levels.ward_campaign.feeds_campaign_id == levels.campaign.id
    assert _audits("nomination.feeds_set") == 1
    services.set_feeds(levels.ward_campaign, None, actor=levels.ward_secretariat)
    assert levels.ward_campaign.feeds_campaign_id is None


@pytest.mark.parametrize("which", ["beside", "below", "itself", "same_organiser"])
def test_only_a_campaign_of_an_organiser_above_may_be_fed(levels, which):
    upper = {
        "beside": lambda: levels.beside_campaign,
        "below": lambda: levels.ward_campaign,
        "itself": lambda: levels.ward_campaign,
        "same_organiser": lambda: factories.campaign(levels.ward, name="Phong trào khác của phường"),
    }[which]()
    lower = levels.campaign if which == "below" else levels.ward_campaign
    with pytest.raises(services.NominationError) as refused:
        services.set_feeds(lower, upper, actor=levels.ward_secretariat)
    assert "cấp trên" in str(refused.value) or "chính nó" in str(refused.value)
    assert lower.feeds_campaign_id is None
    assert _audits("nomination.feeds_set") == 0


def test_the_upper_campaign_cannot_change_once_proposals_are_out(feeding):
    services.propose(feeding.ward_campaign, [feeding.awarded], actor=feeding.ward_secretariat)
    with pytest.raises(services.NominationError, match="không thể đổi phong trào cấp trên"):
        services.set_feeds(feeding.ward_campaign, None, actor=feeding.ward_secretariat)
    assert feeding.ward_campaign.feeds_campaign_id == feeding.campaign.id


# --- candidates and proposals ---------------------------------------------------------------------

def test_candidates_are_the_awarded_initiatives_not_yet_proposed(feeding):
    shortlisted = awarded_initiative(feeding, "Tra cứu điểm trực tuyến", status=State.SHORTLISTED, decided=False)
    factories.initiative(feeding.ward_campaign, feeding.ward_school, actor=feeding.ward_head, status=State.SCORED,
                         title="Chưa khen")
    assert [i.id for i in services.candidates(feeding.ward_campaign)] == [feeding.awarded.id]
    feeding.campaign.nominations_from = "shortlisted"
    assert [i.id for i in services.candidates(feeding.ward_campaign)] == [feeding.awarded.id, shortlisted.id]
    services.propose(feeding.ward_campaign, [feeding.awarded], actor=feeding.ward_secretariat)
    assert [i.id for i in services.candidates(feeding.ward_campaign)] == [shortlisted.id]


def test_no_candidates_while_the_campaign_feeds_none(levels):
    assert services.candidates(levels.ward_campaign) == []


def test_proposing_makes_a_proposed_nomination_in_the_upper_campaign_audited(feeding):
    [made] = services.propose(feeding.ward_campaign, [feeding.awarded], actor=feeding.ward_secretariat)
    db.session.commit()
    assert (made.campaign_id, made.source_id, made.state) == (feeding.campaign.id, feeding.awarded.id, "proposed")
    assert made.proposed_by_id == feeding.ward_secretariat.id
    assert _audits("nomination.proposed") == 1


def test_proposing_is_refused_while_the_campaign_feeds_none(levels):
    with pytest.raises(services.NominationError, match="chưa chọn phong trào cấp trên"):
        services.propose(levels.ward_campaign, [levels.awarded], actor=levels.ward_secretariat)
    assert _count(Nomination) == 0


def test_proposing_nothing_is_refused(feeding):
    with pytest.raises(services.NominationError, match="Chọn ít nhất một sáng kiến"):
        services.propose(feeding.ward_campaign, [], actor=feeding.ward_secretariat)


def test_an_initiative_that_does_not_qualify_is_refused_and_nothing_is_half_saved(feeding):
    scored = factories.initiative(feeding.ward_campaign, feeding.ward_school, actor=feeding.ward_head,
                                  status=State.SCORED, title="Mới chấm điểm")
    db.session.commit()
    with pytest.raises(services.NominationError, match="chưa đủ điều kiện trình lên.*đã được khen thưởng"):
        services.propose(feeding.ward_campaign, [feeding.awarded, scored], actor=feeding.ward_secretariat)
    db.session.rollback()
    assert _count(Nomination) == 0
    assert _audits("nomination.proposed") == 0


def test_a_shortlisted_initiative_is_refused_when_the_upper_level_takes_only_awarded_ones(feeding):
    shortlisted = awarded_initiative(feeding, "Tra cứu điểm trực tuyến", status=State.SHORTLISTED, decided=False)
    with pytest.raises(services.NominationError, match="chưa đủ điều kiện"):
        services.propose(feeding.ward_campaign, [shortlisted], actor=feeding.ward_secretariat)


def test_an_initiative_already_proposed_is_refused(feeding):
    services.propose(feeding.ward_campaign, [feeding.awarded], actor=feeding.ward_secretariat)
    db.session.commit()
    with pytest.raises(services.NominationError, match="đã được trình lên cấp trên"):
        services.propose(feeding.ward_campaign, [feeding.awarded], actor=feeding.ward_secretariat)
    db.session.rollback()
    assert _count(Nomination) == 1


def test_an_initiative_of_another_campaign_is_refused(feeding):
    own = factories.initiative(feeding.campaign, feeding.school, actor=feeding.head, status=State.AWARDED)
    with pytest.raises(services.NominationError, match="không thuộc phong trào này"):
        services.propose(feeding.ward_campaign, [own], actor=feeding.ward_secretariat)


# --- the upper secretariat decides --------------------------------------------------------------

@pytest.fixture
def proposed(feeding):
    [nomination] = services.propose(feeding.ward_campaign, [feeding.awarded], actor=feeding.ward_secretariat)
    db.session.commit()
    feeding.nomination = nomination
    return feeding


def test_accepting_copies_the_initiative_into_the_upper_campaign_ready_for_its_committee(proposed):
    source = proposed.awarded
    copy = services.accept(proposed.nomination, actor=proposed.secretariat)
    db.session.commit()
    db.session.expire_all()
    copy = db.session.get(Initiative, copy.id)
    assert (copy.campaign_id, copy.unit_id, copy.status) == (proposed.campaign.id, proposed.ward_school.id,
                                                             State.REPORTED.value)
    assert copy.title == source.title and copy.content == source.content and copy.need == source.need
    assert copy.areas == ["tthc", "chinh_quyen_so"]
    names = db.session.scalars(sa.select(InitiativeAuthor.full_name).where(InitiativeAuthor.initiative_id == copy.id))
    assert list(names) == ["Nguyễn Thị Mai"]
    report = db.session.scalar(sa.select(ResultReport).where(ResultReport.initiative_id == copy.id))
    assert report.achievements == "Giảm 60% thời gian." and report.submitted_at is not None
    [indicator] = db.session.scalars(sa.select(ReportIndicator).where(ReportIndicator.report_id == report.id))
    assert (indicator.name, indicator.before, indicator.after) == ("Thời gian xử lý", 5, 2)
    nomination = db.session.get(Nomination, proposed.nomination.id)
    assert (nomination.state, nomination.initiative_id) == (NominationState.ACCEPTED.value, copy.id)
    assert nomination.decided_by_id == proposed.secretariat.id
    # the upper committee's assignment picks it up, like the upper level's own reported registrations
    assert copy.id in [i.id for i in assigning.assignable(proposed.campaign.id)]
    assert _audits("nomination.accepted") == 1
    # the source is left as it was
    assert db.session.get(Initiative, source.id).status == State.AWARDED.value


def test_accepting_adds_the_school_to_the_upper_participants_with_its_figures(proposed):
    services.accept(proposed.nomination, actor=proposed.secretariat)
    db.session.commit()
    db.session.expire_all()
    row = db.session.get(CampaignUnit, (proposed.campaign.id, proposed.ward_school.id))
    assert row is not None
    assert (row.registered_count, row.reported_count, row.draft_count) == (1, 1, 0)
    assert row.report_done_at is not None


def test_the_copy_has_its_own_stored_files_so_deleting_one_never_removes_the_other(proposed):
    copy = services.accept(proposed.nomination, actor=proposed.secretariat)
    db.session.commit()
    [original] = db.session.scalars(sa.select(EvidenceFile).where(EvidenceFile.initiative_id == proposed.awarded.id))
    [copied] = db.session.scalars(sa.select(EvidenceFile).where(EvidenceFile.initiative_id == copy.id))
    assert copied.storage_key != original.storage_key
    assert (copied.original_name, copied.sha256, copied.size) == (original.original_name, original.sha256,
                                                                  original.size)
    storage = get_storage()
    storage.delete(original.storage_key)
    with storage.open(copied.storage_key) as stream:
        assert stream.read() == EVIDENCE


def test_a_missing_stored_file_refuses_the_acceptance_and_leaves_nothing(proposed):
    [original] = db.session.scalars(sa.select(EvidenceFile).where(EvidenceFile.initiative_id == proposed.awarded.id))
    get_storage().delete(original.storage_key)
    before = _count(Initiative)
    with pytest.raises(services.NominationError, match="tệp minh chứng"):
        services.accept(proposed.nomination, actor=proposed.secretariat)
    db.session.rollback()
    assert _count(Initiative) == before
    assert db.session.get(Nomination, proposed.nomination.id).state == NominationState.PROPOSED.value


def test_a_decided_proposal_cannot_be_decided_again(proposed):
    services.accept(proposed.nomination, actor=proposed.secretariat)
    db.session.commit()
    with pytest.raises(services.NominationError, match="đã được xem xét"):
        services.accept(proposed.nomination, actor=proposed.secretariat)
    with pytest.raises(services.NominationError, match="đã được xem xét"):
        services.decline(proposed.nomination, "Trùng", actor=proposed.secretariat)


def test_declining_needs_a_reason(proposed):
    with pytest.raises(services.NominationError, match="Cần ghi rõ lý do"):
        services.decline(proposed.nomination, "  ", actor=proposed.secretariat)
    db.session.rollback()
    assert db.session.get(Nomination, proposed.nomination.id).state == NominationState.PROPOSED.value


def test_declining_keeps_the_reason_for_the_lower_level(proposed):
    services.decline(proposed.nomination, "Chưa có số liệu so sánh trước và sau.", actor=proposed.secretariat)
    db.session.commit()
    db.session.expire_all()
    nomination = db.session.get(Nomination, proposed.nomination.id)
    assert (nomination.state, nomination.reason) == ("declined", "Chưa có số liệu so sánh trước và sau.")
    assert nomination.initiative_id is None
    assert _audits("nomination.declined") == 1
    [(listed, _)] = services.proposed_from(proposed.ward_campaign)
    assert listed.state_label == "Không tiếp nhận"


def test_an_initiative_no_longer_qualifying_is_not_accepted(proposed):
    proposed.awarded.status = State.SCORED.value
    db.session.commit()
    with pytest.raises(services.NominationError, match="không còn đủ điều kiện"):
        services.accept(proposed.nomination, actor=proposed.secretariat)


# --- the committee is the upper organiser's own ----------------------------------------------------

def test_a_reviewer_of_the_lower_organiser_cannot_join_the_upper_committee(proposed):
    with pytest.raises(setup_errors.SetupError, match="là thành viên Hội đồng của cấp khác"):
        committee_setup.add_member(proposed.campaign, proposed.ward_reviewer, actor=proposed.secretariat)
    db.session.rollback()
    assert _count(CommitteeMember) == 0
    assert proposed.ward_reviewer.id not in [u.id for u in committee_setup.candidate_users(proposed.campaign)[0]]


def test_a_reviewer_of_the_lower_organiser_cannot_be_assigned_the_accepted_initiative(proposed):
    copy = services.accept(proposed.nomination, actor=proposed.secretariat)
    # a committee row of the lower reviewer, put there by a slip of the data: still refused
    db.session.add(CommitteeMember(campaign_id=proposed.campaign.id, user_id=proposed.ward_reviewer.id))
    db.session.flush()
    with pytest.raises(setup_errors.SetupError, match="là thành viên Hội đồng của cấp khác"):
        assigning.assign_by_hand(proposed.campaign, copy, proposed.ward_reviewer, actor=proposed.secretariat)
    committee_setup.add_member(proposed.campaign, proposed.reviewer, actor=proposed.secretariat)
    plan, _ = assigning.plan_for(proposed.campaign)
    assert {reviewer for _, reviewer in plan.pairs} <= {proposed.reviewer.id}
    assignment = assigning.assign_by_hand(proposed.campaign, copy, proposed.reviewer, actor=proposed.secretariat)
    assert assignment.reviewer_id == proposed.reviewer.id
    assert copy.status == State.UNDER_REVIEW.value


# --- provenance -------------------------------------------------------------------------------------

def test_provenance_names_the_lower_level_its_scores_decision_and_files(proposed):
    factories.submitted_review(proposed.awarded, factories.user(factories.Role.REVIEWER, proposed.ward,
                                                                organiser=proposed.ward), total=90)
    copy = services.accept(proposed.nomination, actor=proposed.secretariat)
    db.session.commit()
    found = services.provenance(copy)
    assert found.nomination.id == proposed.nomination.id
    assert (found.lower_campaign.id, found.organiser.id) == (proposed.ward_campaign.id, proposed.ward.id)
    assert (found.mean, found.total, found.reviews) == (87, 174, 2)
    assert found.level_name == "Giấy khen của Chủ tịch UBND phường"
    assert found.decision.number == "12/QĐ-UBND"
    assert [f.original_name for f in found.files] == ["bien-ban.pdf"]
    assert services.provenance(proposed.awarded) is None
    origin = services.origins([copy.id])[copy.id]
    assert (origin.organiser_name, origin.source_id) == ("UBND phường Ba Đình", proposed.awarded.id)
