"""In-app notifications: written by the domain functions, read on the notifications page."""

from collections.abc import Iterable

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone, translation

from .models import Notification, User


def notify(users: Iterable[User], message: str, params: dict, url: str = "") -> None:
    """Leaves the same message for each user (once per user). `message` is the source text
    (marked with gettext_noop) with %(name)s parameters; each reader sees it translated into
    their language. A parameter written "~Label" is a label to translate as well."""
    now = timezone.now()
    values = {key: str(value) for key, value in params.items()}
    with translation.override(settings.LANGUAGE_CODE):
        plain = {k: v[1:] if v.startswith("~") else v for k, v in values.items()}
        text = (message % plain)[:300]
    Notification.objects.bulk_create(
        Notification(user=user, text=text, message=message, params=values, url=url, created_at=now)
        for user in {u.pk: u for u in users}.values()
    )


def notify_each(notes: Iterable[tuple[User, str, dict, str]]) -> int:
    """Leaves one message per (user, message, params, url), all in one insert; messages and
    parameters as for `notify`."""
    now = timezone.now()
    rows = []
    with translation.override(settings.LANGUAGE_CODE):
        for user, message, params, url in notes:
            values = {key: str(value) for key, value in params.items()}
            plain = {k: v[1:] if v.startswith("~") else v for k, v in values.items()}
            rows.append(
                Notification(
                    user=user,
                    text=(message % plain)[:300],
                    message=message,
                    params=values,
                    url=url,
                    created_at=now,
                )
            )
    Notification.objects.bulk_create(rows)
    return len(rows)


def unread(user: User) -> QuerySet[Notification]:
    return Notification.objects.filter(user=user, read_at__isnull=True)


def mark_all_read(user: User) -> int:
    return unread(user).update(read_at=timezone.now())


def label(lazy_label) -> str:
    """A choice label as a notification parameter, translated for each reader."""
    with translation.override(settings.LANGUAGE_CODE):
        return "~" + str(lazy_label)
