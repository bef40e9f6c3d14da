"""seed_demo builds a deterministic, idempotent demo organisation with a real-looking history."""

import datetime
import io

import pytest
from django.core.management import call_command
from django.db.models import Count, Max, Min
from django.utils import timezone

from cadences.models import Cadence, Enrollment, StepRun
from demo import organisation as demo
from handoffs.models import Capacity, CapacityReduction, Handoff, Opportunity
from leads.models import Account, Activity, Lead, StageChange
from sdr_ops import calendar
from sdr_ops.models import Role, StaffingRecord, Team, User, tenure_month

MODELS = [
    Team,
    User,
    StaffingRecord,
    Account,
    Lead,
    Activity,
    StageChange,
    Handoff,
    Opportunity,
    Capacity,
    CapacityReduction,
    Cadence,
    Enrollment,
    StepRun,
]


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in MODELS}


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    """Seeds twice, once for the whole module; the database is emptied afterwards."""
    with django_db_blocker.unblock():
        out = io.StringIO()
        call_command("seed_demo", stdout=out)
        first = counts()
        call_command("seed_demo", stdout=io.StringIO())
        second = counts()
        yield {"first": first, "second": second, "output": out.getvalue()}
        call_command("flush", "--noinput")


@pytest.mark.django_db
def test_seeding_twice_gives_the_same_counts(seeded):
    assert seeded["first"] == seeded["second"]
    assert seeded["first"]["Lead"] == demo.LEAD_COUNT


@pytest.mark.django_db
def test_the_command_prints_the_demo_logins(seeded):
    assert demo.PASSWORD in seeded["output"]
    assert "mina.park@demo.sdr-ops.test" in seeded["output"]


@pytest.mark.django_db
def test_two_sdr_teams_with_a_manager_each(seeded):
    today = timezone.localdate()
    for slug in ("enterprise-desk", "growth-desk"):
        managers = StaffingRecord.objects.active_on(today).filter(team__slug=slug, role="manager")
        assert managers.count() == 1


@pytest.mark.django_db
def test_sdrs_have_staggered_hire_dates_and_one_moved_teams(seeded):
    today = timezone.localdate()
    sdrs = User.objects.filter(role=Role.SDR, email__endswith=demo.EMAIL_DOMAIN)
    assert sdrs.count() == 8
    months = sorted(
        tenure_month(r.start_date, today)
        for r in StaffingRecord.objects.active_on(today).filter(role="sdr", reason="hired")
    )
    assert months[0] == 0  # new this month
    assert 1 in months  # in month two
    moved = StaffingRecord.objects.values("person").annotate(n=Count("id")).filter(n__gt=1)
    assert moved.count() == 1


@pytest.mark.django_db
def test_aes_have_capacities_and_a_stakeholder_exists(seeded):
    assert Capacity.objects.filter(ae__role=Role.AE).count() == 6
    assert CapacityReduction.objects.filter(capacity=0).exists()
    assert User.objects.filter(role=Role.STAKEHOLDER).count() == 1


@pytest.mark.django_db
def test_twelve_weeks_of_history_across_segments_and_sources(seeded):
    span = Activity.objects.aggregate(first=Min("started_at"), last=Max("started_at"))
    assert span["last"] - span["first"] >= datetime.timedelta(weeks=11)
    assert Lead.objects.values("source").distinct().count() == 5
    assert Lead.objects.values("account__segment").distinct().count() == 3
    statuses = set(Handoff.objects.values_list("status", flat=True))
    assert statuses == {"pending", "accepted", "rejected"}
    assert Opportunity.objects.filter(status="won").exists()
    assert not Handoff.objects.filter(status="accepted", opportunity__isnull=True).exists()


@pytest.mark.django_db
def test_sdrs_find_call_lists_and_answers_waiting(seeded):
    from leads.models import CallListEntry, QualificationAnswer

    assert CallListEntry.objects.filter(reason="Callbacks due").exists()
    assert CallListEntry.objects.filter(reason="New inbound leads").exists()
    assert QualificationAnswer.objects.filter(status="not_disclosed").exclude(questions="").exists()


@pytest.mark.django_db
def test_stages_agree_with_the_history(seeded):
    assert (
        not Lead.objects.filter(stage="opportunity").exclude(handoffs__status="accepted").exists()
    )
    assert not Lead.objects.filter(stage="new").exclude(activities__isnull=True).exists()


