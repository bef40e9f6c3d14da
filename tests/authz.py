"""The objects and actors of the authorization matrix (tests/test_authorization.py)."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone

from handoffs import domain as handoff_domain
from handoffs.domain import reviews
from handoffs.models import Handoff, Opportunity
from leads.domain import calllists
from leads.models import CallList
from meetings.models import Meeting
from telephony.models import Call

from .factories import LeadFactory
from .test_reviews import make_handoff

ACTORS = [
    "anonymous",
    "sdr_owner",
    "sdr_same_team",
    "sdr_other_team",
    "manager_own_team",
    "manager_other_team",
    "ae_addressee",
    "other_ae",
    "stakeholder",
    "admin",
]
PERSONA = {
    "sdr_owner": "alice",
    "sdr_same_team": "bob",
    "sdr_other_team": "carol",
    "manager_own_team": "mia",
    "manager_other_team": "otto",
    "ae_addressee": "aaron",
    "other_ae": "ada",
    "stakeholder": "stella",
    "admin": "root",
}


@dataclass
class World:
    """One of everything, owned by alice (SDR, enterprise-desk) and addressed to aaron (AE)."""

    lead: object
    pending: Handoff
    accepted: Handoff
    opportunity: Opportunity
    review: object
    praise: object
    call_list: CallList
    entry: object
    call: object = None
    meeting: object = None


def build_world(org) -> World:
    pending = make_handoff(org)
    accepted = make_handoff(org)
    opportunity = handoff_domain.accept(accepted.pk, by=org.aaron, amount=Decimal("1000000"))
    review = reviews.record_review(
        accepted, by=org.mia, rating="exemplary", feedback="Good work on the pain."
    )
    praise = reviews.share_praise(review, by=org.mia, note="Found the real pain")
    handoff_domain.set_capacity(org.aaron, by=org.aaron, normal=8)
    lead = LeadFactory(owner=org.alice, stage="working")
    calllists.build_call_lists(org.desk, org.desk.local_today())
    call_list = CallList.objects.get(sdr=org.alice, day=org.desk.local_today())
    entry = call_list.entries.order_by("position").first()
    assert entry is not None, "alice's list has entries"
    assert timezone.now()
    call = Call.objects.create(
        team=org.desk,
        call_id="authz-1",
        direction="inbound",
        remote_number="+8225551234",
        sdr=org.alice,
        started_at=timezone.now(),
    )
    starts = timezone.now() + datetime.timedelta(days=2)
    meeting = Meeting.objects.create(
        handoff=pending,
        ae=org.aaron,
        booked_by=org.alice,
        status="booked",
        starts_at=starts,
        ends_at=starts + datetime.timedelta(minutes=30),
    )
    return World(
        lead, pending, accepted, opportunity, review, praise, call_list, entry, call, meeting
    )
