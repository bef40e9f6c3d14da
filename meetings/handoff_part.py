"""The meeting part of the handoff form (handoffs.hooks.form_parts): the AE's next free
slots in the AE's zone and the lead's, or no meeting with a reason."""

from django.core.exceptions import ValidationError
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from sdr_ops.models import User

from . import domain, slots
from .models import WorkingHours


def offer_context(request, *, lead, ae_id: str, picked: str = "") -> dict:
    ae_id = str(ae_id)
    # Digits only, and within a 64-bit id: anything else names no user.
    wellformed = ae_id.isascii() and ae_id.isdigit() and len(ae_id) < 19
    ae = User.objects.filter(pk=ae_id, role="ae").first() if wellformed else None
    context = {"lead": lead, "ae": ae, "picked": picked}
    if ae is not None:
        offer = slots.free_slots(ae)
        fallback = request.user.local_zone
        context.update(
            offer=offer,
            ae_zone=offer.zone,
            lead_zone=slots.lead_zone(lead, fallback),
        )
    return context


class MeetingPart:
    def render(self, request, *, lead, ae_id: str) -> str:
        data = request.POST if request.method == "POST" else request.GET
        context = offer_context(
            request, lead=lead, ae_id=ae_id, picked=data.get("meeting_slot", "")
        )
        context.update(
            choice=data.get("meeting", "slot"),
            reason=data.get("no_meeting_reason", ""),
            invite_prospect=bool(data.get("invite_prospect")),
        )
        return render_to_string("meetings/handoff_part.html", context, request=request)

    def apply(self, handoff, data, *, by) -> None:
        if not WorkingHours.objects.filter(ae_id=handoff.ae_id).exists():
            return  # the AE takes no meetings through the app: nothing to book
        if data.get("meeting") == "none":
            domain.hand_off_without_meeting(
                handoff, by=by, reason=data.get("no_meeting_reason", "")
            )
            return
        slot = data.get("meeting_slot", "")
        if not slot:
            raise ValidationError(
                {"meeting_slot": _("Pick a slot for the first meeting, or hand off without one.")}
            )
        domain.book(handoff, by=by, slot=slot, invite_prospect=bool(data.get("invite_prospect")))
