"""The SDR's side of cadences: enrollments on the brief (pause, resume, finish, enrol with the
refusal in place), the day's due steps and the enrollments just finished on Today, bulk enrol
and saved audiences from the lead list, the call step in call mode; per role, out of reach is
404; the pages' queries do not grow with the rows."""

import datetime
import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from cadences import domain
from cadences.domain import audiences
from cadences.models import Audience, Enrollment, StepRun, Suppression
from handoffs import domain as handoff_domain
from leads import tasks as lead_tasks
from leads.models import CallListEntry, QualificationAnswer, Stage
from sdr_ops import calendar
from sdr_ops.models import AuditEvent

from .cadence_helpers import activate
from .factories import LeadFactory
from .test_cadences import three_steps
from .test_handoffs_domain import qualified
from .test_today import log_call

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def cadence(org):
    cadence = domain.create_cadence(org.desk, name="Enterprise intro", by=org.mia)
    domain.save_steps(cadence, three_steps(), by=org.mia)
    return activate(cadence, org.mia)


def due_now(enrollment):
    """The enrollment's current step falls due a minute ago (whatever the hour of the run)."""
    moment = timezone.now() - datetime.timedelta(minutes=1)
    Enrollment.objects.filter(pk=enrollment.pk).update(next_due=moment)
    enrollment.refresh_from_db()
    return enrollment


def brief(client, lead) -> str:
    return client.get(reverse("lead-brief", args=[lead.pk])).content.decode()


# -- the brief -------------------------------------------------------------------------------


def test_the_sdr_enrols_a_lead_from_its_brief_and_sees_the_step_there(client, org, cadence):
    lead = LeadFactory(owner=org.alice)
    client.force_login(org.alice)
    html = brief(client, lead)
    assert "Enrol in a cadence" in html and "Enterprise intro" in html
    response = client.post(reverse("cadence-enrol", args=[lead.pk]), {"cadence": cadence.pk})
    assert response.url == reverse("lead-brief", args=[lead.pk])
    enrollment = Enrollment.objects.get(lead=lead)
    assert (enrollment.sdr, enrollment.step, enrollment.state) == (org.alice, 1, "active")
    html = brief(client, lead)
    assert f'data-enrollment="{enrollment.pk}"' in html
    assert "version 1" in html and "step 1 of 3" in html and "next step" in html
    assert "Enrolled in Enterprise intro." in html
    assert "Enrol in a cadence" not in html  # one open enrollment per lead


