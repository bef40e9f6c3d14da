"""Pages of the organisation package: home, the user's account and API tokens, notifications."""

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from .models import ApiToken, Notification
from .navigation import pages_for
from .notify import mark_all_read, unread
from .tokens import issue_token, revoke_token, tokens_of


def home(request: HttpRequest) -> HttpResponse:
    """Sends each user to the first page of their role."""
    pages = pages_for(request.user)
    if not pages:
        return redirect("profile")
    return redirect(pages[0].name)


@never_cache
def profile(request: HttpRequest) -> HttpResponse:
    """The user's own account: role, team and its settings, password, API tokens.

    Never cached: right after a token is made, this page is the one place its key appears."""
    return render(
        request,
        "sdr_ops/profile.html",
        {
            "team": request.user.current_team,
            "tokens": tokens_of(request.user),
            "new_token": request.session.pop("new_api_token", None),
            "token_name_max": ApiToken._meta.get_field("name").max_length,
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
def create_token(request: HttpRequest) -> HttpResponse:
    """Makes a named API token; its key is shown once, on the next page."""
    name = request.POST.get("name", "").strip()
    limit = ApiToken._meta.get_field("name").max_length
    if not name or len(name) > limit:
        messages.error(
            request, _("Give the token a name of 1 to %(limit)s characters.") % {"limit": limit}
        )
        return redirect("profile")
    _token, key = issue_token(request.user, name=name)
    request.session["new_api_token"] = {"name": name, "key": key}
    messages.success(request, _("A new API token was created. Copy it now: it is shown once."))
    return redirect("profile")


@require_POST
def revoke_api_token(request: HttpRequest, pk: int) -> HttpResponse:
    """Revokes one of the user's own tokens; another person's token answers 404."""
    if not revoke_token(request.user, token_id=pk):
        raise Http404
    messages.success(request, _("The token is revoked: scripts using it are refused from now on."))
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
