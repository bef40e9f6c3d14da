"""factory_boy factories for the project's models."""

import datetime

import factory
from django.utils import timezone

from handoffs.models import Capacity
from leads.models import Account, Lead, Segment, Source
from sdr_ops.models import Role, StaffingRecord, Team, User

PASSWORD = "correct-horse-battery"


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team
        django_get_or_create = ["slug"]

    slug = factory.Sequence(lambda n: f"team-{n}")
    name = factory.LazyAttribute(lambda o: o.slug.replace("-", " ").title())


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ["email"]
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.com")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    role = Role.SDR
    password = factory.django.Password(PASSWORD)


class StaffingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StaffingRecord

    person = factory.SubFactory(UserFactory)
    team = factory.SubFactory(TeamFactory)
    role = factory.LazyAttribute(lambda o: o.person.role)
    start_date = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=400))
    end_date = None
    reason = "hired"


class AccountFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Account

    name = factory.Sequence(lambda n: f"Company {n}")
    segment = Segment.MID_MARKET


class LeadFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Lead

    account = factory.SubFactory(AccountFactory)
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.Sequence(lambda n: f"lead{n}@customer.example")
    source = Source.INBOUND
    owner = factory.SubFactory(UserFactory)


class CapacityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Capacity

    ae = factory.SubFactory(UserFactory, role=Role.AE)
    normal = 10


def member(team: Team, role: str, email: str, **kwargs) -> User:
    """A user of the role with an active staffing record on the team."""
    user = UserFactory(email=email, role=role, **kwargs)
    if role != Role.ADMIN:
        StaffingFactory(person=user, team=team, role=role)
    return user
