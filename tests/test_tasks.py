"""The SDR's tasks (issue 14): set from call mode or the brief, listed on Today, done or moved,
through the pages and the API; each write audited; the API lists only what one may see."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from leads.domain import tasks
from leads.models import Task
from sdr_ops.models import AuditEvent
from sdr_ops.tokens import issue_token

from .factories import LeadFactory


def local(dt, org):
    return timezone.localtime(dt, org.desk.zone).strftime("%Y-%m-%dT%H:%M")


@pytest.fixture
def lead(org):
    return LeadFactory(owner=org.alice)


def test_tasks_are_set_done_and_moved_by_their_sdr_only(org, lead):
    due = timezone.now() + datetime.timedelta(hours=2)
    task = tasks.create_task(lead, by=org.alice, kind=Task.Kind.MATERIAL, due_at=due, note=" pdf ")
    assert task.note == "pdf"
    with pytest.raises(PermissionDenied):
        tasks.create_task(lead, by=org.bob, kind=Task.Kind.OTHER, due_at=due)
    with pytest.raises(PermissionDenied):
        tasks.complete_task(task, by=org.bob)
    later = due + datetime.timedelta(days=1)
    tasks.move_task(task, by=org.alice, due_at=later)
    tasks.complete_task(task, by=org.alice)
    tasks.complete_task(task, by=org.alice)  # done twice: once
    task.refresh_from_db()
    assert task.due_at == later and task.done_at is not None
    with pytest.raises(ValidationError):
        tasks.move_task(task, by=org.alice, due_at=due)
    events = AuditEvent.objects.filter(lead_id=lead.pk).order_by("pk")
    actions = list(events.values_list("action", flat=True))
    assert actions == ["task_created", "task_moved", "task_done"]


def test_a_task_set_from_call_mode_shows_on_today_and_is_done_there(client, org, lead):
    client.force_login(org.alice)
    soon = timezone.now() - datetime.timedelta(minutes=1)  # due today at any hour
    response = client.post(
        reverse("lead-task-new", args=[lead.pk]),
        {"kind": "check_ae", "due_at": local(soon, org), "note": "Ask Aaron", "next": "call"},
    )
    assert response.status_code == 302
    assert response.url == reverse("lead-call", args=[lead.pk])
    task = Task.objects.get(lead=lead)
    page = client.get(reverse("today")).content.decode()
    assert f'data-task="{task.pk}"' in page and "Ask Aaron" in page
    response = client.post(reverse("task-done", args=[task.pk]), headers={"HX-Request": "true"})
    assert 'id="today-tasks"' in response.content.decode()
    assert f'data-task="{task.pk}"' not in response.content.decode()


def test_task_forms_refuse_bad_input_in_place_without_a_5xx(client, org, lead):
    client.force_login(org.alice)
    url = reverse("lead-task-new", args=[lead.pk])
    htmx = {"HX-Request": "true"}
    for data in (
        {"kind": "nonsense", "due_at": "2026-12-02T10:00"},
        {"kind": "other", "due_at": "9999-12-31T10:00"},
        {"kind": "other", "due_at": "0001-01-01T00:00"},
        {"kind": "other", "due_at": "2026-12-02T10:00", "note": "x" * 5000},
        {"kind": "other", "due_at": ""},
    ):
        response = client.post(url, {**data, "next": "brief"}, headers=htmx)
        assert response.status_code == 200, data
        assert 'class="errorlist' in response.content.decode() or "errors" in str(response.content)
    assert not Task.objects.exists()
    task = Task.objects.create(lead=lead, sdr=org.alice, kind="other", due_at=timezone.now())
    response = client.post(reverse("task-move", args=[task.pk]), {"due_at": "99999-01-01"})
    assert response.status_code == 302


def test_the_brief_shows_the_callback_the_tasks_and_the_activity_line(client, org, lead):
    from leads import domain

    when = timezone.now() + datetime.timedelta(days=1)
    domain.log_activity(lead, by=org.alice, type="call", outcome="callback", callback_at=when)
    client.force_login(org.alice)
    page = client.get(reverse("lead-brief", args=[lead.pk])).content.decode()
    assert 'id="callback-at"' in page
    assert "callback for" in page
    assert 'id="lead-tasks"' in page
    client.force_login(org.mia)  # a manager reads the brief, sets no task on it
    assert (
        'id="lead-tasks"' not in client.get(reverse("lead-brief", args=[lead.pk])).content.decode()
    )


def test_the_api_sets_lists_finishes_and_moves_tasks(client, org, lead):
    _token, key = issue_token(org.alice, name="script")
    auth = {"Authorization": f"Token {key}"}
    due = (timezone.now() + datetime.timedelta(hours=3)).isoformat()
    created = client.post(
        "/api/v1/tasks/",
        {"lead": lead.pk, "kind": "material", "due_at": due},
        content_type="application/json",
        headers=auth,
    )
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    bad = client.post(
        "/api/v1/tasks/",
        {"lead": lead.pk, "kind": "material", "due_at": "9999-12-31T10:00:00Z"},
        content_type="application/json",
        headers=auth,
    )
    assert bad.status_code == 400
    other = LeadFactory(owner=org.bob)
    assert (
        client.post(
            "/api/v1/tasks/",
            {"lead": other.pk, "kind": "material", "due_at": due},
            content_type="application/json",
            headers=auth,
        ).status_code
        == 404
    )
    moved = client.post(
        f"/api/v1/tasks/{pk}/move/",
        {"due_at": (timezone.now() + datetime.timedelta(days=2)).isoformat()},
        content_type="application/json",
        headers=auth,
    )
    assert moved.status_code == 200
    assert client.post(f"/api/v1/tasks/{pk}/done/", headers=auth).json()["done_at"]
    assert client.get("/api/v1/tasks/?open=true", headers=auth).json()["count"] == 0
    assert client.get("/api/v1/tasks/", headers=auth).json()["count"] == 1
    _token, bob_key = issue_token(org.bob, name="script")
    assert (
        client.get("/api/v1/tasks/", headers={"Authorization": f"Token {bob_key}"}).json()["count"]
        == 0
    )
    client.force_login(org.mia)
    assert client.get("/api/v1/tasks/").json()["count"] == 1


@pytest.mark.parametrize("rows", [1, 5])
def test_the_task_list_api_queries_do_not_grow(client, org, lead, rows, django_assert_num_queries):
    for _ in range(rows):
        Task.objects.create(lead=lead, sdr=org.alice, kind="other", due_at=timezone.now())
    client.force_login(org.alice)
    # 1 session, 2 user, 3 count, 4 the page
    with django_assert_num_queries(4):
        assert client.get("/api/v1/tasks/").json()["count"] == rows


def test_a_due_callback_is_reminded_once_per_callback(org, lead, django_assert_max_num_queries):
    from leads import domain
    from sdr_ops.models import Notification

    from .factories import LeadFactory as Leads

    now = timezone.now()
    domain.log_activity(
        lead,
        by=org.alice,
        type="call",
        outcome="callback",
        started_at=now - datetime.timedelta(hours=1),
        callback_at=now - datetime.timedelta(minutes=5),
    )
    others = [
        Leads(owner=org.bob, callback_at=now - datetime.timedelta(minutes=m)) for m in (1, 2, 3)
    ]
    Leads(owner=org.bob, callback_at=now + datetime.timedelta(hours=1))  # not yet
    Leads(owner=org.bob, callback_at=now - datetime.timedelta(days=3))  # long gone
    # savepoint, leads, their zones, notifications, mark, release: not one per callback
    with django_assert_max_num_queries(6):
        assert tasks.remind_due_callbacks(now) == 4
    assert tasks.remind_due_callbacks(now) == 0
    note = Notification.objects.get(user=org.alice)
    assert note.url == reverse("lead-call", args=[lead.pk])
    assert note.text.startswith("Callback due at ")
    assert Notification.objects.filter(user=org.bob).count() == len(others)
    # A new time is a new callback: reminded again when it falls due.
    lead.callback_at = now + datetime.timedelta(minutes=1)
    lead.save()
    assert tasks.remind_due_callbacks(now + datetime.timedelta(minutes=2)) == 1


def test_the_reminder_task_runs_the_domain(org, lead):
    from leads.tasks import remind_callbacks

    lead.callback_at = timezone.now() - datetime.timedelta(minutes=1)
    lead.save()
    assert remind_callbacks() == 1
    assert remind_callbacks() == 0
