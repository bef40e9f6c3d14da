"""The certainty score: the model finds a known signal, is calibrated and deterministic, the
prior below the threshold, the switch rule, the pin, the valve, the batch (issue 17)."""

import numpy as np
import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection
from django.utils import translation

from certainty import domain, features, model, scoring, synthetic
from certainty.models import CertaintySettings, ModelVersion
from handoffs import domain as handoff_domain
from handoffs.models import Handoff
from leads.models import LeadScore, QualificationAnswer
from sdr_ops.models import AuditEvent

from .factories import LeadFactory

ITEMS = synthetic.ITEMS


def _fit(n, seed=0):
    rows, y, times = synthetic.draw(n, seed=seed)
    names = features.names(ITEMS)
    X = features.matrix(names, rows)
    older, recent = model.split_recent(times)
    params = model.fit(X[older], y[older], names, seed=3)
    return params, X, y, older, recent, rows


# -- the model on its own -----------------------------------------------------------------


@pytest.fixture(scope="module")
def large():
    """100,000 synthetic decided handoffs, fitted once for the module."""
    return _fit(100_000)


def test_the_model_finds_that_not_asking_budget_halves_acceptance(large):
    params, X, y, older, recent, rows = large
    p = model.probabilities(params, X[recent])
    not_asked = np.array([rows.states[i]["budget"] == "not_asked" for i in recent])
    ratio = p[not_asked].mean() / p[~not_asked].mean()
    assert 0.45 < ratio < 0.55
    coef = dict(zip(params["features"], params["coef"], strict=True))
    # Budget asked (either way) raises the odds a lot; nothing else is near it.
    assert coef["item:budget:confirmed"] > 1.0 and coef["item:budget:not_disclosed"] > 1.0
    # On the standardised scale every other feature is next to nothing.
    spread = dict(zip(params["features"], X[older].std(axis=0), strict=True))
    others = [abs(v) * spread[k] for k, v in coef.items() if not k.startswith("item:budget")]
    assert max(others) < 0.1


def test_calibration_is_within_five_points_in_every_decile_of_held_out_data(large):
    params, X, y, _older, recent, _rows = large
    held = model.evaluate(model.probabilities(params, X[recent]), y[recent])
    assert len(held.deciles) == 10
    for decile in held.deciles:
        assert abs(decile["predicted"] - decile["actual"]) <= 0.05, decile
    assert held.auc > 0.6


def test_fitting_is_deterministic_for_the_same_data_and_seed():
    first, *_ = _fit(5_000)
    again, *_ = _fit(5_000)
    assert first == again
    other_seed, *_ = _fit(5_000, seed=1)
    assert other_seed != first


def test_the_stored_coefficients_reproduce_scikit_learns_calibrated_probabilities():
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.frozen import FrozenEstimator
    from sklearn.linear_model import LogisticRegression

    rows, y, _t = synthetic.draw(3_000, seed=5)
    names = features.names(ITEMS)
    X = features.matrix(names, rows)
    params = model.fit(X, y, names, seed=0)
    # The same steps by hand, kept as scikit-learn objects.
    rng = np.random.default_rng(0)
    order = rng.permutation(len(y))
    cal, train = order[: int(len(y) * model.CALIBRATION_SHARE)], order[int(len(y) * 0.25) :]
    mean, scale = X[train].mean(axis=0), X[train].std(axis=0)
    scale[scale < 1e-6] = 1
    lr = LogisticRegression(C=model.C, max_iter=1000).fit((X[train] - mean) / scale, y[train])
    calibrated = CalibratedClassifierCV(FrozenEstimator(lr), method="sigmoid")
    calibrated.fit((X[cal] - mean) / scale, y[cal])
    expected = calibrated.predict_proba((X - mean) / scale)[:, 1]
    assert np.allclose(model.probabilities(params, X), expected, atol=1e-9)


# -- the prior ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("states", "score", "certainty"),
    [
        (["confirmed"] * 4, 0.95, "A"),
        (["confirmed"] * 3 + ["not_asked"], 0.75, "A"),
        (["not_disclosed"] * 4, 0.55, "B"),
        (["not_asked"] * 4, 0.15, "C"),
        (["confirmed", "confirmed", "not_asked", "not_asked"], 0.55, "B"),
    ],
)
def test_the_prior_points_table(states, score, certainty):
    rows = features.Rows(states=[dict(zip(ITEMS, states, strict=True))], connected=[False])
    got = float(scoring.prior_scores(ITEMS, rows)[0])
    assert got == pytest.approx(score)
    assert scoring.cut(got, CertaintySettings()) == certainty


