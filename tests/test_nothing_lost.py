"""Deleting a lead or a person never takes handoffs, opportunities or history with it."""

import datetime

import pytest
from django.db.models import ProtectedError
from django.utils import timezone

from handoffs.models import Handoff
from leads import domain
from leads.models import Activity, Lead

from .authz import build_world
from .factories import LeadFactory


def test_a_lead_with_activities_cannot_be_deleted(org):
    lead = LeadFactory(owner=org.alice)
    domain.log_activity(
        lead,
        by=org.alice,
        type="call",
        outcome="no_answer",
        started_at=timezone.now() - datetime.timedelta(minutes=5),
    )
    with pytest.raises(ProtectedError):
        lead.delete()
    assert Activity.objects.filter(lead=lead).count() == 1


def test_a_handed_off_lead_and_its_people_cannot_be_deleted(org):
    world = build_world(org)
    with pytest.raises(ProtectedError):
        world.pending.lead.delete()
    for person in (org.alice, org.aaron):
        with pytest.raises(ProtectedError):
            person.delete()
    assert Handoff.objects.filter(pk=world.pending.pk).exists()
    assert Lead.objects.filter(pk=world.pending.lead_id).exists()


def test_a_lead_without_history_can_be_deleted(org):
    lead = LeadFactory(owner=org.alice)
    lead.delete()
    assert not Lead.objects.filter(pk=lead.pk).exists()


def test_a_person_who_leaves_is_deactivated_and_keeps_their_history(client, org):
    world = build_world(org)
    org.alice.is_active = False
    org.alice.save()
    assert Handoff.objects.filter(pk=world.pending.pk, sdr=org.alice).exists()
    client.force_login(org.mia)
    assert world.pending.lead.account.name in client.get("/reviews/").content.decode()
