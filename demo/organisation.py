"""The demo organisation that ``manage.py seed_demo`` builds.

Deterministic for a given day: a fixed random seed, and every date placed relative to the week
of the day it runs, so charts always show the last 12 weeks. Idempotent: the demo's own rows
(leads and handoffs with a ``demo-`` external id, the demo accounts and people's staffing
records) are replaced as a whole, inside one transaction; nothing else is touched.

It sits above every app and writes their tables through the apps' own bulk functions (the ones
the history import uses), so a demo lead is stored the way an imported one is, and its stages
follow from its history by `leads.imports.derive_stages`.
"""

import datetime
import random
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from cadences import domain as cadence_domain
from cadences.domain import previews
from cadences.models import Cadence, EmailVariant, Enrollment
from handoffs.imports import create_handoffs, create_opportunities
from handoffs.models import (
    Capacity,
    CapacityReduction,
    Certainty,
    Handoff,
    Opportunity,
    PraisePost,
    RejectionReason,
    Review,
)
from leads.domain import calllists
from leads.imports import accounts_named, create_activities, create_leads, derive_stages
from leads.models import (
    Account,
    Activity,
    CallList,
    CallListBuild,
    Insight,
    Lead,
    QualificationAnswer,
    QualificationChange,
    Segment,
    Source,
    Stage,
    StageChange,
)
from metrics import stage_entries
from sdr_ops import calendar
from sdr_ops.imports import add_staffing
from sdr_ops.models import Role, StaffingRecord, StaffingRole, Team, User

PASSWORD = "demo-pass-2026"
EMAIL_DOMAIN = "demo.sdr-ops.test"
PREFIX = "demo-"
SEED = 20_260_101
LEAD_COUNT = 5_000
WEEKS = 12

TEAMS = [
    ("enterprise-desk", "Enterprise Desk", Team.Kind.SDR),
    ("growth-desk", "Growth Desk", Team.Kind.SDR),
    ("field-sales", "Field Sales", Team.Kind.SALES),
    ("marketing", "Marketing", Team.Kind.OTHER),
]


@dataclass(frozen=True)
class Person:
    key: str
    first: str
    last: str
    role: str
    # (team slug, start: days before today, end: days before today or None)
    records: tuple[tuple[str, int, int | None], ...]
    capacity: int | None = None
    segment: str = ""


PEOPLE = [
    Person("admin", "Ada", "Admin", Role.ADMIN, ()),
    Person("mina.park", "Mina", "Park", Role.MANAGER, (("enterprise-desk", 900, None),)),
    Person("joon.lee", "Joon", "Lee", Role.MANAGER, (("growth-desk", 700, None),)),
    Person("seo.yoon", "Seo", "Yoon", Role.SDR, (("enterprise-desk", 420, None),)),
    Person("ha.kang", "Ha", "Kang", Role.SDR, (("enterprise-desk", 300, None),)),
    # Second month of tenure: counts half.
    Person("jiwoo.cho", "Jiwoo", "Cho", Role.SDR, (("enterprise-desk", 45, None),)),
    # Moved from Growth Desk to Enterprise Desk five weeks ago; keeps tenure.
    Person(
        "dana.shin",
        "Dana",
        "Shin",
        Role.SDR,
        (("growth-desk", 270, 36), ("enterprise-desk", 35, None)),
    ),
    Person("min.choi", "Min", "Choi", Role.SDR, (("growth-desk", 360, None),)),
    Person("tae.han", "Tae", "Han", Role.SDR, (("growth-desk", 210, None),)),
    Person("woo.jang", "Woo", "Jang", Role.SDR, (("growth-desk", 150, None),)),
    # Joined this month: in training, counts zero.
    Person("eun.song", "Eun", "Song", Role.SDR, (("growth-desk", 6, None),)),
    Person("jae.kim", "Jae", "Kim", Role.AE, (("field-sales", 800, None),), 10, Segment.ENTERPRISE),
    Person("soo.oh", "Soo", "Oh", Role.AE, (("field-sales", 600, None),), 10, Segment.ENTERPRISE),
    Person("hyun.baek", "Hyun", "Baek", Role.AE, (("field-sales", 500, None),), 8),
    Person("yuna.seo", "Yuna", "Seo", Role.AE, (("field-sales", 400, None),), 12, Segment.SMB),
    Person("kyu.lim", "Kyu", "Lim", Role.AE, (("field-sales", 300, None),), 10),
    Person("rin.moon", "Rin", "Moon", Role.AE, (("field-sales", 50, None),), 6),
    Person("ceo.hwang", "Sun", "Hwang", Role.STAKEHOLDER, (("marketing", 1000, None),)),
]

