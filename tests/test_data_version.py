"""The teams' data versions (sdr_ops.changes) and the fragments cached under them
(sdr_ops.fragments): every write path moves the version of the teams whose pages show the
row, and only theirs; a fragment is served from the cache until then, with the request's own
CSRF token."""

import pytest
from django.apps import apps
from django.db import connection, transaction
from django.template import Context, Template
from django.test import RequestFactory
from django.utils import timezone

from leads.models import Account, Activity, Lead
from sdr_ops import changes, fragments
from sdr_ops.auth import user_with_team
from sdr_ops.models import ChangeMark, Team
from tests.factories import LeadFactory

pytestmark = pytest.mark.django_db(transaction=True)


def versions(*teams: Team) -> list[int]:
    return [changes.version([t.pk]) for t in teams]


def test_every_model_of_the_project_says_which_teams_its_rows_belong_to():
    labels = {m._meta.label for m in apps.get_models() if m._meta.app_label in changes.PROJECT_APPS}
    assert labels - set(changes.TABLES) - changes.UNSHOWN == set()
    assert set(changes.TABLES) - labels == set()


def test_every_table_has_its_triggers():
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_trigger WHERE tgname LIKE 'sdr_mark%%'")
            assert cursor.fetchone()[0] == 3 * len(changes.TABLES)
    else:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' "
                "AND name LIKE 'sdr_mark%'"
            )
            assert cursor.fetchone()[0] == 3 * len(changes.TABLES)


def test_a_lead_written_any_way_moves_its_owners_team_only(org):
    before = versions(org.desk, org.growth)
    lead = LeadFactory(owner=org.alice)
    after_create = versions(org.desk, org.growth)
    assert after_create[0] > before[0] and after_create[1] == before[1]

    Lead.objects.filter(pk=lead.pk).update(title="CTO")  # QuerySet.update
    after_update = versions(org.desk, org.growth)
    assert after_update[0] > after_create[0] and after_update[1] == before[1]

    with connection.cursor() as cursor:  # raw SQL, as the imports write
        cursor.execute(f"UPDATE {Lead._meta.db_table} SET title = 'CEO' WHERE id = %s", [lead.pk])
    after_raw = versions(org.desk, org.growth)
    assert after_raw[0] > after_update[0] and after_raw[1] == before[1]


def test_moving_a_lead_to_another_team_moves_both(org):
    lead = LeadFactory(owner=org.alice)
    before = versions(org.desk, org.growth, org.sales)
    lead.owner = org.carol
    lead.save()
    after = versions(org.desk, org.growth, org.sales)
    assert after[0] > before[0] and after[1] > before[1] and after[2] == before[2]


def test_rows_reached_through_a_lead_or_a_person_move_their_teams(org):
    lead = LeadFactory(owner=org.alice)
    before = versions(org.desk, org.growth)
    Activity.objects.bulk_create(
        [
            Activity(
                lead=lead,
                sdr=org.alice,
                type="call",
                outcome="connected",
                started_at=timezone.now(),
            )
        ]
    )
    after = versions(org.desk, org.growth)
    assert after[0] > before[0] and after[1] == before[1]
    Activity.objects.filter(lead=lead).delete()
    assert versions(org.desk)[0] > after[0]


def test_an_account_moves_the_teams_of_its_leads_owners(org):
    lead = LeadFactory(owner=org.carol)
    before = versions(org.desk, org.growth)
    Account.objects.filter(pk=lead.account_id).update(name="Renamed Ltd")
    after = versions(org.desk, org.growth)
    assert after[1] > before[1] and after[0] == before[0]


def test_what_other_teams_show_moves_every_team(org):
    """A team's name, a person's, an AE's capacity are shown on other teams' pages."""
    from handoffs.models import Capacity

    for write in (
        lambda: Team.objects.filter(pk=org.desk.pk).update(name="Enterprise"),
        lambda: type(org.aaron).objects.filter(pk=org.aaron.pk).update(first_name="Aaro"),
        lambda: Capacity.objects.update_or_create(ae=org.aaron, defaults={"normal": 3}),
    ):
        before = versions(org.desk, org.growth, org.sales)
        write()
        after = versions(org.desk, org.growth, org.sales)
        assert all(a > b for a, b in zip(after, before, strict=True))


