import time
from pathlib import Path

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from metrics import history
from sdr_ops.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = gettext_lazy(
        "Imports a team's history (staff, leads, activities, handoffs, opportunities) "
        "from the CSV files in a folder: all or nothing, every bad row reported."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("folder", help=_("The folder holding the CSV files."))
        parser.add_argument(
            "--dry-run", action="store_true", help=_("Check the files and report, write nothing.")
        )

    def handle(self, *args, folder: str, dry_run: bool = False, **options) -> None:
        path = Path(folder)
        if not path.is_dir():
            raise CommandError(_("No folder at %(path)s.") % {"path": path})
        files = history.read_folder(path)
        if not files:
            raise CommandError(
                _("None of %(files)s is in %(path)s.")
                % {"files": ", ".join(history.FILES), "path": path}
            )
        started = time.monotonic()
        plan = history.check(files) if dry_run else history.import_files(files)
        if not plan.ok:
            for line in plan.problems.report():
                self.stderr.write(line)
            raise CommandError(_("Nothing was imported: fix the rows above and run again."))
        if dry_run:
            self.stdout.write(_("The files are good."))
            return
        summary = ", ".join(f"{n} {name}" for name, n in plan.written.items())
        self.stdout.write(
            self.style.SUCCESS(
                _("Imported in %(s).1f s: %(summary)s.")
                % {"s": time.monotonic() - started, "summary": summary}
            )
        )
