"""Every management command of the project renders its help, in each language.

The help texts are lazy translations; argparse needs text. A command whose help cannot be
shown is a command nobody can learn, so each one is rendered here, as `manage.py <command>
--help` and `manage.py help <command>` would, in English and in Korean.
"""

import io
from contextlib import redirect_stdout
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import get_commands, load_command_class
from django.utils import translation

PROJECT_ROOT = Path(settings.BASE_DIR)


def project_commands() -> list[tuple[str, str]]:
    """(app, command) for the commands whose module lies in the project's own tree."""
    found = []
    for name, app in sorted(get_commands().items()):
        if (PROJECT_ROOT / app / "management" / "commands" / f"{name}.py").exists():
            found.append((app, name))
    return found


def test_the_project_has_commands_to_check():
    names = {name for _, name in project_commands()}
    assert {"build_call_lists", "import_leads", "seed_demo", "catalogue"} <= names


@pytest.mark.parametrize("language", ["en", "ko"])
@pytest.mark.parametrize(("app", "name"), project_commands())
def test_command_help_renders(app, name, language):
    command = load_command_class(app, name)
    with translation.override(language):
        parser = command.create_parser("manage.py", name)
        text = parser.format_help()
        out = io.StringIO()
        with redirect_stdout(out), pytest.raises(SystemExit) as exit_:
            parser.parse_args(["--help"])
    assert exit_.value.code == 0
    assert text.strip()
    assert out.getvalue().strip()
