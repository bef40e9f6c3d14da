"""Extension points of leads for the apps above it, which register from their
AppConfig.ready() so that leads never imports them.

- `call_parts`: parts of call mode. Each has `focus(lead) -> list[str]`, the checklist items to
  put first among the open ones (a cadence's call step asks them), and
  `logged(lead, activity, *, by) -> None`, called in the call's transaction once it is logged
  (a ValidationError it raises undoes the call and shows on the form).
- The nightly build's own hooks are in `leads.domain.calllists` (`entry_sources`,
  `before_nightly_build`).
"""

call_parts: list = []


def call_focus(lead) -> list[str]:
    """The items the registered parts put first, in their order, each once."""
    items: list[str] = []
    for part in call_parts:
        items += [item for item in part.focus(lead) if item not in items]
    return items


def call_logged(lead, activity, *, by) -> None:
    for part in call_parts:
        part.logged(lead, activity, by=by)
