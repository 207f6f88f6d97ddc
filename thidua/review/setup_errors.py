"""The refusal every set-up operation of the review raises.

Operations of committee, rubric, levels and assigning raise SetupError with a message for the page,
in Vietnamese, and leave the commit to the caller. Every change is audited.
"""
from __future__ import annotations


class SetupError(Exception):
    """A refused set-up change, with the reason for the page."""
