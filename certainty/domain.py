"""Writes of the certainty score: training a team's model, pinning a version, storing the
scores of a team's open leads for the call list.

Training reads the team's decided handoffs, holds out the most recent fifth, fits on the rest
(model.fit) and judges the new version on the held-out period against what is in use there
(the active version, else the prior). The new version is always kept with its card; it
becomes the active one only when its Brier score on the held-out period is at least as good.
A pinned version stays in use whatever training does, until the pin is lifted. Training runs
in the worker (weekly beat job) or the command, never in a request; the switch locks the
team's settings row, so two trainings of a team take turns.
"""

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from leads.models import LeadScore
from sdr_ops import audit
from sdr_ops.models import Team, User

from . import features, model, scoring
from .models import CertaintySettings, ModelVersion

TRAINING_SEED = 17


def _settings_locked(team: Team) -> CertaintySettings:
    CertaintySettings.objects.get_or_create(team=team)
    return CertaintySettings.objects.select_for_update().get(team=team)


def train_team(
    team: Team, *, by: User | None = None, seed: int = TRAINING_SEED
) -> ModelVersion | None:
    """Trains a new version of the team's model; None (nothing stored) below the team's
    `min_decided` decided handoffs or without both outcomes. Returns the version, active or
    not (see the module's docstring for when it switches)."""
    settings = scoring.settings_for(team)
    data = features.history(team)
    if len(data.y) < max(settings.min_decided, 2) or len(set(data.y.tolist())) < 2:
        return None
    items = list(team.qualification_items)
    names = features.names(items)
    X = features.matrix(names, data.rows)
    older, recent = model.split_recent(data.times)
    if len(set(data.y[older].tolist())) < 2:
        return None
    params = model.fit(X[older], data.y[older], names, seed=seed)
    params["rates"] = data.rates
    params["items"] = items
    held = model.evaluate(model.probabilities(params, X[recent]), data.y[recent])
    with transaction.atomic():
        _settings_locked(team)
        active = ModelVersion.objects.filter(team=team, active=True).first()
        if active is not None:
            before = model.probabilities(
                active.params, features.matrix(active.params["features"], data.rows)[recent]
            )
        else:
            before = scoring.prior_scores(items, data.rows)[recent]
        previous = model.evaluate(before, data.y[recent]).brier
        number = (ModelVersion.objects.filter(team=team).aggregate(n=Max("number"))["n"] or 0) + 1
        switch = held.brier <= previous + 1e-12
        if switch and active is not None:
            ModelVersion.objects.filter(pk=active.pk).update(active=False)
        version = ModelVersion.objects.create(
            team=team,
            number=number,
            trained_by=by,
            n_train=len(older),
            n_holdout=len(recent),
            auc=held.auc,
            brier=held.brier,
            previous_brier=previous,
            holdout_from=data.at(int(recent[0])) if len(recent) else None,
            params=params,
            deciles=held.deciles,
            active=switch,
        )
        audit.record(
            audit.Subject.TEAM,
            team.pk,
            audit.Action.TEAM_SETTINGS,
            by=by,
            field="certainty_model",
            before=f"v{active.number}" if active else "prior",
            after=f"v{number}" if switch else f"v{number} (kept, not in use)",
        )
    return version


@transaction.atomic
def pin(team: Team, version: ModelVersion | None, *, by: User) -> CertaintySettings:
    """A manager pins a version of the team's model (None: lifts the pin, the active version
    is used again)."""
    if version is not None and version.team_id != team.pk:
        raise ValidationError(_("That version belongs to another team."))
    settings = _settings_locked(team)
    before = f"v{settings.pinned.number}" if settings.pinned_id else ""
    settings.pinned = version
    settings.save(update_fields=["pinned"])
    audit.record(
        audit.Subject.TEAM,
        team.pk,
        audit.Action.TEAM_SETTINGS,
        by=by,
        field="certainty_pinned",
        before=before,
        after=f"v{version.number}" if version else "",
    )
    return settings


@transaction.atomic
def update_settings(
    team: Team, *, by: User, min_decided: int, a_from: float, b_from: float
) -> CertaintySettings:
    """The team's threshold of decided handoffs and the cut points of A and B."""
    if not (0 <= b_from <= a_from <= 1):
        raise ValidationError(_("The score for B must be at most the score for A, both 0 to 1."))
    settings = _settings_locked(team)
    before = f"{settings.min_decided} {settings.a_from} {settings.b_from}"
    settings.min_decided, settings.a_from, settings.b_from = min_decided, a_from, b_from
    settings.save(update_fields=["min_decided", "a_from", "b_from"])
    audit.record(
        audit.Subject.TEAM,
        team.pk,
        audit.Action.TEAM_SETTINGS,
        by=by,
        field="certainty_settings",
        before=before,
        after=f"{min_decided} {a_from} {b_from}",
    )
    return settings


def store_scores(team: Team) -> int:
    """Scores every open lead of the team in one batch and stores the scores for the call
    list (replacing the leads' earlier ones). Returns how many were scored.

    One read of the evidence (`features.leads_now`), one matrix product, one write: on
    PostgreSQL an INSERT ... SELECT over three arrays with ON CONFLICT DO UPDATE, elsewhere
    Django's bulk upsert."""
    settings, version = scoring.in_use(team)
    if version is not None:
        items, rates = features.items_of(version.params["features"]), version.params.get("rates")
    else:
        items, rates = list(team.qualification_items), {}
    ids, rows = features.leads_now(features.open_leads(team), items=items, rates=rates, many=True)
    scores = scoring.score_rows(team, rows, version=version, settings=settings)
    certainties = scoring.cut_many(scores, settings)
    now = timezone.now()
    if connection.vendor == "postgresql":
        table = LeadScore._meta.db_table
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {table} (lead_id, score, certainty, computed_at) "
                "SELECT t.lead, t.score, t.certainty, %s "
                "FROM unnest(%s::bigint[], %s::float8[], %s::text[]) "
                "AS t(lead, score, certainty) "
                "ON CONFLICT (lead_id) DO UPDATE SET score = EXCLUDED.score, "
                "certainty = EXCLUDED.certainty, computed_at = EXCLUDED.computed_at",
                [now, ids, scores.tolist(), certainties.tolist()],
            )
        return len(ids)
    LeadScore.objects.bulk_create(
        [
            LeadScore(lead_id=pk, score=s, certainty=c, computed_at=now)
            for pk, s, c in zip(ids, scores.tolist(), certainties.tolist(), strict=True)
        ],
        batch_size=5000,
        update_conflicts=True,
        unique_fields=["lead"],
        update_fields=["score", "certainty", "computed_at"],
    )
    return len(ids)