def answered(lead, **states):
    for item in ITEMS:
        QualificationAnswer.objects.update_or_create(
            lead=lead,
            item=item,
            defaults={"status": states.get(item, "confirmed"), "answer": "x", "reason": "x"},
        )
    return lead


def test_below_the_threshold_the_prior_is_used_and_said_to_be_not_learned(org):
    synthetic.write(150, sdr=org.bob, ae=org.aaron, seed=2)
    assert domain.train_team(org.desk) is None
    assert not ModelVersion.objects.exists()
    lead = answered(LeadFactory(owner=org.alice, stage="connected"), budget="not_asked")
    assessment = scoring.assess(lead)
    assert not assessment.learned and assessment.label == "prior"
    assert assessment.score == pytest.approx(0.75)
    assert "Budget not asked -0.05" in assessment.explanation
    assert [str(r) for r in assessment.raises] == ["confirm budget: +0.20"]


# -- training a team ----------------------------------------------------------------------


@pytest.fixture
def trained(org):
    synthetic.write(1000, sdr=org.bob, ae=org.aaron, seed=1)
    return domain.train_team(org.desk)


def test_training_keeps_a_version_with_its_card_and_uses_it(org, trained):
    assert trained.active and trained.number == 1
    assert (trained.n_train, trained.n_holdout) == (800, 200)
    assert trained.auc > 0.6 and trained.brier < trained.previous_brier
    assert trained.deciles and set(trained.deciles[0]) == {"decile", "n", "predicted", "actual"}
    coef = dict(zip(trained.params["features"], trained.params["coef"], strict=True))
    assert coef["item:budget:confirmed"] > 0.5
    assert AuditEvent.objects.filter(field="certainty_model", after="v1").exists()
    lead = answered(LeadFactory(owner=org.alice, stage="connected"), budget="not_asked")
    assessment = scoring.assess(lead)
    assert assessment.learned and assessment.label == "v1"
    assert assessment.factors[0].key == "budget" and assessment.factors[0].delta < 0
    assert assessment.raises[0].words == "confirm budget" and assessment.raises[0].delta > 0.1


def test_a_version_worse_on_the_recent_period_is_kept_but_not_used(org, trained, monkeypatch):
    def useless(X, y, names, *, seed=0):
        return {"features": names, "coef": [0.0] * len(names), "intercept": 2.0, "means": [0.0]}

    monkeypatch.setattr(model, "fit", useless)
    second = domain.train_team(org.desk)
    assert (second.number, second.active) == (2, False)
    assert scoring.version_in_use(org.desk).number == 1
    monkeypatch.undo()
    third = domain.train_team(org.desk)
    # The same data and seed: as good as the one in use, so it switches.
    assert third.active and third.params["coef"] == trained.params["coef"]
    assert ModelVersion.objects.filter(team=org.desk).count() == 3


def test_a_pinned_version_stays_in_use_until_unpinned(org, trained):
    domain.pin(org.desk, trained, by=org.mia)
    newer = domain.train_team(org.desk)
    assert newer.active
    assert scoring.version_in_use(org.desk) == trained
    domain.pin(org.desk, None, by=org.mia)
    assert scoring.version_in_use(org.desk) == newer
    other = ModelVersion.objects.create(
        team=org.growth, number=1, n_train=1, n_holdout=1, brier=0.2, params={}
    )
    with pytest.raises(ValidationError):
        domain.pin(org.desk, other, by=org.mia)


def test_the_command_trains_every_team(org, capsys):
    synthetic.write(250, sdr=org.bob, ae=org.aaron, seed=4)
    call_command("train_certainty", "--score")
    out = capsys.readouterr().out
    assert "enterprise-desk: v1 (in use)" in out
    assert "growth-desk: too few decided handoffs" in out


def test_explanations_are_in_the_readers_language(org, trained):
    lead = answered(LeadFactory(owner=org.alice, stage="connected"), timing="not_asked")
    with translation.override("ko"):
        words = [f.words for f in scoring.assess(lead).factors + scoring.assess(lead).raises]
    assert any("예산" in w for w in words), words


