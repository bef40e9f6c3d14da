"""Every HTML route that takes input, fed hostile values as each role that reaches it: no 5xx,
ever. The API has its own fuzz (tests/test_api_fuzz.py); this is the same for the pages.

The fields a route takes are found, not listed: every page the authorization matrix reaches is
rendered as its actors see it, and each form (its action and method, its inputs, selects and
textareas) and each htmx element with a name is read from the HTML; the parameters a view reads
itself (`request.GET.get("day")`) are read from its source. A route whose view reads input but
of which no field is found fails the test.

Each field of a route then gets the same hostile value at once (huge text, NUL bytes, dates out
of range, numbers that overflow, wrong types, unicode), as a plain request and as htmx, from
the first actor of each role who reaches the route (the roles take turns through the values,
so that the walk stays fast). Each request runs in a transaction rolled
back afterwards, so every one meets the world as built.
"""

import inspect
import re
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from django.db import transaction
from django.test import Client
from django.urls import Resolver404, resolve, reverse

from handoffs.domain import reviews

from . import test_authorization as authorization
from .authz import ACTORS, PERSONA, build_world
from .factories import LeadFactory
from .test_authorization import MATRIX
from .test_reviews import make_handoff

# Routes that are no pages: the API (fuzzed by schemathesis), signed webhooks, health and
# metrics probes, the schema. Logging out ends the session the walk uses.
NOT_PAGES = {"logout", "healthz", "healthz-live", "healthz-ready", "metrics", "schema"}
NOT_PAGES |= {"swagger-ui", "telephony-twilio", "api-telephony-events"}

HOSTILE = [
    "x" * 200_000,
    "a\x00b",
    "9999-12-31",
    "0001-01-01",
    "2026-W99",
    "99999999999999999999999",
    "-1",
    "1e400",
    "NaN",
    "9999999999999999.99",
    "[]",
    "🙂 한글 \u202e\ufeff",
    "<script>x</script>",
    "   ",
]

# Pages that compute a team's figures afresh on every request: one actor finds their fields
# and they meet the values that ever reached a computation (huge, NUL, dates and weeks out of
# range, an overflowing number), not all of them.
EXPENSIVE = {"dashboards", "dashboard-people", "dashboard-export"}
EXPENSIVE_VALUES = [HOSTILE[0], HOSTILE[1], HOSTILE[2], HOSTILE[3], HOSTILE[4], HOSTILE[5]]

# The same route with its other actions (the matrix names one).
VARIANTS = {
    "handoff-decide": lambda w, o: [[w.pending.pk, "accept"], [w.pending.pk, "reject"]],
    "opportunity-update": lambda w, o: [
        [w.opportunity.pk, action] for action in ("amount", "won", "lost", "other")
    ],
    # The brief of an enrolled lead (pause, finish) and of one in no cadence (enrol).
    "lead-brief": lambda w, o: [[w.lead.pk], [w.spare_lead.pk]],
}

ROLE_OF = {
    "sdr_owner": "sdr",
    "sdr_same_team": "sdr",
    "sdr_other_team": "sdr",
    "manager_own_team": "manager",
    "manager_other_team": "manager",
    "ae_addressee": "ae",
    "other_ae": "ae",
    "stakeholder": "stakeholder",
    "admin": "admin",
    "anonymous": "anonymous",
}


def pages() -> list[str]:
    return [name for name in MATRIX if name not in NOT_PAGES and not name.startswith("api-")]


def one_actor_per_role(reach) -> list[str]:
    chosen = {}
    for actor in [a for a in ACTORS if a in reach]:
        chosen.setdefault(ROLE_OF[actor], actor)
    return list(chosen.values())


class FormReader(HTMLParser):
    """(action, method, {names}) of each form of a page, and of each htmx element with a name."""

    def __init__(self, page_url: str):
        super().__init__()
        self.page_url = page_url
        self.found: list[tuple[str, str, set[str]]] = []
        self.form: tuple[str, str, set[str]] | None = None
        self.by_id: dict[str, set[str]] = {}

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            method = (a.get("method") or "get").upper()
            self.form = (a.get("action") or self.page_url, method, set())
            self.found.append(self.form)
            if a.get("id"):
                self.by_id[a["id"]] = self.form[2]
        if a.get("form") in self.by_id and a.get("name"):
            # A field outside its form that names it (`form="bulk"`, the list's ticks).
            self.by_id[a["form"]].add(a["name"])
        if tag == "button" and a.get("formaction") and self.form is not None:
            # A button that sends its form elsewhere: that route takes the form's fields too.
            self.found.append((a["formaction"], self.form[1], self.form[2]))
        if tag in ("input", "select", "textarea", "button") and a.get("name"):
            if self.form is not None:
                self.form[2].add(a["name"])
            for verb in ("get", "post"):
                if a.get(f"hx-{verb}"):
                    self.found.append((a[f"hx-{verb}"], verb.upper(), {a["name"]}))
        if a.get("href") and "?" in a["href"]:
            query = urlsplit(a["href"]).query
            names = {part.split("=")[0] for part in query.split("&") if part}
            self.found.append((a["href"], "GET", names))

    def handle_endtag(self, tag):
        if tag == "form":
            self.form = None


