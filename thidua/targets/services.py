"""Targets of a campaign: the office defines them, every unit reports its values, the office checks.

Every change is refused with a TargetError (a message in Vietnamese) rather than half made; the
caller commits on success and rolls back on an error. What a value means for the board, the award
list and the report (met, not met, waiting) is decided by `cell_status`, and only there.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import BinaryIO

import sqlalchemy as sa
from flask import current_app, url_for

from thidua import audit, freeze
from thidua.auth.roles import Role
from thidua.campaigns.models import Campaign, CampaignUnit
from thidua.extensions import db
from thidua.numbers import format_number
from thidua.results.uploads import RefusedFile, detect, display_name
from thidua.storage import TooLarge, get_storage
from thidua.targets.defaults import seed_001_rows
from thidua.targets.models import (
    AppliesTo, Automatic, Comparison, Measure, RoundExtension, RoundKind, Target, TargetEvidence, TargetRound,
    TargetValue, ValueState,
)
from thidua.timeutil import end_of_day_utc, format_date, local_today, utcnow
from thidua.units.models import Unit

HUNDRED = Decimal(100)
CENT = Decimal("0.01")
DEFAULT_ROUND = "Báo cáo kết quả (cùng Đợt 2)"


class TargetError(Exception):
    """A refused change, with a message for the user in Vietnamese."""


# --- definitions -------------------------------------------------------------------------------

def rounds_of(campaign_id: int) -> list[TargetRound]:
    return list(db.session.scalars(sa.select(TargetRound).where(TargetRound.campaign_id == campaign_id)
                                   .order_by(TargetRound.position, TargetRound.deadline, TargetRound.id)))


def targets_of(campaign_id: int, applies_to: AppliesTo | None = None) -> list[Target]:
    """The campaign's targets in their round's order, then their own (rounds loaded with them)."""
    statement = (sa.select(Target).join(TargetRound, TargetRound.id == Target.round_id)
                 .where(Target.campaign_id == campaign_id)
                 .options(sa.orm.contains_eager(Target.round))
                 .order_by(TargetRound.position, TargetRound.deadline, TargetRound.id, Target.position, Target.id))
    if applies_to is not None:
        statement = statement.where(Target.applies_to == applies_to.value)
    return list(db.session.scalars(statement))


def _require_secretariat(actor) -> None:
    if actor is None or actor.role != Role.SECRETARIAT:
        raise TargetError("Chỉ Văn phòng (Bộ phận Thường trực CCHC) được thay đổi chỉ tiêu thi đua.")


def definitions_frozen(campaign: Campaign) -> bool:
    """Targets are the ground of the award list: frozen once the list is submitted for approval."""
    return freeze.frozen_by(campaign.id) is not None


def check_definitions_changeable(campaign: Campaign) -> None:
    if definitions_frozen(campaign):
        raise TargetError("Danh sách đề nghị khen thưởng đã trình lãnh đạo nên không thể thay đổi chỉ tiêu; "
                          "Văn phòng cần mở lại danh sách trước.")


def _next_position(model, campaign_id: int) -> int:
    return (db.session.scalar(sa.select(sa.func.max(model.position)).where(model.campaign_id == campaign_id))
            or 0) + 1


def save_round(campaign: Campaign, round_: TargetRound | None, *, name: str, kind: str, deadline: date,
               actor) -> TargetRound:
    _require_secretariat(actor)
    check_definitions_changeable(campaign)
    name = (name or "").strip()
    if not name:
        raise TargetError("Cần đặt tên đợt báo cáo.")
    if kind not in {k.value for k in RoundKind}:
        raise TargetError("Loại đợt báo cáo không hợp lệ.")
    if deadline is None:
        raise TargetError("Cần nhập hạn gửi của đợt báo cáo.")
    if deadline < campaign.launch_date:
        raise TargetError(f"Hạn gửi phải sau ngày phát động ({format_date(campaign.launch_date)}).")
    clash = db.session.scalar(sa.select(TargetRound.id).where(
        TargetRound.campaign_id == campaign.id, TargetRound.name == name,
        TargetRound.id != (round_.id if round_ else -1)))
    if clash:
        raise TargetError(f"Đã có đợt báo cáo tên “{name}”.")
    created = round_ is None
    if created:
        round_ = TargetRound(campaign_id=campaign.id, position=_next_position(TargetRound, campaign.id))
        db.session.add(round_)
    before = None if created else {"name": round_.name, "kind": round_.kind, "deadline": round_.deadline.isoformat()}
    round_.name, round_.kind, round_.deadline = name, kind, deadline
    db.session.flush()
    audit.record("targets.round_saved", actor=actor, object_type="target_round", object_id=round_.id,
                 campaign_id=campaign.id,
                 details={"before": before, "name": name, "kind": kind, "deadline": deadline.isoformat()})
    return round_


def delete_round(campaign: Campaign, round_: TargetRound, *, actor) -> None:
    _require_secretariat(actor)
    check_definitions_changeable(campaign)
    if db.session.scalar(sa.select(Target.id).where(Target.round_id == round_.id).limit(1)):
        raise TargetError(f"Đợt “{round_.name}” còn chỉ tiêu; chuyển hoặc xóa các chỉ tiêu trước.")
    audit.record("targets.round_deleted", actor=actor, object_type="target_round", object_id=round_.id,
                 campaign_id=campaign.id, details={"name": round_.name})
    db.session.delete(round_)


def default_round(campaign: Campaign) -> TargetRound:
    """The campaign's first round, created with the Đợt 2 deadline when there is none."""
    rounds = rounds_of(campaign.id)
    if rounds:
        return rounds[0]
    round_ = TargetRound(campaign_id=campaign.id, name=DEFAULT_ROUND, kind=RoundKind.REPORT.value,
                         deadline=campaign.report_deadline, position=1)
    db.session.add(round_)
    db.session.flush()
    return round_


