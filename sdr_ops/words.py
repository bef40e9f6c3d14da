"""How a quantity reads to a person, in their language: one place, for templates (the filters
in sdr_ops/templatetags/words.py) and Python alike."""

import re
from collections.abc import Callable

from django.conf import settings
from django.contrib.humanize.templatetags.humanize import naturaltime
from django.utils import translation
from django.utils.translation import get_language
from django.utils.translation import gettext as _

# Django's Korean writes "7 분 전"; Korean writes the number and its unit together: "7분 전".
_KO_UNIT_SPACE = re.compile(r"(\d)\s+(?=[초분시일주개년])")
# Django's Korean for a moment to come reads "지금부터 3시간" ("from now, 3 hours"); Korean
# says "3시간 후".
_KO_FROM_NOW = re.compile(r"^지금부터\s+(.+)$")


def duration(seconds) -> str:
    """A length of time as minutes and seconds: "19 s", "12 min 14 s", "1 h 5 min" (Korean
    "19초", "12분 14초", "1시간 5분"); never "734 s"."""
    try:
        total = max(0, int(seconds or 0))
    except (TypeError, ValueError):
        return ""
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        if minutes:
            return _("%(h)s h %(m)s min") % {"h": hours, "m": minutes}
        return _("%(h)s h") % {"h": hours}
    if minutes:
        if secs:
            return _("%(m)s min %(s)s s") % {"m": minutes, "s": secs}
        return _("%(m)s min") % {"m": minutes}
    return _("%(s)s s") % {"s": secs}


def ago(value) -> str:
    """How long ago (or in how long) a moment is, as Django's naturaltime says it, with the
    number and its unit written together in Korean ("7분 전", "3시간 후")."""
    text = str(naturaltime(value))
    if (get_language() or "").startswith("ko"):
        text = _KO_FROM_NOW.sub(r"\1 후", _KO_UNIT_SPACE.sub(r"\1", text))
    return text


def in_each_language(language_sql: str, wording: Callable[[], str]) -> tuple[str, list[str]]:
    """SQL choosing, by a person's language setting (`language_sql`, e.g. "u.language"), the
    `wording` in that language, and its values: for text a statement stores to be read later
    (a call list's reasons), so each is written in its reader's language. A person who follows
    the browser's language reads it in the language active now."""
    values: list[str] = []
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            values += [code, str(wording())]
    values.append(str(wording()))
    whens = " ".join("WHEN %s THEN %s" for _language in settings.LANGUAGES)
    return f"CASE {language_sql} {whens} ELSE %s END", values
