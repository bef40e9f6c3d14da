from pathlib import Path

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from leads import importer
from sdr_ops.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = gettext_lazy(
        "Imports leads from a leads.csv file: all or nothing, every bad row reported."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", help=_("The leads.csv file."))
        parser.add_argument(
            "--dry-run", action="store_true", help=_("Check the file and report, write nothing.")
        )

    def handle(self, *args, file: str, dry_run: bool = False, **options) -> None:
        path = Path(file)
        if not path.is_file():
            raise CommandError(_("No file at %(path)s.") % {"path": path})
        read = importer.check_leads if dry_run else importer.check_and_import
        result = read(
            path.read_bytes(), filename=path.name, by=None, zone=timezone.get_current_timezone()
        )
        for line in result.duplicates:
            self.stdout.write(line)
        if not result.ok:
            for line in result.errors:
                self.stderr.write(line)
            if result.errors_left_off:
                self.stderr.write(_("... and %(n)s more errors.") % {"n": result.errors_left_off})
            raise CommandError(_("Nothing was imported: fix the rows above and run again."))
        if dry_run:
            self.stdout.write(
                _("The file is good: %(n)s leads would be created.") % {"n": len(result.rows)}
            )
            return
        self.stdout.write(
            self.style.SUCCESS(
                _("%(n)s leads imported, %(d)s duplicates left out.")
                % {"n": result.created, "d": len(result.duplicates)}
            )
        )
