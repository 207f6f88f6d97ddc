"""A campaign as its pipeline, for its page: Đợt 1 → Đợt 2 → Hội đồng → Khen thưởng → Báo cáo UBND → Thư viện
(and its targets, when it has any), each step with its state, its figures, what is missing and where to act.

Every figure comes from the service that computes it for its own page (the report's block figures, the
committee's progress, the award list's heading, the report's versions, the targets' definitions), so the hub
says what those pages say; a fixed number of statements whatever the number of units. Reports is the stage
that reads every other, so the hub lives here; the campaign page imports it.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

import sqlalchemy as sa

from thidua.awards import services as award_services
from thidua.awards.models import AwardEntry, AwardListStatus
from thidua.campaigns.models import Campaign
from thidua.extensions import db
from thidua.numbers import format_number
from thidua.phases import Phase
from thidua.registration.models import Initiative
from thidua.reports import services as report_services
from thidua.reports.figures import BlockFigures, block_figures
from thidua.review import scoring, progress as review_progress
from thidua.review.services import review_deadline
from thidua.targets import services as target_services
from thidua.targets.models import TargetValue, ValueState
from thidua.timeutil import format_date, format_moment, local_today
from thidua.workflow import State

NOT_OPEN, OPEN, CLOSED, DONE = "not_open", "open", "closed", "done"
STATE_LABELS = {NOT_OPEN: "Chưa mở", OPEN: "Đang mở", CLOSED: "Đã đóng", DONE: "Xong"}


@dataclass(frozen=True)
class Action:
    label: str
    endpoint: str
    params: dict = field(default_factory=dict)
    of_campaign: bool = True  # the route takes the campaign's id


@dataclass
class Step:
    key: str
    title: str
    what: str  # the step in a few words
    state: str
    when: str = ""  # "hạn 25/08 · còn 5 ngày", "mở ngày 01/07 · hạn 25/08/2024", "ngày 25/08/2024"
    figures: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    actions: list[Action] = field(default_factory=list)
    current: bool = False  # the next thing to do

    @property
    def state_label(self) -> str:
        return STATE_LABELS[self.state]


@dataclass
class Pipeline:
    campaign: Campaign
    today: date
    steps: list[Step]
    blocks: list[BlockFigures]
    total: BlockFigures
    by_status: dict[str, int]

    @property
    def current(self) -> Step | None:
        return next((s for s in self.steps if s.current), None)

    def step(self, key: str) -> Step:
        return next(s for s in self.steps if s.key == key)


def _n(value: int) -> str:
    return format_number(value)


def _short(day: date) -> str:
    return day.strftime("%d/%m")


def _countdown(deadline: date, today: date) -> str:
    days = (deadline - today).days
    if days > 0:
        return f"hạn {_short(deadline)} · còn {days} ngày"
    if days == 0:
        return f"hạn {_short(deadline)} · hôm nay là hạn cuối"
    return f"hạn {format_date(deadline)} · đã quá hạn {-days} ngày"


def _phase_step(key: str, title: str, what: str, opens: date | None, deadline: date, today: date,
                done: int, total: int) -> Step:
    """A phase in which units send: open from `opens` (None: the day after the previous deadline) to `deadline`."""
    if opens is not None and today < opens:
        return Step(key, title, what, NOT_OPEN, f"mở ngày {_short(opens)} · hạn {format_date(deadline)}")
    if today <= deadline:
        return Step(key, title, what, OPEN, _countdown(deadline, today))
    if total and done >= total:
        return Step(key, title, what, DONE, f"đã đóng ngày {format_date(deadline)}")
    return Step(key, title, what, CLOSED, f"ngày {format_date(deadline)}")


def _registration(campaign: Campaign, total: BlockFigures, today: date) -> Step:
    step = _phase_step("registration", "Đợt 1", "Đăng ký sáng kiến", campaign.launch_date,
                       campaign.registration_deadline, today, total.registered_units, total.participants)
    step.figures = [f"{_n(total.registered_units)}/{_n(total.participants)} đơn vị đã đăng ký",
                    f"{_n(total.initiatives)} sáng kiến đăng ký"]
    if not total.participants:
        step.missing.append("Chưa chọn đơn vị tham gia")
    elif total.participants > total.registered_units and step.state != NOT_OPEN:
        step.missing.append(f"{_n(total.participants - total.registered_units)} đơn vị chưa đăng ký")
    step.actions = [
        Action("Bảng tiến độ đăng ký", "campaigns.board", {"phase": Phase.REGISTRATION.value}),
        Action("Danh sách đề xuất", "registration.campaign_list"),
        Action("Nhắc việc", "notifications.reminders"),
        Action("Gia hạn cho đơn vị", "campaigns.extension_new"),
    ]
    if not total.participants:
        step.actions.insert(0, Action("Chọn đơn vị tham gia", "campaigns.participants"))
    return step


def _report(campaign: Campaign, total: BlockFigures, today: date) -> Step:
    opens = None if today > campaign.registration_deadline else campaign.registration_deadline
    step = _phase_step("report", "Đợt 2", "Báo cáo kết quả", opens, campaign.report_deadline, today,
                       total.reported_units, total.participants)
    if step.state == NOT_OPEN:
        step.when = f"mở sau ngày {_short(campaign.registration_deadline)}"
    step.figures = [f"{_n(total.reported_units)}/{_n(total.participants)} đơn vị đã gửi báo cáo kết quả",
                    f"{_n(total.reported_initiatives)}/{_n(total.initiatives)} sáng kiến đã có báo cáo"]
    if step.state != NOT_OPEN and total.participants > total.reported_units:
        step.missing.append(f"{_n(total.participants - total.reported_units)} đơn vị chưa gửi báo cáo kết quả")
    step.actions = [
        Action("Bảng tiến độ báo cáo", "campaigns.board", {"phase": Phase.REPORT.value}),
        Action("Nhắc việc", "notifications.reminders"),
        Action("Gia hạn cho đơn vị", "campaigns.extension_new"),
    ]
    return step


def _review(campaign: Campaign, today: date) -> Step:
    members = review_progress.progress(campaign.id)
    criteria = scoring.criteria_of(campaign.id)
    assigned, scored = sum(m.total for m in members), sum(m.done for m in members)
    deadline = review_deadline(campaign)
    step = Step("review", "Hội đồng", "Chấm điểm", NOT_OPEN)
    if assigned and scored >= assigned:
        step.state, step.when = DONE, "đã chấm đủ phiếu"
    elif assigned or today > campaign.report_deadline:
        step.state = OPEN
        step.when = ("hạn chấm " + _countdown(deadline, today).removeprefix("hạn ")) if deadline else ""
    else:
        step.when = f"mở sau ngày {_short(campaign.report_deadline)}"
    step.figures = [f"{_n(scored)}/{_n(assigned)} phiếu đã chấm", f"{_n(len(members))} thành viên Hội đồng",
                    f"{_n(len(criteria))} tiêu chí chấm"]
    if not members:
        step.missing.append("Chưa lập Hội đồng")
    if not criteria:
        step.missing.append("Chưa có tiêu chí chấm")
    if not assigned:
        step.missing.append("Chưa phân công chấm")
    elif assigned > scored:
        step.missing.append(f"{_n(assigned - scored)} phiếu chưa chấm")
    step.actions = [
        Action("Tiến độ chấm", "review.progress"),
        Action("Phân công chấm", "review.assign"),
        Action("Xếp hạng, đề xuất khen thưởng", "review.ranking"),
    ]
    if not members or not criteria:
        step.actions = [Action("Lập Hội đồng", "review.committee"), Action("Tiêu chí chấm", "review.rubric"),
                        *step.actions]
    return step


def _awards(campaign: Campaign, by_status: dict[str, int], review: Step) -> Step:
    award_list = award_services.award_list_heading(campaign.id)
    step = Step("awards", "Khen thưởng", "Danh sách đề nghị khen thưởng", NOT_OPEN)
    shortlisted = by_status.get(State.SHORTLISTED.value, 0)
    if award_list is None:
        step.figures = [f"{_n(shortlisted)} sáng kiến được đề xuất khen thưởng"]
        if review.state == DONE or shortlisted:
            step.state = OPEN
            step.missing.append("Chưa lập danh sách khen thưởng")
        else:
            step.when = "sau khi Hội đồng chấm xong"
    else:
        entries = db.session.scalar(sa.select(sa.func.count()).select_from(AwardEntry)
                                    .where(AwardEntry.award_list_id == award_list.id))
        step.state = DONE if award_list.status == AwardListStatus.DECIDED else OPEN
        step.when = award_list.status_label
        step.figures = [f"{_n(entries)} đề nghị khen thưởng trong danh sách"]
        step.missing += {AwardListStatus.DRAFT: ["Chưa trình lãnh đạo duyệt"],
                         AwardListStatus.SUBMITTED: ["Chờ lãnh đạo duyệt"],
                         AwardListStatus.APPROVED: ["Chưa ghi quyết định khen thưởng"]}.get(award_list.status, [])
    step.actions = [Action("Danh sách khen thưởng", "awards.index")]
    return step


def _city_report(campaign: Campaign, today: date, tz: str) -> Step:
    versions = report_services.versions(campaign)
    ready = [v for v in versions if v.ready]
    deadline = campaign.city_report_deadline
    step = Step("city_report", "Báo cáo UBND", "Báo cáo gửi UBND Thành phố", NOT_OPEN)
    if ready:
        step.state = DONE
        step.when = f"phiên bản {ready[0].number}, {format_moment(ready[0].created_at, tz)}"
    elif versions or today > campaign.report_deadline:
        step.state = OPEN
        step.when = _countdown(deadline, today) if deadline else ""
    else:
        step.when = (f"hạn {format_date(deadline)}" if deadline else f"sau ngày {_short(campaign.report_deadline)}")
    step.figures = [f"{_n(len(versions))} phiên bản đã tạo"]
    if not ready and step.state != NOT_OPEN:
        step.missing.append("Chưa tạo báo cáo")
    step.actions = [Action("Báo cáo UBND Thành phố", "reports.city_report")]
    return step


def _gallery(by_status: dict[str, int], awards: Step) -> Step:
    published = by_status.get(State.PUBLISHED.value, 0)
    awarded = by_status.get(State.AWARDED.value, 0)
    step = Step("gallery", "Thư viện", "Mô hình công bố", NOT_OPEN)
    if published and not awarded and awards.state == DONE:
        step.state = DONE
    elif published or awarded:
        step.state = OPEN
    else:
        step.when = "sau quyết định khen thưởng"
    step.figures = [f"{_n(published)} mô hình đã công bố"]
    if awarded:
        step.missing.append(f"{_n(awarded)} sáng kiến đã khen thưởng chưa công bố")
    step.actions = [Action("Sáng kiến đã khen thưởng", "registration.campaign_list", {"status": State.AWARDED.value}),
                    Action("Thư viện mô hình", "gallery.index", of_campaign=False),
                    Action("Nhân rộng mô hình", "gallery.replications", of_campaign=False)]
    return step


def _targets(campaign: Campaign, today: date) -> Step | None:
    targets = target_services.targets_of(campaign.id)
    if not targets:
        return None
    rounds = target_services.rounds_of(campaign.id)
    states = dict(db.session.execute(
        sa.select(TargetValue.state, sa.func.count()).where(TargetValue.campaign_id == campaign.id)
        .group_by(TargetValue.state)).all())
    sent, returned = states.get(ValueState.SENT.value, 0), states.get(ValueState.RETURNED.value, 0)
    step = Step("targets", "Chỉ tiêu", "Đơn vị báo cáo chỉ tiêu thi đua", NOT_OPEN)
    coming = sorted((r for r in rounds if r.deadline >= today), key=lambda r: r.deadline)
    if today < campaign.launch_date:
        step.when = f"mở ngày {_short(campaign.launch_date)}"
    elif coming:
        step.state, step.when = OPEN, f"{coming[0].name}: {_countdown(coming[0].deadline, today)}"
    elif sent or returned:
        step.state = OPEN
    else:
        step.state = DONE if rounds else CLOSED
    step.figures = [f"{_n(len(targets))} chỉ tiêu", f"{_n(len(rounds))} kỳ báo cáo",
                    f"{_n(states.get(ValueState.ACCEPTED.value, 0))} giá trị đã xác nhận"]
    if sent:
        step.missing.append(f"{_n(sent)} giá trị chờ Văn phòng xác nhận")
    if returned:
        step.missing.append(f"{_n(returned)} giá trị trả lại đơn vị chưa gửi lại")
    step.actions = [Action("Kiểm tra giá trị", "targets.check_list"), Action("Bảng kết quả chỉ tiêu", "targets.board"),
                    Action("Chỉ tiêu thi đua", "targets.setup")]
    return step


def campaign_pipeline(campaign: Campaign, *, now: datetime | None = None) -> Pipeline:
    today = local_today(campaign.timezone, now=now)
    blocks, total = block_figures(campaign)
    by_status = dict(db.session.execute(
        sa.select(Initiative.status, sa.func.count()).where(Initiative.campaign_id == campaign.id)
        .group_by(Initiative.status)).all())
    review = _review(campaign, today)
    awards = _awards(campaign, by_status, review)
    steps = [_registration(campaign, total, today), _report(campaign, total, today), review, awards,
             _city_report(campaign, today, campaign.timezone), _gallery(by_status, awards)]
    targets = _targets(campaign, today)
    if targets is not None:
        steps.insert(2, targets)  # units report their targets alongside Đợt 2
    # The next thing to do: the first open step, else the first still to open.
    current = (next((s for s in steps if s.state == OPEN), None)
               or next((s for s in steps if s.state == NOT_OPEN), None))
    if current is not None:
        current.current = True
    return Pipeline(campaign, today, steps, blocks, total, by_status)
