"""The manager's side of tomorrow's lists (issue 15): each SDR's list for a day with the rule
behind each entry, the rules page's preview before saving, and a rebuild that keeps the
SDRs' edits."""

import pytest
from django.urls import reverse

from leads.domain import calllists
from leads.models import CallList, CallListRule, Stage

from .factories import LeadFactory
from .test_call_list_rules import formset_data


@pytest.fixture
def tomorrow(org):
    return calllists.next_working_day(org.desk.local_today())


def test_the_preview_counts_per_sdr_and_rule_and_saves_nothing(client, org, tomorrow):
    for _ in range(3):
        LeadFactory(owner=org.alice)
    LeadFactory(owner=org.bob)
    client.force_login(org.mia)
    url = reverse("call-list-rules")
    data = formset_data(client, url)
    data["rules-1-cap"] = "2"  # new inbound: at most 2 per SDR
    data["preview"] = "1"
    response = client.post(url, data)
    assert response.status_code == 200
    preview = response.context["preview"]
    row = next(r for r in preview["rows"] if r["name"] == "New inbound leads")
    sdrs = [sdr.pk for sdr in preview["sdrs"]]
    assert dict(zip(sdrs, row["counts"], strict=True)) == {org.alice.pk: 2, org.bob.pk: 1}
    assert 'id="preview"' in response.content.decode()
    assert CallListRule.objects.get(team=org.desk, position=2).cap == 20  # not saved
    assert not CallList.objects.exists()  # nothing built


def test_stages_never_on_a_list_are_not_offered(client, org):
    client.force_login(org.mia)
    html = client.get(reverse("call-list-rules")).content.decode()
    for stage in (Stage.DISQUALIFIED, Stage.HANDED_OFF, Stage.OPPORTUNITY, Stage.WON):
        assert f'value="{stage}"' not in html
    assert f'value="{Stage.WORKING}"' in html
    assert html.count('<details class="card rule"') == 5  # four rules and a new one


def test_after_the_build_the_page_offers_a_rebuild_that_keeps_the_edits(client, org, tomorrow):
    leads = [LeadFactory(owner=org.alice) for _ in range(3)]
    calllists.build_call_lists(org.desk, tomorrow)
    call_list = CallList.objects.get(sdr=org.alice, day=tomorrow)
    last = call_list.entries.order_by("-position").first()
    calllists.move_entry(last, by=org.alice, up=True)
    calllists.mark_reviewed(call_list, by=org.alice)
    LeadFactory(owner=org.alice)
    client.force_login(org.mia)
    html = client.get(reverse("call-list-rules")).content.decode()
    assert 'id="built"' in html
    response = client.post(reverse("call-list-rebuild") + f"?team={org.desk.slug}", follow=True)
    assert "Lists rebuilt: 1 leads added, 0 dropped, 2 of the SDRs" in response.content.decode()
    call_list.refresh_from_db()
    assert call_list.reviewed_at is not None
    assert call_list.entries.count() == len(leads) + 1
    assert call_list.entries.get(pk=last.pk).moved


@pytest.mark.parametrize("rows", [2, 8])
def test_the_days_lists_show_each_entrys_rule_and_counts_in_constant_queries(
    client, org, tomorrow, rows, django_assert_num_queries
):
    for _ in range(rows):
        LeadFactory(owner=org.alice)
        LeadFactory(owner=org.bob)
    calllists.build_call_lists(org.desk, tomorrow)
    client.force_login(org.mia)
    # 1 session, 2 user with their team (the team is theirs), 3 the lists with SDRs, 4 their
    # entries with lead, company and rule, 5 the build
    with django_assert_num_queries(5):
        response = client.get(reverse("call-list-day"))
    html = response.content.decode()
    assert html.count("New inbound leads:") == 2
    assert f"New inbound leads: {rows}" in html
    assert html.count('class="entry status-planned"') == 2 * rows


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01", "2026-02-30", "x" * 500, ""])
def test_any_day_parameter_answers_without_a_5xx(client, org, day):
    client.force_login(org.mia)
    assert client.get(reverse("call-list-day"), {"day": day}).status_code == 200


def test_another_teams_lists_are_out_of_reach(client, org, tomorrow):
    client.force_login(org.otto)
    response = client.get(reverse("call-list-day"), {"team": org.desk.slug})
    assert response.status_code == 404
    response = client.post(reverse("call-list-rebuild") + f"?team={org.desk.slug}")
    assert response.status_code == 404
