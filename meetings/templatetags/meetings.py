"""Template hooks of meetings for the pages of handoffs."""

from django import template
from django.core.exceptions import ObjectDoesNotExist

register = template.Library()


@register.inclusion_tag("meetings/inbox_line.html", takes_context=True)
def meeting_of(context, handoff):
    """The handoff's first meeting (the inbox selects it with the handoff), or why none."""
    try:
        meeting = handoff.meeting
    except ObjectDoesNotExist:
        meeting = None
    return {"meeting": meeting, "user": context.get("user")}


@register.filter
def in_zone(moment, zone):
    """The moment in the given zone (a ZoneInfo)."""
    return moment.astimezone(zone) if moment else moment
