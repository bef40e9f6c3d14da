"""Every lead has its stage entry row (metrics.StageEntry) carrying its owner and creation
time, whichever path wrote the lead: a save, a bulk create, a reassignment's UPDATE of many
leads, a changed creation time, the history import. The funnel reads that row alone, so a
lead given to another team's SDR moves to that team's funnel."""

import datetime

from django.db.models import F

from leads.domain.leads import reassign_many
from leads.imports import create_leads
from leads.models import Account, Lead
from metrics import kpis, stage_entries
from metrics.models import StageEntry

from .factories import LeadFactory

W47 = "2026-W47"


def rows_follow_the_leads() -> bool:
    same = StageEntry.objects.filter(
        owner_id=F("lead__owner_id"), created_at=F("lead__created_at")
    ).count()
    return same == StageEntry.objects.count() == Lead.objects.count()


def test_a_saved_lead_and_a_bulk_created_one_have_their_row(org):
    LeadFactory(owner=org.alice)
    account = Account.objects.create(name="Bulk Co")
    create_leads(
        [
            Lead(account=account, owner=org.bob, source="inbound", first_name=f"L{n}")
            for n in range(3)
        ],
        by=None,
        record=False,
    )
    assert Lead.objects.count() == 4
    assert rows_follow_the_leads()


def test_a_reassignment_and_a_new_creation_time_follow_to_the_row(org):
    leads = [LeadFactory(owner=org.alice) for _ in range(3)]
    reassign_many(
        Lead.objects.filter(pk__in=[lead.pk for lead in leads]), by=org.root, to=org.carol
    )
    Lead.objects.filter(pk=leads[0].pk).update(
        created_at=datetime.datetime(2026, 1, 5, tzinfo=datetime.UTC)
    )
    assert set(StageEntry.objects.values_list("owner_id", flat=True)) == {org.carol.pk}
    assert rows_follow_the_leads()


def test_the_entry_times_written_again_keep_the_leads_columns(org):
    lead = LeadFactory(owner=org.alice)
    StageEntry.objects.all().delete()
    stage_entries.refresh([lead.pk])
    assert rows_follow_the_leads()
    stage_entries.refresh_all()
    assert rows_follow_the_leads()


def test_a_lead_given_to_another_teams_sdr_leaves_the_funnel(org):
    week = kpis.Week.parse(org.desk, W47)
    lead = LeadFactory(owner=org.alice, created_at=week.start + datetime.timedelta(days=1))
    entered = kpis.stage_counts([week])["new", 0][0]
    assert entered == 1
    reassign_many(Lead.objects.filter(pk=lead.pk), by=org.root, to=org.carol)
    assert kpis.stage_counts([week])["new", 0][0] == 0
    growth = kpis.Week.parse(org.growth, W47)
    assert kpis.stage_counts([growth])["new", 0][0] == 1
