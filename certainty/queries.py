"""Reads of the certainty score for the calibration view: predicted against actual over the
last weeks, the model card's factors in words. Never a write."""

import datetime
from dataclasses import dataclass

import numpy as np
from django.utils import timezone

from sdr_ops.models import Team

from . import features, model, scoring

CALIBRATION_WEEKS = 12


@dataclass
class Calibration:
    weeks: int
    n: int
    brier: float | None
    deciles: list[dict]


def calibration(team: Team, *, weeks: int = CALIBRATION_WEEKS, version=None) -> Calibration:
    """The team's handoffs decided in the last `weeks` weeks, binned in deciles of the score
    they had when handed off (the score then recorded; for handoffs from before the score was
    recorded, the score the model in use gives them), against the share accepted."""
    since = timezone.now() - datetime.timedelta(weeks=weeks)
    data = features.history(team, decided_since=since)
    if not len(data.y):
        return Calibration(weeks=weeks, n=0, brier=None, deciles=[])
    computed = scoring.score_rows(team, data.rows, version=version)
    p = np.where(np.isnan(data.stored), computed, data.stored)
    held = model.evaluate(p, data.y)
    return Calibration(weeks=weeks, n=held.n, brier=held.brier, deciles=held.deciles)


def card_factors(params: dict, limit: int = 12) -> list[scoring.Factor]:
    """The model's coefficients as factors in words, largest first (a coefficient is the
    change of the log-odds for the feature present, or per unit)."""
    factors = []
    for name, coef in zip(params.get("features", []), params.get("coef", []), strict=False):
        head, _sep, rest = name.partition(":")
        if head == "item":
            item, _sep, status = rest.rpartition(":")
            factors.append(scoring.Factor("item", item, status, coef))
        elif head in ("segment", "source"):
            factors.append(scoring.Factor(head, "", rest, coef))
        elif head == "connected":
            factors.append(scoring.Factor("connected", "", True, coef))
        else:
            factors.append(scoring.Factor("per_unit", head, None, coef))
    factors.sort(key=lambda f: -abs(f.delta))
    return factors[:limit]
