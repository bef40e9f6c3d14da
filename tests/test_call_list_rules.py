"""The manager edits the team's call-list rules and sees each SDR's adherence."""

import re

import pytest
from django.urls import reverse

from leads.domain import calllists
from leads.models import CallList, CallListRule

from .factories import LeadFactory


def formset_data(client, url) -> dict:
    """The rules form as the browser posts it back unchanged (after a first visit)."""
    client.get(url)  # creates the default rules the first time
    team = client.get(url).context["team"]
    rules = list(team.call_list_rules.order_by("position"))
    data = {
        "team-call_list_size": str(team.call_list_size),
        "team-call_list_build_time": team.call_list_build_time.strftime("%H:%M"),
        "rules-TOTAL_FORMS": str(len(rules) + 1),
        "rules-INITIAL_FORMS": str(len(rules)),
        "rules-MIN_NUM_FORMS": "0",
        "rules-MAX_NUM_FORMS": "1000",
    }
    for i, rule in enumerate(rules):
        p = f"rules-{i}-"
        data.update(
            {
                p + "id": rule.pk,
                p + "team": team.pk,
                p + "position": rule.position,
                p + "name": rule.name,
                p + "cap": rule.cap,
                p + "order": rule.order,
                p + "stages": rule.stages,
                p + "segments": rule.segments,
                p + "sources": rule.sources,
                p + "min_days_since_touch": rule.min_days_since_touch or "",
                p + "max_attempts": rule.max_attempts or "",
            }
        )
        if rule.callback_due:
            data[p + "callback_due"] = "on"
        if rule.never_touched:
            data[p + "never_touched"] = "on"
    # The blank form for a new rule carries its defaults, as the browser sends them.
    blank = f"rules-{len(rules)}-"
    data.update({blank + "team": team.pk, blank + "cap": "20", blank + "order": "oldest"})
    return data


def test_the_team_starts_with_the_default_rules(client, org):
    client.force_login(org.mia)
    html = client.get(reverse("call-list-rules")).content.decode()
    for name in (
        "Callbacks due",
        "New inbound leads",
        "Enterprise leads in progress",
        "Quiet for 7+ days",
    ):
        assert name in html
    assert 'value="60"' in html  # daily list size


@pytest.mark.parametrize("persona", ["alice", "aaron", "stella"])
def test_only_managers_edit_rules_or_see_adherence(client, org, persona):
    client.force_login(getattr(org, persona))
    assert client.get(reverse("call-list-rules")).status_code == 404
    assert client.get(reverse("call-list-adherence")).status_code == 404


def test_a_manager_edits_only_their_own_team(client, org):
    client.force_login(org.otto)
    url = reverse("call-list-rules")
    data = formset_data(client, url)
    data["team-call_list_size"] = "25"
    client.post(url, data)
    org.growth.refresh_from_db()
    org.desk.refresh_from_db()
    assert (org.growth.call_list_size, org.desk.call_list_size) == (25, 60)


def test_reorder_delete_and_add_rules(client, org):
    client.force_login(org.mia)
    url = reverse("call-list-rules")
    data = formset_data(client, url)
    data["rules-3-position"] = "1"  # quiet leads first
    data["rules-1-DELETE"] = "on"  # drop "new inbound"
    data.update(
        {
            "rules-4-position": "9",
            "rules-4-name": "Referrals",
            "rules-4-cap": "5",
            "rules-4-order": "newest",
            "rules-4-sources": ["referral"],
        }
    )
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    rules = list(org.desk.call_list_rules.order_by("position").values_list("position", "name"))
    assert rules == [
        (1, "Quiet for 7+ days"),
        (2, "Callbacks due"),
        (3, "Enterprise leads in progress"),
        (4, "Referrals"),
    ]
    assert CallListRule.objects.get(name="Referrals").sources == ["referral"]


def test_a_bad_value_is_shown_next_to_its_field_and_nothing_changes(client, org):
    client.force_login(org.mia)
    url = reverse("call-list-rules")
    data = formset_data(client, url)
    data["rules-0-cap"] = "-3"
    response = client.post(url, data)
    assert response.status_code == 200
    assert "greater than or equal to 0" in response.content.decode()
    assert org.desk.call_list_rules.get(position=1).cap == 30


def test_adherence_counts_called_skipped_and_added(client, org, django_assert_num_queries):
    for _ in range(3):
        LeadFactory(owner=org.alice)
    day = org.desk.local_today()
    calllists.build_call_lists(org.desk, day)
    call_list = CallList.objects.get(sdr=org.alice, day=day)
    first, second, third = call_list.entries.order_by("position")
    calllists.skip_entry(first, by=org.alice, reason="On holiday")
    second.status = "called"
    second.save()
    calllists.add_to_list(call_list, LeadFactory(owner=org.alice), by=org.alice)
    client.force_login(org.mia)
    # 1 session, 2 user with their team, 3 the lists with counts, 4 the SDRs' lead mix,
    # 5 skipped entries with lead and SDR
    with django_assert_num_queries(5):
        html = client.get(reverse("call-list-adherence"), {"day": day.isoformat()}).content.decode()
    row = re.search(rf'data-sdr="{org.alice.pk}">(.*?)</tr>', html, re.S).group(1)
    cells = re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
    assert cells[1:5] == ["3", "1", "1", "1"]
    assert "1 (0 called)" in cells[5]
    assert "On holiday" in html
    assert "Reference only: team figures drive decisions." in html
    assert "Mid-market 100 %" in cells[7]
