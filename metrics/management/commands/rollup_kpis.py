from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from metrics import rollups
from sdr_ops import calendar
from sdr_ops.management.base import BaseCommand, CommandError
from sdr_ops.models import Team


class Command(BaseCommand):
    help = gettext_lazy("Stores the weekly KPIs of every SDR team, as the Monday job does.")

    def add_arguments(self, parser) -> None:
        parser.add_argument("--week", help=_("One ISO week, e.g. 2026-W47 (default: last week)."))
        parser.add_argument("--since", help=_("Backfill from this ISO week to last week."))
        parser.add_argument("--team", help=_("Only this team (slug)."))

    def handle(self, *args, week=None, since=None, team=None, **options) -> None:
        teams = Team.objects.filter(kind=Team.Kind.SDR)
        if team:
            teams = teams.filter(slug=team)
            if not teams.exists():
                raise CommandError(_("No SDR team with the slug %(slug)s.") % {"slug": team})
        last = calendar.week_label(calendar.previous_monday(calendar.local_today()))
        try:
            labels = calendar.weeks_between(since, last) if since else [week or last]
            written = rollups.roll_up_weeks(labels, teams)
        except ValueError as exc:
            raise CommandError(_("Weeks look like 2026-W47.")) from exc
        self.stdout.write(_("%(n)s team-weeks stored.") % {"n": written})
