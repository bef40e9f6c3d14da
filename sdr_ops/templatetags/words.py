"""`{{ activity.duration_seconds|duration }}` and `{{ when|ago }}`: sdr_ops.words in templates."""

from django import template

from sdr_ops import words
from sdr_ops.models import qualification_label

register = template.Library()


@register.filter
def duration(seconds) -> str:
    return words.duration(seconds)


@register.filter
def ago(value) -> str:
    return words.ago(value)


@register.filter
def item_label(item: str) -> str:
    """A checklist item's label in the reader's language, whatever label was stored with a
    handoff (none for imported ones, the SDR's language for the others)."""
    return qualification_label(item or "")