TARGET_FIELDS = ("name", "area", "measure", "comparison", "threshold", "applies_to", "unit_types", "blocks",
                 "mandatory", "evidence_required", "automatic", "guidance", "round_id")


def _check_target_values(campaign: Campaign, values: dict) -> dict:
    values = dict(values)
    values["name"] = (values.get("name") or "").strip()
    if not values["name"]:
        raise TargetError("Cần nhập tên chỉ tiêu.")
    try:
        measure = Measure(values.get("measure"))
        Comparison(values.get("comparison"))
        applies = AppliesTo(values.get("applies_to"))
        automatic = Automatic(values.get("automatic") or "")
    except ValueError as error:
        raise TargetError("Cách đo, phép so sánh, đối tượng hoặc cách tính của chỉ tiêu không hợp lệ.") from error
    threshold = values.get("threshold")
    if measure is Measure.YES_NO:
        values["threshold"], values["comparison"] = Decimal(1), Comparison.EQUAL.value
    elif threshold is None:
        raise TargetError("Cần nhập ngưỡng đạt của chỉ tiêu.")
    elif threshold < 0 or (measure is Measure.PERCENT and threshold > HUNDRED):
        raise TargetError("Ngưỡng của chỉ tiêu tỷ lệ phải từ 0 đến 100%." if measure is Measure.PERCENT
                          else "Ngưỡng không được âm.")
    if automatic is Automatic.REGISTERED and measure is not Measure.COUNT:
        raise TargetError("Chỉ tiêu tự tính theo số sáng kiến đã đăng ký phải đo bằng số lượng.")
    if automatic is Automatic.REPORTED and measure is not Measure.YES_NO:
        raise TargetError("Chỉ tiêu tự tính theo báo cáo kết quả phải đo bằng Có/Không.")
    if automatic is not Automatic.NONE and applies is not AppliesTo.UNITS:
        raise TargetError("Chỉ tiêu tự tính chỉ áp dụng cho đơn vị.")
    if applies is AppliesTo.INDIVIDUALS and measure is not Measure.YES_NO:
        raise TargetError("Chỉ tiêu đối với cá nhân đo bằng Có/Không (đạt hay không).")
    round_ = db.session.get(TargetRound, values.get("round_id") or 0)
    if round_ is None or round_.campaign_id != campaign.id:
        raise TargetError("Chọn đợt báo cáo của chỉ tiêu.")
    for key in ("unit_types", "blocks"):
        items = values.get(key) or []
        values[key] = ",".join(sorted({str(v).strip() for v in items if str(v).strip() and "," not in str(v)}))
    values["area"] = values.get("area") or ""
    values["guidance"] = (values.get("guidance") or "").strip()
    values["mandatory"], values["evidence_required"] = bool(values.get("mandatory")), bool(values.get("evidence_required"))
    values["automatic"] = automatic.value
    return values


def save_target(campaign: Campaign, target: Target | None, values: dict, *, actor) -> Target:
    _require_secretariat(actor)
    check_definitions_changeable(campaign)
    values = _check_target_values(campaign, values)
    created = target is None
    if created:
        target = Target(campaign_id=campaign.id, position=_next_position(Target, campaign.id))
        db.session.add(target)
    elif target.measure != values["measure"] and _has_reported_values(target):
        raise TargetError("Đơn vị đã báo cáo chỉ tiêu này nên không thể đổi cách đo; tạo chỉ tiêu mới nếu cần.")
    before = None if created else {k: _plain(getattr(target, k)) for k in TARGET_FIELDS}
    for key in TARGET_FIELDS:
        setattr(target, key, values[key])
    db.session.flush()
    audit.record("targets.saved", actor=actor, object_type="target", object_id=target.id, campaign_id=campaign.id,
                 details={"before": before, "after": {k: _plain(values[k]) for k in TARGET_FIELDS}})
    return target


