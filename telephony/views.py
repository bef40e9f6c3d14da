"""Pages and fragments of telephony: dialling from call mode, the live call state call mode
follows, the incoming-call banner, a lead for an unknown caller, and Twilio's callbacks."""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from leads import access as lead_access
from sdr_ops.access import role_required
from sdr_ops.models import Role

from . import domain, queries
from .forms import LeadFromCallForm
from .models import PhoneSystem
from .providers import DialError, twilio_voice


@require_POST
@role_required(Role.SDR)
def dial(request: HttpRequest, pk: int) -> HttpResponse:
    """Dials one of the SDR's own leads through the team's provider."""
    lead = lead_access.lead_for(request.user, pk, write=True)
    team = request.user.current_team
    base = (
        request.build_absolute_uri(
            reverse("telephony-twilio", args=[team.slug, "x"]).removesuffix("x/")
        )
        if team
        else ""
    )
    try:
        result = domain.dial(lead, by=request.user, callback_base=base)
    except (ValueError, DialError) as error:
        messages.error(request, _("Could not dial: %(why)s") % {"why": error})
        return redirect("lead-call", lead.pk)
    if result.originated:
        messages.success(request, _("Your phone rings first; then the prospect is dialled."))
        return redirect("lead-call", lead.pk)
    return DialRedirect(result.link)


class DialRedirect(HttpResponseRedirect):
    """A redirect to the tel: or sip: link, which the browser hands to the softphone."""

    allowed_schemes = ["tel", "sip"]


@role_required(Role.SDR)
def live(request: HttpRequest, pk: int) -> HttpResponse:
    """The state of the SDR's current call with the lead, for call mode's timer (htmx)."""
    lead = lead_access.lead_for(request.user, pk, write=True)
    call = queries.current_call(request.user, lead)
    return render(request, "telephony/call_state.html", {"call": call, "lead": lead})


@role_required(Role.SDR)
def incoming(request: HttpRequest) -> HttpResponse:
    """The banner of a call ringing for the SDR: the lead's brief, or an offer to create one."""
    return render(request, "telephony/incoming.html", {"call": queries.incoming_for(request.user)})


@role_required(Role.SDR)
def lead_from_call(request: HttpRequest, pk: int) -> HttpResponse:
    """A lead for an unknown caller, with the caller's number."""
    call = queries.call_of_sdr(request.user, pk)
    if call.lead_id is not None:
        return redirect("lead-brief", call.lead_id)
    form = LeadFromCallForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        lead = domain.create_lead_from_call(call, by=request.user, **form.cleaned_data)
        messages.success(request, _("Lead created: %(lead)s.") % {"lead": lead})
        return redirect("lead-brief", lead.pk)
    return render(request, "telephony/lead_from_call.html", {"call": call, "form": form})


@login_not_required
@csrf_exempt
@require_POST
def twilio_callback(request: HttpRequest, team: str, kind: str) -> HttpResponse:
    """Twilio's requests for a team: the TwiML that bridges the prospect (`twiml`) and the
    call status callbacks (`status`), each checked with Twilio's RequestValidator."""
    system = (
        PhoneSystem.objects.filter(team__slug=team[:50], provider=PhoneSystem.Provider.TWILIO)
        .select_related("team")
        .first()
    )
    if system is None or kind not in ("twiml", "status"):
        raise Http404
    provider = twilio_voice.TwilioProvider(system)
    params = request.POST.dict()
    if not provider.valid_request(
        request.build_absolute_uri(), params, request.headers.get("X-Twilio-Signature", "")
    ):
        return HttpResponse(status=403)
    if kind == "twiml":
        status_url = request.build_absolute_uri(reverse("telephony-twilio", args=[team, "status"]))
        to = request.GET.get("to", "")
        if not to:
            return HttpResponse(status=400)
        return HttpResponse(provider.twiml(to, status_callback=status_url), content_type="text/xml")
    event = twilio_voice.event_from_callback(params)
    if event is not None:
        event_id = f"twilio:{params['CallSid']}:{params.get('CallStatus')}"
        if params.get("RecordingSid"):
            event_id = f"twilio:{params['CallSid']}:{params['RecordingSid']}"
        try:
            body = urlencode(sorted(params.items())).encode()
            domain.record_event(system.team, event_id=event_id, body=body, event=event)
        except (domain.Duplicate, domain.Conflict):
            pass
    return HttpResponse(status=204)