# -- the evidence read from the database -------------------------------------------------


def _handed(org, *, ae, at, segment="mid_market", status="accepted", decided=None, **states):
    from datetime import timedelta

    from leads.models import Account

    lead = LeadFactory(
        owner=org.bob,
        stage="disqualified",
        account=Account.objects.create(name=f"A {at}", segment=segment),
        created_at=at - timedelta(days=10),
    )
    return Handoff.objects.create(
        lead=lead,
        sdr=org.bob,
        ae=ae,
        certainty="B",
        comment="x",
        checklist=synthetic.checklist(states),
        created_at=at,
        status=status,
        decided_at=decided or at + timedelta(hours=12),
        rejection_reason="no_budget" if status == "rejected" else "",
    )


def test_the_history_reads_each_feature_as_defined_in_one_query(org, django_assert_max_num_queries):
    from datetime import UTC, datetime, timedelta

    from leads.models import Activity

    t0 = datetime(2026, 11, 2, 9, tzinfo=UTC)
    day = timedelta(days=1)
    first = _handed(
        org,
        ae=org.aaron,
        at=t0,
        status="rejected",
        decided=t0 + day,
        budget="confirmed",
        approval_process="unknown",
        need="not_disclosed",
        timing="not_asked",
    )
    for minutes, outcome in ((-60, "connected"), (-120, "no_answer"), (60, "connected")):
        Activity.objects.create(
            lead=first.lead,
            sdr=org.bob,
            type="call",
            outcome=outcome,
            started_at=t0 + timedelta(minutes=minutes),
        )
    # Handed off at the very time of the first decision: that decision counts as before it.
    # Its checklist is frozen in another order: items are found by name, not position.
    _handed(
        org, ae=org.aaron, at=t0 + day, decided=t0 + 2 * day, timing="confirmed", budget="not_asked"
    )
    _handed(
        org, ae=org.aaron, at=t0 + 3 * day, segment="smb", status="rejected", decided=t0 + 4 * day
    )
    _handed(org, ae=org.ada, at=t0 + 5 * day, decided=t0 + 6 * day)
    with django_assert_max_num_queries(1 if connection.vendor == "sqlite" else 4):
        data = features.history(org.desk)
    rows = data.rows
    assert data.y.tolist() == [0, 1, 0, 1]
    assert data.rows.states[0].tolist() == [2, 0, 1, 0]
    assert data.rows.states[1].tolist() == [0, 0, 0, 2]
    assert (rows.touches[0], rows.connected[0]) == (2, True)
    assert (rows.touches[1], rows.connected[1]) == (0, False)
    assert rows.age_days[0] == pytest.approx(10)
    # The AE's rejections of the segment before each handoff, smoothed toward the team's
    # share so far (0.3 with no decision yet): none; one of one; none in smb (team 1 of 2);
    # none for ada (team 2 of 3).
    assert rows.ae_rejection.tolist() == pytest.approx([0.3, 1.0, 0.5, 2 / 3])
    assert data.rates[""] == pytest.approx(0.5)
    assert data.rates["|mid_market"] == pytest.approx((1 + 5 * 0.5) / (3 + 5))
    assert data.rates[f"{org.aaron.pk}|mid_market"] == pytest.approx((1 + 5 * 0.5) / (2 + 5))
    names = features.names(ITEMS)
    x = dict(zip(names, features.matrix(names, rows)[0], strict=True))
    assert {k for k, v in x.items() if v == 1.0} == {
        "item:budget:confirmed",
        "item:need:not_disclosed",
        "connected",
        "segment:mid_market",
        "source:inbound",
    }
    assert x["touches"] == pytest.approx(np.log1p(2)) and x["age"] == pytest.approx(np.log1p(10))
    assert data.at(0) == t0 and np.isnan(data.stored).all()


