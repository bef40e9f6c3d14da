"""In-app notifications: written by the domain functions, read on the notifications page."""

from collections.abc import Iterable

from django.db.models import QuerySet
from django.utils import timezone

from .models import Notification, User


def notify(users: Iterable[User], text: str, url: str = "") -> None:
    """Leaves the same message for each user (once per user)."""
    now = timezone.now()
    Notification.objects.bulk_create(
        Notification(user=user, text=text[:300], url=url, created_at=now)
        for user in {u.pk: u for u in users}.values()
    )


def unread(user: User) -> QuerySet[Notification]:
    return Notification.objects.filter(user=user, read_at__isnull=True)


def mark_all_read(user: User) -> int:
    return unread(user).update(read_at=timezone.now())
