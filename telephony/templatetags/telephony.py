"""Template hooks of telephony for the pages of other apps (they load the library; their
Python never imports telephony)."""

from django import template

from .. import numbers, queries
from ..models import PhoneSystem
from ..providers.link import link_for

register = template.Library()


def _system(user) -> PhoneSystem | None:
    team = getattr(user, "current_team", None)
    if team is None:
        return None
    return PhoneSystem.objects.filter(team=team).first()


@register.inclusion_tag("telephony/phone.html", takes_context=True)
def lead_phone(context, lead, *, dial: bool = False):
    """The lead's number as dialled (or why it cannot be), with the way to dial it: a link, or
    the originate button when the team's provider calls out itself."""
    user = context["request"].user
    system = _system(user)
    number = numbers.parse(lead.phone, system.default_region if system else "KR")
    return {
        "lead": lead,
        "number": number,
        "link": link_for(system, number.e164) if number.valid else "",
        "originate": dial
        and number.valid
        and system is not None
        and system.provider != PhoneSystem.Provider.LINK
        and lead.owner_id == user.pk,
        "dial": dial,
        "csrf_token": context.get("csrf_token"),
    }


@register.inclusion_tag("telephony/recordings.html")
def lead_recordings(lead):
    """The lead's call recordings as links; only on pages that already checked the reader may
    read the lead, and never fetched through the app."""
    return {"calls": list(queries.recordings(lead)[:20])}


@register.inclusion_tag("telephony/incoming_poller.html", takes_context=True)
def incoming_call_poller(context):
    request = context.get("request")
    user = getattr(request, "user", None)
    return {"show": user is not None and user.is_authenticated and user.role == "sdr"}


@register.filter
def signed_start(moment) -> str:
    """{{ call.activity_start|signed_start }}: the call's start as call mode's form carries it
    (signed by the server, so the browser passes it on but cannot move it)."""
    from leads.forms import SignedMomentField

    return SignedMomentField().prepare_value(moment) if moment else ""
