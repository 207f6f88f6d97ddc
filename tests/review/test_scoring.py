"""The reviewer's scoring: drafts, submission, validation, stale forms, refusals, reopening, conflicts."""
from __future__ import annotations

import re
from decimal import Decimal

import pytest
import sqlalchemy as sa

from tests.conftest import assert_few_statements, count_statements
from tests.review import scoring_world
from tests.review.scoring_world import form
from thidua.audit import AuditLog
from thidua.errors import NotPermitted
from thidua.extensions import db
from thidua.registration.models import Initiative
from thidua.review import scoring
from thidua.review.models import Assignment, CommitteeMember, CriterionScore, Review
from thidua.workflow import State


@pytest.fixture
def setup(world):
    return scoring_world.build(world)


def url(assignment) -> str:
    return f"/hoi-dong/phieu-cham/{assignment.id}"


def fresh_review(assignment_id: int) -> Review | None:
    db.session.expire_all()
    return scoring.review_of(assignment_id)


def status_of(initiative_id: int) -> str:
    db.session.expire_all()
    return db.session.get(Initiative, initiative_id).status


def version_on(page: str) -> str:
    return re.search(r'name="version" value="(\d*)"', page).group(1)


# --- the list --------------------------------------------------------------------------------

def test_reviewer_lands_on_the_list_of_assignments_with_progress(client, setup):
    client.login(setup.world.reviewer)
    home = client.get("/trang-chu")
    assert home.headers["Location"] == "/hoi-dong"
    page = client.get("/hoi-dong").get_data(as_text=True)
    assert setup.initiative.title in page
    assert "Đã gửi 0/1" in page
    assert "Chưa chấm" in page
    assert "Phiếu chấm của tôi" in page  # the menu link


def test_list_shows_draft_then_submitted(client, setup):
    client.login(setup.world.reviewer)
    a = setup.assignments[0]
    client.post(url(a), form(setup, [20, None, None, None, None]))
    assert "Bản nháp" in client.get("/hoi-dong").get_data(as_text=True)
    version = version_on(client.get(url(a)).get_data(as_text=True))
    client.post(url(a), form(setup, [20, 20, 20, 5, 5], action="submit", version=version))
    page = client.get("/hoi-dong").get_data(as_text=True)
    assert "Đã gửi 1/1" in page and "Đã gửi</span>" in page and "70" in page


def test_list_leaves_out_campaigns_the_reviewer_is_not_a_member_of(client, setup):
    db.session.execute(sa.delete(CommitteeMember).where(CommitteeMember.user_id == setup.world.reviewer.id))
    db.session.commit()
    client.login(setup.world.reviewer)
    page = client.get("/hoi-dong").get_data(as_text=True)
    assert setup.initiative.title not in page
    assert client.get(url(setup.assignments[0])).status_code == 403


# --- the scoring page ------------------------------------------------------------------------

def test_scoring_page_shows_file_report_and_rubric(client, setup):
    client.login(setup.world.reviewer)
    response = client.get(url(setup.assignments[0]))
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    for text in ("Tính mới, sáng tạo", "tối đa 30 điểm", "Hoàn toàn mới", "27–30", "Cải tiến rõ.",
                 "Thời gian xử lý hồ sơ", "Đã triển khai tại 100% tổ chuyên môn.", "Hồ sơ chuyên môn còn in ấn",
                 'bước 0,5', 'data-score-max="30"', 'data-score-max="25"', "Lưu nháp", "Gửi phiếu chấm", "Khai báo xung đột lợi ích"):
        assert text in page, text
    # Not blind: the unit and its file names are shown.
    assert setup.world.school.name in page and scoring_world.EVIDENCE_NAME in page


def test_draft_may_be_partial_and_keeps_what_was_typed(client, setup):
    client.login(setup.world.reviewer)
    a = setup.assignments[0]
    response = client.post(url(a), form(setup, ["25,5", None, 12, None, None], comment="Khá tốt"))
    assert response.status_code == 302
    review = fresh_review(a.id)
    assert review.status == "draft" and review.total == Decimal("37.5") and review.comment == "Khá tốt"
    scores = {row.criterion_id: row.score for row in review.scores}
    assert scores[setup.criteria[0].id] == Decimal("25.5") and scores[setup.criteria[1].id] is None
    page = client.get(url(a)).get_data(as_text=True)
    assert 'value="25,5"' in page and 'value="12"' in page and "Khá tốt" in page
    assert status_of(setup.initiative.id) == State.UNDER_REVIEW


