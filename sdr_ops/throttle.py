"""How failed log-ins slow an attacker down without handing him a colleague's account to lock.

django-axes records every failed log-in (address, account, time). This handler decides, from
those records, when a log-in is refused before its password is even checked:

- **Per account, a growing delay.** After `AXES_FAILURE_LIMIT` failures for one e-mail
  address (from anywhere), the next try must wait `LOGIN_DELAY_BASE`, doubling with each
  further failure up to `LOGIN_DELAY_MAX`. A hard lock of an account would let anyone who
  knows a colleague's address keep them out; a delay only slows the guessing.
- **Per client address, across accounts.** `LOGIN_ADDRESS_FAILURE_LIMIT` failures from one
  address within `LOGIN_ADDRESS_WINDOW`, whatever the accounts, pause log-ins from that address
  until the window has passed: guesses spread over many accounts are limited too.

Password-reset mails are counted here too (`may_send_reset`). The address is the client's as
`sdr_ops.clientip` reads it through the trusted proxies. A
success clears the account's count (`AXES_RESET_ON_SUCCESS`). Failures during a wait are not
recorded, so hammering a waiting account does not lengthen its wait.
"""

import datetime
import hashlib
from dataclasses import dataclass

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username
from axes.models import AccessAttempt
from django.conf import settings
from django.core.cache import cache
from django.db.models import Max, Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone


@dataclass(frozen=True)
class Pause:
    """Why and how long log-ins are refused for a request."""

    seconds: int
    reason: str  # "account" or "address"


def _failures(attempts) -> tuple[int, datetime.datetime | None]:
    found = attempts.aggregate(n=Sum("failures_since_start"), last=Max("attempt_time"))
    return found["n"] or 0, found["last"]


def account_delay(failures: int) -> datetime.timedelta:
    """The wait after `failures` failures of one account: none below the limit, then the base
    delay doubling with each failure, capped."""
    over = failures - settings.AXES_FAILURE_LIMIT
    if over < 0:
        return datetime.timedelta(0)
    base = settings.LOGIN_DELAY_BASE.total_seconds()
    seconds = min(settings.LOGIN_DELAY_MAX.total_seconds(), base * 2 ** min(over, 30))
    return datetime.timedelta(seconds=seconds)


def pause_for(request: HttpRequest, credentials: dict | None = None) -> Pause | None:
    """The pause that applies to this log-in request now, if any."""
    now = timezone.now()
    pauses = []
    username = get_client_username(request, credentials)
    if username:
        recent = now - settings.AXES_COOLOFF_TIME
        failures, last = _failures(
            AccessAttempt.objects.filter(username=username, attempt_time__gte=recent)
        )
        if last is not None:
            wait = (last + account_delay(failures) - now).total_seconds()
            if wait > 0:
                pauses.append(Pause(seconds=int(wait) + 1, reason="account"))
    address = getattr(request, "axes_ip_address", None)
    if address:
        window = settings.LOGIN_ADDRESS_WINDOW
        attempts = AccessAttempt.objects.filter(ip_address=address, attempt_time__gte=now - window)
        failures, last = _failures(attempts)
        if failures >= settings.LOGIN_ADDRESS_FAILURE_LIMIT:
            oldest = attempts.order_by("attempt_time").values_list("attempt_time", flat=True)[0]
            wait = (oldest + window - now).total_seconds()
            pauses.append(Pause(seconds=max(int(wait) + 1, 1), reason="address"))
    return max(pauses, key=lambda p: p.seconds, default=None)


class LoginThrottle(AxesDatabaseHandler):
    """axes' database handler with the account delay and the address limit above in place
    of its fixed lock-out of a (username, address) pair."""

    def is_locked(self, request, credentials: dict | None = None) -> bool:
        return pause_for(request, credentials) is not None

    def get_failures(self, request, credentials: dict | None = None) -> int:
        # axes marks the request that reaches the limit as locked out and answers it with
        # the lock-out page; with a delay, only a request that must wait is refused.
        pause = pause_for(request, credentials)
        if pause is None:
            return 0
        return settings.AXES_FAILURE_LIMIT


def lockout_response(
    request: HttpRequest, original_response=None, credentials: dict | None = None
) -> HttpResponse:
    """The page for a refused log-in: how long to wait, and why, without saying whether the
    account exists."""
    pause = pause_for(request, credentials) or Pause(seconds=1, reason="account")
    # Whole minutes, rounded up, once the wait is a minute or more: never promise too early.
    minutes, seconds = (-(-pause.seconds // 60), 0) if pause.seconds >= 60 else (0, pause.seconds)
    return render(
        request,
        "registration/locked_out.html",
        {"pause": pause, "minutes": minutes, "seconds": seconds},
        status=429,
    )


RESET_WINDOW_SECONDS = 3600


def may_send_reset(email: str) -> bool:
    """Counts one password-reset mail for the address and says whether it is within the hour's
    `PASSWORD_RESET_MAILS_PER_HOUR`, so that the reset form cannot flood a colleague's inbox.
    The count lives in the cache (set `CACHE_URL` to Redis when several processes serve)."""
    key = "password-reset:" + hashlib.sha256(email.strip().lower().encode()).hexdigest()
    cache.add(key, 0, RESET_WINDOW_SECONDS)
    try:
        sent = cache.incr(key)
    except ValueError:  # the key expired between add and incr
        cache.set(key, 1, RESET_WINDOW_SECONDS)
        sent = 1
    return sent <= settings.PASSWORD_RESET_MAILS_PER_HOUR


def username_of(request, credentials: dict | None = None) -> str:
    """The name a log-in attempt is recorded under (AXES_USERNAME_CALLABLE): what was typed,
    cut to the longest e-mail address there is, so a hostile 5,000-character name is
    throttled like any other instead of overflowing the attempts table (a 500 on PostgreSQL)."""
    value = (credentials or {}).get("username")
    if value is None and request is not None:
        value = request.POST.get("username", "")
    return str(value or "")[:254]
