"""The score of a lead if handed off now, its certainty A/B/C and its explanation in words.

With a learned model in use (the team's pinned version, else its active one) the score is the
model's calibrated probability that the handoff becomes an opportunity. Without one (fewer
decided handoffs than the team's `min_decided`), the prior points table below, from the
checklist states alone, shown as "not learned yet":

| checklist item state          | points (for four items; scaled to the team's count) |
|-------------------------------|------------------------------------------------------|
| confirmed                     | +0.15                                                |
| asked but not disclosed       | +0.05                                                |
| not asked (or still unknown)  | -0.05                                                |

starting from 0.35 and kept within 0.02 to 0.98: four items confirmed give 0.95, four not
asked 0.15, four not disclosed 0.55.

Explanations come from the model's own coefficients: a factor's weight is how much the score
moves when that part of the evidence is replaced by the team's average (for the prior: its
points); what would raise the score is the score with an item confirmed (or a connected call)
minus the score now. Words are made when read, in the reader's language.
"""

from dataclasses import dataclass, field

import numpy as np
from django.db.models import Q, Subquery
from django.utils.translation import gettext as _

from handoffs.models import Certainty
from leads.models import Lead, QualificationStatus, Segment, Source
from sdr_ops.models import Team, qualification_label

from . import features, model
from .models import CertaintySettings, ModelVersion

PRIOR_BASE = 0.35
PRIOR_POINTS = {
    QualificationStatus.CONFIRMED: 0.15,
    QualificationStatus.NOT_DISCLOSED: 0.05,
    QualificationStatus.NOT_ASKED: -0.05,
}
PRIOR_BOUNDS = (0.02, 0.98)
# How many factors an explanation names.
TOP_FACTORS = 4


def settings_for(team: Team | None) -> CertaintySettings:
    """The team's settings (the defaults, unsaved, for a team that never changed them)."""
    if team is None:
        return CertaintySettings()
    found = CertaintySettings.objects.filter(team=team).select_related("pinned").first()
    return found or CertaintySettings(team=team)


def _usable(version, settings: CertaintySettings):
    """The version if it may score: it has coefficients (a row never written by training
    scores nothing) and, unless a manager pinned it, it learned from at least the team's
    minimum of decided handoffs (a minimum raised above what it learned from brings the
    prior back until training has enough)."""
    if version is None or not version.params.get("features"):
        return None
    pinned = settings.pinned_id is not None and settings.pinned_id == version.pk
    if not pinned and version.n_train + version.n_holdout < settings.min_decided:
        return None
    return version


def version_in_use(team: Team | None, settings: CertaintySettings | None = None):
    """The pinned version, else the active one, else None (the prior)."""
    if team is None:
        return None
    settings = settings or settings_for(team)
    version = (
        settings.pinned
        if settings.pinned_id
        else ModelVersion.objects.filter(team=team, active=True).order_by().first()
    )
    return _usable(version, settings)


def in_use(team: Team | None) -> tuple[CertaintySettings, ModelVersion | None]:
    """The team's settings and the version in use, in one query when the team has a model
    (the versions pinned or active, each with the settings' values beside it), in two
    without one."""
    if team is None:
        return CertaintySettings(), None
    own = CertaintySettings.objects.filter(team=team)
    pinned = own.values("pinned_id")[:1]
    found = list(
        ModelVersion.objects.filter(team=team)
        .filter(Q(active=True) | Q(pk=Subquery(pinned)))
        .annotate(
            settings_pk=Subquery(own.values("pk")[:1]),
            settings_pinned=Subquery(pinned),
            settings_min=Subquery(own.values("min_decided")[:1]),
            settings_a=Subquery(own.values("a_from")[:1]),
            settings_b=Subquery(own.values("b_from")[:1]),
        )
        .order_by()
    )
    if not found:
        return settings_for(team), None
    first = found[0]
    settings = CertaintySettings(team=team)
    if first.settings_pk is not None:
        settings = CertaintySettings(
            pk=first.settings_pk,
            team=team,
            min_decided=first.settings_min,
            a_from=first.settings_a,
            b_from=first.settings_b,
            pinned_id=first.settings_pinned,
        )
    chosen = next(
        (v for v in found if v.pk == settings.pinned_id)
        if settings.pinned_id
        else (v for v in found if v.active),
        None,
    )
    if settings.pinned_id and chosen is not None:
        settings.pinned = chosen
    return settings, _usable(chosen, settings)