@pytest.mark.parametrize(("value", "message"), [
    ("31", "Điểm phải từ 0 đến 30."),
    ("-1", "Điểm phải từ 0 đến 30."),
    ("abc", "“abc” không phải là một số."),
    ("20,3", "bước 0,5"),
    ("25.5", "hãy viết 25,5"),  # a dot groups thousands: never silently read as 25,5 or 255
    ("1,5,5", "“1,5,5” không đọc được"),
])
def test_out_of_bounds_scores_are_refused_beside_the_field_and_nothing_is_saved(client, setup, value, message):
    client.login(setup.world.reviewer)
    a = setup.assignments[0]
    response = client.post(url(a), form(setup, [value, "28", None, None, None], comment="giữ lại"))
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert message in page
    assert f'id="score-{setup.criteria[0].id}-error"' in page
    assert 'value="28"' in page and "giữ lại" in page  # everything typed is kept
    assert fresh_review(a.id) is None


def test_submit_needs_every_criterion(client, setup):
    client.login(setup.world.reviewer)
    a = setup.assignments[0]
    response = client.post(url(a), form(setup, [20, 20, None, 5, 5], action="submit"))
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert page.count("Nhập điểm cho tiêu chí này.") == 1
    assert f'id="score-{setup.criteria[2].id}-error"' in page
    assert fresh_review(a.id) is None


def test_submit_records_total_and_audit_and_locks_the_review(client, setup):
    client.login(setup.world.reviewer)
    a = setup.assignments[0]
    response = client.post(url(a), form(setup, [27, 25, 20, 8, "4,5"], action="submit"))
    assert response.status_code == 302 and response.headers["Location"] == "/hoi-dong"
    review = fresh_review(a.id)
    assert review.status == "submitted" and review.submitted_at is not None and review.total == Decimal("84.5")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditLog)
                             .where(AuditLog.action == "review.submitted")) == 1
    # One of two reviewers: still under review.
    assert status_of(setup.initiative.id) == State.UNDER_REVIEW
    page = client.get(url(a)).get_data(as_text=True)
    assert "Chỉ Bộ phận Thường trực có thể mở lại" in page and "Gửi phiếu chấm</button>" not in page
    again = client.post(url(a), form(setup, [1, 1, 1, 1, 1], action="save", version=str(review.version)))
    assert again.status_code == 409
    assert fresh_review(a.id).total == Decimal("84.5")


def test_the_last_submission_moves_the_initiative_to_scored(client, make_client, setup):
    for reviewer, assignment in zip(setup.reviewers[:2], setup.assignments):
        c = make_client()
        c.login(reviewer)
        assert c.post(url(assignment), form(setup, [20, 20, 20, 5, 5], action="submit")).status_code == 302
    assert status_of(setup.initiative.id) == State.SCORED
    moves = db.session.scalars(sa.select(AuditLog).where(AuditLog.action == "initiative.transition")).all()
    assert [(m.from_state, m.to_state, m.actor_id) for m in moves] == [
        ("under_review", "scored", setup.reviewers[1].id)]


def test_a_second_save_from_an_old_page_is_refused_with_409(client, make_client, setup):
    a = setup.assignments[0]
    client.login(setup.world.reviewer)
    client.post(url(a), form(setup, [10, None, None, None, None]))
    version = version_on(client.get(url(a)).get_data(as_text=True))
    first = client.post(url(a), form(setup, [11, None, None, None, None], version=version))
    assert first.status_code == 302
    stale = client.post(url(a), form(setup, [12, None, None, None, None], version=version))
    assert stale.status_code == 409
    page = stale.get_data(as_text=True)
    assert "vừa được lưu ở một cửa sổ khác" in page and 'value="12"' in page
    assert fresh_review(a.id).total == Decimal(11)
    # A page opened before the first save (no review then) is stale too.
    assert client.post(url(a), form(setup, [13, None, None, None, None], version="")).status_code == 409


def test_only_the_assigned_reviewer_may_open_or_post(client, setup):
    a = setup.assignments[0]
    other = setup.reviewers[2]  # a committee member, not assigned
    client.login(other)
    assert client.get(url(a)).status_code == 403
    assert client.post(url(a), form(setup, [1, 1, 1, 1, 1])).status_code == 403
    assert client.post(url(a) + "/xung-dot", {"reason": "x"}).status_code == 403
    assert client.get(f"/minh-chung/{setup.evidence.id}").status_code == 403
    assert fresh_review(a.id) is None


