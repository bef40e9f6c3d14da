"""`words.ago` (each text of naturaltime translated once per language and values) says what
Django's naturaltime says, with the Korean fixes, for every kind of moment."""

import datetime
from unittest import mock

import pytest
from django.contrib.humanize.templatetags import humanize
from django.utils import translation

from sdr_ops import words

NOW = datetime.datetime(2026, 3, 31, 14, 5, 9, 400000, tzinfo=datetime.UTC)


class _Frozen(datetime.datetime):
    @classmethod
    def now(cls, tz=None):
        return NOW if tz else NOW.replace(tzinfo=None)


def _naturaltime(value) -> str:
    """What `ago` said before: Django's naturaltime, then the Korean fixes."""
    text = str(humanize.naturaltime(value))
    if translation.get_language().startswith("ko"):
        text = words._KO_FROM_NOW.sub(r"\1 후", words._KO_UNIT_SPACE.sub(r"\1", text))
    return text


OFFSETS = [
    datetime.timedelta(seconds=s)
    for s in (0, 1, 2, 59, 60, 61, 119, 3599, 3600, 7200, 86399, 86400, 90061, 6 * 86400)
] + [
    datetime.timedelta(days=d, hours=h, minutes=m)
    for d in (7, 8, 13, 14, 29, 30, 31, 45, 59, 60, 364, 365, 366, 400, 800, 3000)
    for h in (0, 1, 23)
    for m in (0, 30)
]


@pytest.mark.parametrize("language", ["en", "ko"])
def test_ago_says_what_naturaltime_says(language):
    moments = [NOW - o for o in OFFSETS] + [NOW + o for o in OFFSETS]
    moments += [m.replace(tzinfo=None) for m in moments[::7]]  # naive moments too
    moments += ["not a moment", None]  # returned as they are, as naturaltime does
    with mock.patch.object(humanize, "datetime", _Frozen), translation.override(language):
        for _round in range(2):  # filled, then from what was kept
            for moment in moments:
                assert words.ago(moment) == _naturaltime(moment), moment


def test_what_is_kept_is_per_language_and_bounded():
    text = words._NaturalTime.time_strings["past-minute"]
    with translation.override("en"):
        assert text % {"count": 7} == "7\xa0minutes ago"
    with translation.override("ko"):
        assert text % {"count": 7} == "7 분 전"  # Django's; `ago` joins them
    with translation.override("en"):
        for count in range(words._Translated.LIMIT + 10):
            text % {"count": count}
    assert len(text.filled) <= words._Translated.LIMIT
