"""How a quantity reads to a person, in their language: one place, for templates (the filters
in sdr_ops/templatetags/words.py) and Python alike."""

import re
from collections.abc import Callable

from django.conf import settings
from django.contrib.humanize.templatetags.humanize import NaturalTimeFormatter
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


class _Translated:
    """One of naturaltime's lazy texts, translated and filled once per language and values:
    "%(count)s minutes ago" with 7, "%(num)d day" with 3, "%(delta)s ago" with a delta.
    The lazy text translates itself (a look-up of the language and its catalogue) each time
    it is filled, about two thirds of a naturaltime's cost on Today's thirty."""

    LIMIT = 5000  # filled texts kept per text; the deltas of "%(delta)s ago" are many

    def __init__(self, lazy) -> None:
        self.lazy = lazy
        self.filled: dict[tuple, str] = {}

    def __mod__(self, values: dict) -> str:
        key = (get_language(), *values.values())
        text = self.filled.get(key)
        if text is None:
            if len(self.filled) >= self.LIMIT:
                self.filled.clear()
            text = self.filled[key] = str(self.lazy % values)
        return text

    def __str__(self) -> str:  # "now", which naturaltime returns unfilled
        key = (get_language(),)
        text = self.filled.get(key)
        if text is None:
            text = self.filled[key] = str(self.lazy)
        return text


def _translated(texts: dict) -> dict:
    return {name: _Translated(lazy) for name, lazy in texts.items()}


class _NaturalTime(NaturalTimeFormatter):
    """Django's naturaltime, its texts translated once per language and values."""

    time_strings = _translated(NaturalTimeFormatter.time_strings)
    past_substrings = _translated(NaturalTimeFormatter.past_substrings)
    future_substrings = _translated(NaturalTimeFormatter.future_substrings)


def ago(value) -> str:
    """How long ago (or in how long) a moment is, as Django's naturaltime says it, with the
    number and its unit written together in Korean ("7분 전", "3시간 후")."""
    text = str(_NaturalTime.string_for(value))
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
