"""Writes on leads: leads made and edited, stage moves, logged activities, qualification
answers, call lists and market insights. Each function is atomic and records its audit event in
the same transaction. The pages, the API, the imports and the Celery tasks all call these
functions, so every path records the same history. Reads live in leads/queries.py, access in
leads/access.py.
"""

from .activities import log_activity
from .leads import add_many_to_list, create_lead, reassign_many, update_lead
from .qualification import check_answer, set_qualification
from .stages import change_stage, disqualify, nurture, settle_many

__all__ = [
    "add_many_to_list",
    "change_stage",
    "check_answer",
    "create_lead",
    "disqualify",
    "log_activity",
    "nurture",
    "reassign_many",
    "set_qualification",
    "settle_many",
    "update_lead",
]