def cut(score: float, settings: CertaintySettings) -> str:
    if score >= settings.a_from:
        return Certainty.A
    if score >= settings.b_from:
        return Certainty.B
    return Certainty.C


def cut_many(scores: np.ndarray, settings: CertaintySettings) -> np.ndarray:
    return np.where(
        scores >= settings.a_from,
        Certainty.A,
        np.where(scores >= settings.b_from, Certainty.B, Certainty.C),
    )


@dataclass
class Factor:
    """One part of the evidence and how much it moves the score."""

    kind: str  # item, connected, touches, segment, source, age, ae_rejection
    key: str = ""
    value: object = None
    delta: float = 0.0
    raise_: bool = False  # a step that would raise the score, not a factor of it

    @property
    def words(self) -> str:
        if self.raise_:
            if self.kind == "connected":
                return _("have a connected call")
            return _("confirm %(item)s") % {"item": qualification_label(self.key).lower()}
        if self.kind == "item":
            label = qualification_label(self.key)
            return {
                QualificationStatus.CONFIRMED: _("%(item)s confirmed"),
                QualificationStatus.NOT_DISCLOSED: _("%(item)s not disclosed"),
            }.get(self.value, _("%(item)s not asked")) % {"item": label}
        if self.kind == "connected":
            return _("connected call") if self.value else _("no connected call")
        if self.kind == "touches":
            return _("%(n)s touches") % {"n": self.value}
        if self.kind == "segment":
            return _("segment %(segment)s") % {"segment": _label(Segment, self.value)}
        if self.kind == "source":
            return _("source %(source)s") % {"source": _label(Source, self.value)}
        if self.kind == "per_unit":
            return {
                "touches": _("more touches"),
                "age": _("an older lead"),
                "ae_rejection": _("the AE's share of rejections of similar leads"),
            }.get(self.key, self.key)
        if self.kind == "age":
            return _("lead %(days)s days old") % {"days": self.value}
        return _("the AE's rejections of similar leads (%(pct)s%%)") % {"pct": self.value}

    @property
    def signed(self) -> str:
        return f"{self.delta:+.2f}"

    def __str__(self) -> str:
        # "budget confirmed +0.12"; a step that would raise it: "confirm timing: +0.09".
        return f"{self.words}{':' if self.raise_ else ''} {self.signed}"


def _label(choices, value) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return str(value)


@dataclass
class Assessment:
    score: float
    certainty: str
    learned: bool
    version: ModelVersion | None = None
    factors: list[Factor] = field(default_factory=list)
    raises: list[Factor] = field(default_factory=list)

    @property
    def label(self) -> str:
        return f"v{self.version.number}" if self.version else "prior"

    @property
    def explanation(self) -> str:
        return "; ".join(str(f) for f in self.factors)

    @property
    def percent(self) -> int:
        return round(self.score * 100)


# -- the prior ----------------------------------------------------------------------------


def _points(status: str, n_items: int) -> float:
    scale = 4 / max(n_items, 1)
    return PRIOR_POINTS.get(status, PRIOR_POINTS[QualificationStatus.NOT_ASKED]) * scale


def prior_scores(items: list[str], rows: "features.Rows | features.Evidence") -> np.ndarray:
    """The prior's score of every row (vectorised over the rows)."""
    states = features.Evidence.of(rows, items).states
    by_code = {
        code: _points(features.CODE_STATES[code], len(items)) for code in features.CODE_STATES
    }
    points = np.zeros(states.shape)
    for code, value in by_code.items():
        points[states == code] = value
    return np.clip(PRIOR_BASE + points.sum(axis=1), *PRIOR_BOUNDS)


def _prior_assessment(items, states, settings) -> Assessment:
    rows = features.Rows(states=[states], connected=[False])
    score = float(prior_scores(items, rows)[0])
    factors, raises = [], []
    for item in items:
        status = states.get(item, QualificationStatus.NOT_ASKED)
        points = _points(status, len(items))
        factors.append(Factor("item", item, status, points))
        if status != QualificationStatus.CONFIRMED:
            gain = min(score + _points(QualificationStatus.CONFIRMED, len(items)) - points, 0.98)
            raises.append(Factor("item", item, status, gain - score, raise_=True))
    factors.sort(key=lambda f: -abs(f.delta))
    raises.sort(key=lambda f: -f.delta)
    return Assessment(
        score=score,
        certainty=cut(score, settings),
        learned=False,
        factors=factors[:TOP_FACTORS],
        raises=[r for r in raises if r.delta > 0.005],
    )


