"""Automatic assignment of reviewers to initiatives.

The problem: every initiative needs k reviewers; a reviewer never judges their own
unit's initiative or one they declared a conflict on; loads differ by at most one;
the same input gives the same output; a re-run fills only what is missing.

A greedy pass (most constrained initiative first, least loaded eligible reviewer,
seeded tie-break) solves the usual case in milliseconds; its result is checked, and
when it falls short the problem is solved exactly as a minimum-cost flow (networkx's
network simplex):

    source --k_i--> initiative i --1--> reviewer r --(hi_r - lo_r)--> sink
                                        reviewer r absorbs lo_r

where lo_r/hi_r bound reviewer r's new load so that everyone's total load (existing
plus new) ends within one of everyone else's. A flow exists exactly when a fair,
complete assignment does; otherwise we say precisely why instead of returning a
lopsided or partial one. Small seeded costs on the edges spread the choices evenly
and make the result reproducible.
"""
from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass, field

import networkx as nx


@dataclass(frozen=True)
class Candidate:
    id: int
    unit_id: int | None
    # For an initiative: the units whose members may not judge it (its own and those overseeing it).
    close_units: frozenset[int] = frozenset()


@dataclass
class Plan:
    pairs: list[tuple[int, int]] = field(default_factory=list)  # (initiative id, reviewer id), new ones
    problems: list[str] = field(default_factory=list)  # why no fair, complete assignment exists

    @property
    def ok(self) -> bool:
        return not self.problems


def _cost(seed: int, initiative_id: int, reviewer_id: int) -> int:
    digest = hashlib.blake2b(f"{seed}:{initiative_id}:{reviewer_id}".encode(), digest_size=4).digest()
    return int.from_bytes(digest, "big") % 1000


def plan_assignment(
    initiatives: list[Candidate],
    reviewers: list[Candidate],
    k: int,
    *,
    existing: list[tuple[int, int]] = (),
    excluded: set[tuple[int, int]] = frozenset(),
    seed: int = 0,
) -> Plan:
    """New (initiative, reviewer) pairs so that each initiative has k active reviewers.

    `existing` are the active assignments (kept, counted in loads); `excluded` are pairs
    that may never be made (conflicts declared, earlier assignments ended).
    """
    plan = Plan()
    if k < 1:
        plan.problems.append("Số thành viên chấm mỗi sáng kiến phải từ 1 trở lên.")
        return plan
    if not reviewers:
        plan.problems.append("Hội đồng chưa có thành viên nào để phân công.")
        return plan
    reviewer_ids = {r.id for r in reviewers}
    existing = [(i, r) for i, r in existing if r in reviewer_ids]
    have = Counter(i for i, _ in existing)
    load = Counter(r for _, r in existing)
    taken = set(existing) | set(excluded)

    needs: dict[int, int] = {}
    eligible: dict[int, list[int]] = {}
    for initiative in sorted(initiatives, key=lambda c: c.id):
        missing = k - have[initiative.id]
        if missing <= 0:
            continue
        choices = [r.id for r in sorted(reviewers, key=lambda c: c.id)
                   if (initiative.id, r.id) not in taken
                   and (initiative.unit_id is None or r.unit_id != initiative.unit_id)
                   and r.unit_id not in initiative.close_units]
        if len(choices) < missing:
            plan.problems.append(
                f"Sáng kiến #{initiative.id} cần thêm {missing} thành viên chấm nhưng chỉ còn {len(choices)} "
                "thành viên không cùng đơn vị (hay đơn vị quản lý đơn vị đó) và không có xung đột lợi ích."
            )
        needs[initiative.id] = missing
        eligible[initiative.id] = choices
    if plan.problems or not needs:
        return plan

    total = sum(load.values()) + sum(needs.values())
    count = len(reviewers)
    low_total, high_total = total // count, -(-total // count)
    greedy = _greedy(needs, eligible, load, high_total, seed)
    if greedy is not None:
        final = load + Counter(r for _, r in greedy)
        if all(low_total <= final[r.id] <= high_total for r in reviewers):
            plan.pairs = sorted(greedy)
            return plan
    graph = nx.DiGraph()
    graph.add_node("source", demand=-sum(needs.values()))
    sink_demand = sum(needs.values())
    for reviewer in reviewers:
        lo = max(0, low_total - load[reviewer.id])
        hi = high_total - load[reviewer.id]
        if hi < 0:
            # Someone already carries more than a fair share: balance within one is out of reach
            # (every final load must lie between low_total and high_total).
            plan.problems.append(_balance_message(load, count, total))
            return plan
        graph.add_node(("r", reviewer.id), demand=lo)
        sink_demand -= lo
        graph.add_edge(("r", reviewer.id), "sink", capacity=hi - lo, weight=0)
    graph.add_node("sink", demand=sink_demand)
    for initiative_id, missing in needs.items():
        graph.add_edge("source", ("i", initiative_id), capacity=missing, weight=0)
        for reviewer_id in eligible[initiative_id]:
            graph.add_edge(("i", initiative_id), ("r", reviewer_id), capacity=1,
                           weight=_cost(seed, initiative_id, reviewer_id))
    if sink_demand < 0:
        plan.problems.append(_balance_message(load, count, total))
        return plan
    try:
        flow = nx.network_simplex(graph)[1]
    except nx.NetworkXUnfeasible:
        plan.problems.append(_balance_message(load, count, total))
        return plan
    for initiative_id in needs:
        for (kind, reviewer_id), units in flow[("i", initiative_id)].items():
            if units:
                plan.pairs.append((initiative_id, reviewer_id))
    plan.pairs.sort()
    return plan


def _greedy(needs, eligible, load: Counter, cap: int, seed: int) -> list[tuple[int, int]] | None:
    current = Counter(load)
    pairs = []
    for initiative_id in sorted(needs, key=lambda i: (len(eligible[i]) - needs[i], i)):
        ranked = sorted((r for r in eligible[initiative_id] if current[r] < cap),
                        key=lambda r: (current[r], _cost(seed, initiative_id, r), r))
        chosen = ranked[: needs[initiative_id]]
        if len(chosen) < needs[initiative_id]:
            return None
        for reviewer_id in chosen:
            current[reviewer_id] += 1
            pairs.append((initiative_id, reviewer_id))
    return pairs


def _balance_message(load: Counter, count: int, total: int) -> str:
    return (
        f"Không thể chia {total} lượt chấm cho {count} thành viên sao cho số lượt chênh nhau không quá 1 "
        "mà vẫn tránh sáng kiến của chính đơn vị và các xung đột lợi ích đã khai báo. "
        "Hãy bổ sung thành viên Hội đồng (thuộc đơn vị khác) hoặc giảm số thành viên chấm mỗi sáng kiến."
    )
