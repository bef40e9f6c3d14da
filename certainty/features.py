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

How it is read. The evidence of every row comes from one SQL statement that returns numbers
and short codes only (no model objects, no JSON decoded in Python), and the matrix is built
from its columns with numpy:
- training (`history`): the decided handoffs of the team with the frozen checklist's item
  states read by position in the database and the touches and connected calls before the
  handoff counted in one aggregate over a join; the AE's rejection history is then an as-of
  count over the same rows' exact times in numpy (one sort, two binary searches: as
  running sums in SQL, window functions over decisions and handoffs, it cost two more sorts
  of twice the rows, half of the statement's time);
- scoring (`leads_now`): the leads with their activity counts and answers as correlated
  subqueries on their indexes, which is one index probe each for one lead and a plain scan
  for a team's batch.
"""

import datetime
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field

import numpy as np
from django.db import connection, transaction
from django.utils import timezone

from handoffs.models import HANDOFF_FROM, Handoff
from leads.models import (
    Account,
    Activity,
    Lead,
    QualificationAnswer,
    QualificationStatus,
    Segment,
    Source,
)
from sdr_ops.models import Role, StaffingRecord, Team

SMOOTHING = 5.0
CONFIRMED, NOT_DISCLOSED = "confirmed", "not_disclosed"
# An item's state as a small number: 2 confirmed, 1 asked but not disclosed, 0 not asked or
# still unknown (the two "not asked" cases carry no feature).
STATE_CODES = {CONFIRMED: 2, NOT_DISCLOSED: 1}
CODE_STATES = {2: CONFIRMED, 1: NOT_DISCLOSED, 0: QualificationStatus.NOT_ASKED}
# The team's share of rejections when it has no decision yet.
DEFAULT_REJECTION = 0.3
# The frozen checklist is searched for an item in this many positions beyond the team's
# item count (a snapshot frozen before the team's items changed may hold a few more).
EXTRA_SLOTS = 2


def names(items: list[str]) -> list[str]:
    out = []
    for item in items:
        out += [f"item:{item}:{CONFIRMED}", f"item:{item}:{NOT_DISCLOSED}"]
    out += ["connected", "touches"]
    out += [f"segment:{s}" for s in Segment.values]
    out += [f"source:{s}" for s in Source.values]
    out += ["age", "ae_rejection"]
    return out


def items_of(feature_names: list[str]) -> list[str]:
    """The checklist items a list of feature names covers, in order."""
    out = []
    for name in feature_names:
        head, _sep, rest = name.partition(":")
        item = rest.rpartition(":")[0]
        if head == "item" and item not in out:
            out.append(item)
    return out


@dataclass
class Rows:
    """Column-wise evidence of n rows as plain lists (a lead's row for its explanation, the
    synthetic history of the tests); missing columns read as their empty value."""

    states: list[dict] = field(default_factory=list)
    connected: list[bool] = field(default_factory=list)
    touches: list[int] = field(default_factory=list)
    segment: list[str] = field(default_factory=list)
    source: list[str] = field(default_factory=list)
    age_days: list[float] = field(default_factory=list)
    ae_rejection: list[float] = field(default_factory=list)

    def __len__(self) -> int:
        return max(len(self.states), len(self.connected))


@dataclass
class Evidence:
    """Column-wise evidence of n rows as arrays: what the matrix is built from."""

    items: list[str]
    states: np.ndarray  # n x items, STATE_CODES (0 not asked or unknown)
    connected: np.ndarray  # bool
    touches: np.ndarray
    segment: np.ndarray  # str
    source: np.ndarray  # str
    age_days: np.ndarray
    ae_rejection: np.ndarray

    def __len__(self) -> int:
        return len(self.connected)

    @classmethod
    def of(cls, rows: "Rows | Evidence", items: list[str]) -> "Evidence":
        if isinstance(rows, Evidence):
            return rows
        n = len(rows)

        def column(values, empty, dtype=None):
            values = list(values) + [empty] * (n - len(values))
            return np.array(values, dtype=dtype) if dtype else np.array(values, dtype=object)

        states = np.zeros((n, len(items)), dtype=np.int8)
        for i, row in enumerate(rows.states):
            for k, item in enumerate(items):
                states[i, k] = STATE_CODES.get(row.get(item), 0)
        return cls(
            items=list(items),
            states=states,
            connected=column(rows.connected, False, bool),
            touches=column(rows.touches, 0, float),
            segment=column(rows.segment, ""),
            source=column(rows.source, ""),
            age_days=column(rows.age_days, 0.0, float),
            ae_rejection=column(rows.ae_rejection, DEFAULT_REJECTION, float),
        )

    def row(self, i: int) -> Rows:
        """Row i as plain values (for an explanation's words)."""
        states = (CODE_STATES[int(c)] for c in self.states[i])
        return Rows(
            states=[dict(zip(self.items, states, strict=True))],
            connected=[bool(self.connected[i])],
            touches=[int(self.touches[i])],
            segment=[str(self.segment[i])],
            source=[str(self.source[i])],
            age_days=[float(self.age_days[i])],
            ae_rejection=[float(self.ae_rejection[i])],
        )


def matrix(feature_names: list[str], rows: "Rows | Evidence") -> np.ndarray:
    """The rows as a float matrix with the named features' columns (unknown names stay 0)."""
    data = Evidence.of(rows, items_of(feature_names))
    position = {item: k for k, item in enumerate(data.items)}
    X = np.zeros((len(data), len(feature_names)))
    for j, name in enumerate(feature_names):
        head, _sep, rest = name.partition(":")
        if head == "item":
            item, _sep, status = rest.rpartition(":")
            if item in position and status in STATE_CODES:
                X[:, j] = data.states[:, position[item]] == STATE_CODES[status]
        elif head == "segment":
            X[:, j] = data.segment == rest
        elif head == "source":
            X[:, j] = data.source == rest
        elif name == "connected":
            X[:, j] = data.connected
        elif name == "touches":
            X[:, j] = np.log1p(data.touches)
        elif name == "age":
            X[:, j] = np.log1p(np.maximum(data.age_days, 0))
        elif name == "ae_rejection":
            X[:, j] = data.ae_rejection
    return X


def team_sdrs(team: Team):
    """The people who were ever SDRs on the team (their handoffs train its model)."""
    return StaffingRecord.objects.filter(team=team, role=Role.SDR).values("person_id")


def decided_handoffs(team: Team):
    return Handoff.objects.filter(
        sdr_id__in=team_sdrs(team),
        status__in=[Handoff.Status.ACCEPTED, Handoff.Status.REJECTED],
    )


# -- the SQL of the reads ------------------------------------------------------------------


def _epoch(expression: str) -> str:
    """Seconds since 1970 of a timestamp column, as a float."""
    if connection.vendor == "postgresql":
        return f"EXTRACT(EPOCH FROM {expression})::float8"
    return f"((julianday({expression}) - 2440587.5) * 86400.0)"


def _slot(column: str, position: int, key: str) -> str:
    """The text of `key` of the checklist row at `position` of a JSON array column."""
    if connection.vendor == "postgresql":
        return f"({column} #>> '{{{position},{key}}}')"
    return f"json_extract({column}, '$[{position}].{key}')"


def _code(expression: str) -> str:
    """An item state (text) as its STATE_CODES number."""
    whens = " ".join(f"WHEN '{state}' THEN {code}" for state, code in STATE_CODES.items())
    return f"CASE {expression} {whens} ELSE 0 END"


def _frozen_states(items: list[str], column: str) -> tuple[list[str], list]:
    """One code column per item from a frozen checklist, searched by position."""
    columns, params = [], []
    slots = len(items) + EXTRA_SLOTS
    for item in items:
        whens = []
        for i in range(slots):
            whens.append(f"WHEN {_slot(column, i, 'item')} = %s THEN {_slot(column, i, 'status')}")
            params.append(item)
        columns.append(_code(f"(CASE {' '.join(whens)} END)"))
    return columns, params


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


def _fetch(sql: str, params: list) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _smoothed(rejected, n, team_rejected, team_n):
    """The smoothed rejection share (arrays or numbers): toward the team's share so far."""
    team_n = np.asarray(team_n, dtype=float)
    team_share = np.asarray(team_rejected, dtype=float) / np.maximum(team_n, 1)
    prior = np.where(team_n > 0, team_share, DEFAULT_REJECTION)
    return (np.asarray(rejected, dtype=float) + SMOOTHING * prior) / (
        np.asarray(n, dtype=float) + SMOOTHING
    )


@dataclass
class History:
    """The team's decided handoffs as evidence, outcome (1 accepted) and time of handoff."""

    rows: Evidence
    y: np.ndarray
    times: np.ndarray  # the handoffs' creation, seconds since 1970, ascending
    rates: dict  # the rejection shares as they stand now, for scoring (see `rejection_rate`)
    stored: np.ndarray = field(default_factory=lambda: np.zeros(0))  # score at handoff or NaN

    def at(self, i: int) -> datetime.datetime:
        epoch = datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)
        return epoch + datetime.timedelta(microseconds=round(float(self.times[i]) * 1e6))


