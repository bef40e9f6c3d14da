"""`{{ activity.duration_seconds|duration }}` and `{{ when|ago }}`: sdr_ops.words in templates."""

from django import template

from sdr_ops import words
from sdr_ops.templatetags.checklist import item_label

register = template.Library()


@register.filter
def duration(seconds) -> str:
    return words.duration(seconds)


@register.filter
def ago(value) -> str:
    return words.ago(value)


# One filter of that name, whichever of the two libraries a template loads last.
register.filter("item_label", item_label)
