"""The manager's side of the call list: the rules, and how each SDR's day went."""

import datetime

from django.contrib import messages
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from sdr_ops import calendar
from sdr_ops.access import role_required, team_for
from sdr_ops.models import Role, User

from . import queries
from .domain import calllists
from .forms import CallListRuleFormSet, TeamCallListForm
from .models import CallList, CallListBuild, CallListEntry


def _next_day(team) -> datetime.date:
    return calendar.next_working_day(team.local_today(), team.zone)


def _preview(team, day, rules) -> dict:
    """Per rule (0 the tasks due, then the rules in order) each SDR's count, in one query."""
    counts = calllists.plan_counts(team, day, rules)
    sdrs = list(
        User.objects.filter(pk__in=calllists.team_sdr_ids(team, day)).order_by("first_name", "pk")
    )
    rows = [(_("Task due"), 0)] + [(rule.name, n) for n, rule in enumerate(rules, start=1)]
    return {
        "sdrs": sdrs,
        "rows": [
            {
                "name": name,
                "counts": [counts.get((sdr.pk, number), 0) for sdr in sdrs],
                "total": sum(counts.get((sdr.pk, number), 0) for sdr in sdrs),
            }
            for name, number in rows
        ],
        "totals": [sum(n for (pk, _r), n in counts.items() if pk == sdr.pk) for sdr in sdrs],
    }


@role_required(Role.MANAGER)
def rules(request: HttpRequest) -> HttpResponse:
    """The ordered conditions that build every SDR's list, each with its cap, and the size;
    "Preview" counts what the edited rules would take per SDR for the next working day
    without saving anything."""
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
    day = _next_day(team)
    preview = None
    if request.method == "POST" and team_form.is_valid() and formset.is_valid():
        if "preview" in request.POST:
            preview = _preview(team, day, calllists.rules_as_edited(team, formset))
        else:
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
            "day": day,
            "preview": preview,
            "built": CallListBuild.objects.filter(team=team, day=day).first(),
        },
    )


@require_POST
@role_required(Role.MANAGER)
def rebuild(request: HttpRequest) -> HttpResponse:
    """Rebuilds the team's lists for the next working day with the saved rules, keeping what
    each SDR did to their list, and says what changed."""
    team = team_for(request.user, request.GET.get("team"))
    build = calllists.rebuild_call_lists(team, _next_day(team), by=request.user)
    report = build.report
    messages.success(
        request,
        _(
            "Lists rebuilt: %(added)s leads added, %(dropped)s dropped, "
            "%(kept)s of the SDRs' edits kept."
        )
        % {"added": report.added, "dropped": report.dropped, "kept": report.kept},
    )
    return redirect(f"{reverse('call-list-rules')}?team={team.slug}")


@role_required(Role.MANAGER)
def day_lists(request: HttpRequest) -> HttpResponse:
    """Each SDR's list of the team for a day (default the next working day): the entries in
    order, the rule that put each there, and the count per rule."""
    team = team_for(request.user, request.GET.get("team"))
    try:
        day = calendar.parse_day(request.GET.get("day", ""))
    except ValueError:
        day = _next_day(team)
    lists = list(
        CallList.objects.filter(team=team, day=day)
        .select_related("sdr")
        .prefetch_related(
            Prefetch(
                "entries",
                queryset=CallListEntry.objects.select_related("lead__account", "rule").order_by(
                    "position"
                ),
            )
        )
        .order_by("sdr__first_name", "sdr_id")
    )
    for call_list in lists:
        by_rule: dict[str, int] = {}
        for entry in call_list.entries.all():
            by_rule[entry.reason] = by_rule.get(entry.reason, 0) + 1
        call_list.by_rule = sorted(by_rule.items(), key=lambda item: -item[1])
    return render(
        request,
        "leads/day_lists.html",
        {
            "team": team,
            "day": day,
            "lists": lists,
            "build": CallListBuild.objects.filter(team=team, day=day).first(),
            # The day is within 1900-2100 (parse_day), so its neighbours never overflow.
            "previous": day - datetime.timedelta(days=1),
            "next": day + datetime.timedelta(days=1),
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