def _micros(expression: str) -> str:
    """Microseconds since 1970 of a timestamp column, as an exact integer."""
    if connection.vendor == "postgresql":
        return f"(EXTRACT(EPOCH FROM {expression}) * 1000000)::bigint"
    # SQLite holds "YYYY-MM-DD HH:MM:SS[.ffffff]" in UTC.
    return (
        f"(CAST(strftime('%%s', {expression}) AS INTEGER) * 1000000"
        f" + CAST(substr({expression}, 21, 6) AS INTEGER))"
    )


def _before(group, at, d_group, d_at, d_rejected) -> tuple[np.ndarray, np.ndarray]:
    """For each row (its group and time), how many decisions of the same group were made at
    or before that time, and how many of them were rejections: an as-of count, exact on
    integer times, by one sort and two binary searches (no loop over rows)."""
    times = np.unique(np.concatenate([at, d_at]))
    span = len(times) + 1
    keys = d_group * span + np.searchsorted(times, d_at)
    order = np.argsort(keys, kind="stable")
    keys = keys[order]
    rejected = np.concatenate([[0], np.cumsum(d_rejected[order])])
    upto = np.searchsorted(keys, group * span + np.searchsorted(times, at), side="right")
    start = np.searchsorted(keys, group * span, side="left")
    return upto - start, rejected[upto] - rejected[start]


