"""Writes on cadences: building them (editing.py, with versioning), leads in them
(enrolment.py: enrol, pause, resume, finish, step runs and the nightly advance), the
qualified exit (evidence.py), sending and opting out (sending.py). Each write is atomic and
records its audit event inside the same transaction."""

from .editing import StepData, VariantData, check_steps, create_cadence, save_steps, set_status
from .enrolment import (
    AlreadyEnrolled,
    EnrolResult,
    NotOpen,
    advance_due,
    enrol,
    enrol_many,
    finish,
    finish_open_for,
    pause,
    resume,
    run_step,
    window_for,
)
from .previews import Preview, check_previewed, pick_lead, preview, preview_current
from .sending import mark_bounced, opt_out, send_due

__all__ = [
    "AlreadyEnrolled",
    "EnrolResult",
    "NotOpen",
    "Preview",
    "StepData",
    "VariantData",
    "advance_due",
    "check_previewed",
    "check_steps",
    "create_cadence",
    "enrol",
    "enrol_many",
    "finish",
    "finish_open_for",
    "mark_bounced",
    "opt_out",
    "pause",
    "pick_lead",
    "preview",
    "preview_current",
    "resume",
    "run_step",
    "save_steps",
    "send_due",
    "set_status",
    "window_for",
]
