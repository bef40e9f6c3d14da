"""Pages of meetings: the slots fragment of the handoff form, the AE's meeting settings, and
moving a meeting."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from handoffs import access as handoff_access
from sdr_ops.access import role_required
from sdr_ops.forms import add_errors
from sdr_ops.models import Role

from . import access, domain, slots
from .forms import AvailabilityForm
from .handoff_part import MeetingPart, offer_context
from .models import Availability, WorkingHours


@role_required(Role.SDR, Role.MANAGER)
def handoff_slots(request: HttpRequest, pk: int) -> HttpResponse:
    """The meeting part of the handoff form for the AE picked (htmx refresh)."""
    lead = handoff_access.lead_to_hand_off(request.user, pk)
    return HttpResponse(
        MeetingPart().render(request, lead=lead, ae_id=request.GET.get("to_ae", ""))
    )


@role_required(Role.AE, Role.MANAGER)
def availability(request: HttpRequest, ae_id: int) -> HttpResponse:
    """An AE's working hours per weekday, meeting length, zone, weekly limit and CalDAV
    calendar; the AE edits their own, a manager anyone's."""
    ae = access.availability_for(request.user, ae_id)
    current = slots.availability_of(ae)
    initial = {
        "time_zone": current.time_zone,
        "meeting_minutes": current.meeting_minutes,
        "weekly_limit": current.weekly_limit,
        "caldav_url": current.caldav_url,
        "caldav_username": current.caldav_username,
    }
    for h in WorkingHours.objects.filter(ae=ae):
        initial[f"start_{h.weekday}"], initial[f"end_{h.weekday}"] = h.start, h.end
    form = AvailabilityForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            domain.set_availability(ae, by=request.user, hours=form.hours(), **form.settings())
        except ValidationError as error:
            add_errors(form, error)
        except PermissionDenied as exc:
            raise Http404 from exc
        else:
            messages.success(request, _("Meeting settings saved."))
            return redirect("meeting-availability", ae.pk)
    return render(
        request,
        "meetings/availability.html",
        {
            "ae": ae,
            "form": form,
            "connected": isinstance(current, Availability) and current.connected,
        },
    )


@role_required(Role.AE, Role.SDR)
def move(request: HttpRequest, pk: int) -> HttpResponse:
    """Move a booked meeting to another free slot of the AE (its AE or the SDR who booked)."""
    meeting = access.meeting_to_move(request.user, pk)
    lead = meeting.handoff.lead
    if request.method == "POST":
        try:
            domain.move(meeting, by=request.user, slot=request.POST.get("meeting_slot", ""))
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Meeting moved; the updated invitation is on its way."))
            if request.user.role == Role.AE:
                return redirect("ae-inbox")
            return redirect("lead-brief", lead.pk)
    context = offer_context(request, lead=lead, ae_id=str(meeting.ae_id))
    context["offer"] = slots.free_slots(meeting.ae, exclude=meeting.pk)
    context["meeting"] = meeting
    return render(request, "meetings/move.html", context)
