"""The authorization matrix: every route of the project, every actor, every method it serves.

`MATRIX` names, for each route, the methods it serves and the actors who reach it with each.
An actor who reaches a route gets an answer about the request (200, 201, 204, 302, 400, 409);
every other logged-in actor gets 404, never 403 and never 200; a visitor who is not logged in
is sent to the login form (pages) or gets 401 (API), unless the route is public. A route
missing from the table fails the test, so no new page or endpoint ships unguarded.

The objects (tests/authz.py) belong to alice, an SDR of enterprise-desk, and are addressed to
aaron, an AE.
"""

import pytest
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from sdr_ops.tokens import issue_token

from .authz import ACTORS, PERSONA, build_world

LOGGED_IN = frozenset(ACTORS) - {"anonymous"}
PUBLIC = frozenset(ACTORS)
SDRS = frozenset({"sdr_owner", "sdr_same_team", "sdr_other_team"})
MANAGERS = frozenset({"manager_own_team", "manager_other_team"})
AES = frozenset({"ae_addressee", "other_ae"})
ADMIN = frozenset({"admin"})
OWNER = frozenset({"sdr_owner"})
OWN_SIDE = frozenset({"sdr_owner", "manager_own_team", "admin"})


def route_names() -> list[str]:
    """The names of every route, pages, fragments and API, except Django's admin site."""

    def walk(patterns):
        for p in patterns:
            if isinstance(p, URLResolver):
                if p.app_name == "admin":
                    continue
                yield from walk(p.url_patterns)
            elif isinstance(p, URLPattern):
                yield p.name

    return list(dict.fromkeys(walk(get_resolver().url_patterns)))


def lead(w, o):
    return [w.lead.pk]


def import_job(w, o):
    from leads.models import ImportJob

    return [ImportJob.objects.create(created_by=o.mia, filename="leads.csv", data=b"").pk]


def task(w, o):
    from leads.models import Task

    return [
        Task.objects.create(lead=w.lead, sdr=o.alice, kind="other", due_at=w.lead.created_at).pk
    ]


def certainty_version(w, o):
    """A model version of alice's team (made once per world: the fuzz asks for it again)."""
    from certainty.models import ModelVersion

    if not hasattr(w, "certainty_version"):
        w.certainty_version = ModelVersion.objects.create(
            team=o.desk, number=1, n_train=200, n_holdout=50, brier=0.2, params={}
        )
    return [w.certainty_version.pk]


def cadence(w):
    """An active cadence of alice's team (made once per world)."""
    if not hasattr(w, "cadence"):
        from cadences import domain as cadences

        alice = w.lead.owner
        made = cadences.create_cadence(alice.current_team, name="Intro", by=alice)
        cadences.save_steps(made, [cadences.StepData(type="call")], by=alice)
        w.cadence = cadences.set_status(made, "active", by=alice)
    return w.cadence


def enrollment(w, o):
    """alice's lead enrolled in that cadence (made once per world)."""
    if not hasattr(w, "enrollment"):
        from cadences import domain as cadences

        w.enrollment = cadences.enrol(w.lead, cadence(w), by=o.alice)
    return [w.enrollment.pk]


def audience(w, o):
    """alice's saved audience of that cadence (made once per world)."""
    if not hasattr(w, "audience"):
        from cadences.domain import audiences

        w.audience = audiences.save_audience(
            cadence(w), name="Working leads", filters={"stage": "working"}, by=o.alice
        )
    return [w.audience.pk]


def manual_enrollment(w, o):
    """alice's second lead in a cadence whose step is an e-mail sent by hand (made once per
    world), so that the compose form shows."""
    if not hasattr(w, "manual_enrollment"):
        from cadences import domain as cadences
        from cadences.models import Cadence

        from .cadence_helpers import activate
        from .factories import LeadFactory

        made = cadences.create_cadence(o.desk, name="By hand", by=o.mia)
        step = cadences.StepData(
            type="email",
            manual=True,
            variants=[cadences.VariantData(subject="Hi {{ first_name }}", body="Hello")],
        )
        cadences.save_steps(made, [step], by=o.mia)
        activate(Cadence.objects.get(pk=made.pk), o.mia)
        lead = LeadFactory(owner=o.alice, stage="working", email="second@lead.example")
        w.manual_enrollment = cadences.enrol(lead, made, by=o.alice)
    return [w.manual_enrollment.pk]


