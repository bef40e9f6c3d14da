from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponse
from django.urls import include, path


@login_not_required
def bare(request):
    """The floor: a Django view that does nothing, through the same middleware and server."""
    return HttpResponse("ok", content_type="text/plain")


def bare_signed_in(request):
    """The floor behind the log-in: the session, the user and their team, then nothing."""
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [
    path("bench/bare/", bare),
    path("bench/signed-in/", bare_signed_in),
    path("", include("sdr_ops.urls")),
]
