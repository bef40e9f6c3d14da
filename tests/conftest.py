"""Shared fixtures: the named personas every test speaks of.

alice is an SDR on the Enterprise Desk, bob her teammate, carol an SDR on the Growth Desk;
mia manages the Enterprise Desk and otto the Growth Desk; aaron and ada are AEs; stella is a
stakeholder from marketing; root is the admin.

The suite runs in parallel (`make test`: pytest-xdist, `-n auto`; `-n 0` runs it in one
process). Each worker has its own var folder, databases and broker keys, set in its
environment before Django starts (tests/parallel.py). A test is parallel-safe when it:

- writes files under `tmp_path` (or `settings.VAR_DIR`, the worker's own), never in a fixed
  place of the checkout shared by the workers (test-artifacts/ takes unique names);
- listens on `free_port()` (tests/meetings_servers.py, tests/stack.py), never a fixed port;
- names any database it makes after DATABASE_URL's (as tests/test_stack.py does), which is
  the worker's own, and gives a child process `run_database_url()` (tests/helpers.py) when
  the child must see the test's rows;
- starts child processes with `child_env()` (or `Worker`, `manage`), which pass the worker's
  environment on; a Redis of its own (`stack.RedisServer`) needs no prefix, so a test that
  points this process's Celery at one drops CELERY_KEY_PREFIX (tests/test_broker_outage.py).

A test that must not run beside some other test (a resource of the machine it cannot make
its own) is marked `@pytest.mark.xdist_group("name")`: `--dist loadgroup` (pyproject.toml) runs
a group on one worker, one test after the other. The tests marked `stack` form one group, and
the tests of a module that share a module-scoped fixture one group each (below).
"""

from dataclasses import dataclass

import pytest
from _pytest.nodeid import NodeId

from sdr_ops.models import Role, Team, User

# Real Chromium for the browser tests, one browser for the whole session: declared here once
# so that every module shares it.
from .browser import browser, page  # noqa: F401
from .factories import PASSWORD, TeamFactory, member

# Real SMTP and CalDAV servers on the loopback for the meeting tests.
from .meetings_servers import caldav_server, smtp_server  # noqa: F401
from .parallel import worker_environment


@dataclass
class Org:
    desk: Team
    growth: Team
    sales: Team
    alice: User
    bob: User
    carol: User
    mia: User
    otto: User
    aaron: User
    ada: User
    stella: User
    root: User

    def by_role(self) -> dict[str, User]:
        return {
            Role.SDR: self.alice,
            Role.MANAGER: self.mia,
            Role.AE: self.aaron,
            Role.STAKEHOLDER: self.stella,
            Role.ADMIN: self.root,
        }


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_setupnodes(config, specs):
    """Each xdist worker starts with the environment naming its own resources."""
    for spec in specs:
        spec.env.update(worker_environment(spec.id))


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    """Groups for a parallel run (before xdist reads them, hence tryfirst). The tests marked
    `stack` start a dozen processes each and wait on windows of time (beat's schedule, a
    database restart): they run on one worker, one after the other, beside the rest. The tests
    of a module that share a module-scoped fixture (the demo seeded, a model fitted) run on
    one worker too, so that it is built once."""
    for item in items:
        if item.get_closest_marker("xdist_group"):
            continue
        if item.get_closest_marker("stack"):
            item.add_marker(pytest.mark.xdist_group("stack"))
        elif _uses_module_fixture(item):
            item.add_marker(pytest.mark.xdist_group(item.nodeid.split("::")[0]))
    if getattr(config.option, "loadgroup", False):  # an xdist worker of a --dist loadgroup run
        for item in items:
            _name_group(item)


def _name_group(item) -> None:
    """Appends "@group" to the test's id, which is how --dist loadgroup sends a group to one
    worker. pytest-xdist 3.8 writes it to `item._nodeid`, which pytest 9 no longer reads (the
    id lives in `item._id`), so without this every group would be silently ignored."""
    names = sorted(
        {
            str(m.args[0] if m.args else m.kwargs.get("name", "default"))
            for m in item.iter_markers("xdist_group")
        }
    )
    if names and "@" not in item.nodeid.rpartition("]")[2]:
        item._id = NodeId.parse(f"{item.nodeid}@{'_'.join(names)}")


def _uses_module_fixture(item) -> bool:
    definitions = getattr(getattr(item, "_fixtureinfo", None), "name2fixturedefs", {})
    return any(defs and defs[-1].scope == "module" for defs in definitions.values())


@pytest.fixture(scope="session")
def django_db_modify_db_settings():
    """No suffix of pytest-django's on the test databases: a worker's database names are its
    own already (test_sdr_ops_gw0, var/test-workers/gw0/test-db.sqlite3)."""


@pytest.fixture(autouse=True)
def english_after_each_test():
    """A request in Korean leaves Korean active in the thread (LocaleMiddleware never
    deactivates); the next test starts in the source language again."""
    yield
    from django.utils import translation

    translation.activate("en")


@pytest.fixture(autouse=True)
def no_fragments_of_other_tests():
    """Each test's database starts again, and with it the teams' data versions (on SQLite even
    the ids): the fragments another test cached must not be served (sdr_ops.fragments)."""
    from django.core.cache import caches

    for cache in caches.all(initialized_only=True):
        cache.clear()
    yield


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Real hashing is slow on purpose; tests only need passwords to check."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def org(db) -> Org:
    desk = TeamFactory(slug="enterprise-desk", name="Enterprise Desk")
    growth = TeamFactory(slug="growth-desk", name="Growth Desk")
    sales = TeamFactory(slug="field-sales", name="Field Sales", kind=Team.Kind.SALES)
    marketing = TeamFactory(slug="marketing", name="Marketing", kind=Team.Kind.OTHER)
    return Org(
        desk=desk,
        growth=growth,
        sales=sales,
        alice=member(desk, Role.SDR, "alice@example.com", first_name="Alice"),
        bob=member(desk, Role.SDR, "bob@example.com", first_name="Bob"),
        carol=member(growth, Role.SDR, "carol@example.com", first_name="Carol"),
        mia=member(desk, Role.MANAGER, "mia@example.com", first_name="Mia"),
        otto=member(growth, Role.MANAGER, "otto@example.com", first_name="Otto"),
        aaron=member(sales, Role.AE, "aaron@example.com", first_name="Aaron"),
        ada=member(sales, Role.AE, "ada@example.com", first_name="Ada"),
        stella=member(marketing, Role.STAKEHOLDER, "stella@example.com", first_name="Stella"),
        root=member(
            desk,
            Role.ADMIN,
            "root@example.com",
            first_name="Root",
            is_staff=True,
            is_superuser=True,
        ),
    )


@pytest.fixture
def password() -> str:
    return PASSWORD