def _plain(value):
    return str(value) if isinstance(value, Decimal) else value


def _has_reported_values(target: Target) -> bool:
    return db.session.scalar(sa.select(TargetValue.id).where(
        TargetValue.target_id == target.id, TargetValue.state != ValueState.DRAFT.value).limit(1)) is not None


def delete_target(campaign: Campaign, target: Target, *, actor) -> None:
    _require_secretariat(actor)
    check_definitions_changeable(campaign)
    if _has_reported_values(target):
        raise TargetError(f"Đã có đơn vị gửi giá trị của chỉ tiêu “{target.name}” nên không thể xóa.")
    _forget_files(sa.select(TargetEvidence.storage_key).join(TargetValue, TargetValue.id == TargetEvidence.value_id)
                  .where(TargetValue.target_id == target.id))
    audit.record("targets.deleted", actor=actor, object_type="target", object_id=target.id, campaign_id=campaign.id,
                 details={"name": target.name})
    db.session.delete(target)


def _create_targets(campaign: Campaign, rows: list[dict], round_ids: dict | None = None) -> int:
    fallback = default_round(campaign)
    position = _next_position(Target, campaign.id)
    for offset, row in enumerate(rows):
        round_id = (round_ids or {}).get(row.get("round_id"), fallback.id)
        db.session.add(Target(campaign_id=campaign.id, position=position + offset, round_id=round_id,
                              **{k: row.get(k, "") for k in TARGET_FIELDS if k != "round_id"}
                              | {"blocks": row.get("blocks", "")}))
    db.session.flush()
    return len(rows)


def apply_default_targets(campaign: Campaign, *, actor) -> int:
    """The targets of Kế hoạch thi đua CCHC 2023–2025 (section II.2), in a campaign that has none."""
    _require_secretariat(actor)
    check_definitions_changeable(campaign)
    if targets_of(campaign.id):
        raise TargetError("Phong trào đã có chỉ tiêu; bộ chỉ tiêu mặc định chỉ áp dụng cho phong trào chưa có.")
    count = _create_targets(campaign, seed_001_rows())
    audit.record("targets.defaults_applied", actor=actor, object_type="campaign", object_id=campaign.id,
                 campaign_id=campaign.id, details={"targets": count})
    return count


def copy_sources(campaign: Campaign) -> list[Campaign]:
    """Earlier campaigns of the same organiser that have targets, newest first."""
    has_targets = sa.select(Target.id).where(Target.campaign_id == Campaign.id).exists()
    return list(db.session.scalars(sa.select(Campaign).where(
        Campaign.organiser_id == campaign.organiser_id, Campaign.id != campaign.id, has_targets)
        .order_by(Campaign.year.desc(), Campaign.id.desc())))


def _same_day_in(day: date, year: int) -> date:
    try:
        return day.replace(year=year)
    except ValueError:  # 29/02
        return day.replace(year=year, day=28)


def copy_targets(campaign: Campaign, source: Campaign, *, actor) -> int:
    """Copy the rounds (their deadlines moved to this campaign's year) and the targets of `source`."""
    _require_secretariat(actor)
    check_definitions_changeable(campaign)
    if source.organiser_id != campaign.organiser_id or source.id == campaign.id:
        raise TargetError("Chỉ sao chép được chỉ tiêu từ phong trào khác của cùng cấp tổ chức.")
    if targets_of(campaign.id):
        raise TargetError("Phong trào đã có chỉ tiêu; chỉ sao chép vào phong trào chưa có chỉ tiêu.")
    existing = {r.name: r for r in rounds_of(campaign.id)}
    shift = campaign.year - source.year
    round_ids = {}
    for old in rounds_of(source.id):
        new = existing.get(old.name)
        if new is None:
            deadline = max(_same_day_in(old.deadline, old.deadline.year + shift), campaign.launch_date)
            new = TargetRound(campaign_id=campaign.id, name=old.name, kind=old.kind, deadline=deadline,
                              position=old.position)
            db.session.add(new)
            db.session.flush()
        round_ids[old.id] = new.id
    rows = [{k: getattr(t, k) for k in TARGET_FIELDS} for t in targets_of(source.id)]
    count = _create_targets(campaign, rows, round_ids)
    audit.record("targets.copied", actor=actor, object_type="campaign", object_id=campaign.id,
                 campaign_id=campaign.id, details={"from_campaign": source.id, "targets": count})
    return count


# --- rounds' deadlines ------------------------------------------------------------------------