# route: (url arguments, {method: actors who reach it}, options)
MATRIX = {
    "home": (None, {"GET": LOGGED_IN}),
    "healthz": (None, {"GET": PUBLIC}),
    "healthz-live": (None, {"GET": PUBLIC}),
    "healthz-ready": (None, {"GET": PUBLIC}),
    # Open to the configured addresses; the test client calls from 127.0.0.1, one of them.
    "metrics": (None, {"GET": PUBLIC}),
    "login": (None, {"GET": PUBLIC, "POST": PUBLIC}),
    "logout": (None, {"POST": LOGGED_IN}, {"ends_at_login": True}),
    "password_change": (None, {"GET": LOGGED_IN, "POST": LOGGED_IN}),
    "password_change_done": (None, {"GET": LOGGED_IN}),
    "password_reset": (None, {"GET": PUBLIC, "POST": PUBLIC}),
    "password_reset_done": (None, {"GET": PUBLIC}),
    "password_reset_confirm": (lambda w, o: ["MQ", "set-password"], {"GET": PUBLIC}),
    "password_reset_complete": (None, {"GET": PUBLIC}),
    "profile": (None, {"GET": LOGGED_IN}),
    "create-token": (None, {"POST": LOGGED_IN}),
    # A token is its owner's alone: anyone else's revoke answers 404.
    "revoke-token": (lambda w, o: [issue_token(o.alice, name="CRM")[0].pk], {"POST": OWNER}),
    "set-language": (None, {"POST": LOGGED_IN}),
    "notifications": (None, {"GET": LOGGED_IN, "POST": LOGGED_IN}),
    "notifications-badge": (None, {"GET": LOGGED_IN}),
    "team-settings": (None, {"GET": MANAGERS | ADMIN, "POST": MANAGERS | ADMIN}),
    "lead-list": (None, {"GET": SDRS | MANAGERS | ADMIN}),
    "lead-import": (None, {"GET": MANAGERS | ADMIN, "POST": MANAGERS | ADMIN}),
    # Leads made and fixed by hand: an SDR their own, a manager their team's; never an AE.
    "lead-new": (None, {"GET": SDRS | MANAGERS | ADMIN, "POST": SDRS | MANAGERS | ADMIN}),
    "lead-edit": (lead, {"GET": OWN_SIDE, "POST": OWN_SIDE}),
    # Bulk actions reach only the leads each may edit (an empty or foreign pick moves none).
    "lead-bulk": (
        None,
        {"POST": SDRS | MANAGERS | ADMIN},
        {"data": lambda w: {"leads": w.lead.pk, "action": "list"}},
    ),
    # A company page for whoever sees one of its leads (the AE the pending handoff went to).
    "account": (
        lambda w, o: [w.pending.lead.account_id],
        {"GET": OWN_SIDE | {"ae_addressee"}},
    ),
    # A large import's job page: its creator's (mia's) and an admin's only.
    "lead-import-job": (import_job, {"GET": frozenset({"manager_own_team"}) | ADMIN}),
    "lead-brief": (lead, {"GET": OWN_SIDE}),
    "lead-call": (lead, {"GET": OWNER, "POST": OWNER}),
    "lead-log-touch": (lead, {"POST": OWNER}),
    "lead-insight": (lead, {"POST": OWNER}),
    "insights": (None, {"GET": LOGGED_IN}),
    "call-list-rules": (None, {"GET": MANAGERS | ADMIN, "POST": MANAGERS | ADMIN}),
    "call-list-adherence": (None, {"GET": MANAGERS | ADMIN}),
    "call-list-rebuild": (None, {"POST": MANAGERS | ADMIN}),
    "call-list-day": (None, {"GET": MANAGERS | ADMIN}),
    "today": (None, {"GET": SDRS | ADMIN}),
    "today-build": (None, {"POST": SDRS | ADMIN}),
    "tomorrow": (None, {"GET": SDRS | ADMIN}),
    "call-list-add": (
        lambda w, o: [w.call_list.pk],
        {"POST": OWNER},
        {"data": lambda w: {"lead": w.lead.pk}},
    ),
    "call-list-candidates": (lambda w, o: [w.call_list.pk], {"GET": OWNER}),
    "call-list-reviewed": (lambda w, o: [w.call_list.pk], {"POST": OWNER}),
    "call-list-skip": (lambda w, o: [w.call_list.pk, w.entry.pk], {"POST": OWNER}),
    "call-list-move": (lambda w, o: [w.call_list.pk, w.entry.pk], {"POST": OWNER}),
    "call-list-remove": (lambda w, o: [w.call_list.pk, w.entry.pk], {"POST": OWNER}),
    # The SDR's tasks: their own only.
    "lead-task-new": (lead, {"POST": OWNER}),
    "task-done": (task, {"POST": OWNER}),
    "task-move": (task, {"POST": OWNER}),
    "handoff-new": (lead, {"GET": OWN_SIDE, "POST": OWN_SIDE}),
    "ae-inbox": (None, {"GET": AES | ADMIN}),
    "handoff-decide": (lambda w, o: [w.pending.pk, "accept"], {"POST": {"ae_addressee"}}),
    "capacity": (None, {"GET": MANAGERS | AES | ADMIN}),
    "review-desk": (None, {"GET": MANAGERS | ADMIN}),
    "review-record": (lambda w, o: [w.pending.pk], {"POST": {"manager_own_team", "admin"}}),
    "coaching": (
        lambda w, o: [o.alice.pk],
        {"GET": {"manager_own_team", "admin"}, "POST": {"manager_own_team", "admin"}},
    ),
    # A review is shared later by its author alone (mia wrote the world's review).
    "review-share": (lambda w, o: [w.review.pk], {"POST": {"manager_own_team"}}),
    "my-feedback": (None, {"GET": SDRS | ADMIN}),
    "feedback-read": (lambda w, o: [w.review.pk], {"POST": OWNER}),
    "praise-feed": (None, {"GET": LOGGED_IN}),
    "praise-digest": (None, {"GET": LOGGED_IN}),
    "praise-react": (lambda w, o: [w.praise.pk], {"POST": LOGGED_IN}),
    "capacity-edit": (
        lambda w, o: [o.aaron.pk],
        {"GET": MANAGERS | {"ae_addressee", "admin"}, "POST": MANAGERS | {"ae_addressee", "admin"}},
    ),
    "opportunities": (None, {"GET": AES | ADMIN}),
    "opportunity-update": (
        lambda w, o: [w.opportunity.pk, "amount"],
        {"POST": {"ae_addressee"}},
    ),
    # The amount at creation: its AE (within 24 hours), a manager of the SDR's team, an admin.
    "opportunity-correct": (
        lambda w, o: [w.opportunity.pk],
        {
            "GET": {"ae_addressee", "manager_own_team", "admin"},
            "POST": {"ae_addressee", "manager_own_team", "admin"},
        },
    ),
    "dashboards": (None, {"GET": MANAGERS | {"stakeholder", "admin"}}),
    "history-import": (None, {"GET": MANAGERS | ADMIN, "POST": MANAGERS | ADMIN}),
    "dashboard-people": (None, {"GET": SDRS | MANAGERS | {"stakeholder", "admin"}}),
    "dashboard-export": (
        lambda w, o: ["weeks"],
        {"GET": MANAGERS | {"stakeholder", "admin"}},
    ),
    "dashboard-rows": (
        lambda w, o: ["handoffs"],
        {"GET": MANAGERS | {"stakeholder", "admin"}},
        {"query": {"part": "accepted", "week": "2026-W47"}},
    ),
    "dashboard-rows-export": (
        lambda w, o: ["handoffs"],
        {"GET": MANAGERS | {"stakeholder", "admin"}},
        {"query": {"part": "accepted", "week": "2026-W47"}},
    ),
    "certainty-calibration": (None, {"GET": MANAGERS | ADMIN, "POST": MANAGERS | ADMIN}),
    "certainty-pin": (certainty_version, {"POST": {"manager_own_team", "admin"}}),
    # The API: lists answer everyone logged in, with only the rows each may see.
    "api-me": (None, {"GET": LOGGED_IN}),
    "api-leads": (None, {"GET": LOGGED_IN}),
    "api-lead": (lead, {"GET": OWN_SIDE}),
    "api-lead-activities": (lead, {"GET": OWN_SIDE, "POST": OWNER}),
    "api-lead-qualification": (lead, {"GET": OWN_SIDE}),
    "api-lead-qualification-item": (lambda w, o: [w.lead.pk, "budget"], {"PUT": OWNER}),
    # An SDR's own list; 404 for those who have none today (carol's team built none).
    "api-call-list": (None, {"GET": {"sdr_owner", "sdr_same_team"}}),
    "api-handoffs": (None, {"GET": LOGGED_IN, "POST": SDRS | MANAGERS | ADMIN}),
    "api-handoff": (lambda w, o: [w.pending.pk], {"GET": OWN_SIDE | {"ae_addressee"}}),
    "api-handoff-accept": (lambda w, o: [w.pending.pk], {"POST": {"ae_addressee"}}),
    "api-handoff-reject": (lambda w, o: [w.pending.pk], {"POST": {"ae_addressee"}}),
    "api-valve": (None, {"GET": LOGGED_IN - {"stakeholder"}}),
    "api-reviews": (None, {"GET": LOGGED_IN}),
    # Feedback is private to the manager who wrote it and the SDR it is about.
    "api-review": (lambda w, o: [w.review.pk], {"GET": {"sdr_owner", "manager_own_team"}}),
    "api-praise": (None, {"GET": LOGGED_IN}),
    "api-insights": (None, {"GET": LOGGED_IN, "POST": LOGGED_IN}),
    "api-kpis-weekly": (
        None,
        {"GET": {"manager_own_team", "stakeholder", "admin"}},
        {"query": {"team": "enterprise-desk", "week": "2026-W47"}},
    ),
    "api-capacity": (
        lambda w, o: [o.aaron.pk],
        {"GET": MANAGERS | {"ae_addressee", "admin"}, "PUT": MANAGERS | {"ae_addressee", "admin"}},
    ),
    "api-capacity-reductions": (
        lambda w, o: [o.aaron.pk],
        {"POST": MANAGERS | {"ae_addressee", "admin"}},
    ),
    "api-opportunities": (None, {"GET": LOGGED_IN}),
    "api-opportunity": (
        lambda w, o: [w.opportunity.pk],
        {"GET": {"ae_addressee"}, "PATCH": {"ae_addressee"}},
    ),
    "api-opportunity-close": (lambda w, o: [w.opportunity.pk], {"POST": {"ae_addressee"}}),
    "api-call-list-skip": (lambda w, o: [w.entry.pk], {"POST": OWNER}),
    # Tasks: a list for everyone logged in (with only their rows); finished and moved by the
    # SDR whose task it is; set by an SDR on their own lead (the rest get 400 or 404).
    "api-tasks": (None, {"GET": LOGGED_IN, "POST": LOGGED_IN}),
    "api-task-done": (task, {"POST": OWNER}),
    "api-task-move": (task, {"POST": OWNER}),
    # Telephony: call mode's dialling and call state, the incoming-call banner, a lead for an
    # unknown caller (alice took the call).
    "telephony-dial": (lead, {"POST": OWNER}),
    "telephony-call-state": (lead, {"GET": OWNER}),
    "telephony-incoming": (None, {"GET": SDRS | ADMIN}),
    "telephony-lead-from-call": (lambda w, o: [w.call.pk], {"GET": OWNER, "POST": OWNER}),
    # Signed by the phone system, not by a session: without the signature everyone, logged
    # in or not, gets the same refusal, and there is no CSRF token to ask for.
    "telephony-twilio": (
        lambda w, o: ["enterprise-desk", "status"],
        {"POST": frozenset()},
        {"signed": 404},
    ),
    "api-telephony-events": (None, {"POST": frozenset()}, {"signed": 401}),
    # Meetings: the handoff form's slots, the AE's meeting settings (as their capacity), and
    # moving a meeting (its AE or the SDR who booked it).
    "meeting-slots": (lead, {"GET": OWN_SIDE}),
    "meeting-availability": (
        lambda w, o: [o.aaron.pk],
        {"GET": MANAGERS | {"ae_addressee", "admin"}, "POST": MANAGERS | {"ae_addressee", "admin"}},
    ),
    "meeting-move": (
        lambda w, o: [w.meeting.pk],
        {"GET": {"ae_addressee", "sdr_owner"}, "POST": {"ae_addressee", "sdr_owner"}},
    ),
    # Cadences: the one-click unsubscribe of cadence e-mail (RFC 8058) is authorised by the
    # signed token in its URL, not by a session: an unsigned one is refused to everyone.
    "unsubscribe": (
        lambda w, o: ["not-signed"],
        {"GET": frozenset(), "POST": frozenset()},
        {"signed": 404},
    ),
    # The cadence API: the lists hold what each caller sees; enrolling takes a lead the caller
    # reaches and a cadence of their team; an enrollment is changed by its SDR or their manager.
    "cadence-list": (None, {"GET": MANAGERS | ADMIN, "POST": MANAGERS | ADMIN}),
    "cadence-edit": (
        lambda w, o: [cadence(w).pk],
        {"GET": {"manager_own_team", "admin"}, "POST": {"manager_own_team", "admin"}},
    ),
    "cadence-analytics": (
        lambda w, o: [cadence(w).pk],
        {"GET": {"manager_own_team", "admin"}},
    ),
    # A team's days off: its manager edits them (an admin any team's, with ?team=).
    "days-off": (None, {"GET": MANAGERS | ADMIN, "POST": MANAGERS | ADMIN}),
    # A team's sending window, caps, advertising and mail servers: its manager's (an admin
    # any team's, with ?team=). An SDR's own mailbox on that server: each SDR their own.
    "cadence-mail-settings": (None, {"GET": MANAGERS | ADMIN, "POST": MANAGERS | ADMIN}),
    "cadence-mailbox": (None, {"GET": SDRS, "POST": SDRS}),
    # The compose form of an e-mail step sent by hand: the mail leaves from the SDR's own
    # mailbox, so only the enrollment's SDR reaches it.
    "enrollment-compose": (manual_enrollment, {"GET": {"sdr_owner"}, "POST": {"sdr_owner"}}),
    "api-cadences": (None, {"GET": LOGGED_IN}),
    "api-enrollments": (
        None,
        {"GET": LOGGED_IN, "POST": OWN_SIDE},
        {"data": lambda w: {"lead": w.lead.pk, "cadence": cadence(w).pk}},
    ),
    "api-enrollment-pause": (enrollment, {"POST": OWN_SIDE}),
    "api-enrollment-resume": (enrollment, {"POST": OWN_SIDE}),
    "api-enrollment-finish": (
        enrollment,
        {"POST": OWN_SIDE},
        {"data": lambda w: {"reason": "manual"}},
    ),
    "api-enrollment-runs": (enrollment, {"GET": OWN_SIDE}),
    # The SDR's side of cadences: a lead is enrolled by whoever may edit it (its SDR, their
    # manager); an enrollment is changed by its SDR or their manager; a due task step is
    # marked done by its SDR on Today; audiences are their owner's and their team manager's.
    "cadence-enrol": (lead, {"POST": OWN_SIDE}, {"data": lambda w: {"cadence": cadence(w).pk}}),
    "cadence-enrol-leads": (
        None,
        {"POST": SDRS | MANAGERS | ADMIN},
        {"data": lambda w: {"leads": w.lead.pk, "cadence": cadence(w).pk}},
    ),
    "enrollment-pause": (enrollment, {"POST": OWN_SIDE}, {"data": lambda w: {"why": "Away"}}),
    "enrollment-resume": (enrollment, {"POST": OWN_SIDE}),
    "enrollment-finish": (
        enrollment,
        {"POST": OWN_SIDE},
        {"data": lambda w: {"reason": "manual"}},
    ),
    "enrollment-step-done": (enrollment, {"POST": {"sdr_owner", "admin"}}),
    "cadence-audiences": (
        None,
        {"GET": SDRS | MANAGERS | ADMIN, "POST": SDRS | MANAGERS | ADMIN},
        {"data": lambda w: {"cadence": cadence(w).pk, "audience_name": "Quiet"}},
    ),
    "cadence-audience-delete": (audience, {"POST": OWN_SIDE}),
    "schema": (None, {"GET": LOGGED_IN}),
    "swagger-ui": (None, {"GET": LOGGED_IN}),
}

