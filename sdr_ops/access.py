"""Role checks for views. Anything out of a user's reach answers 404, never 403."""

from collections.abc import Callable
from functools import wraps

from django.http import Http404, HttpRequest


def role_required(*roles: str) -> Callable:
    """Lets through users holding one of the roles (admins hold all); 404 for the others."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs):
            if not request.user.has_role(*roles):
                raise Http404
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