def test_a_leads_evidence_now_is_one_query_and_matches_the_list_form(
    org, django_assert_max_num_queries
):
    from leads.models import Activity

    lead = answered(
        LeadFactory(owner=org.alice, stage="working"), need="not_disclosed", timing="unknown"
    )
    Activity.objects.create(
        lead=lead, sdr=org.alice, type="call", outcome="connected", started_at=lead.created_at
    )
    with django_assert_max_num_queries(1):
        ids, evidence = features.leads_now(lead.pk, items=ITEMS, rates={"|mid_market": 0.4})
    assert ids == [lead.pk]
    row = evidence.row(0)
    assert row.states == [
        {
            "budget": "confirmed",
            "approval_process": "confirmed",
            "need": "not_disclosed",
            "timing": "not_asked",
        }
    ]
    assert (row.touches, row.connected, row.segment, row.ae_rejection) == (
        [1],
        [True],
        ["mid_market"],
        [0.4],
    )
    names = features.names(ITEMS)
    assert np.array_equal(features.matrix(names, evidence), features.matrix(names, row))


def test_a_minimum_raised_above_what_the_model_learned_from_brings_the_prior_back(org, trained):
    lead = answered(LeadFactory(owner=org.alice, stage="connected"))
    assert scoring.assess(lead).learned
    domain.update_settings(org.desk, by=org.mia, min_decided=5000, a_from=0.75, b_from=0.5)
    assessment = scoring.assess(lead)
    assert not assessment.learned and assessment.label == "prior"
    assert scoring.version_in_use(org.desk) is None
    # A version a manager pins is used whatever the minimum.
    domain.pin(org.desk, trained, by=org.mia)
    assert scoring.assess(lead).label == "v1"


# -- scoring at scale ---------------------------------------------------------------------


def test_scoring_one_lead_takes_a_constant_number_of_queries(
    org, trained, django_assert_max_num_queries
):
    lead = answered(LeadFactory(owner=org.alice, stage="connected"))
    lead.owner.current_team  # noqa: B018 (cached on the user, as in a request)
    # The settings with the version in use, then the lead's evidence.
    with django_assert_max_num_queries(2):
        assert scoring.assess(lead, team=org.desk).learned
    ModelVersion.objects.update(active=False)
    with django_assert_max_num_queries(3):  # without a model: the settings on their own
        assert not scoring.assess(lead, team=org.desk).learned


@pytest.mark.parametrize("n", [3, 30])
def test_the_batch_stores_every_open_leads_score_in_constant_queries(
    org, trained, n, django_assert_max_num_queries
):
    leads = [answered(LeadFactory(owner=org.alice, stage="working")) for _ in range(n)]
    LeadFactory(owner=org.alice, stage="won")
    # PostgreSQL also sets the read's planner option (SET LOCAL) and wraps the write in a
    # savepoint: still the same count for 3 leads as for 30.
    with django_assert_max_num_queries(9 if connection.vendor == "sqlite" else 11):
        assert domain.store_scores(org.desk) == n
    stored = {s.lead_id: s for s in LeadScore.objects.all()}
    assert set(stored) == {lead.pk for lead in leads}
    one = scoring.assess(leads[0])
    assert stored[leads[0].pk].score == pytest.approx(one.score)
    assert stored[leads[0].pk].certainty == one.certainty
    # Run again after the evidence changed: the scores are replaced, one row per lead.
    answered(leads[0], **dict.fromkeys(ITEMS, "not_asked"))
    assert domain.store_scores(org.desk) == n
    assert LeadScore.objects.count() == n
    again = LeadScore.objects.get(lead=leads[0])
    assert again.score == pytest.approx(scoring.assess(leads[0]).score)
    assert again.score < one.score


# -- the valve ----------------------------------------------------------------------------


def hand(lead, org, **kw):
    return handoff_domain.hand_off(
        lead,
        by=kw.pop("by", org.alice),
        to_ae=kw.pop("to", org.aaron),
        certainty=kw.pop("certainty", "A"),
        comment="Real problem: X",
        **kw,
    )


def test_declaring_above_the_evidence_needs_a_reason_and_both_are_recorded(org):
    lead = answered(
        LeadFactory(owner=org.alice, stage="connected"),
        budget="not_asked",
        approval_process="not_asked",
        need="not_asked",
        timing="not_asked",
    )
    with pytest.raises(ValidationError) as info:
        hand(lead, org)
    assert "certainty_reason" in info.value.message_dict
    assert "The evidence says C" in str(info.value)
    handoff = hand(lead, org, certainty_reason="The CFO told me budget is set aside")
    assert (handoff.certainty, handoff.computed_certainty) == ("A", "C")
    assert handoff.computed_score == pytest.approx(0.15)
    assert handoff.computed_by == "prior"
    assert handoff.certainty_reason == "The CFO told me budget is set aside"