def history(team: Team, *, decided_since: datetime.datetime | None = None) -> History:
    """Every decided handoff of the team (or those decided since `decided_since`), in one
    query."""
    items = list(team.qualification_items)
    states, state_params = _frozen_states(items, "h.checklist")
    handoff, lead, account = (m._meta.db_table for m in (Handoff, Lead, Account))
    activity, staffing = Activity._meta.db_table, StaffingRecord._meta.db_table
    where = "" if decided_since is None else "AND h.decided_at >= %s"
    sql = f"""
    WITH h AS (
        SELECT h.id, h.lead_id, h.ae_id, h.created_at, h.decided_at, h.status,
               h.computed_score, a.segment, l.source, l.created_at AS lead_created
               {"".join(f", {s} AS s{k}" for k, s in enumerate(states))}
        FROM {handoff} h
        JOIN {lead} l ON l.id = h.lead_id
        JOIN {account} a ON a.id = l.account_id
        WHERE h.status IN (%s, %s)
          AND h.sdr_id IN (SELECT person_id FROM {staffing} WHERE team_id = %s AND role = %s)
          {where}
    ),
    act AS (
        SELECT h.id, COUNT(*) AS touches,
               SUM(CASE WHEN t.type = %s AND t.outcome = %s THEN 1 ELSE 0 END) AS connected
        FROM h JOIN {activity} t ON t.lead_id = h.lead_id AND t.started_at < h.created_at
        GROUP BY h.id
    )
    SELECT h.ae_id, CASE WHEN h.status = %s THEN 1 ELSE 0 END, {_micros("h.created_at")},
           COALESCE({_micros("h.decided_at")}, -1), h.computed_score, h.segment, h.source,
           ({_epoch("h.created_at")} - {_epoch("h.lead_created")}) / 86400.0,
           COALESCE(act.touches, 0), COALESCE(act.connected, 0)
           {"".join(f", h.s{k}" for k in range(len(items)))}
    FROM h LEFT JOIN act ON act.id = h.id
    ORDER BY h.created_at, h.id
    """
    params = [
        *state_params,
        Handoff.Status.ACCEPTED,
        Handoff.Status.REJECTED,
        team.pk,
        Role.SDR,
        *([decided_since] if decided_since is not None else []),
        Activity.Type.CALL,
        Activity.Outcome.CONNECTED,
        Handoff.Status.ACCEPTED,
    ]
    with _big_read():
        data = _fetch(sql, params)
    n = len(data)
    columns = list(zip(*data, strict=True)) if n else [()] * (10 + len(items))
    ae, y, created, decided = (np.array(columns[k], dtype=np.int64) for k in range(4))
    age, touches, connected = (np.array(columns[k], dtype=float) for k in (7, 8, 9))
    segment = np.array(columns[5], dtype=object)
    # The AE's rejections of the segment before each handoff: the decisions of the same AE
    # and segment made at or before the handoff's creation (a decision at the very time
    # counts), and the team's, for the smoothing.
    segments, seg = np.unique(segment.astype(str), return_inverse=True)
    pair = np.unique(ae * max(len(segments), 1) + seg, return_inverse=True)[1]
    done = decided >= 0
    rejected = (1 - y)[done]
    pair_n, pair_rejected = _before(pair, created, pair[done], decided[done], rejected)
    zero = np.zeros(n, dtype=np.int64)
    team_n, team_rejected = _before(zero, created, zero[done], decided[done], rejected)
    evidence = Evidence(
        items=items,
        states=np.array(columns[10:], dtype=np.int8).reshape(len(items), n).T.copy(),
        connected=connected > 0,
        touches=touches,
        segment=segment,
        source=np.array(columns[6], dtype=object),
        age_days=age,
        ae_rejection=_smoothed(pair_rejected, pair_n, team_rejected, team_n),
    )
    stored = np.array([np.nan if s is None else s for s in columns[4]], dtype=float)
    return History(
        rows=evidence,
        y=y.astype(float),
        times=created / 1e6,
        rates=_rates(ae, segment, (1 - y).astype(float)),
        stored=stored,
    )