def test_a_rolled_back_write_moves_nothing(org):
    before = versions(org.desk)
    with pytest.raises(RuntimeError), transaction.atomic():
        LeadFactory(owner=org.alice)
        raise RuntimeError
    assert versions(org.desk) == before


@pytest.mark.skipif("connection.vendor != 'postgresql'")
def test_one_mark_per_team_and_transaction_and_compacting_keeps_the_sum(org):
    with transaction.atomic():
        for _ in range(5):
            LeadFactory(owner=org.alice)
    marks = ChangeMark.objects.filter(team=org.desk).count()
    for _ in range(3):
        LeadFactory(owner=org.alice)
    # one each: a new account belongs to no team until its lead is written
    assert ChangeMark.objects.filter(team=org.desk).count() == marks + 3
    before = versions(org.desk, org.growth)
    changes.compact()
    assert versions(org.desk, org.growth) == before
    assert ChangeMark.objects.filter(team=org.desk).count() == 1
    LeadFactory(owner=org.alice)
    assert versions(org.desk)[0] > before[0]


def test_the_version_comes_with_the_user(org):
    user = user_with_team(org.alice.pk)
    assert user.current_team.data_version == changes.version([org.desk.pk])


def _request(user, method="get"):
    request = getattr(RequestFactory(), method)("/")
    request.user = user_with_team(user.pk)
    return request


TEMPLATE = Template(
    '{% load fragments %}{% fragment "test" lead.pk %}'
    "{{ lead.title }}<input name=csrfmiddlewaretoken value={{ csrf_token }}>{% endfragment %}"
)


def render(request, lead, token):
    return TEMPLATE.render(Context({"request": request, "lead": lead, "csrf_token": token}))


def test_a_fragment_is_served_until_the_data_changes_with_the_requests_own_token(org):
    lead = LeadFactory(owner=org.alice, title="CTO")
    first = render(_request(org.alice), lead, "token-one")
    assert "CTO" in first and "token-one" in first
    lead.title = "CFO"  # not saved: the cached fragment is served
    second = render(_request(org.alice), lead, "token-two")
    assert "CTO" in second and "token-two" in second and "token-one" not in second
    lead.save()  # saved: the version moved
    third = render(_request(org.alice), lead, "token-three")
    assert "CFO" in third


def test_a_fragment_is_not_cached_on_a_post_nor_for_another_viewer(org):
    lead = LeadFactory(owner=org.alice, title="CTO")
    render(_request(org.alice), lead, "t")
    lead.title = "CFO"
    assert "CFO" in render(_request(org.alice, "post"), lead, "t")
    assert "CFO" in render(_request(org.bob), lead, "t")


def test_fragments_vary_on_language(org):
    request = _request(org.alice)
    key_en = fragments.key(request, "test", [1])
    from django.utils import translation

    with translation.override("ko"):
        assert fragments.key(request, "test", [1]) != key_en


def test_a_transaction_sees_its_own_write_move_the_version(org):
    with transaction.atomic():
        before = versions(org.desk)
        LeadFactory(owner=org.alice)
        middle = versions(org.desk)
        LeadFactory(owner=org.alice)
        assert before[0] < middle[0] < versions(org.desk)[0]


def test_a_real_request_caches_through_the_middlewares_lazy_user(org, rf):
    from django.contrib.auth import get_user
    from django.contrib.sessions.backends.db import SessionStore
    from django.utils.functional import SimpleLazyObject

    session = SessionStore()
    session["_auth_user_id"] = str(org.alice.pk)
    session["_auth_user_backend"] = "sdr_ops.auth.ModelBackend"
    session["_auth_user_hash"] = org.alice.get_session_auth_hash()
    session.save()
    request = rf.get("/")
    request.session = SessionStore(session.session_key)
    request.user = SimpleLazyObject(lambda: get_user(request))
    assert fragments.version_of(request) == (org.desk.pk, changes.version([org.desk.pk]))


def test_nothing_is_cached_inside_a_transaction(org):
    with transaction.atomic():
        assert fragments.version_of(_request(org.alice)) is None
    assert fragments.version_of(_request(org.alice)) is not None