def test_the_valve_applies_the_computed_certainty_a_manager_may_still_override(org):
    from tests.test_handoffs_domain import load

    load(org.aaron, 8, org)  # aaron takes A only
    lead = answered(
        LeadFactory(owner=org.alice, stage="connected"), budget="not_asked", need="not_asked"
    )
    with pytest.raises(ValidationError, match="takes only certainty A now"):
        hand(lead, org, certainty_reason="I am sure")
    handoff = hand(lead, org, by=org.mia, certainty_reason="I am sure", override_reason="Agreed")
    assert handoff.overridden_by == org.mia and handoff.computed_certainty == "B"


def test_a_pick_at_or_below_the_evidence_needs_no_reason(org):
    lead = answered(LeadFactory(owner=org.alice, stage="connected"))
    handoff = hand(lead, org, certainty="B")
    assert (handoff.certainty, handoff.computed_certainty, handoff.certainty_reason) == (
        "B",
        "A",
        "",
    )
    assert Handoff.objects.count() == 1


# -- where it is used ---------------------------------------------------------------------


def test_a_rule_can_order_by_the_stored_score(org):
    import datetime

    from leads.domain import calllists
    from leads.models import CallListEntry, CallListRule

    day = datetime.date(2026, 12, 1)
    CallListRule.objects.create(
        team=org.desk, position=1, name="Best first", order="score", stages=["working"], cap=10
    )
    low, high, unscored, middle = (LeadFactory(owner=org.alice, stage="working") for _ in range(4))
    for lead, score in ((low, 0.2), (high, 0.9), (middle, 0.5)):
        LeadScore.objects.create(lead=lead, score=score, certainty="B")
    calllists.build_call_lists(org.desk, day)
    order = list(
        CallListEntry.objects.filter(call_list__sdr=org.alice, call_list__day=day)
        .order_by("position")
        .values_list("lead_id", flat=True)
    )
    assert order == [high.pk, middle.pk, low.pk, unscored.pk]


def test_the_review_desk_flags_declared_above_the_evidence_and_sorts_by_the_gap(client, org):
    from django.urls import reverse

    from handoffs import queries

    plain = answered(LeadFactory(owner=org.alice, stage="connected"))
    first = hand(plain, org, certainty="A")
    weak = answered(
        LeadFactory(owner=org.alice, stage="connected"),
        **dict.fromkeys(ITEMS, "not_asked"),
    )
    gap = hand(weak, org, to=org.ada, certainty="A", certainty_reason="Trust me")
    queue = list(queries.review_queue(org.mia, by_gap=True))
    assert [h.pk for h in queue] == [gap.pk, first.pk]
    assert [h.certainty_gap for h in queue] == [2, 0]
    flags = {f.code: f.text for f in queries.flags(queue[0], None)}
    assert flags["above_evidence"] == ("Declared A, evidence says C (the SDR's reason: Trust me)")
    assert "above_evidence" not in {f.code for f in queries.flags(queue[1], None)}
    client.force_login(org.mia)
    body = client.get(reverse("review-desk"), {"sort": "gap"}).content.decode()
    assert body.index(f"review-{gap.pk}") < body.index(f"review-{first.pk}")
    assert "Declared A, evidence says C" in body


def test_the_lead_brief_shows_the_score_and_what_would_raise_it(client, org):
    from django.urls import reverse

    lead = answered(LeadFactory(owner=org.alice, stage="connected"), timing="not_asked")
    client.force_login(org.alice)
    body = client.get(reverse("lead-brief", args=[lead.pk])).content.decode()
    assert "Certainty from the evidence: A (score 0.75)" in body
    assert "not learned yet" in body
    assert "confirm timing: +0.20" in body
    client.force_login(org.aaron)  # an AE reads the brief without the SDR's score
    assert "lead-score" not in client.get(reverse("lead-brief", args=[lead.pk])).content.decode()


