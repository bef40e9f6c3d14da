"""Shared fixtures: the named personas every test speaks of.

alice is an SDR on the Enterprise Desk, bob her teammate, carol an SDR on the Growth Desk;
mia manages the Enterprise Desk and otto the Growth Desk; aaron and ada are AEs; stella is a
stakeholder from marketing; root is the admin.
"""

from dataclasses import dataclass

import pytest

from sdr_ops.models import Role, Team, User

# Real Chromium for the browser tests, one browser for the whole session: declared here once
# so that every module shares it.
from .browser import browser, page  # noqa: F401
from .factories import PASSWORD, TeamFactory, member

# Real SMTP and CalDAV servers on the loopback for the meeting tests.
from .meetings_servers import caldav_server, smtp_server  # noqa: F401


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


@pytest.fixture(autouse=True)
def english_after_each_test():
    """A request in Korean leaves Korean active in the thread (LocaleMiddleware never
    deactivates); the next test starts in the source language again."""
    yield
    from django.utils import translation

    translation.activate("en")


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
