"""The evidence a score is computed from, as a numeric matrix, for decided handoffs (to
train) and for leads as they stand (to score). Reads only.

Features of a row, in this order:
- per checklist item of the team, `item:<item>:confirmed` and `item:<item>:not_disclosed`
  (1 or 0; "not asked" is both 0; an item still unknown counts as not asked);
- `connected`: a connected call preceded the handoff (or, for a lead, happened so far);
- `touches`: log(1 + activities before the handoff);
- `segment:<segment>` and `source:<source>`, one-hot;
- `age`: log(1 + days from the lead's creation to the handoff);
- `ae_rejection`: the share of the AE's decided handoffs of the same segment that they
  rejected before this one, smoothed toward the team's share (SMOOTHING handoffs' worth);
  without an AE (a lead not yet handed off) the share over every AE of the team.
"""

import datetime
from bisect import bisect_right
from collections import defaultdict
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field

import numpy as np
from django.db import connection, transaction
from django.db.models import Count, F, Q
from django.db.models.fields.json import KeyTextTransform, KeyTransform
from django.utils import timezone

from handoffs.models import HANDOFF_FROM, Handoff
from leads.models import Activity, Lead, QualificationAnswer, Segment, Source
from sdr_ops.models import Role, StaffingRecord, Team

SMOOTHING = 5.0
CONFIRMED, NOT_DISCLOSED = "confirmed", "not_disclosed"


def names(items: list[str]) -> list[str]:
    out = []
    for item in items:
        out += [f"item:{item}:{CONFIRMED}", f"item:{item}:{NOT_DISCLOSED}"]
    out += ["connected", "touches"]
    out += [f"segment:{s}" for s in Segment.values]
    out += [f"source:{s}" for s in Source.values]
    out += ["age", "ae_rejection"]
    return out


@dataclass
class Rows:
    """Column-wise evidence of n rows."""

    states: list[dict] = field(default_factory=list)
    connected: list[bool] = field(default_factory=list)
    touches: list[int] = field(default_factory=list)
    segment: list[str] = field(default_factory=list)
    source: list[str] = field(default_factory=list)
    age_days: list[float] = field(default_factory=list)
    ae_rejection: list[float] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.connected)


def matrix(feature_names: list[str], rows: Rows) -> np.ndarray:
    """The rows as a float matrix with the named features' columns (unknown names stay 0)."""
    column = {name: i for i, name in enumerate(feature_names)}
    n = len(rows)
    X = np.zeros((n, len(feature_names)))
    for i, states in enumerate(rows.states):
        for item, status in states.items():
            j = column.get(f"item:{item}:{status}")
            if j is not None:
                X[i, j] = 1.0
    for prefix, values in (("segment", rows.segment), ("source", rows.source)):
        for i, value in enumerate(values):
            j = column.get(f"{prefix}:{value}")
            if j is not None:
                X[i, j] = 1.0
    for name, values in (
        ("connected", np.asarray(rows.connected, dtype=float)),
        ("touches", np.log1p(np.asarray(rows.touches, dtype=float))),
        ("age", np.log1p(np.maximum(np.asarray(rows.age_days, dtype=float), 0))),
        ("ae_rejection", np.asarray(rows.ae_rejection, dtype=float)),
    ):
        if name in column and n:
            X[:, column[name]] = values
    return X


def team_sdrs(team: Team):
    """The people who were ever SDRs on the team (their handoffs train its model)."""
    return StaffingRecord.objects.filter(team=team, role=Role.SDR).values("person_id")


def decided_handoffs(team: Team):
    return Handoff.objects.filter(
        sdr_id__in=team_sdrs(team),
        status__in=[Handoff.Status.ACCEPTED, Handoff.Status.REJECTED],
    )


def _activity_counts(before) -> dict:
    """The touches and connected calls of the handoff's lead before `before` (an F of the
    handoff), counted over one join: one hash aggregate for all rows, not a subquery each."""
    touch = Q(lead__activities__started_at__lt=before)
    connected = touch & Q(
        lead__activities__type=Activity.Type.CALL,
        lead__activities__outcome=Activity.Outcome.CONNECTED,
    )
    return {
        "touches_n": Count("lead__activities", filter=touch),
        "connected_n": Count("lead__activities", filter=connected),
    }


@contextmanager
def _big_read():
    """A read of every row of a team: on PostgreSQL without JIT, whose compilation of this
    one statement costs seconds and saves none."""
    if connection.vendor != "postgresql":
        yield
        return
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL jit = off")
        yield


@dataclass
class History:
    """The team's decided handoffs as evidence, outcome (1 accepted) and time of handoff."""

    rows: Rows
    y: np.ndarray
    times: np.ndarray
    rates: dict  # the rejection shares as they stand now, for scoring (see `rejection_rate`)
    since: list = field(default_factory=list)  # created_at of each row
    stored: list = field(default_factory=list)  # the score computed at the handoff, if any


