"""Collectives judged on the campaign's targets, for the award list's "I. Tập thể".

The campaign's rule (Campaign.collective_rule):
- "targets": a participating unit is proposed when it meets every mandatory target that applies to it
  (a value counts once the office has accepted it); the proposals are ordered by the number of
  targets met, then by the best committee score of the unit's initiatives, then by name;
- "initiatives": collectives are proposed only through their initiatives (nothing here).
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from thidua.numbers import format_fixed
from thidua.targets.board import Board, UnitStanding, build_board
from thidua.text import vietnamese_key


@dataclass(frozen=True)
class Collective:
    standing: UnitStanding
    best_score: Decimal | None
    missed: tuple[str, ...]  # names of the mandatory targets not met

    @property
    def eligible(self) -> bool:
        return self.standing.all_mandatory_met

    @property
    def reason(self) -> str:
        """Why (or why not) the collective is proposed, as the leader reads it on the list."""
        s = self.standing
        parts = [f"Đạt {s.met}/{s.applicable} chỉ tiêu thi đua"]
        mandatory = len(s.mandatory_ids)
        if self.eligible:
            parts.append(f"đạt cả {mandatory} chỉ tiêu bắt buộc" if mandatory else "không có chỉ tiêu bắt buộc")
        else:
            parts.append("chưa đạt chỉ tiêu bắt buộc: " + "; ".join(self.missed))
        if self.best_score is not None:
            parts.append(f"điểm Hội đồng cao nhất của sáng kiến: {format_fixed(self.best_score)}")
        return "; ".join(parts) + "."


def best_scores(campaign) -> dict[int, Decimal]:
    """The best mean committee score of each unit's initiatives (the ranking's means)."""
    from thidua.review.ranking import build_ranking

    best: dict[int, Decimal] = {}
    for row in build_ranking(campaign).rows:
        if row.mean is None:
            continue
        unit_id = row.initiative.unit_id
        if unit_id not in best or row.mean > best[unit_id]:
            best[unit_id] = row.mean
    return best


def judge(campaign, board: Board | None = None, scores: dict[int, Decimal] | None = None) -> list[Collective]:
    """Every participating unit with targets, proposed ones first in the rule's order."""
    board = board or build_board(campaign)
    if not board.targets:
        return []
    scores = best_scores(campaign) if scores is None else scores
    names = {t.id: t.name for t in board.targets}
    collectives = [Collective(u, scores.get(u.unit_id), tuple(names[t] for t in sorted(u.mandatory_missed)))
                   for u in board.units if u.cells]
    return sorted(collectives, key=lambda c: (not c.eligible, -c.standing.met,
                                              -(c.best_score if c.best_score is not None else Decimal(-1)),
                                              vietnamese_key(c.standing.name)))


def proposed(campaign, **kwargs) -> list[Collective]:
    """The collectives the campaign's rule proposes for the award list (none under the "initiatives" rule)."""
    if campaign.collective_rule != "targets":
        return []
    return [c for c in judge(campaign, **kwargs) if c.eligible]