# (AE, capacity during the period, from: days before today, until: days before today, reason)
REDUCTIONS = [
    ("hyun.baek", 0, 3, -11, "Annual leave"),
    ("soo.oh", 5, 10, -4, "Firefighting a troubled account"),
    ("rin.moon", 3, 50, -10, "Ramping up"),
]

FIRST = [
    "Jisoo",
    "Minho",
    "Hana",
    "Sungmin",
    "Yerin",
    "Dohyun",
    "Seojin",
    "Jihoon",
    "Sora",
    "Kevin",
    "Emma",
    "Liam",
    "Yuki",
    "Haruto",
    "Chloe",
    "Daniel",
    "Nari",
    "Bora",
]
LAST = [
    "Kim",
    "Lee",
    "Park",
    "Choi",
    "Jung",
    "Kang",
    "Cho",
    "Yoon",
    "Jang",
    "Lim",
    "Han",
    "Oh",
    "Seo",
    "Shin",
    "Kwon",
    "Hwang",
    "Ahn",
    "Song",
]
TITLES = [
    "CIO",
    "IT Manager",
    "Head of Operations",
    "CFO",
    "Procurement Lead",
    "Sales Director",
    "CTO",
    "Team Lead",
    "Operations Manager",
    "CEO",
]
WORDS_A = [
    "Hanbit",
    "Daehan",
    "Seorim",
    "Blue",
    "Nara",
    "Mirae",
    "Sejong",
    "Taeyang",
    "Hangang",
    "Green",
    "Orbit",
    "Summit",
    "Kumho",
    "Jeil",
    "Saebit",
    "Pacific",
    "Nova",
    "Arirang",
]
WORDS_B = [
    "Logistics",
    "Foods",
    "Chemical",
    "Systems",
    "Motors",
    "Pharma",
    "Retail",
    "Energy",
    "Electronics",
    "Finance",
    "Telecom",
    "Construction",
    "Textiles",
    "Media",
    "Labs",
]
INDUSTRIES = [
    "Manufacturing",
    "Retail",
    "Finance",
    "Healthcare",
    "Logistics",
    "Software",
    "Public sector",
    "Energy",
    "Media",
]
SEGMENT_WEIGHTS = [(Segment.ENTERPRISE, 2), (Segment.MID_MARKET, 3), (Segment.SMB, 5)]
SOURCE_WEIGHTS = [
    (Source.INBOUND, 4),
    (Source.OUTBOUND, 3),
    (Source.EVENT, 1),
    (Source.REFERRAL, 1),
    (Source.OTHER, 1),
]
# The lead mix of each SDR who does not work the team's usual one (idea 12 of the method): Seo
# works slow enterprise leads patiently, Ha farms quick small deals; the others take the mix
# the accounts come in.
LEAD_MIX = {
    "seo.yoon": [(Segment.ENTERPRISE, 7), (Segment.MID_MARKET, 2), (Segment.SMB, 1)],
    "ha.kang": [(Segment.ENTERPRISE, 1), (Segment.MID_MARKET, 2), (Segment.SMB, 7)],
    "min.choi": [(Segment.ENTERPRISE, 1), (Segment.MID_MARKET, 6), (Segment.SMB, 3)],
}
# An SDR in their first month is training: they touch fewer leads and call less often.
TRAINING_MONTH_CALL_SHARE = 0.35

