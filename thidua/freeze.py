"""What a later stage freezes of the earlier ones.

Once the award list is submitted for approval, what it was compiled from stops changing: no more
extensions for units, no change to the targets or their report rounds. The earlier stages ask here
instead of importing the award list (a later stage); `thidua.stages.wire()` binds the function that
knows, and until it is bound (a module used without create_app) nothing is frozen.
"""
from __future__ import annotations

from collections.abc import Callable

# f(campaign_id) -> the record that freezes the campaign (it has a status_label), or None. Bound by stages.wire().
FROZEN_BY: list[Callable[[int], object | None]] = []


def frozen_by(campaign_id: int):
    """The record freezing the campaign's earlier stages (the submitted award list), or None."""
    for find in FROZEN_BY:
        record = find(campaign_id)
        if record is not None:
            return record
    return None
