"""Benchmark of the certainty score on PostgreSQL (run by hand, never in the tests).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sdr_ops_bench \
        .venv/bin/python bench/certainty.py [--handoffs 200000] [--open-leads 100000]

It creates its own data in the database DATABASE_URL names (after migrating it; every table
of the app is emptied first, so never point it at real data): one SDR team of 20 SDRs, 10 AEs,
`--handoffs` decided handoffs with frozen checklists whose outcome follows a known signal
(budget not asked halves acceptance, as in certainty/synthetic.py), connected calls before
60 % of them, and `--open-leads` open leads with four checklist answers each. Then it times:

1. training the team's model: `certainty.domain.train_team` (reading every decided handoff
   with its evidence, fitting, judging on the held-out period, storing the version);
2. scoring one lead as the handoff form and the brief do (`scoring.assess`, its queries
   included), median and 95th percentile over 200 leads;
3. the nightly batch: `certainty.domain.store_scores` (every open lead read, scored in one
   matrix product, the scores written for the call list).

It prints each figure beside its target and exits 1 when the model misses the signal.
"""

import argparse
import json
import os
import statistics
import sys
import time
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sdr_ops.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from bench.data import empty_app_tables, insert_select, run  # noqa: E402
from certainty import domain, features, model, scoring  # noqa: E402
from handoffs.models import Handoff  # noqa: E402
from leads.models import Account, Activity, Lead, LeadScore, QualificationAnswer  # noqa: E402
from sdr_ops.models import StaffingRecord, Team, User  # noqa: E402

SDRS, AES = 20, 10
ITEMS = ["budget", "approval_process", "need", "timing"]


def draw(salt: str, modulo: int) -> str:
    """A pseudo-random number 0..modulo-1 of the lead, independent for each salt."""
    return f"((('x' || substr(md5('{salt}' || l.id), 1, 8))::bit(32)::bigint) %% {modulo})"


# A lead's item state: 50 % confirmed, 20 % not disclosed, 30 % not asked.
STATE = """CASE {n} WHEN 0 THEN 'not_disclosed' WHEN 1 THEN 'not_disclosed' WHEN 2 THEN
    'not_asked' WHEN 3 THEN 'not_asked' WHEN 4 THEN 'not_asked' ELSE 'confirmed' END"""


