"""What a unit's people are told when something happens to one of its initiatives.

`EVENTS` is the whole list: the moves of the workflow a person hears about, who hears of each (the
unit's editors, its heads, or both; never the person who made the move) and what they read. Two
callers feed it:

- `initiative_moved`, called by `workflow.transition()` after every move (`init_app` registers it);
- `ready_for_head`, called when a unit's editor saves a record that now passes the check of the
  head's next move (a draft complete enough to register, a report complete enough to send): the
  heads are told that it waits for them.

Each notification is one person's and carries the key of its event (the audit row of the move, or
the draft's round for "ready"): the unique key on (person, event) makes a second notification of the
same event impossible, whatever retries or double submissions. Its e-mail, when the person has an
address and has not stopped them, is queued (`mail_status` pending) and sent by the delivery job
(`thidua.notifications.delivery`), which the request that made the event starts once it is answered.
"""
from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

import sqlalchemy as sa
from flask import current_app, g, has_app_context

from thidua import workflow
from thidua.audit import AuditLog
from thidua.auth.models import User
from thidua.auth.roles import Role
from thidua.extensions import db
from thidua.notifications.mail import mail_enabled
from thidua.notifications.models import MailStatus, Notification
from thidua.timeutil import format_moment, utcnow


class Audience(Enum):
    # A unit's people, for its initiatives
    EDITORS = frozenset({Role.UNIT_EDITOR})
    HEADS = frozenset({Role.UNIT_HEAD})
    UNIT = frozenset({Role.UNIT_EDITOR, Role.UNIT_HEAD})
    # The organiser's staff, for its award list
    LEADERS = frozenset({Role.LEADER})
    OFFICE = frozenset({Role.SECRETARIAT})


@dataclass(frozen=True)
class Event:
    audience: Audience
    title: str  # before the initiative's title
    body: str  # {actor}, {unit}, {reason}, {moment}, {title}


EVENTS: dict[str, Event] = {
    "register": Event(Audience.EDITORS, "Đã gửi đăng ký",
                      "{actor} đã gửi đăng ký sáng kiến “{title}” lúc {moment}. Hồ sơ không sửa được nữa, "
                      "trừ khi thủ trưởng mở lại để sửa trong thời hạn Đợt 1."),
    "report": Event(Audience.EDITORS, "Đã gửi báo cáo kết quả",
                    "{actor} đã gửi báo cáo kết quả thực hiện của “{title}” lúc {moment}."),
    "resubmit": Event(Audience.EDITORS, "Đã gửi lại báo cáo kết quả",
                      "{actor} đã gửi lại báo cáo kết quả của “{title}” (sau khi bổ sung) lúc {moment}."),
    "return": Event(Audience.UNIT, "Trả lại để bổ sung",
                    "Bộ phận Thường trực CCHC trả lại “{title}” để đơn vị bổ sung. Lý do: {reason}"),
    "shortlist": Event(Audience.UNIT, "Được đề xuất khen thưởng",
                       "Sau khi Hội đồng chấm điểm, “{title}” được đề xuất khen thưởng."),
    "award": Event(Audience.UNIT, "Được khen thưởng",
                   "“{title}” được khen thưởng theo {reason}."),
    "publish": Event(Audience.UNIT, "Được công bố lên thư viện",
                     "“{title}” được công bố trong thư viện mô hình, giải pháp để các đơn vị khác tham khảo, "
                     "nhân rộng."),
    # Not a move: the record an editor saved is ready for the head's move (see ready_for_head).
    "ready:register": Event(Audience.HEADS, "Chờ thủ trưởng gửi đăng ký",
                            "{actor} đã hoàn thiện hồ sơ đăng ký “{title}”. Thủ trưởng đơn vị xem lại và bấm "
                            "“Gửi đăng ký”."),
    "ready:report": Event(Audience.HEADS, "Chờ thủ trưởng gửi báo cáo kết quả",
                          "{actor} đã hoàn thiện báo cáo kết quả của “{title}”. Thủ trưởng đơn vị xem lại và bấm "
                          "“Gửi báo cáo kết quả”."),
    "ready:resubmit": Event(Audience.HEADS, "Chờ thủ trưởng gửi lại báo cáo",
                            "{actor} đã bổ sung báo cáo kết quả của “{title}”. Thủ trưởng đơn vị xem lại và bấm "
                            "“Gửi lại báo cáo”."),
}
# The award list between the office and the leader (thidua.awards.services), by its audit action;
# {campaign}, {count} besides the above.
AWARD_LIST_EVENTS: dict[str, Event] = {
    "awards.submitted": Event(Audience.LEADERS, "Danh sách đề nghị khen thưởng chờ duyệt",
                              "{actor} đã trình danh sách đề nghị khen thưởng của {campaign} ({count} đề nghị). "
                              "Lãnh đạo xem, duyệt hoặc trả lại kèm ý kiến."),
    "awards.approved": Event(Audience.OFFICE, "Lãnh đạo đã duyệt danh sách đề nghị khen thưởng",
                             "{actor} đã duyệt danh sách đề nghị khen thưởng của {campaign}. Văn phòng ghi nhận "
                             "quyết định khen thưởng của từng hình thức khi có."),
    "awards.returned": Event(Audience.OFFICE, "Lãnh đạo trả lại danh sách đề nghị khen thưởng",
                             "{actor} trả lại danh sách đề nghị khen thưởng của {campaign}. Ý kiến: {reason}"),
}
# The head's move that follows an editor's work, by the state the record is in.
HEAD_MOVES = {
    workflow.State.DRAFT: workflow.State.REGISTERED,
    workflow.State.REGISTERED: workflow.State.REPORTED,
    workflow.State.RETURNED: workflow.State.REPORTED,
}
PENDING_FLAG = "thidua_mail_pending"


