import datetime

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from leads.domain import calllists
from sdr_ops.management.base import BaseCommand, CommandError
from sdr_ops.models import Team


class Command(BaseCommand):
    help = gettext_lazy(
        "Builds (or rebuilds) every SDR's call list for a day, as the nightly job does."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--date", help=_("The day, YYYY-MM-DD (default: next working day)."))
        parser.add_argument("--team", help=_("Only this team (slug)."))

    def handle(self, *args, date=None, team=None, **options) -> None:
        try:
            day = (
                datetime.date.fromisoformat(date)
                if date
                else calllists.next_working_day(timezone.localdate())
            )
        except ValueError as exc:
            raise CommandError(_("--date must look like 2026-11-30.")) from exc
        teams = Team.objects.filter(kind=Team.Kind.SDR)
        if team:
            teams = teams.filter(slug=team)
            if not teams.exists():
                raise CommandError(_("No SDR team with the slug %(slug)s.") % {"slug": team})
        builds = calllists.build_many(list(teams), day)
        for t in teams:
            build = builds[t.pk]
            self.stdout.write(
                _("%(team)s, %(day)s: %(lists)s lists, %(entries)s entries")
                % {"team": t.slug, "day": day, "lists": build.lists, "entries": build.entries}
            )
