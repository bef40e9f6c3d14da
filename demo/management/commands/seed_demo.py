import datetime
import time

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from demo import organisation as demo
from metrics import rollups
from sdr_ops import calendar
from sdr_ops.management.base import BaseCommand


class Command(BaseCommand):
    help = gettext_lazy(
        "Builds the demo organisation (replacing an earlier one) and prints its logins."
    )

    def handle(self, *args, **options) -> None:
        started = time.monotonic()
        counts = demo.seed()
        # The dashboards read stored weeks and compute a missing one on every visit without
        # storing it (a GET never writes), so the seed stores the demo's weeks as the Monday
        # job would have, week after week.
        last = calendar.previous_monday(calendar.local_today())
        first = last - datetime.timedelta(weeks=demo.WEEKS + 1)
        counts["weekly rollups"] = rollups.roll_up_weeks(
            calendar.weeks_between(calendar.week_label(first), calendar.week_label(last))
        )
        elapsed = time.monotonic() - started
        summary = ", ".join(f"{n} {name}" for name, n in counts.items())
        self.stdout.write(
            self.style.SUCCESS(
                _("Demo organisation ready in %(seconds).1f s: %(summary)s.")
                % {"seconds": elapsed, "summary": summary}
            )
        )
        self.stdout.write(
            _("Demo logins (password for all: %(password)s):") % {"password": demo.PASSWORD}
        )
        for email, role, team in demo.demo_logins():
            self.stdout.write(f"  {email:<36} {role:<16} {team}")
