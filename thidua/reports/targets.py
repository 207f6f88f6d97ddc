"""The campaign's collective targets (chỉ tiêu thi đua) in the reports: the share of units meeting each.

Every figure is the targets board's (`thidua.targets.board.build_board`): three statements per campaign
whatever the number of units or targets, and nothing is counted here, so the report, its workbook, the
period summary and the board always agree. A campaign without targets has no table (None).
"""
from __future__ import annotations

from dataclasses import dataclass

from thidua.numbers import format_number, format_percent
from thidua.reports.figures import NO_BLOCK
from thidua.targets.board import Share, build_board
from thidua.targets.services import threshold_text

BOARD_NO_BLOCK = "—"  # how the board names the units without a block


@dataclass
class TargetRates:
    name: str
    threshold: str  # "≥ 98%", "Có"
    mandatory: bool
    total: Share
    by_block: dict[str, Share]  # only the blocks that have units the target applies to


@dataclass
class TargetTable:
    blocks: list[str]  # the campaign's blocks, in the report's order ("Chưa xếp khối" last)
    rows: list[TargetRates]

    def share(self, row: TargetRates, block: str) -> Share | None:
        return row.by_block.get(block)


def _block_label(name: str) -> str:
    return NO_BLOCK if name in (BOARD_NO_BLOCK, "") else name


def target_table(campaign) -> TargetTable | None:
    """The campaign's collective targets with the share of units meeting each, total and by block."""
    board = build_board(campaign)
    if not board.targets:
        return None
    blocks = sorted(dict.fromkeys(_block_label(b) for b in board.blocks),
                    key=lambda b: b == NO_BLOCK)  # a stable sort: the board's order, no block last
    rows = [TargetRates(s.target.name, threshold_text(s.target), s.target.mandatory, s.total,
                        {_block_label(name): share for name, share in s.by_block.items()})
            for s in board.summaries]
    return TargetTable(blocks, rows)


def rate_text(share: Share | None) -> str:
    """95,6% — or "—" when the target applies to no unit there."""
    if share is None or not share.applicable:
        return "—"
    return format_percent(share.rate)


def share_text(share: Share | None) -> str:
    """50,0% (1/2): the rate with the units meeting the target out of those it applies to."""
    if share is None or not share.applicable:
        return "—"
    return f"{format_percent(share.rate)} ({format_number(share.met)}/{format_number(share.applicable)})"


def share_rate(share: Share | None) -> float | None:
    """The rate as a number for a workbook cell (None: the target applies to no unit there)."""
    if share is None or not share.applicable:
        return None
    return float(share.rate)


@dataclass
class TargetYears:
    """A target's name across the campaigns of a period: its share per year (None where it was not set)."""

    name: str
    shares: list[Share | None]


def target_years(tables: list[TargetTable | None]) -> list[TargetYears]:
    """The targets named in any of the campaigns (one table per campaign, in the period's order): those of the
    latest campaign first, in its order, then those only earlier campaigns set."""
    lines: dict[str, TargetYears] = {}
    for index in reversed(range(len(tables))):
        for row in (tables[index].rows if tables[index] else []):
            key = " ".join(row.name.split())
            line = lines.setdefault(key, TargetYears(key, [None] * len(tables)))
            if line.shares[index] is None:  # the same name twice in one campaign: the first one
                line.shares[index] = row.total
    return list(lines.values())
