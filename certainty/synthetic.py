"""Synthetic decided handoffs whose signal is known, for the tests and the benchmark.

Every handoff is accepted with probability 0.7 when budget was asked (confirmed or asked but
not disclosed) and 0.35 when it was not asked: "not asked budget" halves acceptance. Nothing
else matters: the other items, the connected call, touches, segment, source and age are drawn
at random, so a model that finds the budget and nothing much else has learned the truth.
"""

import datetime

import numpy as np

from leads.models import Segment, Source

from .features import Rows

ITEMS = ["budget", "approval_process", "need", "timing"]
STATES = ["confirmed", "not_disclosed", "not_asked"]
ACCEPT_ASKED, ACCEPT_NOT_ASKED = 0.7, 0.35


def draw(n: int, *, seed: int = 0) -> tuple[Rows, np.ndarray, np.ndarray]:
    """n rows of evidence, their outcomes (1 accepted) and their times (seconds, ascending)."""
    rng = np.random.default_rng(seed)
    picks = rng.choice(len(STATES), size=(n, len(ITEMS)), p=[0.5, 0.2, 0.3])
    rows = Rows(
        states=[{item: STATES[p] for item, p in zip(ITEMS, row, strict=True)} for row in picks],
        connected=(rng.random(n) < 0.6).tolist(),
        touches=rng.integers(0, 12, n).tolist(),
        segment=rng.choice(Segment.values, n).tolist(),
        source=rng.choice(Source.values, n).tolist(),
        age_days=rng.uniform(0, 90, n).tolist(),
        ae_rejection=rng.uniform(0.1, 0.5, n).tolist(),
    )
    budget_asked = picks[:, 0] != STATES.index("not_asked")
    p = np.where(budget_asked, ACCEPT_ASKED, ACCEPT_NOT_ASKED)
    y = (rng.random(n) < p).astype(float)
    times = np.arange(n, dtype=float) * 600.0
    return rows, y, times


def checklist(states: dict) -> list[dict]:
    """A frozen checklist as a handoff stores it."""
    return [
        {"item": item, "label": item, "status": status, "answer": "", "questions": "", "reason": ""}
        for item, status in states.items()
    ]


def write(n: int, *, sdr, ae, seed: int = 0, end: datetime.datetime | None = None) -> list:
    """n decided handoffs of `sdr` to `ae` in the database (bulk), ending at `end` (now)."""
    from django.utils import timezone

    from handoffs.models import Handoff
    from leads.models import Account, Activity, Lead, Stage

    rows, y, _times = draw(n, seed=seed)
    end = end or timezone.now()
    start = end - datetime.timedelta(minutes=10 * n)
    tag = f"s{seed}-{sdr.pk}-{n}"
    accounts = Account.objects.bulk_create(
        [Account(name=f"Synthetic {tag} {i}", segment=rows.segment[i]) for i in range(n)]
    )
    leads = Lead.objects.bulk_create(
        [
            Lead(
                account=accounts[i],
                first_name="Lead",
                last_name=str(i),
                source=rows.source[i],
                owner=sdr,
                stage=Stage.OPPORTUNITY if y[i] else Stage.DISQUALIFIED,
                created_at=start
                + datetime.timedelta(minutes=10 * i)
                - datetime.timedelta(days=rows.age_days[i]),
            )
            for i in range(n)
        ]
    )
    when = [start + datetime.timedelta(minutes=10 * i) for i in range(n)]
    Activity.objects.bulk_create(
        [
            Activity(
                lead=leads[i],
                sdr=sdr,
                type=Activity.Type.CALL,
                outcome=Activity.Outcome.CONNECTED,
                started_at=when[i] - datetime.timedelta(hours=1),
            )
            for i in range(n)
            if rows.connected[i]
        ]
    )
    return Handoff.objects.bulk_create(
        [
            Handoff(
                lead=leads[i],
                sdr=sdr,
                ae=ae,
                certainty="B",
                comment="synthetic",
                checklist=checklist(rows.states[i]),
                created_at=when[i],
                status=Handoff.Status.ACCEPTED if y[i] else Handoff.Status.REJECTED,
                decided_at=when[i] + datetime.timedelta(minutes=5),
                rejection_reason="" if y[i] else "no_budget",
            )
            for i in range(n)
        ]
    )
