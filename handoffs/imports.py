"""Bulk writes of the handoffs app's own tables (handoffs and opportunities) and the rules of
their rows in the history import; the demo writes through the same functions."""

from django.utils.translation import gettext as _

from sdr_ops.csvfiles import Checker, model_fields
from sdr_ops.imports import People
from sdr_ops.models import User

from .models import Certainty, Handoff, Opportunity, RejectionReason

HANDOFF_COLUMNS = [
    "external_id",
    "lead_external_id",
    "sdr_email",
    "ae_email",
    "created_at",
    "certainty",
    "note",
    "status",
    "decided_at",
    "rejection_reason",
]
HANDOFF_REQUIRED = [
    c for c in HANDOFF_COLUMNS if c not in ("note", "decided_at", "rejection_reason")
]
OPPORTUNITY_COLUMNS = [
    "handoff_external_id",
    "amount_at_creation",
    "created_at",
    "status",
    "amount_at_close",
    "closed_at",
]
OPPORTUNITY_REQUIRED = ["handoff_external_id", "amount_at_creation", "created_at", "status"]
BATCH = 1000
# The choices, read once (an enum's `values` is built anew on every read).
CERTAINTIES, REASONS = Certainty.values, RejectionReason.values
HANDOFF_STATUSES, OPPORTUNITY_STATUSES = Handoff.Status.values, Opportunity.Status.values


HANDOFF_FIELDS = model_fields(
    Handoff, "external_id", lead_external_id="external_id"
) | model_fields(User, sdr_email="email", ae_email="email")
OPPORTUNITY_FIELDS = model_fields(Handoff, handoff_external_id="external_id")


class Known:
    """The handoffs the import may refer to: in the database (within the manager's team) and
    in handoffs.csv, with their status and SDR."""

    def __init__(self, people: People):
        rows = Handoff.objects.exclude(external_id=None).values_list(
            "external_id", "status", "sdr__email", "lead__owner__email"
        )
        self.status: dict[str, str] = {}
        self.sdr: dict[str, str] = {}
        self.taken: set[str] = set()
        for external_id, status, sdr, owner in rows:
            self.taken.add(external_id)
            if people.in_scope(owner):
                self.status[external_id], self.sdr[external_id] = status, sdr


def check_handoffs(
    rows: list[tuple[int, dict]], c: Checker, *, people: People, lead_ids: set[str]
) -> tuple[list[dict], Known]:
    """Checks the rows of handoffs.csv: `lead_ids` are the leads it may name. Returns the good
    rows and the handoffs opportunities.csv may name."""
    known = Known(people)
    good = []
    for line, v in rows:
        c.at(line).required(v, HANDOFF_REQUIRED)
        c.cells(v, HANDOFF_FIELDS)
        c.choice(v, "certainty", CERTAINTIES)
        status = c.choice(v, "status", HANDOFF_STATUSES)
        sdr, ae = v.get("sdr_email", "").lower(), v.get("ae_email", "").lower()
        if v.get("lead_external_id") and v["lead_external_id"] not in lead_ids:
            c.error("lead_external_id", _("no lead with this external_id"))
        if sdr and sdr not in people.known:
            c.error("sdr_email", _("no person with this e-mail"))
        if ae and ae not in people.active_aes:
            c.error("ae_email", _("no active AE with this e-mail"))
        people.outside_team(c, "sdr_email", sdr)
        ref = v.get("external_id", "")
        if ref in known.taken and ref not in known.status:
            c.error("external_id", _("this external_id is taken"))
        created = c.moment(v, "created_at", people.zone(sdr))
        decided = c.moment(v, "decided_at", people.zone(sdr))
        if status and status != "pending" and not v.get("decided_at"):
            c.error("decided_at", _("required unless pending"))
        reason = v.get("rejection_reason", "")
        if status == "rejected" and not reason:
            c.error("rejection_reason", _("required when rejected"))
        elif reason and reason not in REASONS:
            c.error(
                "rejection_reason",
                _("must be one of %(c)s") % {"c": ", ".join(REASONS)},
            )
        if not c.bad:
            fields = {"external_id": ref, "certainty": v["certainty"], "status": status}
            fields |= {"created_at": created, "decided_at": decided, "comment": v["note"]}
            fields["rejection_reason"] = reason
            good.append({**v, "sdr_email": sdr, "ae_email": ae, "fields": fields})
            known.status.setdefault(ref, status)
            known.sdr.setdefault(ref, sdr)
    return good, known


def check_opportunities(
    rows: list[tuple[int, dict]], c: Checker, *, people: People, known: Known
) -> list[dict]:
    """Checks the rows of opportunities.csv against the handoffs they may name."""
    good = []
    amount_field = Opportunity._meta.get_field("amount_at_creation")
    for line, v in rows:
        c.at(line).required(v, OPPORTUNITY_REQUIRED)
        c.cells(v, OPPORTUNITY_FIELDS)
        status = c.choice(v, "status", OPPORTUNITY_STATUSES)
        ref = v.get("handoff_external_id", "")
        if ref and ref not in known.status:
            c.error("handoff_external_id", _("no handoff with this external_id"))
        elif ref and known.status[ref] != "accepted":
            c.error("handoff_external_id", _("the handoff must be accepted"))
        created_amount = c.amount(v, "amount_at_creation", amount_field)
        closed_amount = c.amount(v, "amount_at_close", amount_field)
        zone = people.zone(known.sdr.get(ref, ""))
        created = c.moment(v, "created_at", zone)
        closed = c.moment(v, "closed_at", zone)
        if status and status != "open":
            for column in ("amount_at_close", "closed_at"):
                if not v.get(column):
                    c.error(column, _("required unless open"))
        if not c.bad:
            fields = {"amount_at_creation": created_amount, "amount_at_close": closed_amount}
            fields |= {"created_at": created, "closed_at": closed, "status": status}
            good.append({**v, "fields": fields})
    return good


def handoffs_of(rows: list[dict], *, lead_pk: dict[str, int], users: dict[str, User]):
    """The unsaved handoffs of checked rows."""
    return [
        Handoff(
            lead_id=lead_pk[row["lead_external_id"]],
            sdr=users[row["sdr_email"]],
            ae=users[row["ae_email"]],
            **row["fields"],
        )
        for row in rows
    ]


def opportunities_of(rows: list[dict], *, handoff_pk: dict[str, int]) -> list[Opportunity]:
    """The unsaved opportunities of checked rows."""
    return [
        Opportunity(handoff_id=handoff_pk[row["handoff_external_id"]], **row["fields"])
        for row in rows
    ]


def create_handoffs(handoffs: list[Handoff]) -> list[Handoff]:
    """Writes handoffs in bulk; one whose external id is already there is left out. Returns
    the handoffs written."""
    taken = set(Handoff.objects.exclude(external_id=None).values_list("external_id", flat=True))
    fresh = [h for h in handoffs if not h.external_id or h.external_id not in taken]
    Handoff.objects.bulk_create(fresh, batch_size=BATCH)
    return fresh


def create_opportunities(opportunities: list[Opportunity]) -> list[Opportunity]:
    """Writes opportunities in bulk; a handoff that already has one keeps it. Returns the
    opportunities written."""
    has_one = set(Opportunity.objects.values_list("handoff_id", flat=True))
    fresh = [o for o in opportunities if o.handoff_id not in has_one]
    Opportunity.objects.bulk_create(fresh, batch_size=BATCH)
    return fresh
