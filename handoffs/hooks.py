"""Extension points that other apps plug into from their AppConfig.ready(), so that handoffs
never imports them (the import direction runs from them to handoffs).

- `form_parts`: parts of the handoff form. Each has `render(request, *, lead, ae_id) -> str`
  (HTML inside the form) and `apply(handoff, data, *, by) -> None`, called in the handoff's
  transaction; a ValidationError it raises undoes the handoff and shows on the form.
- `room_checks`: `check(day, ae_ids) -> set[int]`, the AEs who have no room for another
  handoff whatever their open-deal count (their week of first meetings is full).
- `on_rejected`: `callback(handoff) -> None`, called in the rejection's transaction.
- `inbox_related`: relations the inbox selects with each handoff, for what parts show on it.
"""

from collections.abc import Callable

form_parts: list = []
room_checks: list[Callable] = []
on_rejected: list[Callable] = []
inbox_related: list[str] = []