def generate(handoffs: int, open_leads: int) -> None:
    print(f"generating {handoffs:,} decided handoffs, {open_leads:,} open leads ...", flush=True)
    started = time.monotonic()
    empty_app_tables()
    p = {"sdrs": SDRS, "aes": AES, "handoffs": handoffs, "all": handoffs + open_leads}
    insert_select(Team, {"slug": "'bench-desk'", "name": "'Bench desk'"}, "", p)
    for role, count in (("sdr", "sdrs"), ("ae", "aes")):
        insert_select(
            User,
            {
                "password": "'!'",
                "first_name": f"'{role.upper()}'",
                "last_name": "s::text",
                "email": f"'{role}' || s || '@bench.test'",
                "role": f"'{role}'",
            },
            f"FROM generate_series(1, %({count})s) s",
            p,
        )
    insert_select(
        StaffingRecord,
        {
            "person_id": "u.id",
            "team_id": "t.id",
            "role": "'sdr'",
            "start_date": "DATE '2025-01-01'",
            "reason": "'hired'",
        },
        "FROM sdr_ops_user u CROSS JOIN sdr_ops_team t WHERE u.role = 'sdr'",
    )
    insert_select(
        Account,
        {
            "name": "'Account ' || a",
            "segment": """CASE a %% 3 WHEN 0 THEN 'enterprise' WHEN 1 THEN 'mid_market'
                ELSE 'smb' END""",
        },
        "FROM generate_series(1, 10000) a",
    )
    # Leads 1..handoffs were handed off and decided; the rest are open (stage working).
    insert_select(
        Lead,
        {
            "account_id": "1 + (i * 7) %% 10000",
            "first_name": "'Lead'",
            "last_name": "i::text",
            "email": "'l' || i || '@x.test'",
            "source": """CASE i %% 5 WHEN 0 THEN 'inbound' WHEN 1 THEN 'outbound'
                WHEN 2 THEN 'event' WHEN 3 THEN 'referral' ELSE 'other' END""",
            "owner_id": "1 + i %% %(sdrs)s",
            "stage": "CASE WHEN i <= %(handoffs)s THEN 'disqualified' ELSE 'working' END",
            "created_at": """TIMESTAMPTZ '2026-11-29 18:00+09'
                - (%(all)s - i) * INTERVAL '2 minutes' - (i %% 40) * INTERVAL '1 day'""",
        },
        "FROM generate_series(1, %(all)s) i",
        p,
    )
    insert_select(
        Activity,
        {
            "lead_id": "l.id",
            "sdr_id": "l.owner_id",
            "type": "'call'",
            "outcome": "'connected'",
            "started_at": "l.created_at + INTERVAL '1 hour'",
            "duration_seconds": "240",
        },
        f"FROM leads_lead l WHERE {draw('call', 10)} < 6",
    )
    states = {item: STATE.format(n=draw(item, 10)) for item in ITEMS}
    checklist = (
        "jsonb_build_array("
        + ", ".join(
            f"jsonb_build_object('item', '{item}', 'label', '{item}', 'status', {states[item]})"
            for item in ITEMS
        )
        + ")"
    )
    budget_asked = f"({states['budget']}) <> 'not_asked'"
    accepted = f"(CASE WHEN {budget_asked} THEN 70 ELSE 35 END) > {draw('outcome', 100)}"
    insert_select(
        Handoff,
        {
            "lead_id": "l.id",
            "sdr_id": "l.owner_id",
            "ae_id": "%(sdrs)s + 1 + l.id %% %(aes)s",
            "created_at": "l.created_at + INTERVAL '3 days'",
            "certainty": "'B'",
            "checklist": checklist,
            "status": f"CASE WHEN {accepted} THEN 'accepted' ELSE 'rejected' END",
            "decided_at": "l.created_at + INTERVAL '4 days'",
            "rejection_reason": f"CASE WHEN {accepted} THEN '' ELSE 'no_budget' END",
        },
        "FROM leads_lead l WHERE l.id <= %(handoffs)s",
        p,
    )
    for item in ITEMS:
        insert_select(
            QualificationAnswer,
            {"lead_id": "l.id", "item": f"'{item}'", "status": states[item]},
            "FROM leads_lead l WHERE l.id > %(handoffs)s",
            p,
        )
    run("ANALYZE")
    print(f"  generated in {time.monotonic() - started:.1f} s", flush=True)


class Phases:
    """Wall time spent inside named functions of the app while a step runs (the share of
    each phase, so that a reader can judge the step on a machine shared with others)."""

    def __init__(self, **targets):
        self.targets = targets  # label -> (module, function name)
        self.spent = dict.fromkeys(targets, 0.0)

    @contextmanager
    def watching(self):
        saved = {}
        for label, (module, name) in self.targets.items():
            original = getattr(module, name)
            saved[label] = (module, name, original)

            def timed(*args, _original=original, _label=label, **kwargs):
                t = time.perf_counter()
                try:
                    return _original(*args, **kwargs)
                finally:
                    self.spent[_label] += time.perf_counter() - t

            setattr(module, name, timed)
        try:
            yield self
        finally:
            for module, name, original in saved.values():
                setattr(module, name, original)

    def shares(self, total: float) -> str:
        parts = [f"{label} {t:.2f} s ({t / total:.0%})" for label, t in self.spent.items()]
        rest = total - sum(self.spent.values())
        return ", ".join([*parts, f"the rest {rest:.2f} s ({rest / total:.0%})"])


