"""The one page of cadences that people outside reach: the one-click unsubscribe (RFC 8058).

A mail client POSTs `List-Unsubscribe=One-Click` to the link without any session or CSRF
token; the signed token in the URL is what authorises the opt-out. A GET shows a button that
makes the same POST, so following the link never unsubscribes by itself (link checkers)."""

from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from . import domain, mailing


@login_not_required
@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    data = mailing.read_unsubscribe_token(token)
    if data is None:
        raise Http404
    done = False
    if request.method == "POST":
        domain.opt_out(data["a"])
        done = True
    return render(request, "cadences/unsubscribe.html", {"done": done, "token": token})
