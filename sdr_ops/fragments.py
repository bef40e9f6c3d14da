"""Fragments of a page cached under the viewer's team's data version (sdr_ops.changes).

A fragment is stored under a key made of its name, the parts the caller names (the page's
filters, its page number, a lead's id), the viewer (their id, language and time zone), the
viewer's team and its data version, the minute (so "3 minutes ago" and "overdue" move on) and
the code's release (so a deploy never serves what an older template wrote). Any committed
write a team's pages show moves the version, so a stored fragment is never served after the
data under it changed. The page is then the same HTML as without the cache, but for the CSRF
token, which is stored as a placeholder and filled with the request's own token when served.

A viewer on no team, a request other than a GET (whose own write came after the version
was read), or a render inside a transaction (whose writes a rollback may undo), is rendered
every time: `version_of(request)` is None. A page whose data another
team's writes can change must not use a fragment (or must name those teams' versions in its
parts, `changes.version`).

The version is read with the user (sdr_ops.auth), before any of the page's data, so what a
fragment holds is never older than the version it is stored under. After restoring a database
from a backup, clear the cache: the versions go back with the data.
"""

import hashlib
import time
from collections.abc import Callable, Iterable
from pathlib import Path

from django.conf import settings
from django.core.cache import caches
from django.db import connection
from django.middleware.csrf import get_token
from django.utils import timezone, translation
from django.utils.safestring import SafeString, mark_safe

TIMEOUT = 120  # seconds: the minute is in the key, so nothing is served after it anyway
CSRF_PLACEHOLDER = "__sdr-ops-fragment-csrf-token__"

_release: str | None = None


def release() -> str:
    """A digest of the code and templates that render pages (their paths, sizes and times)."""
    global _release
    if _release is None:
        from .changes import PROJECT_APPS

        digest = hashlib.blake2b(digest_size=8)
        root = Path(settings.BASE_DIR)
        for folder in (*PROJECT_APPS, "templates", "locale"):
            for path in sorted((root / folder).rglob("*")):
                if path.suffix in (".py", ".html", ".mo"):
                    stat = path.stat()
                    digest.update(f"{path}:{stat.st_size}:{stat.st_mtime_ns}".encode())
        _release = digest.hexdigest()
    return _release


def version_of(request) -> tuple[int, int] | None:
    """(team id, data version) of the viewer's team, or None when nothing may be cached."""
    if not getattr(settings, "FRAGMENT_CACHE", True):
        return None
    if request.method not in ("GET", "HEAD"):
        return None  # a write in this request came after the version was read
    if connection.in_atomic_block:
        # inside a transaction the version counts its own writes, which a rollback may undo
        # while a later commit brings the sum back to the same number
        return None
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return None
    # through the middleware's lazy user; the session's backend filled it (sdr_ops.auth)
    team = getattr(user, "current_team", None)
    version = getattr(team, "data_version", None) if team is not None else None
    if version is None:
        return None
    return team.pk, version


def key(request, name: str, parts: Iterable = ()) -> str | None:
    """The fragment's cache key, or None when it may not be cached."""
    team_version = version_of(request)
    if team_version is None:
        return None
    vary = "\x1f".join(str(p) for p in parts)
    digest = hashlib.blake2b(vary.encode(), digest_size=12).hexdigest()
    return ":".join(
        str(p)
        for p in (
            "frag",
            release(),
            name,
            *team_version,
            request.user.pk,
            translation.get_language(),
            timezone.get_current_timezone_name(),
            int(time.time() // 60),
            digest,
        )
    )


def cached(
    request, name: str, parts: Iterable, render: Callable[[], str], csrf_token=None
) -> SafeString:
    """The fragment `render()` writes, from the cache when its key is there.

    `csrf_token` is the token the fragment's forms carry (the template context's
    `csrf_token`): it is stored as a placeholder and served as the request's own."""
    cache_key = key(request, name, parts)
    if cache_key is None:
        return mark_safe(render())
    cache = caches[getattr(settings, "FRAGMENT_CACHE_ALIAS", "default")]
    stored = cache.get(cache_key)
    if stored is None:
        html = str(render())
        token = str(csrf_token) if csrf_token else ""
        stored = html.replace(token, CSRF_PLACEHOLDER) if token and token in html else html
        cache.set(cache_key, stored, TIMEOUT)
        return mark_safe(html)
    if CSRF_PLACEHOLDER in stored:
        token = str(csrf_token) if csrf_token else get_token(request)
        stored = stored.replace(CSRF_PLACEHOLDER, token)
    return mark_safe(stored)
