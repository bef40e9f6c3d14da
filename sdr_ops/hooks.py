"""Extension points of the organisation that the apps plug into from their
AppConfig.ready(), so that sdr_ops never imports them.

- `on_team_settings_changed`: `callback(team, fields, since) -> None`, called inside the
  transaction that changes a team's settings, with the names of the fields changed and the
  first day whose figures they touch (None: every week). The figures' owner marks those
  weeks for recomputation here.
"""

import datetime
from collections.abc import Callable, Iterable

on_team_settings_changed: list[Callable] = []


def team_settings_changed(team, fields: Iterable[str], since: datetime.date | None) -> None:
    """Tells every registered app that these settings of the team changed (see above)."""
    fields = list(fields)
    for callback in on_team_settings_changed:
        callback(team, fields, since)