def _initiative_path(initiative_id: int) -> str:
    # From the URL map, not url_for: a job has no request.
    return current_app.url_map.bind("localhost").build("registration.detail", {"initiative_id": initiative_id})


def _recipients(whose, roles: frozenset[Role], actor, key: str) -> list[tuple[int, str, bool]]:
    """Active accounts (`whose`: of a unit, of an organiser) in these roles, but the actor and those already
    told of `key`: one query."""
    told = sa.select(Notification.id).where(Notification.user_id == User.id, Notification.event_key == key)
    return db.session.execute(
        sa.select(User.id, User.email, User.email_notifications)
        .where(whose, User.role.in_([r.value for r in roles]), User.is_active_account.is_(True),
               User.id != (actor.id if actor is not None else -1), ~told.exists())
        .order_by(User.id)
    ).all()


def _add(recipients, *, unit_id: int, campaign_id: int, key: str, kind: str, title: str, body: str,
         link: str) -> int:
    by_mail = mail_enabled()
    for user_id, email, wants_mail in recipients:
        mail = by_mail and wants_mail and bool((email or "").strip())
        db.session.add(Notification(
            unit_id=unit_id, campaign_id=campaign_id, user_id=user_id, event_key=key, kind=kind[:40],
            title=title[:255], body=body, link=link, mail_status=MailStatus.PENDING.value if mail else None,
        ))
        if mail and has_app_context():
            setattr(g, PENDING_FLAG, True)
    return len(recipients)


def notify(initiative, name: str, *, actor, occurrence: str, reason: str | None = None, moment=None) -> int:
    """Tell the unit's people of event `name` of this initiative, once per (person, occurrence).

    Returns how many people were told now (those told of this occurrence before are skipped).
    """
    event = EVENTS[name]
    key = f"initiative:{initiative.id}:{name}:{occurrence}"[:120]
    recipients = _recipients(User.unit_id == initiative.unit_id, event.audience.value, actor, key)
    if not recipients:
        return 0
    values = {"actor": actor.full_name if actor is not None else "Hệ thống", "title": initiative.title,
              "reason": (reason or "").strip() or "không ghi", "moment": format_moment(moment or utcnow())}
    return _add(recipients, unit_id=initiative.unit_id, campaign_id=initiative.campaign_id, key=key,
                kind=f"event:{name}", title=f"{event.title}: “{initiative.title}”", body=event.body.format(**values),
                link=_initiative_path(initiative.id))


def award_list_moved(award_list, campaign, entry, *, actor, reason: str | None = None) -> int:
    """Tell the leaders that the list waits for them, or the office what the leader decided (`entry`: the
    audit row of the move, which names it)."""
    event = AWARD_LIST_EVENTS[entry.action]
    db.session.flush()
    key = f"award_list:{award_list.id}:{entry.action}:{entry.id}"[:120]
    recipients = _recipients(User.organiser_id == campaign.organiser_id, event.audience.value, actor, key)
    if not recipients:
        return 0
    values = {"actor": actor.full_name if actor is not None else "Hệ thống", "campaign": campaign.name,
              "count": len(award_list.entries), "reason": (reason or "").strip() or "không ghi"}
    link = current_app.url_map.bind("localhost").build("awards.index", {"campaign_id": campaign.id})
    return _add(recipients, unit_id=campaign.organiser_id, campaign_id=campaign.id, key=key,
                kind=f"event:{entry.action}", title=f"{event.title}: {campaign.name}", body=event.body.format(**values),
                link=link)


def initiative_moved(initiative, move: workflow.Transition, entry, *, actor, reason, moment, imported) -> None:
    """workflow.transition()'s listener: tell the unit of the moves in EVENTS (not of imported ones)."""
    if imported or move.name not in EVENTS:
        return
    db.session.flush()  # the audit row's id names the event
    notify(initiative, move.name, actor=actor, occurrence=str(entry.id), reason=reason, moment=moment)


def _round(initiative_id: int) -> int:
    """Which round of the record this is: the last move it made (0 before any), so that a draft
    reopened and completed again is a new event, and the same draft saved twice is not."""
    return db.session.scalar(
        sa.select(sa.func.max(AuditLog.id))
        .where(AuditLog.object_type == "initiative", AuditLog.object_id == initiative_id,
               AuditLog.action == "initiative.transition")
    ) or 0


def ready_for_head(initiative, actor) -> int:
    """After an editor's save: if the head's next move would now pass its check, tell the heads."""
    if actor is None or actor.role != Role.UNIT_EDITOR:
        return 0
    current = workflow.state_of(initiative)
    target = HEAD_MOVES.get(current)
    move = workflow.get_transition(current, target) if target is not None else None
    if move is None or move.requires is None:
        return 0
    try:
        workflow.REQUIREMENTS[move.requires](initiative)
    except workflow.WorkflowError:
        return 0  # not complete yet: nothing waits for the head
    return notify(initiative, f"ready:{move.name}", actor=actor, occurrence=str(_round(initiative.id)))


def init_app(app) -> None:
    """Start the e-mail delivery after a request that queued e-mail (thidua.stages makes
    `initiative_moved` a listener of the workflow)."""
    @app.after_request
    def start_delivery(response):
        if g.pop(PENDING_FLAG, False) and response.status_code < 400:
            from thidua.notifications.delivery import start_delivery as start

            start()
        return response
