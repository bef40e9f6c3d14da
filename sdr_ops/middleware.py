"""Project middleware."""

from django.contrib.auth import middleware as auth_middleware
from django.http import HttpResponseBadRequest
from django.utils import timezone, translation


class LoginRequiredMiddleware(auth_middleware.LoginRequiredMiddleware):
    """Sends anonymous visitors of every page to the login page.

    The REST API is left to Django REST framework, which authenticates by session or token
    and answers 401/403 in JSON instead of redirecting a script to an HTML form.
    """

    api_prefixes = ("/api/v1/", "/api/schema/")

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.path_info.startswith(self.api_prefixes):
            return None
        return super().process_view(request, view_func, view_args, view_kwargs)


class TeamTimezoneMiddleware:
    """Shows and reads dates and times in the time zone of the user's team."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        team = user.current_team if user is not None and user.is_authenticated else None
        if team is not None:
            timezone.activate(team.zone)
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()


class UserLanguageMiddleware:
    """The language a user picked in their profile wins over the browser's Accept-Language
    (which LocaleMiddleware applied before authentication was known)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        chosen = getattr(user, "language", "") if user is not None else ""
        if chosen and user.is_authenticated:
            translation.activate(chosen)
            request.LANGUAGE_CODE = chosen
        response = self.get_response(request)
        if chosen and user.is_authenticated:
            response.headers.setdefault("Content-Language", chosen)
        return response


class NulByteMiddleware:
    """A NUL byte in any query or form parameter answers 400 before a view runs: no text of
    the app may hold one (PostgreSQL refuses it in every text column, so a value passed on to
    a query or a write would end in a 500), and Django's form fields refuse it already, but
    not the views and helpers that read a parameter by hand."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # The pages' form posts are read here; the API's bodies are its parsers' (a webhook
        # checks its signature over the raw body, which parsing a multipart post here would
        # consume), and its serializers refuse NUL themselves.
        form = request.method == "POST" and not request.path.startswith("/api/")
        for params in (request.GET, request.POST) if form else (request.GET,):
            for key, values in params.lists():
                if "\x00" in key or any("\x00" in value for value in values):
                    return HttpResponseBadRequest(
                        translation.gettext("A parameter holds a NUL byte; nothing was done."),
                        content_type="text/plain; charset=utf-8",
                    )
        return self.get_response(request)