REACHED = {200, 201, 204, 302, 400, 409}


def test_every_route_is_in_the_matrix():
    missing = [name for name in route_names() if name not in MATRIX]
    assert missing == [], f"add these routes to MATRIX with who may reach them: {missing}"
    stale = [name for name in MATRIX if name not in route_names()]
    assert stale == [], f"these routes are gone: {stale}"


def outcome(response) -> str | int:
    if response.status_code == 302 and "/accounts/login/" in response.get("Location", ""):
        return "login"
    return response.status_code


@pytest.mark.parametrize("name", list(MATRIX))
def test_who_reaches_each_route(org, name):
    world = build_world(org)
    args, methods, *rest = MATRIX[name]
    options = rest[0] if rest else {}
    url = reverse(name, args=args(world, org) if args else None)
    api = url.startswith("/api/") and name not in ("swagger-ui",)
    wrong = []
    for method, reach in methods.items():
        for actor in ACTORS:
            client = Client()
            if actor != "anonymous":
                client.force_login(getattr(org, PERSONA[actor]))
            data = options.get("data", lambda w: {})(world)
            if method == "GET":
                data = options.get("query", {})
            with transaction.atomic():  # each request sees the world as built
                response = client.generic(
                    method,
                    url,
                    **(
                        {"QUERY_STRING": "&".join(f"{k}={v}" for k, v in data.items())}
                        if method == "GET"
                        else {}
                    ),
                    **(
                        {"data": _encode(data, api), "content_type": _type(api)}
                        if method != "GET"
                        else {}
                    ),
                )
                transaction.set_rollback(True)
            got = outcome(response)
            if "signed" in options:
                if got != options["signed"]:
                    wrong.append(f"{method} {actor}: {got}, expected {options['signed']}")
            elif actor in reach:
                expected_ok = got in REACHED or (options.get("ends_at_login") and got == "login")
                if not expected_ok:
                    wrong.append(f"{method} {actor}: {got}, expected to reach it")
            elif actor == "anonymous":
                if got not in ("login", 401):
                    wrong.append(f"{method} anonymous: {got}, expected login or 401")
            elif got != 404:
                wrong.append(f"{method} {actor}: {got}, expected 404")
    assert wrong == [], f"{name} ({url}):\n" + "\n".join(wrong)


