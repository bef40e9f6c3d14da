import time

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from demo import organisation as demo
from sdr_ops.management.base import BaseCommand


class Command(BaseCommand):
    help = gettext_lazy(
        "Builds the demo organisation (replacing an earlier one) and prints its logins."
    )

    def handle(self, *args, **options) -> None:
        started = time.monotonic()
        counts = demo.seed()
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
