"""The base of every management command of the project.

Command help is written with `gettext_lazy` so that it is read in the language active when
the help is shown. argparse formats its description with regular expressions, which need a
real `str`: a lazy string reaching it fails with a TypeError. The parser is therefore given
the help as text, resolved at the moment `--help` or `manage.py help` builds the parser.
"""

from django.core.management.base import BaseCommand as DjangoBaseCommand
from django.core.management.base import CommandError

__all__ = ["BaseCommand", "CommandError"]


class BaseCommand(DjangoBaseCommand):
    def create_parser(self, prog_name, subcommand, **kwargs):
        self.help = str(self.help)
        return super().create_parser(prog_name, subcommand, **kwargs)
