"""The targets board: every participating unit against every target that applies to it, the share of
units meeting each target by block and unit type, and each unit's standing for the award list.

Three statements whatever the number of units: the targets, the participants with their progress,
the values. What each cell means is `services.cell_status`.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

import sqlalchemy as sa

from thidua.campaigns.models import Campaign, CampaignUnit
from thidua.extensions import db, in_vietnamese_order
from thidua.targets.models import AppliesTo, Target, TargetValue
from thidua.targets.services import (
    AWAITING, MET, NOT_MET, NOT_REPORTED, RETURNED, STATUS_LABELS, Progress, cell_status, targets_of,
)
from thidua.units.models import Unit, unit_type_label

STATUSES = (MET, NOT_MET, AWAITING, RETURNED, NOT_REPORTED)


@dataclass
class Cell:
    status: str
    value: Decimal | None
    value_id: int | None = None

    @property
    def label(self) -> str:
        return STATUS_LABELS[self.status]


@dataclass
class UnitStanding:
    unit_id: int
    code: str
    name: str
    short_name: str
    block: str
    unit_type: str
    registered: int
    cells: dict[int, Cell] = field(default_factory=dict)  # target id → cell, only targets that apply
    mandatory_ids: frozenset[int] = frozenset()

    @property
    def display_name(self) -> str:
        return self.short_name or self.name

    @property
    def type_label(self) -> str:
        return unit_type_label(self.unit_type)

    @property
    def met(self) -> int:
        return sum(1 for c in self.cells.values() if c.status == MET)

    @property
    def applicable(self) -> int:
        return len(self.cells)

    @property
    def mandatory_missed(self) -> list[int]:
        """The mandatory targets that are not met (not reported and awaiting check included)."""
        return [tid for tid in self.mandatory_ids if self.cells[tid].status != MET]

    @property
    def all_mandatory_met(self) -> bool:
        return bool(self.cells) and not self.mandatory_missed

    def count(self, status: str) -> int:
        return sum(1 for c in self.cells.values() if c.status == status)


@dataclass
class Share:
    applicable: int = 0
    met: int = 0

    @property
    def rate(self) -> Decimal | None:
        return (Decimal(self.met) * 100 / self.applicable).quantize(Decimal("0.1")) if self.applicable else None


@dataclass
class TargetSummary:
    target: Target
    total: Share
    by_block: dict[str, Share]
    by_type: dict[str, Share]
    statuses: dict[str, int]


@dataclass
class Board:
    campaign: Campaign
    targets: list[Target]
    units: list[UnitStanding]
    summaries: list[TargetSummary]
    blocks: list[str]
    types: list[str]

    def summary(self, target_id: int) -> TargetSummary:
        return next(s for s in self.summaries if s.target.id == target_id)


def build_board(campaign: Campaign) -> Board:
    targets = targets_of(campaign.id, AppliesTo.UNITS)
    rows = db.session.execute(
        sa.select(Unit.id, Unit.code, Unit.name, Unit.short_name, Unit.block, Unit.unit_type,
                  CampaignUnit.registered_count, CampaignUnit.report_done_at)
        .join(CampaignUnit, CampaignUnit.unit_id == Unit.id)
        .where(CampaignUnit.campaign_id == campaign.id)
        .order_by(in_vietnamese_order(Unit.block), Unit.unit_type, in_vietnamese_order(Unit.name))).all()
    values = {(v.target_id, v.unit_id): v for v in db.session.execute(
        sa.select(TargetValue.id, TargetValue.target_id, TargetValue.unit_id, TargetValue.state, TargetValue.value)
        .where(TargetValue.campaign_id == campaign.id))} if targets else {}
    units = []
    for row in rows:
        standing = UnitStanding(row.id, row.code, row.name, row.short_name, row.block, row.unit_type,
                                row.registered_count)
        progress = Progress(row.registered_count, row.registered_count > 0 and row.report_done_at is not None)
        mandatory = set()
        for target in targets:
            if not target.applies_to_unit(row.unit_type, row.block):
                continue
            value = values.get((target.id, row.id))
            status, shown = cell_status(target, value.state if value else None, value.value if value else None,
                                        progress)
            standing.cells[target.id] = Cell(status, shown, value.id if value else None)
            if target.mandatory:
                mandatory.add(target.id)
        standing.mandatory_ids = frozenset(mandatory)
        units.append(standing)
    summaries = []
    for target in targets:
        total, by_block, by_type = Share(), defaultdict(Share), defaultdict(Share)
        statuses = dict.fromkeys(STATUSES, 0)
        for unit in units:
            cell = unit.cells.get(target.id)
            if cell is None:
                continue
            statuses[cell.status] += 1
            for share in (total, by_block[unit.block or "—"], by_type[unit.unit_type]):
                share.applicable += 1
                share.met += cell.status == MET
        summaries.append(TargetSummary(target, total, dict(by_block), dict(by_type), statuses))
    blocks = list(dict.fromkeys(u.block or "—" for u in units))
    types = list(dict.fromkeys(u.unit_type for u in units))
    return Board(campaign, targets, units, summaries, blocks, types)


def filtered(board: Board, *, block: str = "", unit_type: str = "", target_id: int | None = None,
             status: str = "") -> list[UnitStanding]:
    """The units shown with the board's filters: a block, a unit type, a target with a status."""
    units = board.units
    if block:
        units = [u for u in units if (u.block or "—") == block]
    if unit_type:
        units = [u for u in units if u.unit_type == unit_type]
    if status:
        if target_id:
            units = [u for u in units if (c := u.cells.get(target_id)) is not None and c.status == status]
        else:
            units = [u for u in units if u.count(status)]
    elif target_id:
        units = [u for u in units if target_id in u.cells]
    return units


NOT_MET_STATUSES = (NOT_MET, NOT_REPORTED, AWAITING, RETURNED)
