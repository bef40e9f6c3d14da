"""Nothing fails silently: refusals come back in place with their status, text has the same
limits on the page as in the browser, the call timer runs from the server's start, and what a
person reads is in their words (durations, relative times, dates, labels, Korean particles)."""

import datetime
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format

from handoffs.domain import reviews
from handoffs.models import Handoff
from leads.domain import stages
from leads.forms import SignedMomentField
from leads.models import Activity, CallListEntry
from sdr_ops import limits, words
from sdr_ops.models import AuditEvent

from .authz import build_world
from .helpers import call_start

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def world(org):
    return build_world(org)


def as_user(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


# -- the AE's inbox ---------------------------------------------------------------------------


def test_rejecting_for_other_without_a_comment_answers_400_with_the_error_in_the_card(org, world):
    response = as_user(org.aaron).post(
        reverse("handoff-decide", args=[world.pending.pk, "reject"]),
        {"reason": "other", "comment": ""},
        **HTMX,
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert f'id="handoff-{world.pending.pk}"' in html
    assert re.search(r'id="comment-\d+-errors"[^>]*>.*Say what was missing', html, re.S)
    assert '<option value="other" selected>' in html  # the choice as typed
    world.pending.refresh_from_db()
    assert world.pending.status == Handoff.Status.PENDING


def test_a_16_digit_amount_answers_400_with_the_error_beside_the_amount(org, world):
    response = as_user(org.aaron).post(
        reverse("handoff-decide", args=[world.pending.pk, "accept"]),
        {"amount": "1234567890123456"},
        **HTMX,
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert 'value="1234567890123456"' in html
    assert re.search(r'id="amount-\d+-errors"', html)
    assert "aria-invalid" in html


def test_a_rejection_comment_over_its_limit_is_refused(org, world):
    response = as_user(org.aaron).post(
        reverse("handoff-decide", args=[world.pending.pk, "reject"]),
        {"reason": "other", "comment": "x" * (limits.REASON + 1)},
        **HTMX,
    )
    assert response.status_code == 400
    world.pending.refresh_from_db()
    assert world.pending.status == Handoff.Status.PENDING


# -- today's list -----------------------------------------------------------------------------


def test_a_5000_character_skip_reason_is_refused_in_place_not_a_500(org, world):
    url = reverse("call-list-skip", args=[world.call_list.pk, world.entry.pk])
    response = as_user(org.alice).post(url, {"reason": "x" * 5000}, **HTMX)
    assert response.status_code == 400
    html = response.content.decode()
    assert f'id="skip-{world.entry.pk}-errors"' in html
    assert '<details class="skip" open>' in html
    world.entry.refresh_from_db()
    assert world.entry.status == CallListEntry.Status.PLANNED
    # Without htmx the page itself answers, with the same error.
    response = as_user(org.alice).post(url, {"reason": ""})
    assert response.status_code == 400 and f'id="skip-{world.entry.pk}-errors"' in (
        response.content.decode()
    )


def test_a_domain_refusal_on_the_list_is_said_in_the_fragment(org, world):
    client = as_user(org.alice)
    url = reverse("call-list-skip", args=[world.call_list.pk, world.entry.pk])
    assert client.post(url, {"reason": "Out of office"}, **HTMX).status_code == 200
    again = client.post(url, {"reason": "Out of office"}, **HTMX)
    assert again.status_code == 400
    assert 'class="message message-error"' in again.content.decode()


# -- call mode --------------------------------------------------------------------------------


def call_data(started: str, **extra) -> dict:
    data = {"outcome": "connected", "notes": "", "started_at": started}
    for item in ("budget", "approval_process", "need", "timing"):
        data[f"{item}-status"] = "unknown"
    data.update(extra)
    return data


def started_on(html: str) -> str:
    return re.search(r'name="started_at" value="([^"]+)"', html).group(1)


def test_a_200000_character_note_is_refused_and_the_timer_keeps_its_start(org, world):
    client = as_user(org.alice)
    url = reverse("lead-call", args=[world.lead.pk])
    page = client.get(url).content.decode()
    started = started_on(page)
    assert f'maxlength="{limits.NOTE}"' in page
    response = client.post(url, call_data(started, notes="x" * 200_000))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Ensure this value has at most 5000 characters" in html
    assert started_on(html) == started
    shown = re.search(r'data-started-at="([^"]+)"', html).group(1)
    sent = SignedMomentField().to_python(started)
    assert abs(datetime.datetime.fromisoformat(shown) - sent) < datetime.timedelta(seconds=1)
    assert not Activity.objects.filter(lead=world.lead).exists()


def test_without_the_browsers_duration_the_server_measures_from_its_start(org, world):
    client = as_user(org.alice)
    url = reverse("lead-call", args=[world.lead.pk])
    eight_minutes_ago = call_start(timezone.now() - datetime.timedelta(minutes=8))
    response = client.post(url, call_data(eight_minutes_ago))
    assert response.status_code == 302
    activity = Activity.objects.get(lead=world.lead)
    assert 8 * 60 <= activity.duration_seconds < 8 * 60 + 30


def test_a_call_page_open_over_24_hours_says_so_and_logs_nothing(org, world):
    client = as_user(org.alice)
    url = reverse("lead-call", args=[world.lead.pk])
    yesterday = call_start(timezone.now() - datetime.timedelta(hours=25))
    response = client.post(url, call_data(yesterday, duration_seconds=str(25 * 3600)))
    assert response.status_code == 200
    html = response.content.decode()
    assert "opened more than 24 hours ago" in html
    assert not Activity.objects.filter(lead=world.lead).exists()
    # The timer starts again now: sending the form again logs a short call.
    restarted = SignedMomentField().to_python(started_on(html))
    assert timezone.now() - restarted < datetime.timedelta(minutes=1)
    assert client.post(url, call_data(started_on(html))).status_code == 302
    assert Activity.objects.get(lead=world.lead).duration_seconds < 60


def test_a_lost_start_is_said_not_silent(org, world):
    client = as_user(org.alice)
    response = client.post(reverse("lead-call", args=[world.lead.pk]), call_data("yesterday"))
    assert response.status_code == 200
    assert "start time was lost" in response.content.decode()


def test_a_start_the_browser_moved_reads_as_lost(org, world):
    """The start is the server's record: an unsigned or altered value measures nothing."""
    client = as_user(org.alice)
    url = reverse("lead-call", args=[world.lead.pk])
    forged = (timezone.now() - datetime.timedelta(hours=2)).isoformat()
    response = client.post(url, call_data(forged, duration_seconds="7200"))
    assert response.status_code == 200
    assert "start time was lost" in response.content.decode()
    assert not Activity.objects.filter(lead=world.lead).exists()


def test_the_logged_duration_is_never_longer_than_the_time_since_the_start(org, world):
    client = as_user(org.alice)
    url = reverse("lead-call", args=[world.lead.pk])
    started = call_start(timezone.now() - datetime.timedelta(minutes=2))
    assert client.post(url, call_data(started, duration_seconds="3000")).status_code == 302
    assert 120 <= Activity.objects.get(lead=world.lead).duration_seconds < 150


# -- reviews ----------------------------------------------------------------------------------


def test_review_texts_over_their_limits_are_refused(org):
    from .test_reviews import make_handoff

    handoff = make_handoff(org)
    with pytest.raises(Exception, match="5000"):
        reviews.record_review(handoff, by=org.mia, rating="exemplary", feedback="x" * 200_000)
    with pytest.raises(Exception, match="500"):
        reviews.record_review(
            handoff, by=org.mia, rating="exemplary", feedback="ok", item_notes={"need": "x" * 501}
        )


# -- words ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("seconds", "en", "ko"),
    [
        (19, "19 s", "19초"),
        (734, "12 min 14 s", "12분 14초"),
        (600, "10 min", "10분"),
        (3900, "1 h 5 min", "1시간 5분"),
        (0, "0 s", "0초"),
    ],
)
def test_durations_read_as_minutes_and_seconds(seconds, en, ko):
    with translation.override("en"):
        assert words.duration(seconds) == en
    with translation.override("ko"):
        assert words.duration(seconds) == ko


def test_relative_times_in_korean_write_the_number_with_its_unit():
    seven_minutes_ago = timezone.now() - datetime.timedelta(minutes=7, seconds=5)
    in_three_hours = timezone.now() + datetime.timedelta(hours=3, minutes=5)
    with translation.override("ko"):
        assert words.ago(seven_minutes_ago) == "7분 전"
        assert words.ago(in_three_hours) == "3시간 후"
    with translation.override("en"):
        assert words.ago(seven_minutes_ago) == "7\xa0minutes ago"
        assert words.ago(in_three_hours) == "3\xa0hours from now"


def test_one_zero_padded_date_format_per_language():
    day = datetime.date(2026, 1, 5)
    with translation.override("ko"):
        for name in ("DATE_FORMAT", "SHORT_DATE_FORMAT"):
            assert date_format(day, name) == "2026년 01월 05일"
        assert date_format(day, "MONTH_DAY_FORMAT") == "01월 05일"
    with translation.override("en"):
        for name in ("DATE_FORMAT", "SHORT_DATE_FORMAT"):
            assert date_format(day, name) == "Jan. 5, 2026"
    # Templates name a format; none writes its own pattern for a person to read.
    own = []
    for path in Path(settings.BASE_DIR, "templates").rglob("*.html"):
        for pattern in re.findall(r"\|date:[\"']([^\"']+)[\"']", path.read_text()):
            # c and Y-m-d are for machines (datetime attributes, inputs); l is a weekday.
            if pattern not in ("c", "Y-m-d", "l") and not pattern.endswith("_FORMAT"):
                own.append(f"{path.name}: {pattern}")
    assert own == []


def test_the_korean_catalogue_says_certainty_and_puts_no_particle_after_a_variable():
    po = Path(settings.BASE_DIR, "locale/ko/LC_MESSAGES/django.po").read_text()
    assert "확도" not in po
    # Each translation whole: a long one is written over several quoted lines.
    msgstrs = [
        "".join(re.findall(r'"(.*)"', m))
        for m in re.findall(r'^msgstr( ".*"\n(?:".*"\n)*)', po, re.M)
    ]
    particle = r"(을\(를\)|를\(을\)|이\(가\)|가\(이\)|은\(는\)|는\(은\)|와\(과\)|과\(와\)|\(으\)로)"
    after_variable = [m for m in msgstrs if re.search(r"%\([a-z_]+\)s\)?" + particle, m)]
    assert after_variable == []
    with translation.override("ko"):
        assert str(translation.gettext("Certainty")) == "확실성"


def test_the_change_log_shows_labels_not_codes(org, world):
    stages.change_stage(world.lead, to="connected", by=org.alice)
    event = AuditEvent.objects.filter(lead_id=world.lead.pk, action="stage").latest("pk")
    with translation.override("en"):
        assert event.words[1:] == ("Working", "Connected")
    client = as_user(org.alice)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ko"
    html = client.get(reverse("lead-brief", args=[world.lead.pk])).content.decode()
    trail = html[html.index('id="audit-trail"') :]
    assert "working → connected" not in trail
    assert "→ connected" not in trail


def test_an_imported_checklist_shows_its_items_labels_in_the_readers_language(org, world):
    Handoff.objects.filter(pk=world.pending.pk).update(
        checklist=[{"item": "approval_process", "status": "confirmed", "answer": "CFO signs"}]
    )
    client = as_user(org.aaron)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ko"
    html = client.get(reverse("ae-inbox")).content.decode()
    with translation.override("ko"):
        from sdr_ops.models import qualification_label

        assert qualification_label("approval_process") in html
    assert "<dt>approval_process</dt>" not in html


def test_the_adherence_page_takes_no_day_outside_the_calendar(org, world):
    client = as_user(org.mia)
    for day in ("9999-12-31", "0001-01-01", "2100-12-31", "1900-01-01", "x\x00"):
        response = client.get(reverse("call-list-adherence"), {"day": day})
        assert response.status_code < 500
