"""The manager's side of the call list: the rules, and how each SDR's day went."""

import datetime

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from sdr_ops import calendar
from sdr_ops.access import role_required, team_for
from sdr_ops.models import Role

from . import queries
from .domain import calllists
from .forms import CallListRuleFormSet, TeamCallListForm
from .models import CallList, CallListEntry


@role_required(Role.MANAGER)
def rules(request: HttpRequest) -> HttpResponse:
    """The ordered conditions that build every SDR's list, each with its cap, and the size."""
    team = team_for(request.user, request.GET.get("team"))
    # The formset edits saved rows: a team's first visit saves its default rules (the one
    # write a GET of this page makes, and only once).
    calllists.ensure_rules(team)
    team_form = TeamCallListForm(request.POST or None, instance=team, prefix="team")
    formset = CallListRuleFormSet(
        request.POST or None,
        instance=team,
        prefix="rules",
        queryset=team.call_list_rules.order_by("position"),
    )
    if request.method == "POST" and team_form.is_valid() and formset.is_valid():
        calllists.save_call_list_settings(team, team_form, formset, by=request.user)
        messages.success(request, _("Call-list rules saved. Tonight's lists use them."))
        return redirect(request.get_full_path())
    return render(
        request,
        "leads/rules.html",
        {
            "team": team,
            "team_form": team_form,
            "formset": formset,
        },
    )


@role_required(Role.MANAGER)
def adherence(request: HttpRequest) -> HttpResponse:
    """How each SDR of the team worked the day's plan: called, skipped (why), added by hand."""
    team = team_for(request.user, request.GET.get("team"))
    status = 200
    try:
        day = calendar.parse_day(request.GET.get("day", ""))
    except ValueError:
        day = team.local_today()
        if request.GET.get("day"):
            # A day outside the calendar (9999-12-31, 0001-01-01) or no day at all: said,
            # and today's page instead.
            messages.error(request, _("Write the day as 2026-11-30, between 1900 and 2100."))
            status = 400
    lists = list(
        calllists.adherence(
            CallList.objects.filter(team=team, day=day).select_related("sdr")
        ).order_by("sdr__first_name")
    )
    mix = queries.lead_mix([row.sdr_id for row in lists])
    for row in lists:
        row.mix = mix.get(row.sdr_id, [])
    skipped = (
        CallListEntry.objects.filter(call_list__team=team, call_list__day=day, status="skipped")
        .select_related("lead", "call_list__sdr")
        .order_by("call_list__sdr__first_name")
    )
    return render(
        request,
        "leads/adherence.html",
        {
            "team": team,
            "day": day,
            "lists": lists,
            "skipped": skipped,
            "previous": day - datetime.timedelta(days=1),
            "next": day + datetime.timedelta(days=1),
        },
        status=status,
    )