@dataclass(frozen=True)
class RoundWindow:
    """When one unit may send its values in one round."""

    campaign: Campaign
    round: TargetRound
    extension: RoundExtension | None

    @property
    def effective_deadline(self) -> date:
        return max(self.round.deadline, self.extension.until) if self.extension else self.round.deadline

    @property
    def closes_at(self) -> datetime:
        return end_of_day_utc(self.effective_deadline, self.campaign.timezone)

    def is_open(self, now: datetime | None = None) -> bool:
        return (now or utcnow()) < self.closes_at

    def check(self, now: datetime | None = None) -> None:
        if not self.is_open(now):
            raise TargetError(f"Đã hết hạn gửi “{self.round.name}” (ngày {format_date(self.effective_deadline)}); "
                              "đơn vị cần được Bộ phận Thường trực CCHC gia hạn.")

    def days_left(self, now: datetime | None = None) -> int:
        return (self.effective_deadline - local_today(self.campaign.timezone, now=now)).days


def extensions_in_force(campaign_id: int, unit_id: int | None = None) -> dict[tuple[int, int], RoundExtension]:
    """The latest extension per (round, unit) of the campaign (one statement)."""
    statement = (sa.select(RoundExtension).join(TargetRound, TargetRound.id == RoundExtension.round_id)
                 .where(TargetRound.campaign_id == campaign_id)
                 .order_by(RoundExtension.granted_at, RoundExtension.id))
    if unit_id is not None:
        statement = statement.where(RoundExtension.unit_id == unit_id)
    return {(e.round_id, e.unit_id): e for e in db.session.scalars(statement)}


def round_window(campaign: Campaign, round_: TargetRound, unit_id: int,
                 extensions: dict | None = None) -> RoundWindow:
    if extensions is None:
        extensions = extensions_in_force(campaign.id, unit_id)
    return RoundWindow(campaign, round_, extensions.get((round_.id, unit_id)))


def grant_round_extension(campaign: Campaign, round_: TargetRound, unit: Unit, until: date | None, reason: str, *,
                          actor) -> RoundExtension:
    _require_secretariat(actor)
    if freeze.frozen_by(campaign.id) is not None:
        raise TargetError("Danh sách khen thưởng đã trình lãnh đạo; không gia hạn báo cáo chỉ tiêu được nữa.")
    reason = (reason or "").strip()
    if not reason:
        raise TargetError("Cần ghi lý do gia hạn.")
    if until is None or until <= round_.deadline:
        raise TargetError(f"Ngày gia hạn phải sau hạn của đợt ({format_date(round_.deadline)}).")
    if not db.session.get(CampaignUnit, (campaign.id, unit.id)):
        raise TargetError("Đơn vị không tham gia phong trào này.")
    extension = RoundExtension(round_id=round_.id, unit_id=unit.id, until=until, reason=reason,
                               granted_by_id=actor.id, granted_at=utcnow())
    db.session.add(extension)
    db.session.flush()
    audit.record("targets.extension_granted", actor=actor, object_type="target_round", object_id=round_.id,
                 campaign_id=campaign.id, unit_id=unit.id, reason=reason,
                 details={"round": round_.name, "until": until.isoformat(), "deadline": round_.deadline.isoformat()})
    return extension


# --- what a value means -----------------------------------------------------------------------

MET, NOT_MET, NOT_REPORTED, AWAITING, RETURNED = "met", "not_met", "not_reported", "awaiting", "returned"
STATUS_LABELS = {
    MET: "Đạt", NOT_MET: "Không đạt", NOT_REPORTED: "Chưa báo cáo", AWAITING: "Chờ kiểm tra", RETURNED: "Bị trả lại",
}


@dataclass(frozen=True, slots=True)
class Progress:
    """What the automatic targets read of a unit (its campaign_unit row)."""

    registered: int = 0
    reported_all: bool = False


def automatic_value(target: Target, progress: Progress) -> Decimal | None:
    automatic = target.automatic_enum
    if automatic is Automatic.REGISTERED:
        return Decimal(progress.registered)
    if automatic is Automatic.REPORTED:
        return Decimal(1 if progress.reported_all else 0)
    return None


def cell_status(target: Target, state: str | None, value: Decimal | None, progress: Progress) -> tuple[str, Decimal | None]:
    """(status, the value shown) of a unit for a target: the one rule the board, the award list and the
    report follow. A reported value counts only once the office has accepted it."""
    if target.automatic:
        shown = automatic_value(target, progress)
        return (MET if target.is_met_by(shown) else NOT_MET), shown
    if state is None or state == ValueState.DRAFT.value:
        return NOT_REPORTED, value
    if state == ValueState.SENT.value:
        return AWAITING, value
    if state == ValueState.RETURNED.value:
        return RETURNED, value
    return (MET if target.is_met_by(value) else NOT_MET), value


