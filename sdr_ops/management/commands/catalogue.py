"""The Korean catalogue: update it from the source, or check that every string has its
Korean (`--check`, which the test suite runs)."""

from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sdr_ops.management.base import BaseCommand, CommandError

LANGUAGES = ["ko"]
# Folders whose strings no user reads: the tests, the benchmarks, the installed packages.
IGNORE = [".venv", "node_modules", "tests", "bench", "var", "static", "staticfiles"]


def catalogue_path(language: str) -> Path:
    return Path(settings.LOCALE_PATHS[0]) / language / "LC_MESSAGES" / "django.po"


def read_po(path: Path) -> list[dict]:
    """The entries of a .po file: msgid, translations and flags (enough to check them)."""
    entries, entry, field = [], None, None
    for raw in path.read_text(encoding="utf-8").splitlines() + [""]:
        line = raw.strip()
        if not line:
            if entry and (entry["msgid"] or entry["msgstr"]):
                entries.append(entry)
            entry, field = None, None
            continue
        if entry is None:
            entry = {
                "msgid": "",
                "msgid_plural": "",
                "msgstr": [],
                "flags": set(),
                "obsolete": False,
            }
        if line.startswith("#~"):
            entry["obsolete"] = True
        elif line.startswith("#,"):
            entry["flags"].update(f.strip() for f in line[2:].split(","))
        elif line.startswith("#"):
            continue
        elif line.startswith("msgid_plural "):
            field = "msgid_plural"
            entry[field] = _unquote(line[len("msgid_plural ") :])
        elif line.startswith("msgid "):
            field = "msgid"
            entry[field] = _unquote(line[len("msgid ") :])
        elif line.startswith("msgstr"):
            field = "msgstr"
            entry["msgstr"].append(_unquote(line.split(" ", 1)[1]))
        elif line.startswith('"') and field:
            if field == "msgstr":
                entry["msgstr"][-1] += _unquote(line)
            else:
                entry[field] += _unquote(line)
    return entries


def _unquote(text: str) -> str:
    return text[1:-1].encode("raw_unicode_escape").decode("unicode_escape")


def problems(path: Path) -> list[str]:
    found = []
    for entry in read_po(path):
        if entry["obsolete"] or not entry["msgid"]:
            continue
        if "fuzzy" in entry["flags"]:
            found.append(_("fuzzy: %(msgid)s") % {"msgid": entry["msgid"]})
        elif not all(entry["msgstr"]) or not entry["msgstr"]:
            found.append(_("untranslated: %(msgid)s") % {"msgid": entry["msgid"]})
    return found


class Command(BaseCommand):
    help = gettext_lazy("Updates the Korean catalogue from the source, or checks it with --check.")

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--check",
            action="store_true",
            help=_("Fail when a string of the source has no Korean, or a fuzzy one."),
        )

    def handle(self, *args, check: bool = False, **options) -> None:
        if not check:
            call_command("makemessages", locale=LANGUAGES, ignore_patterns=IGNORE, verbosity=0)
            return
        # makemessages writes into the project's own catalogue (every source file lies under
        # the folder that holds `locale/`), so the check merges the source into it, reads the
        # result, and puts the catalogue back as it was.
        found = []
        for language in LANGUAGES:
            source = catalogue_path(language)
            if not source.exists():
                raise CommandError(_("No catalogue at %(path)s.") % {"path": source})
            saved = source.read_bytes()
            try:
                call_command("makemessages", locale=[language], ignore_patterns=IGNORE, verbosity=0)
                found += problems(source)
            finally:
                source.write_bytes(saved)
        if found:
            for line in found:
                self.stderr.write(line)
            raise CommandError(
                _("%(n)s strings lack their Korean: run `make messages` and translate them.")
                % {"n": len(found)}
            )
        self.stdout.write(_("Every string has its Korean."))
