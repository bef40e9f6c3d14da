"""Writes on handoffs: the handoff and its decision (handoff.py, the example of a documented
concurrency contract), AE capacity (capacity.py), reviews and praise (reviews.py), the weekly
praise digest (digest.py). Each write is atomic and records its audit event inside the same
transaction. Reads live in handoffs/queries.py, access in handoffs/access.py.
"""

from .capacity import add_reduction, remove_reduction, set_capacity
from .handoff import (
    COMMENT_REQUIRED,
    NOT_AN_AE,
    AlreadyDecided,
    accept,
    close_lost,
    close_won,
    correct_amount,
    flag_overdue,
    hand_off,
    may_correct,
    plan_opportunity,
    reject,
    snapshot,
    update_amount,
)

__all__ = [
    "COMMENT_REQUIRED",
    "NOT_AN_AE",
    "AlreadyDecided",
    "accept",
    "add_reduction",
    "close_lost",
    "close_won",
    "correct_amount",
    "flag_overdue",
    "hand_off",
    "may_correct",
    "plan_opportunity",
    "reject",
    "remove_reduction",
    "set_capacity",
    "snapshot",
    "update_amount",
]
