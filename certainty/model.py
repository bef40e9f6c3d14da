"""The certainty model as plain numbers: fitting (scikit-learn) and scoring (numpy).

A fitted model is a dict of JSON data, never a pickle: the feature names, one coefficient per
feature on the raw feature scale, the intercept, and the features' means (the reference an
explanation compares with). The score of a feature row x is
    p = 1 / (1 + exp(-(x · coef + intercept)))
which is the calibrated probability: the L2-regularised logistic regression is fitted on
standardised features, then a sigmoid (Platt) calibration is fitted on a separate part of the
training rows; both maps are linear in the log-odds, so they fold into one coefficient vector.

Fitting is deterministic for the same rows and seed (the split is drawn from the seed, the
solver is deterministic).
"""

from dataclasses import dataclass

import numpy as np
from sklearn.calibration import CalibratedClassifierCV
from sklearn.frozen import FrozenEstimator
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import brier_score_loss, roc_auc_score

# Share of the decided handoffs, the most recent ones, held out to judge a model.
HOLDOUT_SHARE = 0.2
# Share of the training rows kept apart to fit the calibration.
CALIBRATION_SHARE = 0.25
# Inverse regularisation strength of the logistic regression (on standardised features).
C = 1.0


def probabilities(params: dict, X: np.ndarray) -> np.ndarray:
    """The calibrated probability of every row of X (rows x features, in params' order)."""
    z = X @ np.asarray(params["coef"], dtype=float) + float(params["intercept"])
    return 1.0 / (1.0 + np.exp(-np.clip(z, -500, 500)))


def fit(X: np.ndarray, y: np.ndarray, names: list[str], *, seed: int = 0) -> dict:
    """A calibrated logistic model of y (1 = accepted) on X, as JSON data."""
    rng = np.random.default_rng(seed)
    n = len(y)
    order = rng.permutation(n)
    n_cal = max(int(n * CALIBRATION_SHARE), 1)
    cal, train = order[:n_cal], order[n_cal:]
    # Both parts need both outcomes; with too few rows the calibration uses the training part.
    if len(set(y[cal])) < 2 or len(set(y[train])) < 2:
        cal = train = order
    mean = X[train].mean(axis=0)
    scale = X[train].std(axis=0)
    # A feature (nearly) constant in training carries no information: left unscaled, its
    # coefficient stays at zero instead of being divided by a rounding error.
    scale[scale < 1e-6] = 1.0
    regression = LogisticRegression(C=C, max_iter=1000, solver="lbfgs")
    regression.fit((X[train] - mean) / scale, y[train])
    calibrated = CalibratedClassifierCV(FrozenEstimator(regression), method="sigmoid")
    calibrated.fit((X[cal] - mean) / scale, y[cal])
    sigmoid = calibrated.calibrated_classifiers_[0].calibrators[0]
    # scikit-learn's sigmoid calibration: p = 1 / (1 + exp(a * f + b)), f the decision value.
    a, b = float(sigmoid.a_), float(sigmoid.b_)
    w = regression.coef_[0] / scale
    w0 = float(regression.intercept_[0]) - float(np.sum(regression.coef_[0] * mean / scale))
    return {
        "features": list(names),
        "coef": [float(v) for v in -a * w],
        "intercept": -a * w0 - b,
        "means": [float(v) for v in X.mean(axis=0)],
        "seed": seed,
    }


@dataclass
class Evaluation:
    n: int
    auc: float | None
    brier: float
    deciles: list[dict]


def deciles(p: np.ndarray, y: np.ndarray) -> list[dict]:
    """Predicted against actual in ten equal-count bins of the prediction (fewer if few rows)."""
    if len(p) == 0:
        return []
    order = np.argsort(p, kind="stable")
    bins = np.array_split(order, min(10, len(p)))
    return [
        {
            "decile": i + 1,
            "n": int(len(b)),
            "predicted": round(float(p[b].mean()), 4),
            "actual": round(float(y[b].mean()), 4),
        }
        for i, b in enumerate(bins)
        if len(b)
    ]


def evaluate(p: np.ndarray, y: np.ndarray) -> Evaluation:
    auc = float(roc_auc_score(y, p)) if len(set(y)) == 2 else None
    brier = float(brier_score_loss(y, p)) if len(y) else 1.0
    return Evaluation(n=len(y), auc=auc, brier=brier, deciles=deciles(p, y))


def split_recent(times: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Indices of the older rows (to train on) and of the most recent share (held out)."""
    order = np.argsort(times, kind="stable")
    n_hold = max(int(len(order) * HOLDOUT_SHARE), 1)
    return order[:-n_hold], order[-n_hold:]
