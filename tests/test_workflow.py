"""The state machine: every allowed move succeeds for its role, every other move is refused."""
from datetime import timedelta
from itertools import product

import pytest
import sqlalchemy as sa

from tests import factories
from thidua import workflow
from thidua.audit import AuditLog
from thidua.auth.roles import Role
from thidua.extensions import db
from thidua.registration.models import Initiative
from thidua.workflow import TRANSITIONS, State

ALL_PAIRS = list(product(State, State))
ALLOWED = sorted(TRANSITIONS, key=lambda pair: (pair[0].value, pair[1].value))
REFUSED = [pair for pair in ALL_PAIRS if pair not in TRANSITIONS]


def actor_for(world, role: Role):
    return {
        Role.UNIT_HEAD: world.head,
        Role.UNIT_EDITOR: world.editor,
        Role.SECRETARIAT: world.secretariat,
        Role.LEADER: world.leader,
        Role.REVIEWER: world.reviewer,
    }[role]


def in_phase_of(move, world, clock, initiative) -> None:
    """Put the clock inside the move's phase and give the initiative what the move requires."""
    from datetime import datetime, time

    from thidua.phases import Phase

    if move.phase is Phase.REPORT or move.requires == "report_complete":
        clock.at(datetime.combine(world.campaign.registration_deadline + timedelta(days=1), time(9, 0)))
    if move.requires == "report_complete":
        factories.complete_report(initiative, actor=world.editor)
    if move.requires == "reviews_complete":
        factories.submitted_review(initiative, world.reviewer)
    if move.requires == "award_decided":
        decided_award(world, initiative)


def decided_award(world, initiative) -> None:
    """The initiative on a campaign award list whose decision for its level is recorded."""
    factories.decided_award(world, initiative)


@pytest.mark.parametrize(("source", "target"), ALLOWED, ids=lambda s: s.value)
def test_allowed_transition_is_made_by_its_role_and_audited(world, clock, source, target):
    move = TRANSITIONS[(source, target)]
    initiative = factories.initiative(world.campaign, world.school, actor=world.editor, status=source)
    in_phase_of(move, world, clock, initiative)
    actor = actor_for(world, next(iter(move.roles)))
    workflow.transition(initiative, target, actor=actor, reason="Lý do kiểm thử", through=move.only_through)
    db.session.commit()

    assert db.session.get(Initiative, initiative.id).status == target.value
    entry = db.session.scalar(
        sa.select(AuditLog).where(AuditLog.action == "initiative.transition", AuditLog.object_id == initiative.id)
    )
    assert (entry.from_state, entry.to_state, entry.actor_id) == (source.value, target.value, actor.id)
    assert entry.reason == "Lý do kiểm thử"


@pytest.mark.parametrize(("source", "target"), REFUSED, ids=lambda s: s.value)
def test_move_outside_the_table_is_refused_for_everyone(world, source, target):
    initiative = factories.initiative(world.campaign, world.school, actor=world.editor, status=source)
    for actor in (world.head, world.secretariat):
        with pytest.raises(workflow.TransitionNotAllowed):
            workflow.transition(initiative, target, actor=actor, reason="x")
    assert initiative.status == source.value
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditLog)
                             .where(AuditLog.action == "initiative.transition")) == 0


@pytest.mark.parametrize(("source", "target"), ALLOWED, ids=lambda s: s.value)
def test_allowed_transition_is_refused_to_every_other_role(world, source, target):
    move = TRANSITIONS[(source, target)]
    initiative = factories.initiative(world.campaign, world.school, actor=world.editor, status=source)
    others = [actor_for(world, role) for role in Role if role not in move.roles]
    if Role.UNIT_HEAD in move.roles:
        others.append(world.other_head)  # the right role, the wrong unit
    for actor in others:
        with pytest.raises(workflow.NotPermitted):
            workflow.transition(initiative, target, actor=actor, reason="x", through=move.only_through)
    assert initiative.status == source.value


def test_awarded_is_reached_only_through_a_recorded_decision(world):
    """No move into "awarded" is offered or made by hand: only the decision of the initiative's level on the
    award list makes it, and unpublishing returns there only if that decision names it."""
    into_awarded = {pair: move for pair, move in TRANSITIONS.items() if pair[1] is State.AWARDED}
    assert set(into_awarded) == {(State.SHORTLISTED, State.AWARDED), (State.PUBLISHED, State.AWARDED)}
    assert into_awarded[(State.SHORTLISTED, State.AWARDED)].only_through == workflow.AWARD_DECISION
    assert all(move.requires == "award_decided" for move in into_awarded.values())
    initiative = factories.initiative(world.campaign, world.school, actor=world.editor, status=State.SHORTLISTED)
    every_role = [actor_for(world, role) for role in Role]
    for actor in every_role:
        assert State.AWARDED not in [target for target, _ in workflow.available_transitions(initiative, actor)]
        with pytest.raises(workflow.TransitionNotAllowed, match="quyết định khen thưởng"):
            workflow.transition(initiative, State.AWARDED, actor=actor)
    # Even with a decision recorded, only the decision's own operation makes the move.
    decided_award(world, initiative)
    with pytest.raises(workflow.TransitionNotAllowed):
        workflow.transition(initiative, State.AWARDED, actor=world.secretariat)
    assert initiative.status == State.SHORTLISTED.value
    # Through the operation but without a decision for its level: refused too.
    other = factories.initiative(world.campaign, world.school, actor=world.editor, status=State.SHORTLISTED)
    with pytest.raises(workflow.WorkflowError, match="chưa có trong quyết định"):
        workflow.transition(other, State.AWARDED, actor=world.secretariat, through=workflow.AWARD_DECISION)
    assert other.status == State.SHORTLISTED.value


