"""Merge fields in cadence e-mail: `{{ first_name }}` and the like, and nothing else.

A manager's template is never handed to a template engine: the text is split on `{{ name }}`
markers, each known name is replaced by the lead's value (escaped for HTML where the HTML part
is made), and anything else (`{% ... %}`, filters, attribute access, unknown names) is refused
when the step is saved, so no code from a template ever runs.
"""

import re

from django.core.exceptions import ValidationError
from django.utils.html import escape, linebreaks
from django.utils.translation import gettext as _

FIELD = re.compile(r"\{\{\s*([a-z_]+)\s*\}\}")
ANY_TAG = re.compile(r"\{\{|\}\}|\{%|%\}|\{#|#\}")

FIELDS = ("first_name", "last_name", "company", "title", "sdr_name", "sdr_email")


def check(text: str) -> None:
    """ValidationError when the text holds anything but the known merge fields."""
    unknown = sorted({name for name in FIELD.findall(text) if name not in FIELDS})
    if unknown:
        raise ValidationError(
            _("Unknown merge fields: %(fields)s. Known: %(known)s.")
            % {"fields": ", ".join(unknown), "known": ", ".join(FIELDS)}
        )
    if ANY_TAG.search(FIELD.sub("", text)):
        raise ValidationError(_("Only merge fields like {{ first_name }} may be used."))


def values_for(lead, sdr) -> dict[str, str]:
    return {
        "first_name": lead.first_name,
        "last_name": lead.last_name,
        "company": lead.account.name,
        "title": lead.title,
        "sdr_name": sdr.get_full_name() or sdr.email,
        "sdr_email": sdr.email,
    }


def render_text(text: str, values: dict[str, str]) -> str:
    """The text with each field replaced by its value (plain text)."""
    return FIELD.sub(lambda m: values.get(m.group(1), ""), text)


def render_html(text: str, values: dict[str, str]) -> str:
    """The HTML part: the template's text escaped, paragraphs kept, values escaped."""
    parts, last = [], 0
    for m in FIELD.finditer(text):
        parts.append(escape(text[last : m.start()]))
        parts.append(escape(values.get(m.group(1), "")))
        last = m.end()
    parts.append(escape(text[last:]))
    return linebreaks("".join(parts), autoescape=False)