def test_the_handoff_form_shows_the_computed_certainty_and_asks_for_a_reason(client, org):
    from django.urls import reverse

    lead = answered(
        LeadFactory(owner=org.alice, stage="connected"), need="not_asked", timing="not_asked"
    )
    client.force_login(org.alice)
    url = reverse("handoff-new", args=[lead.pk])
    assert "Certainty from the evidence: B" in client.get(url).content.decode()
    data = {"certainty": "A", "to_ae": org.aaron.pk, "comment": "Real problem"}
    refused = client.post(url, data)
    assert refused.status_code == 200
    assert "The evidence says B" in refused.content.decode()
    done = client.post(url, {**data, "certainty_reason": "x" * 2001})
    assert done.status_code == 200  # bounded: too long is a form error, not a 500
    done = client.post(url, {**data, "certainty_reason": "Their CFO confirmed timing to me"})
    assert done.status_code == 302
    handoff = Handoff.objects.get(lead=lead)
    assert (handoff.certainty, handoff.computed_certainty) == ("A", "B")


def test_the_calibration_view_shows_the_card_and_the_deciles(client, org, trained):
    from django.urls import reverse

    client.force_login(org.mia)
    url = reverse("certainty-calibration")
    body = client.get(url).content.decode()
    assert "v1" in body and "Budget confirmed" in body
    assert body.count("data-decile=") == 10
    response = client.post(reverse("certainty-pin", args=[trained.pk]), follow=True)
    assert "Version 1 is pinned." in response.content.decode()
    assert CertaintySettings.objects.get(team=org.desk).pinned == trained
    bad = client.post(f"{url}?team=enterprise-desk", {"min_decided": "x", "a_from": "2"})
    assert bad.status_code == 200
    saved = client.post(
        f"{url}?team=enterprise-desk", {"min_decided": 300, "a_from": 0.8, "b_from": 0.4}
    )
    assert saved.status_code == 302
    settings = CertaintySettings.objects.get(team=org.desk)
    assert (settings.min_decided, settings.a_from, settings.b_from) == (300, 0.8, 0.4)
    reversed_cuts = client.post(url, {"min_decided": 300, "a_from": 0.4, "b_from": 0.8})
    assert reversed_cuts.status_code == 200


def test_the_calibration_view_without_a_model_shows_the_prior(client, org):
    from django.urls import reverse

    client.force_login(org.mia)
    body = client.get(reverse("certainty-calibration")).content.decode()
    assert "not learned yet" in body and "No handoff was decided in these weeks." in body


def test_the_calibration_counts_the_handoffs_decided_in_the_last_twelve_weeks(org):
    from datetime import timedelta

    from django.utils import timezone

    from certainty import queries

    now = timezone.now()
    week = timedelta(weeks=1)
    # Handed off 13 weeks ago, decided 11 weeks ago: in; decided 13 weeks ago: out.
    _handed(org, ae=org.aaron, at=now - 13 * week, decided=now - 11 * week)
    _handed(org, ae=org.aaron, at=now - 14 * week, decided=now - 13 * week)
    _handed(org, ae=org.aaron, at=now - 2 * week, status="rejected")
    recent = queries.calibration(org.desk)
    assert (recent.weeks, recent.n) == (12, 2)
    assert sum(d["n"] for d in recent.deciles) == 2


@pytest.mark.parametrize("n", [20, 200])
def test_the_calibration_view_reads_in_constant_queries(
    client, org, n, django_assert_max_num_queries
):
    from django.urls import reverse

    synthetic.write(n, sdr=org.bob, ae=org.aaron, seed=9)
    client.force_login(org.mia)
    client.get(reverse("certainty-calibration"))
    with django_assert_max_num_queries(14):
        client.get(reverse("certainty-calibration"))


def test_the_api_asks_for_the_reason_and_answers_both_certainties(client, org):
    lead = answered(
        LeadFactory(owner=org.alice, stage="connected"), **dict.fromkeys(ITEMS, "not_asked")
    )
    client.force_login(org.alice)
    data = {"lead": lead.pk, "ae": org.aaron.pk, "certainty": "A", "comment": "Real problem"}
    refused = client.post("/api/v1/handoffs/", data, content_type="application/json")
    assert refused.status_code == 400 and "certainty_reason" in refused.json()
    too_long = client.post(
        "/api/v1/handoffs/",
        {**data, "certainty_reason": "x" * 2001},
        content_type="application/json",
    )
    assert too_long.status_code == 400
    done = client.post(
        "/api/v1/handoffs/",
        {**data, "certainty_reason": "The CFO said so"},
        content_type="application/json",
    )
    assert done.status_code == 201
    body = done.json()
    assert (body["certainty"], body["computed_certainty"]) == ("A", "C")
    assert body["computed_score"] == pytest.approx(0.15)
