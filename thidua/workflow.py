"""The initiative's states and the one function that changes them.

Every change of `Initiative.status` goes through `transition()`: it checks that the
move exists, that the actor's role may make it (and, for unit roles, that the
initiative is their unit's), that the phase it belongs to is open for that unit
(deadline or extension), and it writes the audit row. Views never set a status.

Answers collected before thidua (Google Forms exports) are replayed with `imported=`: the
secretariat records what a unit sent at the moment it was sent, so the unit roles, the
deadline and the completeness checks of today do not apply; the source goes into the
audit row, and lateness stays visible from the moment itself.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from thidua import audit
from thidua.auth.roles import UNIT_ROLES, Role
from thidua.errors import DeadlinePassed, NotPermitted, ReasonRequired, TransitionNotAllowed, WorkflowError
from thidua.phases import Phase, phase_window
from thidua.timeutil import utcnow


class State(StrEnum):
    DRAFT = "draft"
    REGISTERED = "registered"
    WITHDRAWN = "withdrawn"
    REPORTED = "reported"
    RETURNED = "returned"
    UNDER_REVIEW = "under_review"
    SCORED = "scored"
    SHORTLISTED = "shortlisted"
    NOT_AWARDED = "not_awarded"
    AWARDED = "awarded"
    PUBLISHED = "published"

    @property
    def label(self) -> str:
        return STATE_LABELS[self]


STATE_LABELS = {
    State.DRAFT: "Bản nháp",
    State.REGISTERED: "Đã đăng ký",
    State.WITHDRAWN: "Đã rút",
    State.REPORTED: "Đã báo cáo kết quả",
    State.RETURNED: "Trả lại để bổ sung",
    State.UNDER_REVIEW: "Đang chấm điểm",
    State.SCORED: "Đã chấm điểm",
    State.SHORTLISTED: "Được đề xuất khen thưởng",
    State.NOT_AWARDED: "Không khen thưởng",
    State.AWARDED: "Được khen thưởng",
    State.PUBLISHED: "Đã công bố",
}

# States in which the unit may still change the registration.
EDITABLE = frozenset({State.DRAFT})
# States that count as "the unit has registered" for the 100% target.
COUNTS_AS_REGISTERED = frozenset(set(State) - {State.DRAFT, State.WITHDRAWN})
COUNTS_AS_REPORTED = frozenset(
    {State.REPORTED, State.UNDER_REVIEW, State.SCORED, State.SHORTLISTED, State.NOT_AWARDED,
     State.AWARDED, State.PUBLISHED}
)

UNIT_HEAD = frozenset({Role.UNIT_HEAD})
# The operation that records a commendation decision (thidua.awards.services.record_decision).
AWARD_DECISION = "award_decision"
SECRETARIAT = frozenset({Role.SECRETARIAT})


@dataclass(frozen=True)
class Transition:
    name: str
    label: str  # the button, in Vietnamese
    roles: frozenset[Role]
    phase: Phase | None = None  # the phase whose deadline (or extension) applies
    needs_reason: bool = False
    requires: str | None = None  # a named check on the record itself (see REQUIREMENTS)
    # The check decides which of two moves applies (not whether the record is complete), so the
    # move is offered only when it passes.
    offer_only_if_met: bool = False
    # The one operation that may make this move (passed to transition() as `through=`); the move is
    # never offered as a button and is refused to anyone else, whatever their role.
    only_through: str | None = None


TRANSITIONS: dict[tuple[State, State], Transition] = {
    (State.DRAFT, State.REGISTERED): Transition(
        "register", "Gửi đăng ký", UNIT_HEAD, Phase.REGISTRATION, requires="registration_complete"
    ),
    (State.REGISTERED, State.DRAFT): Transition("reopen", "Mở lại để sửa", UNIT_HEAD, Phase.REGISTRATION),
    (State.DRAFT, State.WITHDRAWN): Transition("withdraw", "Rút đăng ký", UNIT_HEAD, Phase.REGISTRATION),
    # A withdrawn initiative comes back as a draft while Đợt 1 is open (it is registered again from there).
    (State.WITHDRAWN, State.DRAFT): Transition("restore", "Khôi phục thành bản nháp", UNIT_HEAD, Phase.REGISTRATION),
    (State.REGISTERED, State.WITHDRAWN): Transition(
        "withdraw", "Rút đăng ký", UNIT_HEAD, Phase.REGISTRATION, needs_reason=True
    ),
    (State.REGISTERED, State.REPORTED): Transition(
        "report", "Gửi báo cáo kết quả", UNIT_HEAD, Phase.REPORT, requires="report_complete"
    ),
    (State.REPORTED, State.REGISTERED): Transition("reopen_report", "Mở lại báo cáo kết quả", UNIT_HEAD, Phase.REPORT),
    # A returned initiative goes back with its corrections; the secretariat set the terms, not the deadline.
    (State.RETURNED, State.REPORTED): Transition("resubmit", "Gửi lại báo cáo", UNIT_HEAD, requires="report_complete"),
    (State.REPORTED, State.RETURNED): Transition("return", "Trả lại để bổ sung", SECRETARIAT, needs_reason=True),
    (State.UNDER_REVIEW, State.RETURNED): Transition("return", "Trả lại để bổ sung", SECRETARIAT, needs_reason=True),
    (State.SCORED, State.RETURNED): Transition("return", "Trả lại để bổ sung", SECRETARIAT, needs_reason=True),
    (State.REPORTED, State.UNDER_REVIEW): Transition("start_review", "Đưa vào chấm điểm", SECRETARIAT),
    # Made when the last assigned reviewer submits (or by the secretariat once every review is in).
    (State.UNDER_REVIEW, State.SCORED): Transition(
        "complete_review", "Hoàn tất chấm điểm", frozenset({Role.SECRETARIAT, Role.REVIEWER}),
        requires="reviews_complete",
    ),
    (State.SCORED, State.UNDER_REVIEW): Transition("reopen_review", "Mở lại chấm điểm", SECRETARIAT, needs_reason=True),
    (State.SCORED, State.SHORTLISTED): Transition("shortlist", "Đề xuất khen thưởng", SECRETARIAT),
    (State.SCORED, State.NOT_AWARDED): Transition("not_award", "Không khen thưởng", SECRETARIAT, needs_reason=True),
    (State.SHORTLISTED, State.SCORED): Transition("unshortlist", "Bỏ khỏi danh sách đề xuất", SECRETARIAT, needs_reason=True),
    (State.NOT_AWARDED, State.SCORED): Transition("reconsider", "Xem xét lại", SECRETARIAT, needs_reason=True),
    # Only a decision recorded on the approved award list, for the entry's form of commendation, awards.
    (State.SHORTLISTED, State.AWARDED): Transition(
        "award", "Ghi nhận khen thưởng", SECRETARIAT, requires="award_decided", only_through=AWARD_DECISION
    ),
    (State.SHORTLISTED, State.PUBLISHED): Transition("publish", "Công bố lên thư viện", SECRETARIAT),
    (State.AWARDED, State.PUBLISHED): Transition("publish", "Công bố lên thư viện", SECRETARIAT),
    # Unpublishing returns the initiative to where it was: awarded if the award decision names it.
    (State.PUBLISHED, State.SHORTLISTED): Transition(
        "unpublish", "Gỡ khỏi thư viện", SECRETARIAT, requires="award_not_decided", offer_only_if_met=True
    ),
    (State.PUBLISHED, State.AWARDED): Transition(
        "unpublish", "Gỡ khỏi thư viện", SECRETARIAT, requires="award_decided", offer_only_if_met=True
    ),
}


ONLY_THROUGH_MESSAGES = {
    AWARD_DECISION: "Sáng kiến chỉ được ghi nhận “Được khen thưởng” khi quyết định khen thưởng của hình thức đề nghị "
                    "được ghi nhận trên danh sách đã được lãnh đạo duyệt (trang Danh sách đề nghị khen thưởng).",
}

# Bound in one place, thidua.stages.wire(), which create_app calls; read that module for what each
# name is. The checks on the record a move `requires`, by name (each raises a WorkflowError saying what
# is missing):
REQUIREMENTS: dict[str, Callable[[object], None]] = {}
# What else changes with a move, by transition name (e.g. the report's submission time):
EFFECTS: dict[str, Callable[[object, datetime], None]] = {}
# Who hears of every move once it is made, in order: f(initiative, move, audit_entry, actor=, reason=,
# moment=, imported=):
LISTENERS: list[Callable[..., None]] = []


def state_of(initiative) -> State:
    return State(initiative.status)


def get_transition(current: State, target: State) -> Transition | None:
    return TRANSITIONS.get((current, target))


def actor_may(transition: Transition, initiative, actor) -> bool:
    """The role test of a transition, without the deadline."""
    if actor is None or not actor.is_active or actor.role not in transition.roles:
        return False
    if actor.role in UNIT_ROLES:
        return actor.unit_id == initiative.unit_id
    return True


def check_transition(initiative, target: State, *, actor, reason: str | None = None,
                     now: datetime | None = None, check_requirements: bool = True,
                     imported: bool = False, windows: dict | None = None,
                     through: str | None = None) -> Transition:
    """Raise a WorkflowError if the move may not be made now by this actor; return it otherwise.

    `windows`: the initiative's phase windows (PhaseWindow by Phase) the caller already has; a window
    read here is added to it, so that checking several moves reads each phase's extension once.
    """
    current = state_of(initiative)
    move = get_transition(current, target)
    if move is None:
        raise TransitionNotAllowed(
            f"Không thể chuyển từ “{current.label}” sang “{target.label}”."
        )
    if move.only_through is not None and through != move.only_through:
        raise TransitionNotAllowed(ONLY_THROUGH_MESSAGES.get(move.only_through, "Không thể thực hiện thao tác này."))
    if imported:
        if actor is None or not actor.is_active or actor.role != Role.SECRETARIAT:
            raise NotPermitted("Chỉ Bộ phận Thường trực CCHC được nhập dữ liệu từ biểu mẫu.")
        return move
    if not actor_may(move, initiative, actor):
        raise NotPermitted(f"Tài khoản của bạn không có quyền thực hiện “{move.label}”.")
    if move.needs_reason and not (reason or "").strip():
        raise ReasonRequired(f"Cần ghi rõ lý do để “{move.label}”.")
    if move.phase is not None:
        moment = now or utcnow()
        window = windows.get(move.phase) if windows is not None else None
        if window is None:
            window = phase_window(initiative.campaign_id, initiative.unit_id, move.phase)
            if windows is not None:
                windows[move.phase] = window
        window.check(moment)
    if check_requirements and move.requires:
        REQUIREMENTS[move.requires](initiative)
    return move


def transition(initiative, target: State, *, actor, reason: str | None = None,
               now: datetime | None = None, imported: dict | None = None, through: str | None = None):
    """Move the initiative to `target`, or raise a WorkflowError and change nothing.

    Besides the status, a move (all in the caller's transaction; nothing is committed here):
    - sets `updated_at`, and `registered_at` on registering (cleared on the way back to a draft);
    - runs the move's EFFECTS (thidua.stages): "report" and "resubmit" stamp the results report's
      submission, "reopen_report" clears it, "publish" makes the gallery entry public (made or
      refreshed from the initiative), "unpublish" hides it;
    - writes one "initiative.transition" audit row (from, to, reason, the move's name, an import's source);
    - tells the LISTENERS: the notifications (thidua.notifications.events) write one notification per
      person told of the move and queue their e-mail, sent after the request.

    `imported` (file, row, original moment) replays an answer sent outside thidua: see the
    module's docstring.
    """
    move = check_transition(initiative, target, actor=actor, reason=reason, now=now, imported=imported is not None,
                            through=through)
    previous = initiative.status
    moment = now or utcnow()
    initiative.status = target.value
    initiative.updated_at = moment
    if target is State.REGISTERED and previous == State.DRAFT:
        initiative.registered_at = moment
    elif target is State.DRAFT:
        initiative.registered_at = None  # reopened: it is no longer a registration until sent again
    if move.name in EFFECTS:
        EFFECTS[move.name](initiative, moment)
    entry = audit.record(
        "initiative.transition",
        actor=actor,
        object_type="initiative",
        object_id=initiative.id,
        campaign_id=initiative.campaign_id,
        unit_id=initiative.unit_id,
        from_state=previous,
        to_state=target.value,
        reason=(reason or "").strip() or None,
        details={"transition": move.name, **({"imported": imported} if imported is not None else {})},
        at=moment,
    )
    for listener in LISTENERS:
        listener(initiative, move, entry, actor=actor, reason=reason, moment=moment, imported=imported is not None)
    return initiative


def available_transitions(initiative, actor, *, now: datetime | None = None,
                          windows: dict | None = None) -> list[tuple[State, Transition]]:
    """The moves this actor can make now, for the buttons on the page.

    `windows`: the initiative's phase windows the page already has (see check_transition); each phase's
    window is read once however many moves it governs.
    """
    moves = []
    current = state_of(initiative)
    windows = dict(windows or {})
    for (source, target), move in TRANSITIONS.items():
        if source is not current or move.only_through is not None:
            continue
        try:
            check_transition(initiative, target, actor=actor, reason="-", now=now,
                             check_requirements=move.offer_only_if_met, windows=windows)
        except WorkflowError:
            continue
        moves.append((target, move))
    return moves
