"""Korean and English: the catalogue is complete, the language follows the browser unless the
user picked one, and amounts and dates follow the team's currency and the user's language."""

import datetime
import shutil
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation

from sdr_ops.templatetags.money import format_money


# The catalogue checks extract from the checkout's own files and put the catalogue back
# after: beside each other on two workers, one would read the other's probe template (or its
# half-written catalogue), so they run on one worker, one after the other.
@pytest.mark.xdist_group("catalogue")
@pytest.mark.skipif(shutil.which("msgmerge") is None, reason="gettext is not installed")
def test_every_string_of_the_source_has_its_korean(capsys):
    # Re-extracts the strings into a copy of the catalogue: a new string without its Korean,
    # or a fuzzy one, fails here.
    call_command("catalogue", "--check")
    assert "Every string has its Korean." in capsys.readouterr().out


@pytest.mark.xdist_group("catalogue")
@pytest.mark.skipif(shutil.which("msgmerge") is None, reason="gettext is not installed")
def test_a_new_string_without_its_korean_fails_the_check_and_the_catalogue_stays_as_it_was():
    from django.conf import settings
    from django.core.management import CommandError

    catalogue = settings.BASE_DIR / "locale" / "ko" / "LC_MESSAGES" / "django.po"
    before = catalogue.read_bytes()
    probe = settings.BASE_DIR / "templates" / "catalogue_probe.html"
    probe.write_text('{% load i18n %}{% translate "A sentence nobody has translated yet" %}')
    try:
        with pytest.raises(CommandError, match="1 strings lack their Korean"):
            call_command("catalogue", "--check")
    finally:
        probe.unlink()
    assert catalogue.read_bytes() == before


def test_the_browser_language_picks_korean(client, org):
    client.force_login(org.alice)
    html = client.get(reverse("today"), HTTP_ACCEPT_LANGUAGE="ko-KR,ko;q=0.9").content.decode()
    assert '<html lang="ko">' in html
    assert "리드" in html and "오늘" in html and "로그아웃" in html
    html = client.get(reverse("today"), HTTP_ACCEPT_LANGUAGE="en-US").content.decode()
    assert ">Leads<" in html and "로그아웃" not in html


def test_the_login_page_follows_the_browser(client):
    html = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="ko").content.decode()
    assert "SDR Ops 로그인" in html


def test_the_profile_choice_wins_over_the_browser_and_sticks(client, org):
    client.force_login(org.alice)
    response = client.post(reverse("set-language"), {"language": "ko"})
    assert response.status_code == 302
    org.alice.refresh_from_db()
    assert org.alice.language == "ko"
    html = client.get(reverse("profile"), HTTP_ACCEPT_LANGUAGE="en-US").content.decode()
    assert "내 계정" in html and "언어를 저장했습니다." in html
    client.post(reverse("set-language"), {"language": ""})
    html = client.get(reverse("profile"), HTTP_ACCEPT_LANGUAGE="en-US").content.decode()
    assert "Your account" in html


def test_an_unknown_language_is_refused(client, org):
    client.force_login(org.alice)
    client.post(reverse("set-language"), {"language": "xx"})
    org.alice.refresh_from_db()
    assert org.alice.language == ""


def test_api_errors_follow_the_language(client, org):
    client.force_login(org.mia)
    response = client.get(
        reverse("api-kpis-weekly"),
        {"team": "enterprise-desk", "week": "soon"},
        HTTP_ACCEPT_LANGUAGE="ko",
    )
    assert response.status_code == 400
    assert "2026-W47 형식" in response.content.decode()


@pytest.mark.parametrize(
    ("language", "amount", "currency", "shown"),
    [
        ("ko", Decimal("1250000.00"), "KRW", "1,250,000원"),
        ("en", Decimal("1250000.00"), "KRW", "₩1,250,000"),
        ("en", Decimal("-30000"), "KRW", "-₩30,000"),
        ("ko", 1234.5, "USD", "$1,234.50"),
        ("en", 1234.5, "USD", "$1,234.50"),
        ("en", 7, "CHF", "7.00 CHF"),
        ("en", None, "KRW", "—"),
    ],
)
def test_amounts_follow_the_currency_and_the_language(language, amount, currency, shown):
    with translation.override(language):
        assert format_money(amount, currency) == shown


def test_dates_are_written_the_korean_way(client, org):
    from django.template import Context, Template

    day = datetime.date(2026, 11, 27)
    template = Template("{{ day|date }}")
    with translation.override("ko"):
        assert template.render(Context({"day": day})) == "2026년 11월 27일"
    with translation.override("en"):
        assert template.render(Context({"day": day})) == "Nov. 27, 2026"


def test_dashboard_amounts_in_korean(client, org):
    from .test_dashboard_tables import carrying
    from .test_dashboards import last_full_week

    carrying(org, last_full_week(org.desk), "accepted", (1000000, 900000), budget="confirmed")
    client.force_login(org.mia)
    html = client.get(reverse("dashboards"), HTTP_ACCEPT_LANGUAGE="ko").content.decode()
    # The dashboards round amounts as a manager reads them (issue 15): 만 and 억 in Korean.
    assert "100만원 → 90만원" in html
    assert "대시보드" in html and "이관 대비 상담 전환율" in html


def test_every_msgid_with_non_ascii_punctuation_resolves_to_its_korean():
    # xgettext copies a "\u201c" escape of the Python source as six characters, so the
    # catalogue held a msgid the running code never asks for and the flag stayed English.
    # Every msgid that carries non-ASCII punctuation (quotes, arrows, dashes, ellipses) must be
    # the very string the code asks for, and resolve to its Korean.
    import unicodedata

    from sdr_ops.management.commands.catalogue import catalogue_path, read_po

    entries = [e for e in read_po(catalogue_path("ko")) if e["msgid"] and not e["obsolete"]]
    assert not [e["msgid"] for e in entries if "\\u" in e["msgid"] or "\\x" in e["msgid"]]
    punctuated = [
        e
        for e in entries
        if any(ord(c) > 127 and unicodedata.category(c)[0] in "PS" for c in e["msgid"])
    ]
    assert any("“asked but not disclosed”" in e["msgid"] for e in punctuated)
    with translation.override("ko"):
        unresolved = [
            e["msgid"]
            for e in punctuated
            if not e["msgid_plural"] and translation.gettext(e["msgid"]) != e["msgstr"][0]
        ]
    assert unresolved == []


def test_the_single_question_flag_reads_in_korean(org):
    from handoffs.models import Handoff
    from handoffs.queries import flags

    handoff = Handoff(
        checklist=[
            {"item": "budget", "status": "not_disclosed", "questions": "What is your budget?"}
        ],
        comment="x" * 200,
    )
    with translation.override("ko"):
        words = [f.text for f in flags(handoff, None) if f.code == "single_question"]
    assert words == ["예산: 직접 질문 한 번 만에 “물었지만 답을 듣지 못함”"]


def test_each_template_filter_has_one_library():
    """A filter registered in two libraries depends on the order a template loads them."""
    from django.template import engines

    owners: dict[str, list[str]] = {}
    for name, library in engines["django"].engine.template_libraries.items():
        for tag in library.filters:
            owners.setdefault(tag, []).append(name)
    shared = {tag: names for tag, names in owners.items() if len(names) > 1}
    assert shared == {}
