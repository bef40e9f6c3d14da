import json

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from metrics import kpis
from sdr_ops.management.base import BaseCommand, CommandError
from sdr_ops.models import Team


class Command(BaseCommand):
    help = gettext_lazy(
        "Prints one team-week's KPIs, computed fresh from the data (kpi-definitions.md)."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--team", required=True, help=_("The team's slug."))
        parser.add_argument("--week", required=True, help=_("An ISO week, e.g. 2026-W47."))
        parser.add_argument("--json", action="store_true", help=_("Print the JSON object."))

    def handle(self, *args, team: str, week: str, json: bool = False, **options) -> None:
        found = Team.objects.filter(slug=team).first()
        if found is None:
            raise CommandError(_("No team with the slug %(slug)s.") % {"slug": team})
        try:
            figures = kpis.compute_week(found, week)
        except ValueError as exc:
            raise CommandError(_("--week must look like 2026-W47.")) from exc
        if json:
            self.stdout.write(_dumps(figures))
            return
        for key, value in figures.items():
            self.stdout.write(f"{key}: {value}")


def _dumps(figures: dict) -> str:
    return json.dumps(figures, ensure_ascii=False, indent=2)