def _encode(data: dict, api: bool):
    import json
    from urllib.parse import urlencode

    return json.dumps(data) if api else urlencode(data)


def _type(api: bool) -> str:
    return "application/json" if api else "application/x-www-form-urlencoded"


UNSAFE = [
    (name, method)
    for name, (_args, methods, *_rest) in MATRIX.items()
    for method in methods
    if method not in ("GET", "HEAD", "OPTIONS") and "signed" not in (_rest[0] if _rest else {})
]


@pytest.mark.parametrize(("name", "method"), UNSAFE)
def test_every_unsafe_route_refuses_a_request_without_the_csrf_token(org, name, method):
    world = build_world(org)
    args, methods, *rest = MATRIX[name]
    actor = sorted(methods[method] - {"anonymous"})[0] if methods[method] != PUBLIC else "sdr_owner"
    client = Client(enforce_csrf_checks=True)
    client.force_login(getattr(org, PERSONA[actor]))
    url = reverse(name, args=args(world, org) if args else None)
    response = client.generic(method, url, data="", content_type="application/json")
    assert response.status_code == 403, f"{method} {name} as {actor}: {response.status_code}"


def test_lists_hold_no_row_of_another_team(client, org):
    world = build_world(org)
    company = world.pending.lead.account.name
    for persona, names in {
        "carol": ["lead-list", "api-leads", "api-handoffs", "api-reviews", "my-feedback"],
        "otto": ["lead-list", "review-desk", "api-leads", "api-handoffs", "api-reviews"],
        "ada": ["ae-inbox", "opportunities", "api-handoffs", "api-opportunities", "api-leads"],
        "stella": ["api-leads", "api-handoffs", "api-opportunities", "api-reviews"],
    }.items():
        client.force_login(getattr(org, persona))
        for name in names:
            body = client.get(reverse(name)).content.decode()
            assert company not in body, f"{persona} sees {company} on {name}"
            assert world.pending.comment[:40] not in body, f"{persona} sees the comment on {name}"