def format_value(target: Target, value: Decimal | None) -> str:
    if value is None:
        return ""
    if target.measure == Measure.YES_NO.value:
        return "Có" if value == 1 else "Không"
    if target.measure == Measure.PERCENT.value:
        return format_number(value, places=2) + "%"
    return format_number(value, places=2)


def threshold_text(target: Target) -> str:
    if target.measure == Measure.YES_NO.value:
        return "Có"
    return f"{target.comparison_enum.sign} {format_value(target, target.threshold)}"


# --- the unit's values ------------------------------------------------------------------------

def applicable(targets: list[Target], unit: Unit) -> list[Target]:
    return [t for t in targets if t.applies_to_unit(unit.unit_type, unit.block)]


@dataclass
class SheetRow:
    target: Target
    value: TargetValue | None
    files: list[TargetEvidence]
    status: str
    shown: Decimal | None

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]

    @property
    def editable(self) -> bool:
        return not self.target.automatic and (self.value is None or self.value.editable)


@dataclass
class RoundSheet:
    round: TargetRound
    window: RoundWindow
    rows: list[SheetRow] = field(default_factory=list)

    @property
    def to_send(self) -> list[SheetRow]:
        return [r for r in self.rows if r.value is not None and r.value.editable and r.value.value is not None]

    @property
    def waiting(self) -> list[SheetRow]:
        return [r for r in self.rows if r.editable]



def progress_of(campaign_id: int, unit_id: int) -> Progress:
    row = db.session.get(CampaignUnit, (campaign_id, unit_id))
    if row is None:
        return Progress()
    return Progress(row.registered_count, row.registered_count > 0 and row.report_done_at is not None)


def unit_sheet(campaign: Campaign, unit: Unit) -> list[RoundSheet]:
    """The unit's targets by round, with its values, files and the status of each: four statements."""
    targets = applicable(targets_of(campaign.id, AppliesTo.UNITS), unit)
    values = {v.target_id: v for v in db.session.scalars(sa.select(TargetValue).where(
        TargetValue.campaign_id == campaign.id, TargetValue.unit_id == unit.id))}
    files: dict[int, list[TargetEvidence]] = {}
    if values:
        for evidence in db.session.scalars(sa.select(TargetEvidence).where(
                TargetEvidence.campaign_id == campaign.id, TargetEvidence.unit_id == unit.id,
                TargetEvidence.value_id.is_not(None)).order_by(TargetEvidence.id)):
            files.setdefault(evidence.value_id, []).append(evidence)
    progress = progress_of(campaign.id, unit.id)
    extensions = extensions_in_force(campaign.id, unit.id)
    sheets: dict[int, RoundSheet] = {}
    for target in targets:
        sheet = sheets.get(target.round_id)
        if sheet is None:
            sheet = sheets[target.round_id] = RoundSheet(target.round, round_window(campaign, target.round, unit.id,
                                                                                     extensions))
        value = values.get(target.id)
        status, shown = cell_status(target, value.state if value else None, value.value if value else None, progress)
        sheet.rows.append(SheetRow(target, value, files.get(value.id, []) if value else [], status, shown))
    return list(sheets.values())


@dataclass(frozen=True)
class Entry:
    """What the unit typed for one target, already read as numbers (thidua.numbers.parse_number)."""

    value: Decimal | None = None
    numerator: Decimal | None = None
    denominator: Decimal | None = None
    note: str = ""


def computed_value(target: Target, entry: Entry) -> Decimal | None:
    """The value an entry gives the target, or TargetError saying what is wrong with it."""
    name = f"“{target.name}”"
    measure = target.measure_enum
    if measure is Measure.PERCENT and (entry.numerator is not None or entry.denominator is not None):
        if entry.numerator is None or entry.denominator is None:
            raise TargetError(f"{name}: cần nhập cả tử số và mẫu số (hoặc nhập trực tiếp tỷ lệ).")
        if entry.denominator <= 0:
            raise TargetError(f"{name}: mẫu số phải lớn hơn 0.")
        if entry.numerator < 0 or entry.numerator > entry.denominator:
            raise TargetError(f"{name}: tử số phải từ 0 đến mẫu số ({format_number(entry.denominator)}).")
        rate = (entry.numerator / entry.denominator * HUNDRED).quantize(CENT, rounding=ROUND_HALF_UP)
        if entry.value is not None and abs(entry.value - rate) >= CENT:
            raise TargetError(f"{name}: tỷ lệ đã nhập ({format_number(entry.value)}%) khác tỷ lệ tính từ tử số và "
                              f"mẫu số ({format_number(rate)}%); để trống ô tỷ lệ để hệ thống tự tính.")
        return rate
    value = entry.value
    if value is None:
        return None
    if measure is Measure.PERCENT and not (0 <= value <= HUNDRED):
        raise TargetError(f"{name}: tỷ lệ phải từ 0 đến 100%.")
    if measure is Measure.COUNT and (value < 0 or value != value.to_integral_value()):
        raise TargetError(f"{name}: số lượng phải là số nguyên không âm.")
    if measure is Measure.YES_NO and value not in (0, 1):
        raise TargetError(f"{name}: chọn Có hoặc Không.")
    return value


