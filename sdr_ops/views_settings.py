"""The team's settings page: every setting of the method its manager changes (admins too)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from . import audit, team_settings
from .access import role_required, team_among, teams_visible_to
from .forms import QualificationItemFormSet, TeamSettingsForm, add_errors
from .models import Role, Team


def _items_initial(team: Team) -> list[dict]:
    labels = team.qualification_labels or {}
    return [
        {
            "item": item,
            "label_en": labels.get(item, {}).get("en", ""),
            "label_ko": labels.get(item, {}).get("ko", ""),
        }
        for item in team.qualification_items
    ]


@role_required(Role.MANAGER)
def settings_page(request: HttpRequest) -> HttpResponse:
    """GET shows the team's settings; POST validates them all and saves the changed ones
    (sdr_ops.team_settings). Errors show beside their fields; htmx swaps the form alone."""
    teams = teams_visible_to(request.user)
    team = team_among(teams, request.GET.get("team"))
    data = request.POST if request.method == "POST" else None
    form = TeamSettingsForm(data, team=team)
    items = QualificationItemFormSet(data, initial=_items_initial(team), prefix="items")
    if data is not None and form.is_valid() and items.is_valid():
        names, labels = items.items_and_labels()
        try:
            changed = team_settings.change_settings(
                team,
                by=request.user,
                qualification_items=names,
                qualification_labels=labels,
                **form.values(),
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            if changed:
                messages.success(request, _("Settings saved."))
            else:
                messages.info(request, _("Nothing changed."))
            if not request.htmx:
                return redirect(f"{request.path}?team={team.slug}")
            form = TeamSettingsForm(team=team)
            items = QualificationItemFormSet(initial=_items_initial(team), prefix="items")
    template = "sdr_ops/team_settings.html"
    return render(
        request,
        f"{template}#settings-form" if request.htmx else template,
        {
            "team": team,
            "teams": teams,
            "form": form,
            "items": items,
            "events": audit.for_team(team.pk)[:30],
        },
    )