def test_htmx_answers_with_the_panel_and_a_refusal_in_place(client, org, cadence):
    lead = LeadFactory(owner=org.alice)
    domain.enrol(lead, cadence, by=org.alice)
    client.force_login(org.alice)
    # A page read before the enrollment still offers the form: the refusal shows in place.
    response = client.post(
        reverse("cadence-enrol", args=[lead.pk]), {"cadence": cadence.pk}, **HTMX
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert html.lstrip().startswith('<section class="card cadences" id="lead-cadences">')
    assert "Already in the cadence Enterprise intro (step 1 of 3)." in html
    unknown = client.post(reverse("cadence-enrol", args=[lead.pk]), {"cadence": "x"}, **HTMX)
    assert unknown.status_code == 400 and b"Select a valid choice" in unknown.content


def test_a_suppressed_address_is_refused_with_its_reason(client, org, cadence):
    lead = LeadFactory(owner=org.alice, email="Gone@Example.com")
    Suppression.objects.create(address="gone@example.com", reason="opted_out")
    client.force_login(org.alice)
    html = brief(client, lead)
    assert "The lead&#x27;s address opted out of cadence e-mail." in html
    assert 'name="cadence"' not in html
    response = client.post(
        reverse("cadence-enrol", args=[lead.pk]), {"cadence": cadence.pk}, **HTMX
    )
    assert response.status_code == 400 and b"opted out" in response.content
    assert not Enrollment.objects.filter(lead=lead).exists()
    result = domain.enrol_many(cadence, [lead.pk], by=org.alice)
    assert result.refused == {lead.pk: "The lead's address opted out of cadence e-mail."}


def test_pause_with_why_resume_and_finish_with_the_reason(client, org, cadence):
    lead = LeadFactory(owner=org.alice)
    enrollment = domain.enrol(lead, cadence, by=org.alice)
    client.force_login(org.alice)
    tomorrow = org.desk.local_today() + datetime.timedelta(days=1)
    url = reverse("enrollment-pause", args=[enrollment.pk])
    refused = client.post(url, {"why": "", "until": "2000-01-01"}, **HTMX)
    assert refused.status_code == 400
    assert (
        b"This field is required." in refused.content
        and b"Pick a day after today." in refused.content
    )
    response = client.post(url, {"why": "On leave", "until": tomorrow.isoformat()}, **HTMX)
    assert response.status_code == 200 and b"Paused." in response.content
    enrollment.refresh_from_db()
    assert (enrollment.state, enrollment.resume_on) == ("paused", tomorrow)
    assert b"resumes on" in response.content and b"Resume" in response.content
    again = client.post(url, {"why": "On leave"}, **HTMX)
    assert again.status_code == 409 and b"Only an active enrollment can be paused." in again.content
    client.post(reverse("enrollment-resume", args=[enrollment.pk]))
    enrollment.refresh_from_db()
    assert enrollment.state == "active" and enrollment.next_due is not None
    finish = reverse("enrollment-finish", args=[enrollment.pk])
    assert client.post(finish, {"reason": "no_more_steps"}, **HTMX).status_code == 400
    client.post(finish, {"reason": "replied"})
    enrollment.refresh_from_db()
    assert (enrollment.state, enrollment.finish_reason) == ("finished", "replied")
    html = brief(client, lead)
    assert "Replied" in html and "Enrol in a cadence" in html  # it may start another now
    actions = AuditEvent.objects.filter(subject="enrollment", subject_id=enrollment.pk)
    assert list(actions.order_by("pk").values_list("action", "after")) == [
        ("paused", tomorrow.isoformat()),
        ("resumed", ""),
        ("finished", "replied"),
    ]


@pytest.mark.parametrize(
    ("persona", "status"),
    [("bob", 404), ("carol", 404), ("otto", 404), ("aaron", 404), ("mia", 302), ("alice", 302)],
)
def test_each_role_reaches_only_its_side_enrollments(client, org, cadence, persona, status):
    lead = LeadFactory(owner=org.alice)
    enrollment = domain.enrol(lead, cadence, by=org.alice)
    client.force_login(getattr(org, persona))
    url = reverse("enrollment-finish", args=[enrollment.pk])
    assert client.post(url, {"reason": "manual"}).status_code == status
    other = LeadFactory(owner=org.alice)
    enrol = client.post(reverse("cadence-enrol", args=[other.pk]), {"cadence": cadence.pk})
    assert enrol.status_code == status


def test_an_ae_sees_no_cadence_panel_on_a_brief(client, org, cadence):
    from .test_reviews import make_handoff

    handoff = make_handoff(org)
    client.force_login(org.aaron)
    html = brief(client, handoff.lead)
    assert 'id="lead-cadences"' not in html


@pytest.mark.parametrize("rows", [3, 30])
def test_brief_queries_do_not_grow_with_enrollments(
    client, org, cadence, rows, django_assert_num_queries
):
    lead = LeadFactory(owner=org.alice)
    for _ in range(rows):
        enrollment = domain.enrol(lead, cadence, by=org.alice)
        domain.finish(enrollment, reason="manual", by=org.alice)
    domain.enrol(lead, cadence, by=org.alice)
    client.force_login(org.alice)
    client.get(reverse("lead-brief", args=[lead.pk]))  # warm the caches
    # As tests/test_leads.py counts the brief's (its handoff score's part varies with the
    # lead), with its enrollments: an open one, so nothing to enrol in and no address check.
    with django_assert_num_queries(15):
        client.get(reverse("lead-brief", args=[lead.pk]))


# -- Today -----------------------------------------------------------------------------------


def test_today_shows_the_due_steps_with_their_reason_and_what_finished(client, org, cadence):
    called = LeadFactory(owner=org.alice, first_name="Hana")
    due_now(domain.enrol(called, cadence, by=org.alice))
    later = LeadFactory(owner=org.alice, first_name="Later")
    enrollment = domain.enrol(later, cadence, by=org.alice)
    Enrollment.objects.filter(pk=enrollment.pk).update(
        next_due=timezone.now() + datetime.timedelta(days=3)
    )
    replied = domain.enrol(LeadFactory(owner=org.alice, first_name="Rae"), cadence, by=org.alice)
    domain.finish(replied, reason="replied", by=None)
    ready = domain.enrol(LeadFactory(owner=org.alice, first_name="Quinn"), cadence, by=org.alice)
    domain.finish(ready, reason="qualified", by=None)
    old = domain.enrol(LeadFactory(owner=org.alice, first_name="Olde"), cadence, by=org.alice)
    domain.finish(old, reason="replied", by=None)
    Enrollment.objects.filter(pk=old.pk).update(
        finished_at=timezone.now() - datetime.timedelta(days=6)
    )
    mailed = domain.enrol(LeadFactory(owner=org.alice, first_name="Mailed"), cadence, by=None)
    Enrollment.objects.filter(pk=mailed.pk).update(step=2)  # an e-mail step: it sends itself
    due_now(mailed)
    mine_not = domain.enrol(LeadFactory(owner=org.bob, first_name="Bobs"), cadence, by=org.bob)
    due_now(mine_not)
    client.force_login(org.alice)
    html = client.get(reverse("today")).content.decode()
    panel = html[html.index('id="today-cadences"') :]
    assert "Cadence Enterprise intro · step 1 of 3 · asks: timing, approval process" in panel
    assert re.findall(r'data-step-due="(\d+)"', panel) == [str(called.enrollments.get().pk)]
    assert reverse("lead-call", args=[called.pk]) in panel
    assert "Ask how such projects are approved." in panel
    finished = dict(re.findall(r'data-reason="(\w+)">.*?<strong>(.*?)</strong>', panel, re.S))
    assert finished == {"replied": "read the reply", "qualified": "hand it off to an AE"}
    assert "Qualified: ready to hand off" in panel
    assert reverse("handoff-new", args=[ready.lead_id]) in panel
    assert "Olde" not in panel and "Bobs" not in panel and "Later" not in panel
    assert "Mailed" not in panel


def test_a_due_task_step_is_marked_done_on_today_once(client, org, cadence):
    lead = LeadFactory(owner=org.alice)
    enrollment = domain.enrol(lead, cadence, by=org.alice)
    client.force_login(org.alice)
    url = reverse("enrollment-step-done", args=[enrollment.pk])
    call_step = client.post(url, {"step": "1"}, **HTMX)
    assert call_step.status_code == 400 and b"log a call in call mode" in call_step.content
    Enrollment.objects.filter(pk=enrollment.pk).update(step=3)  # the task step
    due_now(enrollment)
    response = client.post(url, {"step": "3"}, **HTMX)
    assert response.status_code == 200 and b"Step done" in response.content
    run = StepRun.objects.get(enrollment=enrollment)
    assert (run.step.position, run.outcome) == (3, "done")
    enrollment.refresh_from_db()
    assert (enrollment.state, enrollment.finish_reason) == ("finished", "no_more_steps")
    assert client.post(url, {"step": "3"}, **HTMX).status_code == 409


@pytest.mark.parametrize("rows", [3, 30])
def test_today_queries_do_not_grow_with_due_steps(
    client, org, cadence, rows, django_assert_num_queries
):
    for _ in range(rows):
        due_now(domain.enrol(LeadFactory(owner=org.alice), cadence, by=org.alice))
        finished = domain.enrol(LeadFactory(owner=org.alice), cadence, by=org.alice)
        domain.finish(finished, reason="replied", by=None)
    client.force_login(org.alice)
    client.get(reverse("today"))
    # 1 session, 2 user with their team, 3 the list (none built), 4 tasks, 5 callbacks, 6 due
    # enrollments with lead, company and cadence, 7 their steps, 8 the finished ones
    with django_assert_num_queries(8):
        response = client.get(reverse("today"))
    assert response.content.decode().count("data-step-due=") == rows
    assert response.content.decode().count("data-finished=") == rows


# -- the lead list: bulk enrol and audiences ---------------------------------------------------


def test_bulk_enrol_says_how_many_were_enrolled_and_why_the_others_were_not(client, org, cadence):
    fresh = [LeadFactory(owner=org.alice) for _ in range(3)]
    busy = LeadFactory(owner=org.alice)
    domain.enrol(busy, cadence, by=org.alice)
    closed = LeadFactory(owner=org.alice, stage=Stage.DISQUALIFIED)
    bobs = LeadFactory(owner=org.bob)
    client.force_login(org.alice)
    ids = [lead.pk for lead in [*fresh, busy, closed, bobs]]
    response = client.post(
        reverse("cadence-enrol-leads"),
        {"leads": ids, "cadence": cadence.pk, "back": "stage=new", "action": "list"},
        follow=True,
    )
    assert response.redirect_chain[0][0] == reverse("lead-list") + "?stage=new"
    html = response.content.decode()
    assert "3 of 6 leads enrolled in Enterprise intro." in html
    assert "1 lead refused: Already in the cadence Enterprise intro (step 1 of 3)." in html
    assert "1 lead refused: The lead is handed off, closed or disqualified." in html
    assert "1 lead refused: No such lead." in html
    assert set(Enrollment.objects.filter(state="active").values_list("lead_id", flat=True)) == {
        *[lead.pk for lead in fresh],
        busy.pk,
    }
    nothing = client.post(reverse("cadence-enrol-leads"), {"cadence": cadence.pk}, follow=True)
    assert b"Tick the leads to act on first." in nothing.content


@pytest.mark.parametrize("rows", [3, 40])
def test_bulk_enrol_and_the_list_queries_do_not_grow_with_leads(
    client, org, cadence, rows, django_assert_num_queries
):
    leads = LeadFactory.create_batch(rows, owner=org.alice)
    client.force_login(org.alice)
    client.get(reverse("lead-list"))
    data = {"leads": [lead.pk for lead in leads], "cadence": cadence.pk}
    # session, user, the cadences offered, the leads reachable; enrol_many: the cadence, its
    # version, its steps, the team's days off and settings, the leads locked, the SDRs, open
    # enrollments, suppressed addresses, the day's counts, the insert, the audit insert; and
    # the savepoint's statements; the team's days off again (who starts later for the cap)
    with django_assert_num_queries(20):
        client.post(reverse("cadence-enrol-leads"), data)
    assert Enrollment.objects.count() == rows
    # The list with every lead enrolled: session, user, count, the page of leads, and the
    # cadences offered (an SDR is offered no owners).
    with django_assert_num_queries(5):
        html = client.get(reverse("lead-list")).content.decode()
    assert "Enrol the ticked leads" in html and 'formaction="/cadences/enrol/"' in html


def test_the_list_filters_saved_as_an_audience_enrol_new_matches_each_evening(client, org, cadence):
    working = [LeadFactory(owner=org.alice, stage=Stage.WORKING) for _ in range(2)]
    LeadFactory(owner=org.alice, stage=Stage.NEW)  # does not match
    LeadFactory(owner=org.bob, stage=Stage.WORKING)  # not in alice's list
    done = LeadFactory(owner=org.alice, stage=Stage.WORKING)
    domain.finish(domain.enrol(done, cadence, by=org.alice), reason="manual", by=org.alice)
    client.force_login(org.alice)
    response = client.post(
        reverse("cadence-audiences"),
        {"cadence": cadence.pk, "audience_name": "Working leads", "back": "stage=working&q="},
        follow=True,
    )
    assert b"Audience Working leads saved" in response.content
    audience = Audience.objects.get()
    assert (audience.owner, audience.filters) == (org.alice, {"stage": "working"})
    counts = audiences.enrol_audiences([org.desk])
    assert counts == {"audiences": 1, "enrolled": 2, "refused": 0}
    assert set(Enrollment.objects.filter(state="active").values_list("lead_id", flat=True)) == {
        lead.pk for lead in working
    }
    # The next evening only a new match is enrolled; a lead that was in the cadence is not.
    newcomer = LeadFactory(owner=org.alice, stage=Stage.WORKING)
    assert audiences.enrol_audiences([org.desk])["enrolled"] == 1
    assert Enrollment.objects.filter(lead=newcomer, state="active").exists()
    assert audiences.enrol_audiences([org.desk])["enrolled"] == 0
    page = client.get(reverse("cadence-audiences")).content.decode()
    assert "Working leads" in page and "Stage: Working" in page and "0 enrolled, 0 refused" in page
    assert "?stage=working" in page
    empty = client.post(
        reverse("cadence-audiences"),
        {"cadence": cadence.pk, "audience_name": "Everyone", "back": ""},
        follow=True,
    )
    assert b"Filter the list first" in empty.content and Audience.objects.count() == 1


def test_the_nightly_build_runs_the_audiences_just_before_it_builds(org, cadence):
    lead = LeadFactory(owner=org.alice, stage=Stage.WORKING)
    audiences.save_audience(cadence, name="Working", filters={"stage": "working"}, by=org.alice)
    day = calendar.next_working_day(org.desk.local_today(), org.desk.work_calendar())
    lead_tasks.build_day_lists(team_ids=[org.desk.pk], day=day.isoformat(), nightly=True)
    assert Enrollment.objects.filter(lead=lead, state="active").exists()
    entry = CallListEntry.objects.get(call_list__day=day, lead=lead)
    assert entry.reason.startswith("Cadence Enterprise intro · step 1 of 3")


def test_a_broken_audience_never_stops_the_build(org, cadence, monkeypatch):
    from leads.domain import calllists

    def broken(teams, day):
        raise RuntimeError("boom")

    monkeypatch.setattr(calllists, "before_nightly_build", [broken])
    lead = LeadFactory(owner=org.alice)
    day = calendar.next_working_day(org.desk.local_today(), org.desk.work_calendar())
    assert lead_tasks.build_day_lists(team_ids=[org.desk.pk], day=day.isoformat(), nightly=True)
    assert CallListEntry.objects.filter(call_list__day=day, lead=lead).exists()


def test_audiences_are_their_owners_and_their_managers(client, org, cadence):
    audience = audiences.save_audience(
        cadence, name="Working", filters={"stage": "working"}, by=org.alice
    )
    url = reverse("cadence-audience-delete", args=[audience.pk])
    for persona in ("bob", "carol", "otto", "aaron"):
        client.force_login(getattr(org, persona))
        assert client.post(url).status_code == 404
        listing = client.get(reverse("cadence-audiences"))
        assert listing.status_code == (404 if persona == "aaron" else 200)
        assert b"Working" not in listing.content
    client.force_login(org.mia)
    assert b"Working" in client.get(reverse("cadence-audiences")).content
    assert client.post(url).status_code == 302
    assert not Audience.objects.exists()


# -- call mode -------------------------------------------------------------------------------


def test_call_mode_shows_the_script_puts_its_items_first_and_logging_runs_the_step(
    client, org, cadence
):
    lead = LeadFactory(owner=org.alice)
    QualificationAnswer.objects.create(lead=lead, item="need", status="confirmed", answer="x")
    enrollment = due_now(domain.enrol(lead, cadence, by=org.alice))
    client.force_login(org.alice)
    html = client.get(reverse("lead-call", args=[lead.pk])).content.decode()
    assert "Cadence Enterprise intro · step 1 of 3" in html
    assert "Ask how such projects are approved." in html
    assert re.findall(r'data-open-item="(\w+)"', html) == ["approval_process", "timing", "budget"]
    assert "Logging this call records the step done" in html
    response = log_call(client, lead)
    assert response.status_code == 302
    run = StepRun.objects.get(enrollment=enrollment)
    assert (run.step.position, run.outcome, run.connected) == (1, "done", True)
    enrollment.refresh_from_db()
    assert enrollment.step == 2 and enrollment.state == "active"
    # The next step is an e-mail: call mode shows no step, and a second call runs nothing.
    html = client.get(reverse("lead-call", args=[lead.pk])).content.decode()
    assert 'id="cadence-call-step"' not in html


def test_a_call_before_the_step_falls_due_does_not_complete_it(client, org, cadence):
    lead = LeadFactory(owner=org.alice)
    enrollment = domain.enrol(lead, cadence, by=org.alice)
    Enrollment.objects.filter(pk=enrollment.pk).update(
        next_due=timezone.now() + datetime.timedelta(days=4)
    )
    client.force_login(org.alice)
    html = client.get(reverse("lead-call", args=[lead.pk])).content.decode()
    assert "a call logged before then does not complete it" in html
    assert log_call(client, lead).status_code == 302
    assert not StepRun.objects.exists()
    enrollment.refresh_from_db()
    assert enrollment.step == 1


def test_bulk_enrol_says_how_many_the_daily_cap_holds_back(client, org, cadence):
    from cadences.models import CadenceSettings

    CadenceSettings.objects.create(team=org.desk, new_per_sdr_per_day=2)
    leads = LeadFactory.create_batch(3, owner=org.alice)
    client.force_login(org.alice)
    response = client.post(
        reverse("cadence-enrol-leads"),
        {"leads": [lead.pk for lead in leads], "cadence": cadence.pk},
        follow=True,
    )
    html = response.content.decode()
    assert "3 of 3 leads enrolled in Enterprise intro." in html
    assert "1 of them starts on a later working day" in html


def test_an_audience_enrols_no_more_than_the_sdr_can_start_the_next_morning(org, cadence):
    from cadences.models import CadenceSettings

    from .test_cadences import seoul

    CadenceSettings.objects.create(team=org.desk, new_per_sdr_per_day=2)
    leads = [LeadFactory(owner=org.alice, stage=Stage.WORKING) for _ in range(3)]
    audience = audiences.save_audience(
        cadence, name="Working", filters={"stage": "working"}, by=org.alice
    )
    first = audiences.run_audience(audience, now=seoul(12, 2, 19))  # a Wednesday evening
    assert first == {"enrolled": 2, "refused": 0}
    assert set(Enrollment.objects.values_list("starts_on", flat=True)) == {
        datetime.date(2026, 12, 2)
    }
    second = audiences.run_audience(audience, now=seoul(12, 3, 19))  # the next evening
    assert second == {"enrolled": 1, "refused": 0}
    assert Enrollment.objects.filter(lead__in=leads).count() == 3


# -- the e-mail step sent by hand: its compose form linked when it is due ------------------------


@pytest.fixture
def by_hand(org):
    cadence = domain.create_cadence(org.desk, name="By hand", by=org.mia)
    steps = three_steps()
    steps[1].manual = True
    domain.save_steps(cadence, steps, by=org.mia)
    return activate(cadence, org.mia)


def composes(html: str) -> list[str]:
    return re.findall(r'href="/cadences/enrollments/(\d+)/compose/"', html)


def test_the_compose_form_is_linked_exactly_when_the_manual_email_step_is_due(
    client, org, by_hand, cadence
):
    lead = LeadFactory(owner=org.alice, first_name="Hana")
    enrollment = domain.enrol(lead, by_hand, by=org.alice)
    client.force_login(org.alice)
    today = reverse("today")
    # The call step, due: call mode, no compose form.
    due_now(enrollment)
    assert (
        composes(brief(client, lead)) == [] and composes(client.get(today).content.decode()) == []
    )
    # The e-mail step sent by hand, not yet due.
    Enrollment.objects.filter(pk=enrollment.pk).update(
        step=2, next_due=timezone.now() + datetime.timedelta(days=2)
    )
    assert (
        composes(brief(client, lead)) == [] and composes(client.get(today).content.decode()) == []
    )
    # Due: both pages link its compose form, and the form opens.
    due_now(enrollment)
    assert composes(brief(client, lead)) == [str(enrollment.pk)]
    html = client.get(today).content.decode()
    assert composes(html) == [str(enrollment.pk)]
    assert f'data-step-due="{enrollment.pk}" data-type="email"' in html
    url = reverse("enrollment-compose", args=[enrollment.pk])
    assert client.get(url).status_code == 200
    # The mail leaves from the SDR's own mailbox: a manager reading the brief gets no link.
    client.force_login(org.mia)
    assert composes(brief(client, lead)) == []
    # Paused, or an automatic e-mail step due: no link.
    client.force_login(org.alice)
    domain.pause(enrollment, why="On leave", by=org.alice)
    assert (
        composes(brief(client, lead)) == [] and composes(client.get(today).content.decode()) == []
    )
    other = LeadFactory(owner=org.alice)
    automatic = domain.enrol(other, cadence, by=org.alice)
    Enrollment.objects.filter(pk=automatic.pk).update(step=2)
    due_now(automatic)
    assert (
        composes(brief(client, other)) == [] and composes(client.get(today).content.decode()) == []
    )


# -- a handoff finishes the enrollment ----------------------------------------------------------


def test_handing_off_a_lead_finishes_its_enrollment_and_no_later_step_runs(client, org, cadence):
    lead = qualified(LeadFactory(owner=org.alice, stage="connected", first_name="Hana"))
    enrollment = due_now(domain.enrol(lead, cadence, by=org.alice))
    handoff = handoff_domain.hand_off(
        lead, by=org.alice, to_ae=org.aaron, certainty="A", comment="Real problem: X"
    )
    enrollment.refresh_from_db()
    assert (enrollment.state, enrollment.finish_reason) == ("finished", "handed_off")
    assert enrollment.finished_at == handoff.created_at and enrollment.next_due is None
    event = AuditEvent.objects.get(
        subject="enrollment", subject_id=enrollment.pk, action="finished"
    )
    assert (event.actor, event.lead_id, event.after) == (org.alice, lead.pk, "handed_off")
    # No later step runs: neither the nightly move nor the sender touches it.
    domain.advance_due(timezone.now() + datetime.timedelta(days=10))
    domain.send_due(timezone.now() + datetime.timedelta(days=10))
    assert not StepRun.objects.filter(enrollment=enrollment).exists()
    client.force_login(org.alice)
    assert "Handed off" in brief(client, lead)
    html = client.get(reverse("today")).content.decode()
    panel = html[html.index('id="today-cadences"') :]
    assert f'data-step-due="{enrollment.pk}"' not in panel
    finished = dict(re.findall(r'data-reason="(\w+)">.*?<strong>(.*?)</strong>', panel, re.S))
    assert finished == {"handed_off": "handed off: nothing to do"}


def test_a_refused_handoff_leaves_the_enrollment_running(org, cadence):
    lead = LeadFactory(owner=org.alice, stage="connected")  # its checklist still unknown
    enrollment = domain.enrol(lead, cadence, by=org.alice)
    with pytest.raises(ValidationError):
        handoff_domain.hand_off(lead, by=org.alice, to_ae=org.aaron, certainty="A", comment="X")
    enrollment.refresh_from_db()
    assert enrollment.state == "active"