@pytest.mark.parametrize("who", ["editor", "head", "other_head", "leader"])
def test_unit_roles_and_leaders_are_refused(client, setup, who):
    client.login(getattr(setup.world, who))
    assert client.get("/hoi-dong").status_code == 403
    assert client.get(url(setup.assignments[0])).status_code == 403


def test_scores_are_refused_unless_the_initiative_is_under_review(client, setup):
    setup.initiative.status = State.REPORTED.value
    db.session.commit()
    client.login(setup.world.reviewer)
    page = client.get(url(setup.assignments[0])).get_data(as_text=True)
    assert "chưa (hoặc không còn) mở để chấm điểm" in page and "disabled" in page
    response = client.post(url(setup.assignments[0]), form(setup, [1, 1, 1, 1, 1]))
    assert response.status_code == 409
    assert fresh_review(setup.assignments[0].id) is None


def test_service_refuses_someone_else(setup):
    with pytest.raises(NotPermitted):
        scoring.save_review(setup.assignments[0], actor=setup.reviewers[1], scores={}, expected_version=None,
                            submit=False)


# --- reopening -------------------------------------------------------------------------------

def _submit_all(make_client, setup):
    for reviewer, assignment in zip(setup.reviewers[:2], setup.assignments):
        c = make_client()
        c.login(reviewer)
        c.post(url(assignment), form(setup, [20, 20, 20, 5, 5], action="submit"))


def test_only_the_secretariat_reopens_and_the_initiative_goes_back_under_review(client, make_client, setup):
    _submit_all(make_client, setup)
    a = setup.assignments[0]
    reviewer = make_client()
    reviewer.login(setup.world.reviewer)
    assert reviewer.post(url(a) + "/mo-lai", {"reason": "Sửa"}).status_code == 403
    assert fresh_review(a.id).status == "submitted"

    client.login(setup.world.secretariat)
    page = client.get(url(a)).get_data(as_text=True)
    assert "Mở lại phiếu chấm" in page
    # The secretariat reads but never scores.
    assert client.post(url(a), form(setup, [1, 1, 1, 1, 1])).status_code == 302
    assert fresh_review(a.id).total == Decimal(70)
    no_reason = client.post(url(a) + "/mo-lai", {"reason": " "})
    assert no_reason.status_code == 302 and fresh_review(a.id).status == "submitted"
    assert client.post(url(a) + "/mo-lai", {"reason": "Điểm tiêu chí 2 chưa khớp nhận xét"}).status_code == 302
    review = fresh_review(a.id)
    assert review.status == "draft" and review.submitted_at is None
    assert status_of(setup.initiative.id) == State.UNDER_REVIEW
    entry = db.session.scalar(sa.select(AuditLog).where(AuditLog.action == "review.reopened"))
    assert entry.reason == "Điểm tiêu chí 2 chưa khớp nhận xét" and entry.actor_id == setup.world.secretariat.id
    back = db.session.scalars(sa.select(AuditLog).where(AuditLog.action == "initiative.transition")
                              .order_by(AuditLog.id)).all()[-1]
    assert (back.from_state, back.to_state, back.reason) == ("scored", "under_review",
                                                            "Điểm tiêu chí 2 chưa khớp nhận xét")
    # The reviewer can change the scores again, and resubmitting scores it again.
    version = version_on(reviewer.get(url(a)).get_data(as_text=True))
    assert reviewer.post(url(a), form(setup, [21, 20, 20, 5, 5], action="submit", version=version)).status_code == 302
    assert status_of(setup.initiative.id) == State.SCORED


# --- conflicts of interest -------------------------------------------------------------------

