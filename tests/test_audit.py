"""The audit trail: every state change that matters, with actor and time, on the object's
page for those who may see it, including the changes of the bulk paths."""

from decimal import Decimal

from django.urls import reverse

from handoffs import domain as handoff_domain
from leads import importer
from sdr_ops.models import AuditEvent

from .authz import build_world
from .test_import_history import files
from .test_import_leads import SEOUL, csv_bytes, good_row


def actions(**filters) -> list[tuple]:
    return list(
        AuditEvent.objects.filter(**filters)
        .order_by("at", "pk")
        .values_list("subject", "action", "before", "after")
    )


def test_every_change_of_a_handoffs_life_is_recorded_with_its_actor(org):
    world = build_world(org)
    handoff_domain.update_amount(world.opportunity.pk, by=org.aaron, amount=Decimal("1200000"))
    handoff_domain.close_won(world.opportunity.pk, by=org.aaron, amount_at_close=Decimal("1300000"))
    trail = actions(lead_id=world.accepted.lead_id)
    kinds = [(subject, action) for subject, action, _b, _a in trail]
    for expected in [
        ("handoff", "handed_off"),
        ("lead", "stage"),
        ("handoff", "accepted"),
        ("opportunity", "created"),
        ("review", "reviewed"),
        ("opportunity", "amount"),
        ("opportunity", "won"),
    ]:
        assert expected in kinds, expected
    assert ("opportunity", "amount", "1000000", "1200000") in trail
    won = AuditEvent.objects.get(subject="opportunity", action="won")
    assert (won.actor, won.after) == (org.aaron, "1300000")


def test_a_rejection_and_capacity_changes_are_recorded(org):
    world = build_world(org)
    handoff_domain.reject(world.pending.pk, by=org.aaron, reason="no_need")
    handoff_domain.set_capacity(org.aaron, by=org.mia, normal=4)
    assert actions(subject="handoff", subject_id=world.pending.pk)[-1][1:] == (
        "rejected",
        "",
        "no_need",
    )
    capacity = AuditEvent.objects.filter(subject="capacity", subject_id=org.aaron.pk)
    assert [(e.actor, e.before, e.after) for e in capacity.order_by("pk")][-1] == (
        org.mia,
        "8",
        "4",
    )


def test_bulk_imports_leave_a_trail_too(org, tmp_path):
    result = importer.check_leads(
        csv_bytes(good_row(1)), filename="leads.csv", by=org.mia, zone=SEOUL
    )
    importer.import_leads(result, by=org.mia)
    assert AuditEvent.objects.filter(action="imported", actor=org.mia).count() == 1
    from metrics import history

    plan = history.check(files())
    history.write(plan)
    assert AuditEvent.objects.filter(action="imported", via="import", actor=None).count() == 2
    assert AuditEvent.objects.filter(action="stage", via="import", after="won").count() == 1


def test_the_trail_is_on_the_lead_brief_for_those_who_see_the_lead(client, org):
    world = build_world(org)
    url = reverse("lead-brief", args=[world.accepted.lead_id])
    client.force_login(org.mia)
    html = client.get(url).content.decode()
    assert 'id="audit-trail"' in html and 'data-action="accepted"' in html
    assert 'data-action="reviewed"' in html
    client.force_login(org.aaron)  # the AE it was handed to sees it, without the review
    html = client.get(url).content.decode()
    assert 'data-action="accepted"' in html and 'data-action="reviewed"' not in html
    client.force_login(org.otto)
    assert client.get(url).status_code == 404


def test_the_capacity_page_shows_its_changes(client, org):
    handoff_domain.set_capacity(org.aaron, by=org.aaron, normal=6)
    client.force_login(org.mia)
    html = client.get(reverse("capacity-edit", args=[org.aaron.pk])).content.decode()
    assert 'data-action="capacity"' in html


def test_checklist_changes_are_recorded(org):
    from leads import domain

    lead = build_world(org).lead
    domain.set_qualification(lead, item="budget", status="confirmed", by=org.alice, answer="50M")
    domain.set_qualification(lead, item="budget", status="not_asked", by=org.alice, reason="Later")
    assert actions(lead_id=lead.pk, action="qualification") == [
        ("lead", "qualification", "", "confirmed"),
        ("lead", "qualification", "confirmed", "not_asked"),
    ]