AMOUNT_BY_SEGMENT = {
    Segment.ENTERPRISE: (40_000_000, 250_000_000),
    Segment.MID_MARKET: (10_000_000, 60_000_000),
    Segment.SMB: (2_000_000, 12_000_000),
}
# What the SDRs heard when an item was confirmed, so the handoffs read differently.
ANSWERS = {
    "budget": [
        "About ₩50M set aside in next year's IT budget.",
        "Moved from the legacy maintenance line, around ₩120M.",
        "No fixed budget; the CFO approves case by case under ₩30M.",
        "Budget exists for this quarter only.",
    ],
    "approval_process": [
        "The CFO signs off above ₩30M; the team lead below.",
        "Procurement review, then the board in March.",
        "The CIO decides alone.",
    ],
    "need": [
        "Month-end reporting takes two days by hand.",
        "The current tool cannot handle the volume after the merger.",
        "Sales and support keep customer data in separate sheets.",
    ],
    "timing": [
        "Go-live before July.",
        "Decision at the Q1 budget meeting.",
        "Wants to start the pilot next month.",
    ],
}
# The one direct question the review desk flags ("asked but not disclosed" after it alone).
DIRECT_QUESTION = {
    "budget": "What is your budget?",
    "approval_process": "Who approves this?",
    "need": "Do you need this?",
    "timing": "When will you buy?",
}
NOT_CONNECTED = [Activity.Outcome.NO_ANSWER, Activity.Outcome.BUSY, Activity.Outcome.VOICEMAIL]


# The demo cadence: its team, who built it, whose leads are in it, its steps, and where each
# of those leads stands (working days since it was enrolled, the steps run, replied or not).
CADENCE_TEAM = "enterprise-desk"
CADENCE_NAME = "Enterprise intro"
CADENCE_MANAGER = "mina.park"
CADENCE_SDR = "seo.yoon"
CADENCE_STEPS = [
    cadence_domain.StepData(
        type="call",
        offset_days=0,
        instruction="Introduce yourself; ask when they plan to decide and who signs off.",
        aims_at=["timing", "approval_process"],
    ),
    cadence_domain.StepData(
        type="email",
        offset_days=2,
        variants=[
            cadence_domain.VariantData(
                subject="{{ company }}: following up on our call",
                body=(
                    "Dear {{ first_name }},\n\nThank you for your time on the phone. As promised, "
                    "a short note on how teams like yours plan such projects.\n\n{{ sdr_name }}"
                ),
            )
        ],
    ),
    cadence_domain.StepData(
        type="task", offset_days=3, instruction="Connect on LinkedIn and note what they share."
    ),
]
CADENCE_PLAN = [
    (0, [], False),  # the call step due today: on Today and on the call list
    (1, ["done"], False),  # called yesterday: the e-mail goes two working days after the call
    (5, ["done", "sent"], False),  # e-mailed: the task falls due today
    (4, ["done", "sent"], True),  # replied to the e-mail last night
]


def email_of(key: str) -> str:
    return f"{key}@{EMAIL_DOMAIN}"


def _pick(rng: random.Random, weighted):
    values, weights = zip(*weighted, strict=True)
    return rng.choices(values, weights=weights)[0]