SOURCE_READS = re.compile(
    r"request\.(?:GET|POST|FILES)(?:\.get(?:list)?\(\s*\"([^\"]+)\"|\[\s*\"([^\"]+)\")"
)


def view_source(name: str, url: str) -> str:
    view = inspect.unwrap(resolve(url).func)
    view = getattr(view, "view_class", view)
    try:
        return inspect.getsource(view)
    except (OSError, TypeError):
        return ""


def reads_input(source: str) -> bool:
    return bool(re.search(r"request\.(GET|POST|FILES)", source))


def route_urls(name: str, world, org) -> list[str]:
    args, *_ = MATRIX[name]
    if name in VARIANTS:
        return [reverse(name, args=a) for a in VARIANTS[name](world, org)]
    return [reverse(name, args=args(world, org) if args else None)]


CLIENTS: dict[str, Client] = {}


def client_for(org, actor: str) -> Client:
    """One logged-in client per actor for the whole walk (logging in is the slow part)."""
    if actor not in CLIENTS:
        CLIENTS[actor] = Client(raise_request_exception=True)
        if actor != "anonymous":
            CLIENTS[actor].force_login(getattr(org, PERSONA[actor]))
    return CLIENTS[actor]


def discover(world, org) -> dict[str, dict[str, set[str]]]:
    """{route name: {method: field names}} from the pages as rendered and the views' sources."""
    fields: dict[str, dict[str, set[str]]] = {}
    for name in pages():
        _args, methods, *_ = MATRIX[name]
        for url in route_urls(name, world, org):
            source = view_source(name, url)
            for method in methods:
                found = {a or b for a, b in SOURCE_READS.findall(source)}
                fields.setdefault(name, {}).setdefault(method, set()).update(found)
            if "GET" not in methods:
                continue
            actors = one_actor_per_role(methods["GET"])
            for actor in actors[:1] if name in EXPENSIVE else actors:
                client = client_for(org, actor)  # logged in outside the rolled-back part
                with transaction.atomic():
                    response = client.get(url)
                    transaction.set_rollback(True)
                if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
                    continue
                reader = FormReader(url)
                reader.feed(response.content.decode())
                for action, method, names in reader.found:
                    try:
                        target = resolve(urlsplit(action).path or url).url_name
                    except Resolver404:
                        continue
                    if target in MATRIX and method in MATRIX[target][1]:
                        names = names - {"csrfmiddlewaretoken"}
                        fields.setdefault(target, {}).setdefault(method, set()).update(names)
    return fields


@pytest.fixture
def walk(org):
    CLIENTS.clear()
    world = build_world(org)
    # Rows whose forms only show once they exist: an open task (Today's move form), a review
    # not shared yet (the coaching page's share form), an enrollment (pause, finish) beside a
    # lead in no cadence (enrol), a saved audience.
    authorization.task(world, org)
    reviews.record_review(make_handoff(org), by=org.mia, rating="solid", feedback="Fine.")
    authorization.enrollment(world, org)
    authorization.audience(world, org)
    world.spare_lead = LeadFactory(owner=org.alice, stage="working")
    yield world, discover(world, org)
    CLIENTS.clear()


def routes_not_fuzzed(world, org, fields) -> list[str]:
    missing = []
    for name in pages():
        for url in route_urls(name, world, org):
            if reads_input(view_source(name, url)) and not any(fields.get(name, {}).values()):
                missing.append(name)
    return missing


def requests_to_make(world, org, fields):
    """(method, url, actor, value, htmx) for each request of the walk."""
    for name in pages():
        _args, methods, *_ = MATRIX[name]
        for url in route_urls(name, world, org):
            for method, names in fields.get(name, {}).items():
                if not names or method not in methods:
                    continue
                actors = one_actor_per_role(methods[method])
                values = EXPENSIVE_VALUES if name in EXPENSIVE else HOSTILE
                for i, value in enumerate(values):
                    # Each role of those who reach the route meets its share of the values.
                    yield method, url, actors[i % len(actors)], names, value, i % 2 == 1


def test_every_route_with_input_is_fuzzed_and_no_hostile_input_gives_a_server_error(org, walk):
    # One test, so that the world is built and the pages walked once.
    world, fields = walk
    missing = routes_not_fuzzed(world, org, fields)
    assert missing == [], f"no field found for these routes that read input: {missing}"
    failures = []
    for method, url, actor, names, value, htmx in requests_to_make(world, org, fields):
        client = client_for(org, actor)
        data = dict.fromkeys(names, value)
        headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
        try:
            with transaction.atomic():
                if method == "GET":
                    response = client.get(url, data, **headers)
                else:
                    response = client.post(url, data, **headers)
                transaction.set_rollback(True)
        except Exception as exc:  # noqa: BLE001 - each failure is reported
            failures.append(f"{method} {url} as {actor} {value[:20]!r}: {exc!r}")
            continue
        if response.status_code >= 500:
            failures.append(f"{method} {url} as {actor} {value[:20]!r}: {response.status_code}")
    assert failures == [], "\n".join(failures[:40])
