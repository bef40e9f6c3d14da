"""Writes on leads: stage moves, logged activities, qualification answers, call lists and
market insights. Each function is atomic and records its audit event in the same transaction.

The pages, the API, the imports and the Celery tasks all call these functions, so every path
records the same history. Reads live in leads/queries.py, access in leads/access.py.
"""

from .activities import log_activity
from .qualification import check_answer, set_qualification
from .stages import change_stage

__all__ = ["change_stage", "check_answer", "log_activity", "set_qualification"]