class DemoBuilder:
    """Builds the demo rows in memory, then writes them in bulk."""

    def __init__(self, today: datetime.date):
        self.rng = random.Random(SEED)
        self.today = today
        self.zone = timezone.get_current_timezone()
        # History stops at midnight before the given day, so the same day gives the same rows
        # whatever the hour the command runs at.
        self.now = self.at(today, 0)
        self.counts: dict[str, int] = {}

    def at(self, day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
        return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=self.zone)

    def days_ago(self, n: int) -> datetime.date:
        return self.today - datetime.timedelta(days=n)

    # -- the organisation -------------------------------------------------------------------

    def build_people(self) -> dict[str, User]:
        teams = {}
        for slug, name, kind in TEAMS:
            teams[slug], _ = Team.objects.update_or_create(
                slug=slug, defaults={"name": name, "kind": kind}
            )
        users = {}
        # One hash for every demo account: hashing is slow on purpose, once is enough.
        password = make_password(PASSWORD)
        for person in PEOPLE:
            user, created = User.objects.get_or_create(
                email=email_of(person.key),
                defaults={
                    "first_name": person.first,
                    "last_name": person.last,
                    "role": person.role,
                },
            )
            user.first_name, user.last_name, user.role = person.first, person.last, person.role
            user.is_staff = user.is_superuser = person.role == Role.ADMIN
            user.password = password
            user.save()
            users[person.key] = user
        StaffingRecord.objects.filter(person__in=users.values()).delete()
        add_staffing(
            [
                StaffingRecord(
                    person=users[p.key],
                    team=teams[slug],
                    role=StaffingRole(p.role),
                    start_date=self.days_ago(start),
                    end_date=self.days_ago(end) if end is not None else None,
                    reason=(
                        "moved to another team"
                        if end is not None
                        else "moved from another team"
                        if i
                        else "hired"
                    ),
                )
                for p in PEOPLE
                for i, (slug, start, end) in enumerate(p.records)
            ]
        )
        aes = [p for p in PEOPLE if p.role == Role.AE]
        Capacity.objects.filter(ae__in=[users[p.key] for p in aes]).delete()
        Capacity.objects.bulk_create(
            Capacity(ae=users[p.key], normal=p.capacity, segment=p.segment) for p in aes
        )
        CapacityReduction.objects.filter(ae__in=[users[p.key] for p in aes]).delete()
        CapacityReduction.objects.bulk_create(
            CapacityReduction(
                ae=users[key],
                capacity=capacity,
                start_date=self.days_ago(start),
                end_date=self.days_ago(end),
                reason=reason,
            )
            for key, capacity, start, end, reason in REDUCTIONS
        )
        self.counts["users"] = len(users)
        return users

    # -- leads and their history ------------------------------------------------------------

    def clear_demo_rows(self) -> None:
        demo_leads = Lead.objects.filter(external_id__startswith=PREFIX)
        # The demo cadence goes with its enrollments (which hold its versions).
        demo_cadence = Cadence.objects.filter(team__slug=CADENCE_TEAM, name=CADENCE_NAME)
        Enrollment.objects.filter(version__cadence__in=demo_cadence).delete()
        demo_cadence.delete()
        Enrollment.objects.filter(lead__in=demo_leads).delete()
        PraisePost.objects.filter(review__handoff__lead__in=demo_leads).delete()
        Review.objects.filter(handoff__lead__in=demo_leads).delete()
        Opportunity.objects.filter(handoff__lead__in=demo_leads).delete()
        Handoff.objects.filter(lead__in=demo_leads).delete()
        Activity.objects.filter(lead__in=demo_leads).delete()
        StageChange.objects.filter(lead__in=demo_leads).delete()
        # History is protected from deleting its lead; the demo's own goes first, on purpose.
        Insight.objects.filter(lead__in=demo_leads).delete()
        QualificationChange.objects.filter(lead__in=demo_leads).delete()
        demo_leads.delete()

    def build_accounts(self) -> list[Account]:
        """The demo companies; one that already exists under the same name is reused."""
        rng = self.rng
        wanted = []
        for i in range(1_200):
            name = f"{WORDS_A[i % len(WORDS_A)]} {WORDS_B[(i // len(WORDS_A)) % len(WORDS_B)]}"
            if i >= len(WORDS_A) * len(WORDS_B):
                name += f" {i // (len(WORDS_A) * len(WORDS_B)) + 1}"
            segment = _pick(rng, SEGMENT_WEIGHTS)
            size = {
                Segment.ENTERPRISE: rng.randint(1000, 20000),
                Segment.MID_MARKET: rng.randint(200, 999),
                Segment.SMB: rng.randint(5, 199),
            }[segment]
            wanted.append(
                Account(name=name, segment=segment, size=size, industry=rng.choice(INDUSTRIES))
            )
        existing = accounts_named(wanted)
        return [existing[a.name] for a in wanted]

    def sdr_spans(self, users: dict[str, User]) -> list[tuple[User, datetime.date]]:
        """Each current SDR with the day their present SDR service began."""
        spans = []
        for p in PEOPLE:
            if p.role == Role.SDR:
                first_start = max(start for _, start, _ in p.records)
                spans.append((users[p.key], self.days_ago(first_start)))
        # Still in the first month of their service: in training (the ramp counts them 0).
        self.in_training = {user.pk for user, start in spans if (self.today - start).days < 30}
        self.mix_of = {users[p.key].pk: LEAD_MIX.get(p.key) for p in PEOPLE if p.role == Role.SDR}
        return spans

    def build(self) -> dict[str, int]:
        with transaction.atomic():
            users = self.build_people()
            self.clear_demo_rows()
            accounts = self.build_accounts()
            self.build_leads(users, accounts)
            self.build_cadence(users)
            self.build_call_lists()
        return self.counts

    def build_cadence(self, users: dict[str, User]) -> None:
        """One active three-step cadence of the Enterprise Desk (a call, an e-mail previewed by
        the manager, a task), built and run through the cadence app's own functions: leads of
        the demo SDR at each step, and one that replied, as the weeks would have left them."""
        team = Team.objects.get(slug=CADENCE_TEAM)
        manager, sdr = users[CADENCE_MANAGER], users[CADENCE_SDR]
        cadence = cadence_domain.create_cadence(team, name=CADENCE_NAME, by=manager)
        cadence_domain.save_steps(cadence, CADENCE_STEPS, by=manager)
        previews.preview_current(cadence, lead=previews.pick_lead(team), by=manager)
        cadence = cadence_domain.set_status(cadence, Cadence.Status.ACTIVE, by=manager)
        variant = EmailVariant.objects.get(step__version__cadence=cadence)
        leads = list(
            Lead.objects.filter(
                owner=sdr,
                external_id__startswith=PREFIX,
                stage__in=[Stage.WORKING, Stage.CONNECTED],
            )
            .exclude(email="")
            .order_by("pk")[: len(CADENCE_PLAN)]
        )
        enrolled = 0
        for lead, (working_days_ago, runs, replied) in zip(leads, CADENCE_PLAN, strict=False):
            start = calendar.subtract_working_days(self.at(self.today, 10), working_days_ago, team)
            start = min(start, self.now)  # seeded before 10:00, today's lead is enrolled now
            enrollment = cadence_domain.enrol(lead, cadence, by=sdr, now=start)
            enrolled += 1
            for outcome in runs:
                enrollment.refresh_from_db()
                sent = outcome == "sent"
                cadence_domain.run_step(
                    enrollment,
                    outcome=outcome,
                    by=None if sent else sdr,
                    variant=variant if sent else None,
                    message_id=f"<demo-{enrollment.pk}@{EMAIL_DOMAIN}>" if sent else "",
                    connected=outcome == "done" and enrollment.step == 1,
                    now=enrollment.next_due,
                )
            if replied:
                cadence_domain.finish(
                    enrollment, reason=Enrollment.Reason.REPLIED, by=None, now=self.now
                )
        self.counts["cadence enrollments"] = enrolled

    def build_call_lists(self) -> None:
        """Today's lists (on a working day) and the next working day's, as the nightly job
        would have built them, so the SDR pages have something to work from."""
        teams = list(Team.objects.filter(kind=Team.Kind.SDR, slug__in=[t[0] for t in TEAMS]))
        days = [calllists.next_working_day(self.today)]
        if self.today.weekday() < 5:
            days.insert(0, self.today)
        entries = 0
        for day in days:
            builds = calllists.build_many(teams, day)
            entries += sum(b.entries for b in builds.values())
            # Stamped as the evening build of the working day before: what the nightly job
            # leaves, so tomorrow's list reads "built tonight" and the beat job skips it.
            for team in teams:
                evening = min(
                    timezone.now(),
                    datetime.datetime.combine(
                        self._working_day_before(day, team),
                        team.call_list_build_time,
                        tzinfo=team.zone,
                    ),
                )
                CallListBuild.objects.filter(team=team, day=day).update(built_at=evening)
                CallList.objects.filter(team=team, day=day).update(built_at=evening)
        self.counts["call_list_entries"] = entries

    @staticmethod
    def _working_day_before(day: datetime.date, team: Team) -> datetime.date:
        before = day - datetime.timedelta(days=1)
        while not calendar.is_working_day(before, team.zone):
            before -= datetime.timedelta(days=1)
        return before

    def build_leads(self, users: dict[str, User], accounts: list[Account]) -> None:
        rng = self.rng
        spans = self.sdr_spans(users)
        aes = [users[p.key] for p in PEOPLE if p.role == Role.AE]
        horizon = WEEKS * 7 + 14
        by_segment: dict[str, list[Account]] = {}
        for account in accounts:
            by_segment.setdefault(account.segment, []).append(account)
        leads, plans = [], []
        for n in range(LEAD_COUNT):
            owner, start = spans[n % len(spans)]
            oldest = min(horizon, (self.today - start).days)
            created_day = self.days_ago(rng.randint(1, max(oldest, 1)))
            created_at = self.at(created_day, rng.randint(8, 18), rng.randint(0, 59))
            mix = self.mix_of.get(owner.pk)
            pool = by_segment.get(_pick(rng, mix), accounts) if mix else accounts
            account = pool[rng.randrange(len(pool))]
            first, last = rng.choice(FIRST), rng.choice(LAST)
            lead = Lead(
                external_id=f"{PREFIX}{n + 1:05d}",
                account=account,
                first_name=first,
                last_name=last,
                email=f"{first}.{last}.{n}@example.com".lower(),
                phone=f"+82-2-{rng.randint(1000, 9999)}-{rng.randint(1000, 9999)}",
                title=rng.choice(TITLES),
                source=_pick(rng, SOURCE_WEIGHTS),
                owner=owner,
                do_not_call=rng.random() < 0.02,
                created_at=created_at,
            )
            leads.append(lead)
            plans.append(self.plan_history(lead, aes))
        create_leads(leads, by=None, record=False)
        activities, handoffs, opportunities = [], [], []
        for lead, plan in zip(leads, plans, strict=True):
            for activity in plan["activities"]:
                activity.lead = lead
                activities.append(activity)
            if plan["handoff"]:
                handoff, opportunity = plan["handoff"]
                handoff.lead = lead
                handoffs.append(handoff)
                if opportunity:
                    opportunities.append((handoff, opportunity))
        create_activities(activities)
        create_handoffs(handoffs)
        for handoff, opportunity in opportunities:
            opportunity.handoff = handoff
        create_opportunities([o for _, o in opportunities])
        stage_entries.refresh(lead.pk for lead in leads)  # written in bulk: no signal
        stage_of = {
            pk: stage
            for stage, ids in derive_stages(lead.pk for lead in leads).items()
            for pk in ids
        }
        called_back = []
        for n, lead in enumerate(leads):
            lead.stage = stage_of[lead.pk]
            # Some leads in progress agreed a callback for the coming days.
            if lead.stage in (Stage.WORKING, Stage.CONNECTED) and n % 37 == 0:
                day = calllists.next_working_day(self.today - datetime.timedelta(days=n % 2))
                lead.callback_at = self.at(day, 9 + n % 8, 30)
                called_back.append(lead)
        Lead.objects.bulk_update(called_back, ["callback_at"], batch_size=1000)
        answers = [
            QualificationAnswer(
                lead=handoff.lead,
                item=item["item"],
                status=item["status"],
                answer=item.get("answer", ""),
                questions=item.get("questions", ""),
                reason=item.get("reason", ""),
                updated_by=handoff.sdr,
                updated_at=handoff.created_at,
            )
            for handoff in {h.lead_id: h for h in handoffs}.values()
            for item in handoff.checklist
        ]
        QualificationAnswer.objects.bulk_create(answers, batch_size=2000)
        self.build_reviews(users, handoffs)
        self.build_insights(activities)
        self.counts.update(
            leads=len(leads),
            activities=len(activities),
            handoffs=len(handoffs),
            opportunities=len(opportunities),
        )

    def build_insights(self, activities: list[Activity]) -> None:
        """What prospects said on some connected calls, by topic."""
        rng = self.rng
        quotes = {
            Insight.Topic.PERCEPTION: [
                "We thought you were only for big companies.",
                "Your product looks harder to set up than it is.",
            ],
            Insight.Topic.COMPETITOR: [
                "We are also talking to a local CRM vendor.",
                "Our current tool is free, why switch?",
            ],
            Insight.Topic.FEATURE: [
                "Do you integrate with KakaoTalk?",
                "We need approval workflows in Korean.",
            ],
            Insight.Topic.CONTENT: [
                "Send us a case study from manufacturing.",
                "Is there a security white paper?",
            ],
            Insight.Topic.PRICING: [
                "Per-seat pricing is hard for our budget cycle.",
                "Cheaper than we expected.",
            ],
            Insight.Topic.OTHER: ["Call back after the fiscal year closes."],
        }
        found = []
        for activity in activities:
            if activity.outcome == Activity.Outcome.CONNECTED and rng.random() < 0.12:
                topic = rng.choice(list(quotes))
                found.append(
                    Insight(
                        lead=activity.lead,
                        sdr=activity.sdr,
                        topic=topic,
                        quote=rng.choice(quotes[topic]),
                        created_at=activity.started_at,
                    )
                )
        Insight.objects.bulk_create(found, batch_size=1000)
        self.counts["insights"] = len(found)

    def build_reviews(self, users: dict[str, User], handoffs: list[Handoff]) -> None:
        """Reviews of about a third of the decided handoffs older than a week, by the SDR's
        manager; some exemplary ones shared as praise."""
        rng = self.rng
        manager_of = {}
        for p in PEOPLE:
            if p.role == Role.SDR:
                team = next(slug for slug, _, end in reversed(p.records) if end is None)
                manager_of[users[p.key].pk] = users[
                    "mina.park" if team == "enterprise-desk" else "joon.lee"
                ]
        week_ago = self.now - datetime.timedelta(days=7)
        reviews, praise = [], []
        for handoff in handoffs:
            if handoff.decided_at is None or handoff.created_at > week_ago:
                continue
            if rng.random() > 0.35:
                continue
            rating = rng.choices(list(Review.Rating), weights=[2, 5, 3])[0]
            review = Review(
                handoff=handoff,
                manager=manager_of[handoff.sdr_id],
                rating=rating,
                feedback={
                    Review.Rating.EXEMPLARY: "Clear problem statement and every item asked "
                    "the indirect way. Keep doing this.",
                    Review.Rating.SOLID: "Good handoff. Get the decision date next time.",
                    Review.Rating.NEEDS_WORK: "The budget question was too direct; ask how "
                    "such projects get approved first.",
                }[rating],
                item_notes={"budget": "Ask about the approval process first"}
                if rating == Review.Rating.NEEDS_WORK
                else {},
                created_at=handoff.decided_at + datetime.timedelta(hours=rng.uniform(2, 48)),
            )
            reviews.append(review)
        Review.objects.bulk_create(reviews, batch_size=1000)
        for review in reviews:
            if review.rating == Review.Rating.EXEMPLARY and rng.random() < 0.5:
                praise.append(
                    PraisePost(
                        review=review,
                        sdr=review.handoff.sdr,
                        company=review.handoff.lead.account.name,
                        excerpt=review.handoff.comment,
                        note="Found the real pain behind the "
                        "request and qualified budget without scaring the customer.",
                        created_by=review.manager,
                        created_at=review.created_at,
                    )
                )
        PraisePost.objects.bulk_create(praise, batch_size=1000)
        self.counts.update(reviews=len(reviews), praise=len(praise))

    def plan_history(self, lead: Lead, aes: list[User]) -> dict:
        """Activities and perhaps a handoff for one lead, in time order (its stages follow from
        them: `derive_stages`)."""
        rng = self.rng
        plan: dict = {"activities": [], "handoff": None}
        if rng.random() < 0.12 or lead.do_not_call:
            return plan  # never touched yet
        training = lead.owner.pk in self.in_training
        if training and rng.random() > TRAINING_MONTH_CALL_SHARE:
            return plan  # the new hire has not got to it yet
        moment = lead.created_at + datetime.timedelta(hours=rng.uniform(0.2, 30))
        connected = False
        for _attempt in range(rng.randint(1, 3 if training else 7)):
            if moment > self.now:
                break
            kind = Activity.Type.CALL if rng.random() < 0.75 else Activity.Type.EMAIL
            if kind == Activity.Type.EMAIL:
                outcome = Activity.Outcome.REPLIED if rng.random() < 0.2 else Activity.Outcome.SENT
            elif rng.random() < 0.3:
                outcome = Activity.Outcome.CONNECTED
            else:
                outcome = rng.choice(NOT_CONNECTED)
            talk = (
                rng.randint(120, 1200)
                if outcome == Activity.Outcome.CONNECTED
                else (rng.randint(5, 40) if kind == Activity.Type.CALL else 0)
            )
            plan["activities"].append(
                Activity(
                    sdr=lead.owner,
                    type=kind,
                    outcome=outcome,
                    started_at=moment,
                    duration_seconds=talk,
                    notes="Discussed current process and pain points." if talk > 100 else "",
                )
            )
            if outcome == Activity.Outcome.CONNECTED:
                connected = True
            if connected and rng.random() < 0.45:
                break
            moment += datetime.timedelta(days=rng.uniform(0.5, 6))
        if not connected or rng.random() > 0.20:
            return plan
        handoff_at = moment + datetime.timedelta(hours=rng.uniform(1, 48))
        if handoff_at > self.now:
            return plan
        plan["handoff"] = self.plan_handoff(lead, rng.choice(aes), handoff_at)
        return plan

    def plan_handoff(self, lead: Lead, ae: User, created_at: datetime.datetime):
        rng = self.rng
        certainty = rng.choices([Certainty.A, Certainty.B, Certainty.C], weights=[4, 4, 2])[0]
        handoff = Handoff(
            external_id=f"{PREFIX}h-{lead.external_id}",
            sdr=lead.owner,
            ae=ae,
            created_at=created_at,
            certainty=certainty,
            comment=rng.choice(
                [
                    "Their current tool cannot handle the volume after the merger; the CIO wants "
                    "a proposal before the Q1 budget meeting.",
                    "Operations lead is frustrated with manual reporting; budget is moved from the "
                    "legacy maintenance line, approval by the CFO.",
                    "Interested after the webinar; needs a demo for the team lead first.",
                    "Wants a meeting.",
                ]
            ),
            checklist=self.checklist(),
        )
        decide_after = datetime.timedelta(hours=rng.uniform(2, 30))
        if created_at + decide_after > self.now or rng.random() < 0.01:
            return handoff, None
        handoff.decided_at = created_at + decide_after
        accept_rate = {Certainty.A: 0.88, Certainty.B: 0.72, Certainty.C: 0.5}[certainty]
        # A budget never asked is what the AEs turn back most: the qualification evidence on
        # the dashboard shows it as the item to coach.
        budget = next(row["status"] for row in handoff.checklist if row["item"] == "budget")
        if budget == "not_asked":
            accept_rate *= 0.5
        if rng.random() > accept_rate:
            handoff.status = Handoff.Status.REJECTED
            handoff.rejection_reason = (
                RejectionReason.INSUFFICIENT_QUALIFICATION
                if budget == "not_asked" and rng.random() < 0.7
                else rng.choice(list(RejectionReason))
            )
            handoff.rejection_comment = "Could not confirm a project this year."
            return handoff, None
        handoff.status = Handoff.Status.ACCEPTED
        low, high = AMOUNT_BY_SEGMENT[lead.account.segment]
        amount = Decimal(rng.randrange(low, high, 500_000))
        opportunity = Opportunity(amount_at_creation=amount, created_at=handoff.decided_at)
        closed_at = handoff.decided_at + datetime.timedelta(days=rng.uniform(2, 14))
        if closed_at <= self.now and rng.random() < 0.97:
            won = rng.random() < 0.55
            opportunity.status = Opportunity.Status.WON if won else Opportunity.Status.LOST
            drift = Decimal(str(round(rng.uniform(-0.35, 0.15), 2)))
            opportunity.amount_at_close = (
                (amount * (1 + drift)).quantize(Decimal("1")) if won else Decimal(0)
            )
            opportunity.closed_at = closed_at
        return handoff, opportunity

    def checklist(self) -> list[dict]:
        """A checklist as SDRs really fill it in: answers that differ, the indirect questions
        the method asks for and, now and then, the single direct one the desk flags; budget is
        the item most often left unasked."""
        rng = self.rng
        items = []
        for item in ("budget", "approval_process", "need", "timing"):
            roll = rng.random()
            unasked = 0.18 if item == "budget" else 0.07
            if roll < 0.65 - unasked / 2:
                items.append(
                    {"item": item, "status": "confirmed", "answer": rng.choice(ANSWERS[item])}
                )
            elif roll < 1 - unasked:
                items.append(
                    {
                        "item": item,
                        "status": "not_disclosed",
                        "questions": rng.choice(
                            [
                                "How are projects like this usually approved? "
                                "Would budget move from another project?",
                                "Who else would look at a proposal like ours? "
                                "When does your budget year start?",
                                DIRECT_QUESTION[item],
                            ]
                        ),
                    }
                )
            else:
                items.append(
                    {
                        "item": item,
                        "status": "not_asked",
                        "reason": rng.choice(
                            [
                                "The prospect had to leave the call early.",
                                "They will tell us at the visit.",
                                "Felt too early to ask.",
                            ]
                        ),
                    }
                )
        return items


def seed(today: datetime.date | None = None) -> dict[str, int]:
    """Builds (or rebuilds) the demo organisation and returns the counts of what it wrote."""
    return DemoBuilder(today or timezone.localdate()).build()


def demo_logins() -> list[tuple[str, str, str]]:
    """(e-mail, role, team) of every demo account, for the command to print."""
    rows = []
    for p in PEOPLE:
        team = next((slug for slug, _, end in reversed(p.records) if end is None), "")
        rows.append((email_of(p.key), str(Role(p.role).label), team))
    return rows
