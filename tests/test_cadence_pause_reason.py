"""The brief's cadence panel says why a paused enrollment is paused, in the reader's language:
the reason its SDR gave, or an out-of-office answer for a pause the app made; a pause whose
reason was not kept says none rather than a wrong one."""

import datetime
import re

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cadences import domain

from .factories import LeadFactory
from .test_cadence_sdr import HTMX, cadence  # noqa: F401 (a fixture)


def panel(client, lead, **headers) -> str:
    """The brief's cadence panel alone (the brief's trail below says the pause's row too)."""
    html = client.get(reverse("lead-brief", args=[lead.pk]), **headers).content.decode()
    match = re.search(
        r'<section class="card cadences" id="lead-cadences">.*?</section>', html, re.S
    )
    assert match, "no cadence panel"
    return match.group(0)


KO = {"HTTP_ACCEPT_LANGUAGE": "ko"}


def test_the_panel_says_the_reason_the_sdr_gave_in_english_and_korean(client, org, cadence):  # noqa: F811
    lead = LeadFactory(owner=org.alice)
    enrollment = domain.enrol(lead, cadence, by=org.alice)
    client.force_login(org.alice)
    assert "Why pause:" not in panel(client, lead)
    url = reverse("enrollment-pause", args=[enrollment.pk])
    answered = client.post(url, {"why": "Waiting for the <budget>"}, **HTMX).content.decode()
    # The panel the pause answers with says it too, escaped.
    assert "Why pause: Waiting for the &lt;budget&gt;" in answered
    assert "Why pause: Waiting for the &lt;budget&gt;" in panel(client, lead)
    assert "일시 중지 이유: Waiting for the &lt;budget&gt;" in panel(client, lead, **KO)
    # Resumed and paused again: the new reason, not the old one.
    client.post(reverse("enrollment-resume", args=[enrollment.pk]))
    assert "Why pause:" not in panel(client, lead)
    client.post(url, {"why": "On leave"})
    shown = panel(client, lead)
    assert "Why pause: On leave" in shown and "budget" not in shown


def test_an_out_of_office_pause_says_so_in_english_and_korean(client, org, cadence):  # noqa: F811
    lead = LeadFactory(owner=org.alice)
    enrollment = domain.enrol(lead, cadence, by=org.alice)
    back = org.desk.local_today() + datetime.timedelta(days=7)
    # As a poll of the SDR's mailbox pauses it on an out-of-office answer.
    domain.enrolment.pause_many({enrollment.pk: back}, by=None, why="out of office")
    client.force_login(org.alice)
    shown = panel(client, lead)
    assert "Why pause: an out-of-office answer" in shown and "resumes on" in shown
    assert "일시 중지 이유: 부재중 자동 응답" in panel(client, lead, **KO)


def test_a_pause_whose_reason_was_not_kept_shows_no_reason(client, org, cadence):  # noqa: F811
    lead = LeadFactory(owner=org.alice)
    enrollment = domain.enrol(lead, cadence, by=org.alice)
    tomorrow = org.desk.local_today() + datetime.timedelta(days=1)
    # With a day to resume on, the trail keeps the day, not the reason typed.
    domain.pause(enrollment, by=org.alice, until=tomorrow, why="On leave")
    client.force_login(org.alice)
    shown = panel(client, lead)
    assert "resumes on" in shown and "Why pause" not in shown
    assert tomorrow.isoformat() not in shown


def test_the_reason_costs_the_brief_one_query_at_most(client, org, cadence):  # noqa: F811
    lead = LeadFactory(owner=org.alice)
    enrollment = domain.enrol(lead, cadence, by=org.alice)
    client.force_login(org.alice)
    url = reverse("lead-brief", args=[lead.pk])
    client.get(url)
    with CaptureQueriesContext(connection) as active:
        client.get(url)
    domain.pause(enrollment, by=org.alice, why="On leave")
    client.get(url)
    with CaptureQueriesContext(connection) as paused:
        client.get(url)
    assert len(paused.captured_queries) <= len(active.captured_queries) + 1
