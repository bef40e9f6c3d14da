"""Template hooks of cadences for the pages of other apps (the brief, Today, the lead list,
call mode load the library; their Python never imports cadences)."""

from django import template

from .. import call_mode, panels

register = template.Library()


@register.inclusion_tag("cadences/sdr/lead_panel.html", takes_context=True)
def lead_cadences(context, lead):
    """The lead's enrollments and enrolling it (the brief)."""
    return {**panels.lead_panel(context["request"], lead), "csrf_token": context.get("csrf_token")}


@register.inclusion_tag("cadences/sdr/today_panel.html", takes_context=True)
def today_cadences(context):
    """The day's due cadence steps and the enrollments just finished (Today). Inside Today's
    cached fragment, so only on a miss; its data is left on the request, where Today's view
    reads what the fragment varies on (the steps' due moments, their cadences' teams)."""
    request = context["request"]
    panel = request.today_cadence_panel = panels.today_panel(request)
    return {**panel, "csrf_token": context.get("csrf_token")}


@register.inclusion_tag("cadences/sdr/bulk_controls.html", takes_context=True)
def bulk_cadence_controls(context):
    """Enrol the ticked leads, or keep the filters as an audience (inside the list's bulk
    form, whose ticked leads and filters its buttons send to cadences)."""
    return panels.bulk_controls(context["request"], context.get("query", ""))


@register.inclusion_tag("cadences/sdr/call_step.html")
def cadence_call_step(lead):
    """The script of the lead's cadence call step and the items it asks (call mode)."""
    return {"found": call_mode.call_step(lead)}
