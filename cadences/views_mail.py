"""The team's cadence mail settings (its manager's: sending window, caps, advertising, the
SMTP and IMAP servers) and an SDR's own mailbox on that server (address, user name and a
password that is never shown back)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from sdr_ops.access import role_required, team_for
from sdr_ops.forms import add_errors
from sdr_ops.models import Role

from .domain import mail_settings
from .forms_mail import MailboxForm, MailSettingsForm
from .models import CadenceSettings, Mailbox


@role_required(Role.MANAGER)
def mail_settings_page(request: HttpRequest) -> HttpResponse:
    team = team_for(request.user, request.GET.get("team"))
    form = MailSettingsForm(request.POST or None, instance=CadenceSettings.of(team))
    if request.method == "POST" and form.is_valid():
        try:
            changed = mail_settings.change_mail_settings(team, by=request.user, **form.values())
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("Settings saved.") if changed else _("Nothing changed."))
            return redirect(request.get_full_path())
    return render(
        request,
        "cadences/mail_settings.html",
        {
            "team": team,
            "form": form,
            "mailboxes": Mailbox.objects.filter(team=team)
            .select_related("sdr")
            .order_by("sdr__first_name", "sdr__last_name", "pk"),
        },
        status=400 if form.errors else 200,
    )


@role_required(Role.SDR)
def mailbox_page(request: HttpRequest) -> HttpResponse:
    team = request.user.current_team
    if team is None or request.user.role != Role.SDR:
        raise Http404  # a mailbox is an SDR's own, on their team's server
    mailbox = Mailbox.objects.filter(team=team, sdr=request.user).first()
    form = MailboxForm(request.POST or None, instance=mailbox or Mailbox(team=team))
    if request.method == "POST" and form.is_valid():
        try:
            mail_settings.save_mailbox(team, request.user, by=request.user, **form.values())
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("Mailbox saved."))
            return redirect("cadence-mailbox")
    server = CadenceSettings.of(team)
    return render(
        request,
        "cadences/mailbox.html",
        {
            "team": team,
            "form": form,
            "mailbox": mailbox,
            "server": server,
        },
        status=400 if form.errors else 200,
    )