def history(team: Team, *, since: datetime.datetime | None = None) -> History:
    """Every decided handoff of the team (or those handed off since `since`), in one query."""
    counts = _activity_counts(F("created_at"))
    handoffs = decided_handoffs(team)
    if since is not None:
        handoffs = handoffs.filter(created_at__gte=since)
    # The frozen checklist's item names and states only, read by position in the database:
    # decoding every snapshot's JSON (answers, questions) in Python was most of the time.
    slots = {}
    for i in range(len(team.qualification_items) + 2):
        slots[f"item_{i}"] = KeyTextTransform("item", KeyTransform(i, "checklist"))
        slots[f"status_{i}"] = KeyTextTransform("status", KeyTransform(i, "checklist"))
    with _big_read():
        data = list(
            handoffs.annotate(**counts, **slots)
            .order_by("created_at", "pk")
            .values_list(
                "ae_id",
                "created_at",
                "decided_at",
                "status",
                "pk",
                "lead__source",
                "lead__account__segment",
                "lead__created_at",
                "touches_n",
                "connected_n",
                "computed_score",
                *slots,
            )
        )
    rows = Rows()
    y = np.zeros(len(data))
    times = np.zeros(len(data))
    # The AE's rejection history before each handoff: decisions in order of decision time,
    # counted up to the handoff's creation.
    decisions = sorted(
        (d[2], d[0], d[6], d[3] == Handoff.Status.REJECTED) for d in data if d[2] is not None
    )
    decided_at = [d[0] for d in decisions]
    counts: dict = defaultdict(lambda: [0, 0])  # (ae, segment) and segment -> [n, rejected]
    total = [0, 0]
    done = 0
    for i, row in enumerate(data):
        ae, created, _decided, status, _none, source, segment, lead_created, t, c = row[:10]
        upto = bisect_right(decided_at, created)
        while done < upto:
            _at, d_ae, d_segment, rejected = decisions[done]
            for key in ((d_ae, d_segment), d_segment):
                counts[key][0] += 1
                counts[key][1] += rejected
            total[0] += 1
            total[1] += rejected
            done += 1
        rows.states.append({k: v for k, v in zip(row[11::2], row[12::2], strict=False) if k})
        rows.connected.append(bool(c))
        rows.touches.append(int(t or 0))
        rows.segment.append(segment)
        rows.source.append(source)
        rows.age_days.append((created - lead_created).total_seconds() / 86400)
        rows.ae_rejection.append(_smoothed(counts.get((ae, segment)), total))
        y[i] = 1.0 if status == Handoff.Status.ACCEPTED else 0.0
        times[i] = created.timestamp()
    # The shares with every decision counted, for scoring new leads.
    for _at, d_ae, d_segment, rejected in decisions[done:]:
        for key in ((d_ae, d_segment), d_segment):
            counts[key][0] += 1
            counts[key][1] += rejected
        total[0] += 1
        total[1] += rejected
    rates = {"": _smoothed(None, total)}
    for key, value in counts.items():
        name = f"{key[0]}|{key[1]}" if isinstance(key, tuple) else f"|{key}"
        rates[name] = _smoothed(value, total)
    return History(
        rows=rows,
        y=y,
        times=times,
        rates=rates,
        since=[d[1] for d in data],
        stored=[d[10] for d in data],
    )


def _smoothed(count, total) -> float:
    prior = total[1] / total[0] if total[0] else 0.3
    n, rejected = count if count else (0, 0)
    return (rejected + SMOOTHING * prior) / (n + SMOOTHING)


def rejection_rate(rates: dict, ae_id: int | None, segment: str) -> float:
    """The AE's smoothed rejection share for the segment from a model's stored shares; the
    segment's share over every AE without an AE, the team's without either."""
    if ae_id is not None and f"{ae_id}|{segment}" in rates:
        return rates[f"{ae_id}|{segment}"]
    return rates.get(f"|{segment}", rates.get("", 0.3))


def open_leads(team: Team):
    """The team's leads that could be handed off now: owned by an SDR on the team today, in a
    stage a handoff starts from."""
    today = team.local_today()
    owners = StaffingRecord.objects.active_on(today).filter(team=team, role=Role.SDR)
    return Lead.objects.filter(
        owner_id__in=owners.values("person_id"), stage__in=list(HANDOFF_FROM)
    )


def leads_now(
    leads, *, rates: dict | None = None, ae_id: int | None = None, many: bool = False
) -> tuple[list, Rows]:
    """The leads' ids and evidence as it stands now, in two queries whatever their number
    (`many`: a batch over a team, read without PostgreSQL's JIT)."""
    now = timezone.now()
    connected = Q(
        activities__type=Activity.Type.CALL, activities__outcome=Activity.Outcome.CONNECTED
    )
    with _big_read() if many else nullcontext():
        data = list(
            leads.annotate(
                touches_n=Count("activities"), connected_n=Count("activities", filter=connected)
            )
            .order_by("pk")
            .values_list(
                "pk", "source", "account__segment", "created_at", "touches_n", "connected_n"
            )
        )
    states: dict[int, dict] = defaultdict(dict)
    answers = QualificationAnswer.objects.filter(lead__in=leads.values("pk")).values_list(
        "lead_id", "item", "status"
    )
    for lead_id, item, status in answers:
        states[lead_id][item] = status
    rows = Rows()
    ids = []
    for pk, source, segment, created, t, c in data:
        ids.append(pk)
        rows.states.append(states.get(pk, {}))
        rows.connected.append(bool(c))
        rows.touches.append(int(t or 0))
        rows.segment.append(segment)
        rows.source.append(source)
        rows.age_days.append((now - created).total_seconds() / 86400)
        rows.ae_rejection.append(rejection_rate(rates or {}, ae_id, segment))
    return ids, rows