def entry_errors(sheet: RoundSheet, entries: dict[int, Entry]) -> list[str]:
    """What is wrong with the entries of a round's sheet, one message per target."""
    errors = []
    for row in sheet.rows:
        if row.target.id in entries and not row.target.automatic:
            try:
                computed_value(row.target, entries[row.target.id])
            except TargetError as error:
                errors.append(str(error))
    return errors


def _require_unit_member(actor, unit: Unit) -> None:
    if actor is None or not actor.is_unit_member or actor.unit_id != unit.id:
        raise TargetError("Chỉ tài khoản của đơn vị được báo cáo chỉ tiêu của đơn vị.")


def _sheet_for(campaign: Campaign, unit: Unit, round_: TargetRound) -> RoundSheet:
    for sheet in unit_sheet(campaign, unit):
        if sheet.round.id == round_.id:
            return sheet
    raise TargetError(f"Đơn vị không có chỉ tiêu nào trong “{round_.name}”.")


def save_values(campaign: Campaign, unit: Unit, round_: TargetRound, entries: dict[int, Entry], *, actor,
                now: datetime | None = None) -> int:
    """Save the unit's draft values of a round (only those still editable); all or nothing."""
    _require_unit_member(actor, unit)
    sheet = _sheet_for(campaign, unit, round_)
    sheet.window.check(now)
    errors, changed = [], []
    moment = now or utcnow()
    for row in sheet.rows:
        entry = entries.get(row.target.id)
        if entry is None or row.target.automatic:
            continue
        try:
            value = computed_value(row.target, entry)
        except TargetError as error:
            errors.append(str(error))
            continue
        note = (entry.note or "").strip()[:2000]
        current = row.value
        before = (current.value, current.numerator, current.denominator, current.note) if current else (None, None, None, "")
        after = (value, entry.numerator if value is not None else None,
                 entry.denominator if value is not None else None, note)
        if _same(before, after):
            continue
        if not row.editable:
            errors.append(f"“{row.target.name}”: giá trị đã gửi Văn phòng; chỉ sửa được khi Văn phòng trả lại.")
            continue
        if current is None:
            current = row.value = TargetValue(campaign_id=campaign.id, target_id=row.target.id, unit_id=unit.id,
                                              state=ValueState.DRAFT.value)
            db.session.add(current)
        current.value, current.numerator, current.denominator, current.note = after
        current.updated_at, current.updated_by_id = moment, actor.id
        changed.append({"target_id": row.target.id, "value": _plain(value), "numerator": _plain(after[1]),
                        "denominator": _plain(after[2])})
    if errors:
        raise TargetError(" ".join(errors))
    if changed:
        db.session.flush()
        audit.record("targets.values_saved", actor=actor, object_type="target_round", object_id=round_.id,
                     campaign_id=campaign.id, unit_id=unit.id, details={"values": changed})
    return len(changed)


def _same(before: tuple, after: tuple) -> bool:
    def norm(item):
        return None if item is None else (Decimal(item).normalize() if isinstance(item, (Decimal, int)) else item)
    return tuple(map(norm, before)) == tuple(map(norm, after))


def missing_to_send(sheet: RoundSheet) -> list[str]:
    """What keeps the round from being sent: mandatory targets without a value, evidence not attached."""
    missing = []
    for row in sheet.rows:
        if not row.editable:
            continue
        if row.value is None or row.value.value is None:
            if row.target.mandatory:
                missing.append(f"giá trị của “{row.target.name}”")
        elif row.target.evidence_required and not row.files:
            missing.append(f"minh chứng của “{row.target.name}”")
    return missing


def send_round(campaign: Campaign, unit: Unit, round_: TargetRound, *, actor, now: datetime | None = None) -> int:
    """The unit's head sends the round's values to the office (those drafted or corrected)."""
    _require_unit_member(actor, unit)
    if actor.role != Role.UNIT_HEAD:
        raise TargetError("Thủ trưởng đơn vị gửi báo cáo chỉ tiêu; người nhập liệu lưu nháp để thủ trưởng gửi.")
    sheet = _sheet_for(campaign, unit, round_)
    sheet.window.check(now)
    missing = missing_to_send(sheet)
    if missing:
        raise TargetError("Chưa gửi được: còn thiếu " + "; ".join(missing) + ".")
    rows = sheet.to_send
    if not rows:
        raise TargetError(f"Không có giá trị nào của “{round_.name}” chờ gửi.")
    moment = now or utcnow()
    for row in rows:
        row.value.state = ValueState.SENT.value
        row.value.sent_at, row.value.sent_by_id = moment, actor.id
    db.session.flush()
    audit.record("targets.sent", actor=actor, object_type="target_round", object_id=round_.id,
                 campaign_id=campaign.id, unit_id=unit.id, to_state=ValueState.SENT.value,
                 details={"targets": [r.target.id for r in rows]})
    return len(rows)