def load() -> str:
    return "load average " + " ".join(f"{v:.2f}" for v in os.getloadavg())


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--handoffs", type=int, default=200_000)
    parser.add_argument("--open-leads", type=int, default=100_000)
    parser.add_argument("--skip-generate", action="store_true")
    parser.add_argument("--repeat", type=int, default=1, help="times each step is run")
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    if not args.skip_generate:
        generate(args.handoffs, args.open_leads)
    team = Team.objects.get(slug="bench-desk")

    for _ in range(args.repeat):
        # Training: the read of the evidence, the fit, and the rest (judging on the held-out
        # period against the version in use, storing the version with its card).
        print(load(), flush=True)
        phases = Phases(read=(features, "history"), fit=(model, "fit"))
        started, cpu = time.monotonic(), time.process_time()
        with phases.watching():
            version = domain.train_team(team)
        train, train_cpu = time.monotonic() - started, time.process_time() - cpu
        if version is None:
            print("too few decided handoffs to train")
            return 1
        coef = dict(zip(version.params["features"], version.params["coef"], strict=True))
        print(
            f"train on {version.n_train + version.n_holdout:,} decided handoffs: {train:.2f} s "
            f"(target < 30 s; {train_cpu:.2f} s of this process's CPU); "
            f"AUC {version.auc:.3f}, Brier {version.brier:.4f}, "
            f"budget confirmed {coef['item:budget:confirmed']:+.2f}\n"
            f"  {phases.shares(train)}; {load()}",
            flush=True,
        )

    leads = list(Lead.objects.filter(stage="working").select_related("owner").order_by("pk")[:200])
    for lead in leads[:5]:
        scoring.assess(lead, team=team)  # warm-up
    with CaptureQueriesContext(connection) as queries:
        scoring.assess(leads[0], team=team)
    # What the database itself spends on them (planning and execution, by EXPLAIN ANALYZE):
    # the part of a score's time that does not grow with the load of the machine's other users.
    own = []
    with connection.cursor() as cursor:
        for query in queries.captured_queries:
            for _ in range(3):
                cursor.execute(f"EXPLAIN (ANALYZE, FORMAT JSON) {query['sql']}")
            plan = cursor.fetchone()[0]
            plan = plan[0] if isinstance(plan, list) else json.loads(plan)[0]
            own.append(plan["Planning Time"] + plan["Execution Time"])
    print(
        "  the database's own time for them (planning + execution): "
        + " + ".join(f"{t:.2f}" for t in own)
        + " ms"
    )
    for _ in range(args.repeat):
        times = []
        for lead in leads:
            t = time.perf_counter()
            scoring.assess(lead, team=team)
            times.append((time.perf_counter() - t) * 1000)
        times.sort()
        p95 = times[int(len(times) * 0.95) - 1]
        print(
            f"score one lead ({len(queries.captured_queries)} queries): median "
            f"{statistics.median(times):.2f} ms, 95th percentile {p95:.2f} ms "
            f"(target < 5 ms); {load()}",
            flush=True,
        )

    # The computation alone, from evidence already read: what a page pays beyond its queries.
    # (with the version just trained, in use or not: a small smoke run may keep the prior)
    settings = scoring.settings_for(team)
    _ids, rows = features.leads_now(
        Lead.objects.filter(pk__in=[lead.pk for lead in leads]),
        items=features.items_of(version.params["features"]),
        rates=version.params["rates"],
    )
    singles = [rows.row(i) for i in range(len(rows))]
    compute = []
    for one in singles:
        t = time.perf_counter()
        scoring.assessment_of(one, team=team, settings=settings, version=version)
        compute.append((time.perf_counter() - t) * 1000)
    print(
        f"  of which the computation (features, score, explanation): median "
        f"{statistics.median(compute):.3f} ms"
    )

    for _ in range(args.repeat):
        phases = Phases(read=(features, "leads_now"), score=(scoring, "score_rows"))
        started, cpu = time.monotonic(), time.process_time()
        with phases.watching():
            scored = domain.store_scores(team)
        batch, batch_cpu = time.monotonic() - started, time.process_time() - cpu
        print(
            f"batch-score {scored:,} open leads and store them: {batch:.2f} s (target < 10 s; "
            f"{batch_cpu:.2f} s of this process's CPU); "
            f"{LeadScore.objects.count():,} stored\n"
            f"  {phases.shares(batch)} (the rest: the write); {load()}",
            flush=True,
        )
    return 0 if coef["item:budget:confirmed"] > 0 else 1


if __name__ == "__main__":
    sys.exit(main())
