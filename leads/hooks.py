"""Extension points of leads for the apps above it, which register from their
AppConfig.ready() so that leads never imports them.

- `call_parts`: parts of call mode. Each has `focus(lead) -> list[str]`, the checklist items to
  put first among the open ones (a cadence's call step asks them), and
  `logged(lead, activity, *, by) -> None`, called in the call's transaction once it is logged
  (a ValidationError it raises undoes the call and shows on the form).
- `on_activities_logged`: `callback(activities) -> None`, called in the transaction that logs
  them (domain.activities writes them in bulk, so no model signal is sent); the figures' owner
  keeps the leads' stage entry times and marks the weeks they touch here.
- The nightly build's own hooks are in `leads.domain.calllists` (`entry_sources`,
  `before_nightly_build`).
"""

call_parts: list = []
on_activities_logged: list = []


def call_focus(lead) -> list[str]:
    """The items the registered parts put first, in their order, each once."""
    items: list[str] = []
    for part in call_parts:
        items += [item for item in part.focus(lead) if item not in items]
    return items


def call_logged(lead, activity, *, by) -> None:
    for part in call_parts:
        part.logged(lead, activity, by=by)


def activities_logged(activities) -> None:
    """Tells every registered app that these activities were written (see above)."""
    for callback in on_activities_logged:
        callback(activities)