@pytest.mark.django_db
def test_tomorrows_list_is_left_as_the_evening_build_leaves_it(seeded):
    from handoffs.models import Handoff as H
    from leads.domain import calllists
    from leads.models import CallList, CallListBuild, CallListEntry

    for team in Team.objects.filter(kind=Team.Kind.SDR, slug__in=[t[0] for t in demo.TEAMS]):
        tomorrow = calllists.next_working_day(team.local_today(), team.zone)
        build = CallListBuild.objects.get(team=team, day=tomorrow)
        assert build.built_at <= timezone.now()
        assert timezone.localtime(build.built_at, team.zone).time() <= team.call_list_build_time
        assert CallList.objects.filter(team=team, day=tomorrow).exists()
        # Every callback agreed for tomorrow that may be called is on tomorrow's list.
        _start, end = calllists.calendar.day_bounds(tomorrow, team.zone)
        callbacks = (
            Lead.objects.filter(
                owner__staffing_records__team=team,
                callback_at__lt=end,
                do_not_call=False,
            )
            .exclude(stage__in=calllists.EXCLUDED_STAGES)
            .exclude(pk__in=H.objects.filter(status="pending").values("lead_id"))
            .distinct()
        )
        listed = set(
            CallListEntry.objects.filter(call_list__day=tomorrow).values_list("lead_id", flat=True)
        )
        assert callbacks.exists()
        assert set(callbacks.values_list("pk", flat=True)) <= listed


# -- the demo tells the method's story, so each page shows what it is for --------------------


def _email(key: str) -> str:
    return f"{key}@{demo.EMAIL_DOMAIN}"


@pytest.mark.django_db
def test_a_budget_never_asked_is_rejected_more_often(seeded):
    decided = Handoff.objects.exclude(status="pending")

    def rejected_share(handoffs) -> float:
        total = handoffs.count()
        return handoffs.filter(status="rejected").count() / total

    unasked = [
        h.pk
        for h in decided.only("pk", "checklist")
        if any(r["item"] == "budget" and r["status"] == "not_asked" for r in h.checklist)
    ]
    assert len(unasked) > 20
    assert rejected_share(decided.filter(pk__in=unasked)) > 1.5 * rejected_share(
        decided.exclude(pk__in=unasked)
    )


@pytest.mark.django_db
def test_answers_differ_and_some_budget_was_asked_once_directly(seeded):
    answers = {
        r.get("answer")
        for h in Handoff.objects.only("checklist")[:400]
        for r in h.checklist
        if r["status"] == "confirmed"
    }
    assert len(answers) >= 8
    assert any(
        r["questions"] == "What is your budget?"
        for h in Handoff.objects.only("checklist")
        for r in h.checklist
        if r["status"] == "not_disclosed"
    )


@pytest.mark.django_db
def test_the_month_one_sdr_calls_less_and_lead_mixes_differ(seeded):
    def calls_per_lead(key: str) -> float:
        person = User.objects.get(email=_email(key))
        calls = Activity.objects.filter(sdr=person, type="call").count()
        return calls / Lead.objects.filter(owner=person).count()

    assert calls_per_lead("eun.song") < 0.6 * calls_per_lead("min.choi")

    def enterprise_share(key: str) -> float:
        leads = Lead.objects.filter(owner__email=_email(key))
        return leads.filter(account__segment="enterprise").count() / leads.count()

    assert enterprise_share("seo.yoon") > 0.55 > 0.2 > enterprise_share("ha.kang")


@pytest.mark.django_db
def test_one_active_cadence_with_leads_at_each_step_and_one_replied(seeded):
    cadence = Cadence.objects.get(team__slug="enterprise-desk", name=demo.CADENCE_NAME)
    assert cadence.status == "active"
    assert [s.type for s in cadence.current().steps.order_by("position")] == [
        "call",
        "email",
        "task",
    ]
    assert cadence.previews.exists()  # the manager previewed its e-mail before activating it
    enrollments = Enrollment.objects.filter(version__cadence=cadence)
    assert {e.sdr.email for e in enrollments} == {_email(demo.CADENCE_SDR)}
    assert sorted(e.step for e in enrollments if e.state == "active") == [1, 2, 3]
    assert [e.finish_reason for e in enrollments if e.state == "finished"] == ["replied"]
    assert all(e.enrolled_at <= timezone.now() for e in enrollments)  # none in the future
    assert StepRun.objects.filter(enrollment__in=enrollments, outcome="sent").count() == 2
    # The call and the task fall due on the first working day from today (Today shows them),
    # the e-mail later.
    team = cadence.team
    first = calendar.add_working_days(timezone.localdate(), 0, team)
    end = calendar.day_bounds(first, team.zone)[1]
    due = {e.step: e.next_due for e in enrollments if e.state == "active"}
    assert due[1] < end and due[3] < end and due[2] > timezone.now()