def check_value(value: TargetValue, accept: bool, reason: str = "", *, actor) -> None:
    """The office accepts a sent value, or returns a sent or accepted one with a reason."""
    _require_secretariat(actor)
    campaign = db.session.get(Campaign, value.campaign_id)
    check_definitions_changeable(campaign)
    reason = (reason or "").strip()
    previous = value.state
    if accept:
        if not value.acceptable:
            raise TargetError("Chỉ xác nhận được giá trị đơn vị đã gửi và đang chờ kiểm tra.")
        value.state, value.return_reason = ValueState.ACCEPTED.value, ""
    else:
        if not value.returnable:
            raise TargetError("Chỉ trả lại được giá trị đơn vị đã gửi.")
        if not reason:
            raise TargetError("Cần ghi lý do trả lại để đơn vị biết cần sửa gì.")
        value.state, value.return_reason = ValueState.RETURNED.value, reason[:2000]
    value.checked_at, value.checked_by_id = utcnow(), actor.id
    db.session.flush()
    if not accept:
        target = db.session.get(Target, value.target_id)
        notify_unit(value.unit_id, value.campaign_id, kind="target_returned",
                    title=f"Văn phòng trả lại giá trị chỉ tiêu “{target.name}”",
                    body=f"Lý do: {value.return_reason} Đơn vị sửa và thủ trưởng gửi lại.",
                    link=url_for("targets.unit_sheet", campaign_id=value.campaign_id) + f"#chi-tieu-{target.id}")
    audit.record("targets.accepted" if accept else "targets.returned", actor=actor, object_type="target_value",
                 object_id=value.id, campaign_id=value.campaign_id, unit_id=value.unit_id, from_state=previous,
                 to_state=value.state, reason=reason or None,
                 details={"target_id": value.target_id, "value": _plain(value.value)})


def notify_unit(unit_id: int, campaign_id: int, *, kind: str, title: str, body: str, link: str) -> None:
    """A message on the unit's dashboard (thidua.notifications), added to the caller's transaction."""
    from thidua.notifications.models import Notification

    db.session.add(Notification(unit_id=unit_id, campaign_id=campaign_id, kind=kind, title=title[:255], body=body,
                                link=link[:255]))


# --- evidence ----------------------------------------------------------------------------------

def store_file(stream: BinaryIO, filename: str | None):
    """Check and store an uploaded file: (stored, kind, display name), or RefusedFile with the reason."""
    kind = detect(stream)
    limit = current_app.config["MAX_UPLOAD_MB"] * 1024 * 1024
    try:
        stored = get_storage().save(stream, max_size=limit)
    except TooLarge as error:
        raise RefusedFile(f"Tệp lớn hơn {current_app.config['MAX_UPLOAD_MB']} MB.") from error
    return stored, kind, display_name(filename, kind)


def add_value_evidence(campaign: Campaign, unit: Unit, target: Target, stream: BinaryIO, filename: str | None, *,
                       actor, now: datetime | None = None) -> TargetEvidence:
    """Attach a file to the unit's value of `target` (a draft value is created when there is none)."""
    _require_unit_member(actor, unit)
    sheet = _sheet_for(campaign, unit, db.session.get(TargetRound, target.round_id))
    row = next((r for r in sheet.rows if r.target.id == target.id), None)
    if row is None:
        raise TargetError("Chỉ tiêu này không áp dụng cho đơn vị.")
    sheet.window.check(now)
    if not row.editable:
        raise TargetError(f"“{target.name}”: giá trị đã gửi Văn phòng; chỉ thêm minh chứng khi Văn phòng trả lại.")
    if row.value is None:
        row.value = TargetValue(campaign_id=campaign.id, target_id=target.id, unit_id=unit.id,
                                state=ValueState.DRAFT.value, updated_by_id=actor.id)
        db.session.add(row.value)
        db.session.flush()
    stored, kind, name = store_file(stream, filename)
    evidence = TargetEvidence(campaign_id=campaign.id, unit_id=unit.id, value_id=row.value.id, original_name=name,
                              storage_key=stored.key, content_type=kind.content_type, size=stored.size,
                              sha256=stored.sha256, uploaded_by_id=actor.id, uploaded_at=now or utcnow())
    db.session.add(evidence)
    db.session.flush()
    audit.record("targets.evidence_added", actor=actor, object_type="target_value", object_id=row.value.id,
                 campaign_id=campaign.id, unit_id=unit.id,
                 details={"file": name, "size": stored.size, "sha256": stored.sha256, "target_id": target.id})
    return evidence