# -- a learned model ----------------------------------------------------------------------


def _groups(names: list[str]) -> dict[str, list[int]]:
    """Feature columns by the factor they belong to (an item's two columns together)."""
    groups: dict[str, list[int]] = {}
    for j, name in enumerate(names):
        head, _sep, rest = name.partition(":")
        key = f"item:{rest.rsplit(':', 1)[0]}" if head == "item" else head
        groups.setdefault(key, []).append(j)
    return groups


def _learned_assessment(version, x: np.ndarray, rows: features.Rows, settings) -> Assessment:
    params = version.params
    names = params["features"]
    means = np.asarray(params["means"])
    score = float(model.probabilities(params, x[None, :])[0])
    factors, raises = [], []
    for key, cols in _groups(names).items():
        moved = x.copy()
        moved[cols] = means[cols]
        delta = score - float(model.probabilities(params, moved[None, :])[0])
        if key.startswith("item:"):
            item = key[5:]
            status = rows.states[0].get(item, QualificationStatus.NOT_ASKED)
            factors.append(Factor("item", item, status, delta))
            if status != QualificationStatus.CONFIRMED:
                better = x.copy()
                better[cols] = 0.0
                better[names.index(f"item:{item}:confirmed")] = 1.0
                gain = float(model.probabilities(params, better[None, :])[0]) - score
                raises.append(Factor("item", item, status, gain, raise_=True))
            continue
        value = {
            "connected": rows.connected[0],
            "touches": rows.touches[0],
            "segment": rows.segment[0],
            "source": rows.source[0],
            "age": round(rows.age_days[0]),
            "ae_rejection": round(rows.ae_rejection[0] * 100),
        }.get(key)
        factors.append(Factor(key, "", value, delta))
        if key == "connected" and not rows.connected[0]:
            better = x.copy()
            better[cols] = 1.0
            gain = float(model.probabilities(params, better[None, :])[0]) - score
            raises.append(Factor("connected", "", False, gain, raise_=True))
    factors.sort(key=lambda f: -abs(f.delta))
    raises.sort(key=lambda f: -f.delta)
    return Assessment(
        score=score,
        certainty=cut(score, settings),
        learned=True,
        version=version,
        factors=factors[:TOP_FACTORS],
        raises=[r for r in raises if r.delta > 0.005],
    )


def assess(lead: Lead, *, ae=None, team: Team | None = None) -> Assessment:
    """The lead's score if handed off now (to `ae`, when known), with its explanation: two
    queries with a model in use (the settings and the version, the lead's evidence), three
    without."""
    team = team or lead.owner.current_team
    settings, version = in_use(team)
    if version is not None:
        items, rates = features.items_of(version.params["features"]), version.params.get("rates")
    else:
        items, rates = (list(team.qualification_items) if team else []), {}
    _ids, evidence = features.leads_now(
        lead.pk, items=items, rates=rates, ae_id=ae.pk if ae else None
    )
    if len(evidence):
        rows = evidence.row(0)
    else:
        rows = features.Rows(states=[{}], connected=[False], touches=[0], segment=[""])
        rows.source, rows.age_days = [""], [0.0]
        rows.ae_rejection = [features.DEFAULT_REJECTION]
    return assessment_of(rows, team=team, settings=settings, version=version)


def assessment_of(rows: features.Rows, *, team, settings, version) -> Assessment:
    """The assessment of one row of evidence already read (no query): the score, the
    certainty and the explanation."""
    if version is None:
        items = list(team.qualification_items) if team else list(rows.states[0])
        return _prior_assessment(items, rows.states[0], settings)
    x = features.matrix(version.params["features"], rows)[0]
    return _learned_assessment(version, x, rows, settings)


def score_rows(
    team: Team | None, rows: "features.Rows | features.Evidence", version=None, settings=None
) -> np.ndarray:
    """Scores of many rows at once: one matrix product (or the prior's table)."""
    settings = settings or settings_for(team)
    version = version if version is not None else version_in_use(team, settings)
    if version is None:
        items = list(team.qualification_items) if team else []
        return prior_scores(items, rows)
    return model.probabilities(version.params, features.matrix(version.params["features"], rows))