def test_transitions_needing_a_reason_refuse_an_empty_one(world):
    initiative = factories.initiative(world.campaign, world.school, actor=world.editor, status=State.REPORTED)
    with pytest.raises(workflow.ReasonRequired, match="Cần ghi rõ lý do"):
        workflow.transition(initiative, State.RETURNED, actor=world.secretariat, reason="   ")
    assert initiative.status == State.REPORTED.value


def test_registering_an_incomplete_draft_lists_what_is_missing(world):
    initiative = factories.initiative(world.campaign, world.school, actor=world.editor, need="", end_date=None)
    with pytest.raises(workflow.WorkflowError) as refused:
        workflow.transition(initiative, State.REGISTERED, actor=world.head)
    assert "Sự cần thiết" in str(refused.value) and "Thời gian hoàn thành" in str(refused.value)
    assert initiative.status == State.DRAFT.value


def test_registering_named_authors_needs_shares_adding_to_100(world):
    initiative = factories.initiative(world.campaign, world.school, actor=world.editor, author_type="ca_nhan")
    from thidua.registration.models import InitiativeAuthor

    initiative.authors.append(InitiativeAuthor(full_name="Nguyễn Văn A", contribution=60, position=0))
    with pytest.raises(workflow.WorkflowError, match="100%"):
        workflow.transition(initiative, State.REGISTERED, actor=world.head)
    initiative.authors.append(InitiativeAuthor(full_name="Trần Thị B", contribution=40, position=1))
    workflow.transition(initiative, State.REGISTERED, actor=world.head)
    assert initiative.status == State.REGISTERED.value


def test_the_report_phase_opens_the_day_after_registration_closes_and_ends_with_its_deadline(world, clock):
    from datetime import datetime, time

    from thidua.phases import Phase, phase_window

    campaign = world.campaign
    window = phase_window(campaign, world.school.id, Phase.REPORT)
    clock.at(datetime.combine(campaign.registration_deadline, time(23, 59, 59)))
    with pytest.raises(workflow.DeadlinePassed, match="chưa bắt đầu nhận báo cáo kết quả"):
        window.check()
    clock.at(datetime.combine(campaign.registration_deadline + timedelta(days=1), time(0, 0)))
    window.check()
    clock.at(datetime.combine(campaign.report_deadline, time(23, 59, 59)))
    window.check()
    clock.at(datetime.combine(campaign.report_deadline + timedelta(days=1), time(0, 0)))
    with pytest.raises(workflow.DeadlinePassed, match="Đã hết hạn báo cáo kết quả"):
        window.check()


def test_reopening_a_registration_clears_its_registration_time(world):
    initiative = factories.initiative(world.campaign, world.school, actor=world.editor)
    workflow.transition(initiative, State.REGISTERED, actor=world.head)
    assert initiative.registered_at is not None
    workflow.transition(initiative, State.DRAFT, actor=world.head)
    assert initiative.registered_at is None


def test_available_transitions_offer_the_head_register_and_withdraw_but_the_editor_nothing(world):
    initiative = factories.initiative(world.campaign, world.school, actor=world.editor)
    head_moves = {target for target, _ in workflow.available_transitions(initiative, world.head)}
    assert head_moves == {State.REGISTERED, State.WITHDRAWN}
    assert workflow.available_transitions(initiative, world.editor) == []
    assert workflow.available_transitions(initiative, world.other_head) == []


def test_only_the_workflow_module_assigns_a_status():
    """Views and services never set `.status` themselves (factories may, for set-up)."""
    import pathlib
    import re

    root = pathlib.Path(workflow.__file__).parent
    offenders = []
    pattern = re.compile(r"initiative\.status\s*=[^=]|\.status\s*=\s*State\.")
    for path in root.rglob("*.py"):
        if path.name == "workflow.py":
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if pattern.search(line):
                offenders.append(f"{path.relative_to(root)}:{number}: {line.strip()}")
    assert offenders == []


def test_unpublishing_returns_to_awarded_only_when_the_award_decision_names_the_initiative(world):
    initiative = factories.initiative(world.campaign, world.school, actor=world.editor, status=State.PUBLISHED)
    offered = {target for target, _ in workflow.available_transitions(initiative, world.secretariat)}
    assert offered == {State.SHORTLISTED}
    with pytest.raises(workflow.WorkflowError, match="chưa có trong quyết định khen thưởng"):
        workflow.transition(initiative, State.AWARDED, actor=world.secretariat)

    decided_award(world, initiative)
    offered = {target for target, _ in workflow.available_transitions(initiative, world.secretariat)}
    assert offered == {State.AWARDED}
    with pytest.raises(workflow.WorkflowError, match="đã có quyết định khen thưởng"):
        workflow.transition(initiative, State.SHORTLISTED, actor=world.secretariat)
    workflow.transition(initiative, State.AWARDED, actor=world.secretariat)
    assert initiative.status == State.AWARDED.value


def test_the_buttons_read_each_phase_window_once(world):
    """A draft offers two moves of Đợt 1 to its unit head: its extension is read once, not once per move."""
    from tests.conftest import count_statements

    initiative = factories.initiative(world.campaign, world.school, actor=world.editor)
    db.session.flush()
    assert world.head.is_active and world.campaign.timezone  # loaded before counting
    with count_statements() as statements:
        moves = workflow.available_transitions(initiative, world.head)
    assert {target for target, _ in moves} == {State.REGISTERED, State.WITHDRAWN}
    assert len(statements) < len(moves), statements  # one phase: fewer reads than moves, not one read per move
