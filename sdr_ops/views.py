"""Pages of the organisation package: home, the user's account, notifications, health."""

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from rest_framework.authtoken.models import Token

from .models import Notification
from .navigation import pages_for
from .notify import mark_all_read, unread


def home(request: HttpRequest) -> HttpResponse:
    """Sends each user to the first page of their role."""
    pages = pages_for(request.user)
    if not pages:
        return redirect("profile")
    return redirect(pages[0].name)


def profile(request: HttpRequest) -> HttpResponse:
    """The user's own account: role, team and its settings, password, API token."""
    token = Token.objects.filter(user=request.user).first()
    return render(
        request,
        "sdr_ops/profile.html",
        {
            "team": request.user.current_team,
            "has_token": token is not None,
            "new_token": request.session.pop("new_api_token", None),
            "languages": LANGUAGE_NAMES.items(),
        },
    )


LANGUAGE_NAMES = {"en": "English", "ko": "한국어"}  # each in its own language


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Keeps the user's language choice (empty: follow the browser)."""
    language = request.POST.get("language", "")
    if language and language not in dict(settings.LANGUAGES):
        messages.error(request, _("Pick one of the languages offered."))
        return redirect("profile")
    request.user.language = language
    request.user.save(update_fields=["language"])
    translation.activate(language or translation.get_language_from_request(request))
    messages.success(request, _("Your language is saved."))
    return redirect("profile")


@require_POST
def regenerate_token(request: HttpRequest) -> HttpResponse:
    """Replaces the user's API token; the new key is shown once, on the next page."""
    Token.objects.filter(user=request.user).delete()
    token = Token.objects.create(user=request.user)
    request.session["new_api_token"] = token.key
    messages.success(request, _("A new API token was created. Copy it now: it is shown once."))
    return redirect("profile")


def notifications(request: HttpRequest) -> HttpResponse:
    """The user's notifications, newest first; unread ones marked."""
    if request.method == "POST":
        mark_all_read(request.user)
        return redirect("notifications")
    items = list(Notification.objects.filter(user=request.user)[:100])
    return render(request, "sdr_ops/notifications.html", {"items": items})


def notifications_badge(request: HttpRequest) -> HttpResponse:
    """The number of unread notifications, for the badge the layout loads by htmx."""
    count = unread(request.user).count()
    return HttpResponse(str(count) if count else "")
