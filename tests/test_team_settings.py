"""The team's settings page: every setting of the method, validated, audited before and
after, and in effect where the method says (a ramp change changes productive headcount)."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone, translation

from metrics import kpis, tasks
from metrics.models import WeeklyRollup
from metrics.rollups import roll_up
from sdr_ops import calendar, hooks, team_settings
from sdr_ops.models import AuditEvent, Role, StaffingRecord, qualification_label

from .factories import LeadFactory, member


def form_data(team, **overrides) -> dict:
    """The page's form as it comes, filled with the team's current settings."""
    data = {
        "ratio_band_low": "70",
        "ratio_band_high": "80",
        "max_talk_minutes": str(team.max_talk_minutes),
        "call_list_build_time": "19:00",
        "handoff_response_days": str(team.handoff_response_days),
        "patient_segments": list(team.patient_segments),
        "valve_a_or_b_at": "50",
        "valve_a_only_at": "80",
        "valve_full_at": "100",
        "ramp_0": "0",
        "ramp_1": "50",
        "items-TOTAL_FORMS": str(len(team.qualification_items) + 1),
        "items-INITIAL_FORMS": str(len(team.qualification_items)),
        "items-MIN_NUM_FORMS": "0",
        "items-MAX_NUM_FORMS": "20",
    }
    for key, days in team.transition_windows.items():
        data[f"window_{key}"] = str(days)
    for i, item in enumerate(team.qualification_items):
        data[f"items-{i}-item"] = item
    data.update(overrides)
    return data


@pytest.mark.parametrize(
    ("persona", "status"),
    [("mia", 200), ("root", 200), ("alice", 404), ("aaron", 404), ("stella", 404)],
)
def test_the_page_is_the_managers_and_the_admins(client, org, persona, status):
    client.force_login(getattr(org, persona))
    assert client.get(reverse("team-settings")).status_code == status


def test_a_manager_reaches_no_other_team(client, org):
    client.force_login(org.mia)
    assert client.get(reverse("team-settings"), {"team": "growth-desk"}).status_code == 404
    response = client.post(
        reverse("team-settings") + "?team=growth-desk", form_data(org.growth, max_talk_minutes="5")
    )
    assert response.status_code == 404
    org.growth.refresh_from_db()
    assert org.growth.max_talk_minutes != 5


def test_every_setting_saves_and_is_audited_before_and_after(client, org):
    client.force_login(org.mia)
    data = form_data(
        org.desk,
        ratio_band_low="65",
        ratio_band_high="85",
        max_talk_minutes="20",
        call_list_build_time="18:30",
        handoff_response_days="3",
        patient_segments=["enterprise", "mid_market"],
        ramp_1="60",
        ramp_2="90",
        **{"window_opportunity->won": "120"},
        **{"items-4-item": "competition", "items-4-label_en": "Competitors"},
        **{"items-4-label_ko": "경쟁사", "items-0-label_ko": "예산 규모"},
        **{"items-3-DELETE": "on"},
    )
    response = client.post(reverse("team-settings") + "?team=enterprise-desk", data)
    assert response.status_code == 302
    team = org.desk
    team.refresh_from_db()
    assert team.ratio_band_low == Decimal("0.65") and team.ratio_band_high == Decimal("0.85")
    assert team.max_talk_minutes == 20
    assert team.call_list_build_time == datetime.time(18, 30)
    assert team.handoff_response_days == 3
    assert team.patient_segments == ["enterprise", "mid_market"]
    assert team.ramp_factors == [0.0, 0.6, 0.9]
    assert team.transition_windows["opportunity->won"] == 120
    assert team.qualification_items == ["budget", "approval_process", "need", "competition"]
    assert team.qualification_labels == {
        "budget": {"ko": "예산 규모"},
        "competition": {"en": "Competitors", "ko": "경쟁사"},
    }
    events = {e.field: e for e in AuditEvent.objects.filter(subject=AuditEvent.Subject.TEAM)}
    assert events["ramp_factors"].before == "[0.0, 0.5]"
    assert events["ramp_factors"].after == "[0.0, 0.6, 0.9]"
    assert (events["max_talk_minutes"].before, events["max_talk_minutes"].after) == ("15", "20")
    assert events["ratio_band_low"].actor == org.mia
    assert "transition_windows" in events and "qualification_labels" in events
    page = client.get(reverse("team-settings")).content.decode()
    assert "Competitors" in page and "[0.0, 0.5] → [0.0, 0.6, 0.9]" in page


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"ratio_band_low": "85"}, "ratio_band_high", "above the low end"),
        ({"ramp_1": "150"}, "ramp_1", "less than or equal to 100"),
        ({"ramp_1": "", "ramp_2": "80"}, "ramp_1", "Fill every month"),
        ({"valve_a_only_at": "40"}, "valve_a_only_at", "must rise"),
        ({"window_new->working": "0"}, "window_new->working", "greater than or equal to 1"),
        ({"max_talk_minutes": "9999"}, "max_talk_minutes", "less than or equal to 240"),
        ({"call_list_build_time": "25:99"}, "call_list_build_time", "valid time"),
        ({"patient_segments": ["galaxy"]}, "patient_segments", "valid choice"),
    ],
)
def test_a_wrong_value_is_refused_in_place_and_nothing_saved(
    client, org, overrides, field, message
):
    client.force_login(org.mia)
    data = form_data(org.desk, **{"handoff_response_days": "7", **overrides})
    response = client.post(reverse("team-settings"), data)
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])
    org.desk.refresh_from_db()
    assert org.desk.handoff_response_days == 2
    assert not AuditEvent.objects.filter(subject=AuditEvent.Subject.TEAM).exists()


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"items-1-item": "budget"}, "budget appears twice"),
        (
            {f"items-{i}-DELETE": "on" for i in range(4)},
            "at least one item",
        ),
    ],
)
def test_a_wrong_checklist_is_refused(client, org, overrides, message):
    client.force_login(org.mia)
    response = client.post(reverse("team-settings"), form_data(org.desk, **overrides))
    assert message in " ".join(response.context["items"].non_form_errors())
    org.desk.refresh_from_db()
    assert org.desk.qualification_items == ["budget", "approval_process", "need", "timing"]


def test_a_long_label_or_a_bad_item_name_is_refused(client, org):
    client.force_login(org.mia)
    response = client.post(
        reverse("team-settings"),
        form_data(org.desk, **{"items-4-item": "Not a slug!", "items-0-label_en": "x" * 61}),
    )
    items = response.context["items"]
    assert items.forms[4].errors["item"] and items.forms[0].errors["label_en"]


def test_htmx_answers_the_form_alone_with_its_errors(client, org):
    client.force_login(org.mia)
    response = client.post(
        reverse("team-settings"), form_data(org.desk, ratio_band_low="90"), HTTP_HX_REQUEST="true"
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<form method="post"') and "above the low end" in html
    response = client.post(reverse("team-settings"), form_data(org.desk), HTTP_HX_REQUEST="true")
    assert "Nothing changed." in response.content.decode()


def test_the_domain_validates_the_team_whole(org):
    with pytest.raises(ValidationError):
        team_settings.change_settings(org.desk, by=org.mia, ramp_factors=[0.0, 2.0])
    with pytest.raises(ValidationError):
        team_settings.change_settings(
            org.desk, by=org.mia, ratio_band_low=Decimal("0.9"), ratio_band_high=Decimal("0.8")
        )
    with pytest.raises(ValidationError):
        team_settings.change_settings(
            org.desk, by=org.mia, qualification_labels={"budget": {"fr": "Budget"}}
        )
    assert not AuditEvent.objects.filter(subject=AuditEvent.Subject.TEAM).exists()
    assert team_settings.change_settings(org.desk, by=org.mia, max_talk_minutes=15) == []


def test_figure_settings_call_the_hook_with_the_first_day_they_touch(org, monkeypatch):
    calls = []
    monkeypatch.setattr(hooks, "on_team_settings_changed", [lambda *a: calls.append(a)])
    team_settings.change_settings(org.desk, by=org.mia, max_talk_minutes=30)
    assert calls == []
    team_settings.change_settings(org.desk, by=org.mia, ramp_factors=[0.0, 0.0, 0.5])
    first_start = min(
        StaffingRecord.objects.filter(team=org.desk, role=Role.SDR).values_list(
            "start_date", flat=True
        )
    )
    assert calls == [(org.desk, ["ramp_factors"], first_start)]
    team_settings.change_settings(org.desk, by=org.mia, ratio_band_low=Decimal("0.60"))
    assert calls[-1] == (org.desk, ["ratio_band_low"], None)


def test_a_ramp_change_changes_the_served_headcount_of_a_stored_week(client, org):
    # dana started three weeks before the last complete week: month 0, counted 0.
    last = kpis.Week(org.desk, calendar.monday_of(org.desk.local_today())).shifted(-1)
    member(org.desk, Role.SDR, "dana@example.com")
    StaffingRecord.objects.filter(person__email="dana@example.com").update(
        start_date=last.end_date - datetime.timedelta(days=20)
    )
    roll_up(org.desk, last)  # the Monday job stored the week
    client.force_login(org.mia)
    before = client.get(reverse("dashboards")).context["current"]["productive_headcount"]
    data = form_data(org.desk, ramp_0="50")
    assert client.post(reverse("team-settings"), data).status_code == 302
    # The change marked the stored week; the worker recomputes it in the background.
    assert WeeklyRollup.objects.get(team=org.desk, week=last.label).marked_at is not None
    tasks.recompute_marked.apply().get()
    after = client.get(reverse("dashboards")).context["current"]["productive_headcount"]
    assert after == before + 0.5
    api = reverse("api-kpis-weekly")
    assert (
        client.get(api, {"team": "enterprise-desk", "week": last.label}).json()[
            "productive_headcount"
        ]
        == after
    )


def test_labels_read_in_the_readers_language(org):
    labels = {"budget": {"ko": "예산 규모"}, "competition": {"en": "Competitors"}}
    assert qualification_label("budget", labels) == "Budget"
    assert qualification_label("competition", labels) == "Competitors"
    assert qualification_label("own_item") == "Own item"
    with translation.override("ko"):
        assert qualification_label("budget", labels) == "예산 규모"
        assert qualification_label("need", labels) == "니즈"
        # No Korean label: the English one rather than the bare name.
        assert qualification_label("competition", labels) == "Competitors"


def test_a_handoff_snapshot_keeps_every_language_and_shows_the_readers(client, org):
    from .test_reviews import make_handoff

    org.desk.qualification_labels = {"budget": {"en": "Budget size", "ko": "예산 규모"}}
    org.desk.save()
    alice_in_korean = org.alice
    alice_in_korean.language = "ko"
    alice_in_korean.save()
    with translation.override("ko"):
        handoff = make_handoff(org)
    row = next(r for r in handoff.checklist if r["item"] == "budget")
    assert row["labels"] == {"en": "Budget size", "ko": "예산 규모"}
    client.force_login(org.mia)
    html = client.get(reverse("review-desk")).content.decode()
    assert "Budget size" in html and "예산 규모" not in html
    assert "니즈" not in html


@pytest.mark.parametrize("rows", [1, 8])
def test_the_page_reads_in_constant_queries(client, org, django_assert_max_num_queries, rows):
    for n in range(rows):
        team_settings.change_settings(org.desk, by=org.mia, max_talk_minutes=20 + n)
        LeadFactory(owner=org.alice)
    client.force_login(org.mia)
    with django_assert_max_num_queries(12):
        assert client.get(reverse("team-settings")).status_code == 200
    assert timezone.now()