def _rates(ae: np.ndarray, segment: np.ndarray, rejected: np.ndarray) -> dict:
    """The smoothed rejection shares with every decision counted (keys "ae|segment",
    "|segment" and "" for the team), for scoring new leads."""
    rates = {"": float(_smoothed(0, 0, rejected.sum(), len(rejected)))}
    if not len(ae):
        return rates
    segments, seg = np.unique(segment.astype(str), return_inverse=True)
    for keys, label in (
        (seg, lambda k: f"|{segments[k]}"),
        (ae.astype(np.int64) * len(segments) + seg, None),
    ):
        groups, inverse = np.unique(keys, return_inverse=True)
        n = np.bincount(inverse)
        r = np.bincount(inverse, weights=rejected)
        shares = _smoothed(r, n, rejected.sum(), len(rejected))
        for g, share in zip(groups.tolist(), shares.tolist(), strict=True):
            key = label(g) if label else f"{g // len(segments)}|{segments[g % len(segments)]}"
            rates[key] = share
    return rates


def rejection_rate(rates: dict, ae_id: int | None, segment: str) -> float:
    """The AE's smoothed rejection share for the segment from a model's stored shares; the
    segment's share over every AE without an AE, the team's without either."""
    if ae_id is not None and f"{ae_id}|{segment}" in rates:
        return rates[f"{ae_id}|{segment}"]
    return rates.get(f"|{segment}", rates.get("", DEFAULT_REJECTION))


def open_leads(team: Team):
    """The team's leads that could be handed off now: owned by an SDR on the team today, in a
    stage a handoff starts from."""
    today = team.local_today()
    owners = StaffingRecord.objects.active_on(today).filter(team=team, role=Role.SDR)
    return Lead.objects.filter(
        owner_id__in=owners.values("person_id"), stage__in=list(HANDOFF_FROM)
    )


def leads_now(
    leads,
    *,
    items: list[str],
    rates: dict | None = None,
    ae_id: int | None = None,
    many: bool = False,
) -> tuple[list, Evidence]:
    """The leads' ids and evidence as it stands now, in one query whatever their number
    (`leads`: a queryset of leads, or one lead's id; `many`: a batch over a team, read
    without PostgreSQL's JIT)."""
    now = timezone.now()
    lead, account = Lead._meta.db_table, Account._meta.db_table
    activity, answer = Activity._meta.db_table, QualificationAnswer._meta.db_table
    if isinstance(leads, int):
        where, where_params = "l.id = %s", [leads]
    else:
        subquery, where_params = leads.values("pk").query.sql_with_params()
        where, where_params = f"l.id IN ({subquery})", list(where_params)
    states = [
        _code(f"(SELECT q.status FROM {answer} q WHERE q.lead_id = l.id AND q.item = %s)")
        for _item in items
    ]
    sql = f"""
    SELECT l.id, a.segment, l.source, {_epoch("l.created_at")},
           (SELECT COUNT(*) FROM {activity} t WHERE t.lead_id = l.id),
           (SELECT COUNT(*) FROM {activity} t
            WHERE t.lead_id = l.id AND t.type = %s AND t.outcome = %s)
           {"".join(", " + s for s in states)}
    FROM {lead} l JOIN {account} a ON a.id = l.account_id
    WHERE {where}
    ORDER BY l.id
    """
    params = [Activity.Type.CALL, Activity.Outcome.CONNECTED, *items, *where_params]
    with _big_read() if many else nullcontext():
        data = _fetch(sql, params)
    n = len(data)
    columns = list(zip(*data, strict=True)) if n else [()] * (6 + len(items))
    segment = np.array(columns[1], dtype=object)
    rates = rates or {}
    by_segment = {s: rejection_rate(rates, ae_id, s) for s in set(columns[1])}
    evidence = Evidence(
        items=list(items),
        states=np.array(columns[6:], dtype=np.int8).reshape(len(items), n).T.copy(),
        connected=np.array(columns[5], dtype=float) > 0,
        touches=np.array(columns[4], dtype=float),
        segment=segment,
        source=np.array(columns[2], dtype=object),
        age_days=(now.timestamp() - np.array(columns[3], dtype=float)) / 86400,
        ae_rejection=np.array([by_segment[s] for s in columns[1]], dtype=float),
    )
    return list(columns[0]), evidence