def test_conflict_ends_the_assignment_deletes_the_draft_and_reassigns_to_another_unit(client, setup):
    a = setup.assignments[0]
    client.login(setup.world.reviewer)
    client.post(url(a), form(setup, [10, None, None, None, None]))
    assert client.post(url(a) + "/xung-dot", {"reason": " "}).status_code == 302
    assert db.session.get(Assignment, a.id).conflict_at is None  # a reason is required
    response = client.post(url(a) + "/xung-dot", {"reason": "Tôi từng công tác tại đơn vị này"})
    assert response.status_code == 302 and response.headers["Location"] == "/hoi-dong"
    db.session.expire_all()
    ended = db.session.get(Assignment, a.id)
    assert ended.conflict_at is not None and ended.conflict_reason == "Tôi từng công tác tại đơn vị này"
    assert fresh_review(a.id) is None
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CriterionScore)) == 0
    active = db.session.scalars(sa.select(Assignment).where(Assignment.initiative_id == setup.initiative.id,
                                                            Assignment.conflict_at.is_(None))).all()
    reviewers = {row.reviewer_id for row in active}
    # Kim Liên's reviewer: never the declaring one, never the initiative's own unit (Chu Văn An).
    assert reviewers == {setup.reviewers[1].id, setup.reviewers[2].id}
    actions = [row.action for row in db.session.scalars(sa.select(AuditLog).order_by(AuditLog.id))]
    assert actions[-2:] == ["assignment.conflict", "assignment.reassigned"]
    # The old page is closed to the reviewer now.
    assert client.get(url(a)).status_code == 403
    assert setup.initiative.title not in client.get("/hoi-dong").get_data(as_text=True)


def test_conflict_without_anyone_eligible_leaves_the_initiative_short(client, setup):
    # Kim Liên's reviewer leaves the committee: only the same-unit reviewer would remain.
    db.session.execute(sa.delete(CommitteeMember).where(CommitteeMember.user_id == setup.reviewers[2].id))
    db.session.commit()
    a = setup.assignments[0]
    assert scoring.declare_conflict(db.session.get(Assignment, a.id), actor=setup.world.reviewer,
                                    reason="Người thân") is None
    db.session.commit()
    active = db.session.scalars(sa.select(Assignment).where(Assignment.conflict_at.is_(None))).all()
    assert [row.reviewer_id for row in active] == [setup.reviewers[1].id]
    assert db.session.scalar(sa.select(AuditLog.action).order_by(AuditLog.id.desc()).limit(1)) == \
        "assignment.unassigned"


def test_conflict_after_submitting_is_refused(client, setup):
    a = setup.assignments[0]
    client.login(setup.world.reviewer)
    client.post(url(a), form(setup, [20, 20, 20, 5, 5], action="submit"))
    client.post(url(a) + "/xung-dot", {"reason": "Muộn"})
    db.session.expire_all()
    assert db.session.get(Assignment, a.id).conflict_at is None


# --- a few statements, no more for more criteria ------------------------------------------------------------

@pytest.mark.parametrize("blind", [False, True])
def test_scoring_page_runs_a_few_statements_no_more_for_10_criteria_than_for_3(client, world, blind):
    counts = []
    for sizes in ([30, 30, 40], [10] * 10):
        if counts:  # a second initiative, assignment and rubric in a new campaign
            from tests import factories

            world.campaign = factories.campaign(world.root, participants=[world.office_unit, world.school,
                                                                          world.other_school], name=f"PT {sizes}")
            db.session.commit()
            setup = _second(world, sizes, blind)
        else:
            setup = scoring_world.build(world, sizes=sizes, blind=blind)
        client.login(world.reviewer)
        a = setup.assignments[0]
        client.post(url(a), form(setup, [5] * len(sizes)))
        client.get(url(a))
        with count_statements() as statements:
            response = client.get(url(a))
        assert response.status_code == 200
        counts.append(len(statements))
        client.logout()
    assert_few_statements(*counts, about=14, what="the scoring page, 3 criteria then 10")


def _second(world, sizes, blind):
    from tests import factories
    from thidua.auth.roles import Role  # noqa: F401
    from thidua.registration.models import InitiativeAuthor
    from thidua.results.models import ReportIndicator, ResultReport
    from thidua.review.models import Assignment as A

    campaign = world.campaign
    campaign.blind_review = blind
    criteria = scoring_world.rubric(campaign, sizes)
    db.session.add(CommitteeMember(campaign_id=campaign.id, user_id=world.reviewer.id))
    initiative = factories.initiative(campaign, world.school, actor=world.editor, status=State.UNDER_REVIEW)
    for n in range(4):
        initiative.authors.append(InitiativeAuthor(full_name=f"Tác giả {n}", position=n))
    db.session.add(ResultReport(initiative_id=initiative.id, achievements="Tốt", indicators=[
        ReportIndicator(position=n, name=f"Chỉ tiêu {n}", before=Decimal(n), after=Decimal(n + 1)) for n in range(6)]))
    assignment = A(campaign_id=campaign.id, initiative_id=initiative.id, reviewer_id=world.reviewer.id)
    db.session.add(assignment)
    db.session.commit()
    return scoring_world.Scoring(world, criteria, [world.reviewer], initiative, [assignment], None)
