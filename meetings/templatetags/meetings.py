"""Template hooks of meetings for the pages of handoffs."""

import zoneinfo

from django import template
from django.core.exceptions import ObjectDoesNotExist

register = template.Library()


@register.inclusion_tag("meetings/inbox_line.html", takes_context=True)
def meeting_of(context, handoff):
    """The handoff's first meeting in the AE's zone (the inbox selects both with the
    handoff), or why there is none."""
    try:
        meeting = handoff.meeting
    except ObjectDoesNotExist:
        meeting = None
    zone = None
    if meeting is not None:
        try:
            zone = zoneinfo.ZoneInfo(meeting.ae.availability.time_zone)
        except ObjectDoesNotExist:
            zone = None
    return {"meeting": meeting, "zone": zone, "user": context.get("user")}