def remove_value_evidence(campaign: Campaign, unit: Unit, evidence: TargetEvidence, *, actor,
                          now: datetime | None = None) -> None:
    _require_unit_member(actor, unit)
    value = db.session.get(TargetValue, evidence.value_id)
    target = db.session.get(Target, value.target_id)
    round_window(campaign, db.session.get(TargetRound, target.round_id), unit.id).check(now)
    if not value.editable:
        raise TargetError(f"“{target.name}”: giá trị đã gửi Văn phòng; chỉ xóa minh chứng khi Văn phòng trả lại.")
    audit.record("targets.evidence_removed", actor=actor, object_type="target_value", object_id=value.id,
                 campaign_id=campaign.id, unit_id=unit.id, details={"file": evidence.original_name,
                                                                     "sha256": evidence.sha256})
    _forget_files(sa.select(TargetEvidence.storage_key).where(TargetEvidence.id == evidence.id))
    db.session.delete(evidence)


def _forget_files(keys_query) -> None:
    """Delete the stored files of the rows about to be deleted, once the transaction has committed."""
    keys = list(db.session.scalars(keys_query))
    if keys:
        db.session.info.setdefault("thidua.delete_after_commit", []).extend(keys)


# --- the office's pages -----------------------------------------------------------------------

def defaults_types() -> list[str]:
    """The unit types the default targets name (offered on the target form even before units join)."""
    return sorted({t for row in seed_001_rows() for t in row["unit_types"].split(",") if t})


COLLECTIVE_RULES = ("targets", "initiatives")


def set_rule(campaign: Campaign, rule: str, individuals_deadline: date | None, *, actor) -> None:
    _require_secretariat(actor)
    check_definitions_changeable(campaign)
    if rule not in COLLECTIVE_RULES:
        raise TargetError("Cách xét tập thể không hợp lệ.")
    if individuals_deadline is not None and individuals_deadline < campaign.launch_date:
        raise TargetError(f"Hạn đề nghị cá nhân phải sau ngày phát động ({format_date(campaign.launch_date)}).")
    before = {"rule": campaign.collective_rule,
              "individuals_deadline": campaign.individuals_deadline.isoformat() if campaign.individuals_deadline
              else None}
    campaign.collective_rule, campaign.individuals_deadline = rule, individuals_deadline
    audit.record("targets.rule_saved", actor=actor, object_type="campaign", object_id=campaign.id,
                 campaign_id=campaign.id, details={"before": before, "rule": rule,
                                                   "individuals_deadline": individuals_deadline.isoformat()
                                                   if individuals_deadline else None})


def extension_history(campaign_id: int) -> list[tuple[RoundExtension, TargetRound, Unit]]:
    return [tuple(row) for row in db.session.execute(
        sa.select(RoundExtension, TargetRound, Unit).join(TargetRound, TargetRound.id == RoundExtension.round_id)
        .join(Unit, Unit.id == RoundExtension.unit_id).where(TargetRound.campaign_id == campaign_id)
        .order_by(RoundExtension.granted_at.desc(), RoundExtension.id.desc()))]


@dataclass(frozen=True)
class CheckRow:
    value: TargetValue
    target: Target
    unit: Unit
    files: list[TargetEvidence]


def values_to_check(campaign: Campaign, *, state: str | None = ValueState.SENT.value,
                    unit_id: int | None = None, limit: int = 500) -> list[CheckRow]:
    """The units' values in `state` (None: every sent, checked or returned one), with their files: two statements."""
    statement = (sa.select(TargetValue, Target, Unit)
                 .join(Target, Target.id == TargetValue.target_id).join(Unit, Unit.id == TargetValue.unit_id)
                 .where(TargetValue.campaign_id == campaign.id)
                 .order_by(TargetValue.sent_at.desc().nulls_last(), Unit.name, Target.position, Target.id)
                 .limit(limit))
    statement = statement.where(TargetValue.state == state) if state else statement.where(
        TargetValue.state != ValueState.DRAFT.value)
    if unit_id is not None:
        statement = statement.where(TargetValue.unit_id == unit_id)
    rows = db.session.execute(statement).all()
    files: dict[int, list[TargetEvidence]] = {}
    if rows:
        for evidence in db.session.scalars(sa.select(TargetEvidence).where(
                TargetEvidence.value_id.in_([r[0].id for r in rows])).order_by(TargetEvidence.id)):
            files.setdefault(evidence.value_id, []).append(evidence)
    return [CheckRow(value, target, unit, files.get(value.id, [])) for value, target, unit in rows]
