"""Extension points that other apps plug into from their AppConfig.ready(), so that handoffs
never imports them (the import direction runs from them to handoffs).

- `form_parts`: parts of the handoff form. Each has `render(request, *, lead, ae_id) -> str`
  (HTML inside the form) and `apply(handoff, data, *, by) -> None`, called in the handoff's
  transaction; a ValidationError it raises undoes the handoff and shows on the form.
- `room_checks`: `check(day, ae_ids) -> set[int]`, the AEs who have no room for another
  handoff whatever their open-deal count (their week of first meetings is full).
- `on_rejected`: `callback(handoff) -> None`, called in the rejection's transaction.
- `on_handed_off`: `callback(handoff, *, by) -> None`, called in the handoff's transaction
  once the lead has moved to `handed_off` (a cadence finishes the lead's enrollment).
- `inbox_related`: relations the inbox selects with each handoff, for what parts show on it.
- `assessors`: the computed certainty of a lead (see `assess` below).
"""

from collections.abc import Callable

form_parts: list = []
room_checks: list[Callable] = []
on_rejected: list[Callable] = []
on_handed_off: list[Callable] = []
inbox_related: list[str] = []

# `assess(lead, *, ae=None) -> assessment | None`: the certainty computed from the evidence
# (the certainty app). An assessment has `score` (0-1), `certainty` (A/B/C), `label` (which
# model) and `factors`; the valve takes the lower of it and the SDR's pick.
assessors: list[Callable] = []


def assess(lead, *, ae=None):
    """The first registered assessor's assessment of the lead, or None without one."""
    for assessor in assessors:
        return assessor(lead, ae=ae)
    return None
