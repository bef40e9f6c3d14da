"""The rows behind a dashboard figure, a page at a time and as CSV (metrics/drilldown.py).

Open to whoever sees the dashboards, for the teams they see (404 for another team); the same
week as the dashboard (the last complete one unless ?week= names another)."""

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.text import slugify

from sdr_ops.access import role_required
from sdr_ops.csvfiles import csv_response
from sdr_ops.models import Role
from sdr_ops.paging import query_without_page

from . import drilldown
from .views import _chosen as chosen

PAGE_SIZE = 50


def _drill(request: HttpRequest, figure: str):
    team, teams, week = chosen(request)
    try:
        found = drilldown.drill(
            week,
            figure,
            *(request.GET.get(name, "")[:40] for name in ("part", "step", "item", "state")),
        )
    except ValueError:
        raise Http404 from None
    return team, teams, week, found


@role_required(Role.MANAGER, Role.STAKEHOLDER)
def rows(request: HttpRequest, figure: str) -> HttpResponse:
    team, teams, week, found = _drill(request, figure)
    page = Paginator(found.rows, PAGE_SIZE).get_page(request.GET.get("page"))
    lines = [(found.lead_of(row), found.cells(row)) for row in page.object_list]
    query = query_without_page(request)
    others = request.GET.copy()
    for name in ("page", "part"):
        others.pop(name, None)
    return render(
        request,
        "metrics/drilldown.html",
        {
            "team": team,
            "teams": teams,
            "week": week,
            "drill": found,
            "parts": [(p, drilldown.PART_LABELS.get(p, p)) for p in drilldown.PARTS[figure]],
            "can_open_leads": request.user.has_role(Role.MANAGER),
            "page": page,
            "lines": lines,
            "query": query,
            "others": others.urlencode(),
        },
    )


@role_required(Role.MANAGER, Role.STAKEHOLDER)
def export(request: HttpRequest, figure: str) -> HttpResponse:
    team, _teams, week, found = _drill(request, figure)
    keys = (found.step, found.extra.get("item", ""), found.extra.get("state", ""))
    step = "".join(f"-{slugify(v)}" for v in keys if v)
    rows = found.rows.iterator() if hasattr(found.rows, "iterator") else found.rows
    return csv_response(
        f"{team.slug}-{week.label}-{figure}{step}-{found.part}.csv",
        [str(c) for c in found.columns],
        (found.cells(row) for row in rows),
    )
