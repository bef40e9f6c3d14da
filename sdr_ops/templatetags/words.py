"""`{{ activity.duration_seconds|duration }}` and `{{ when|ago }}`: sdr_ops.words in templates."""

from django import template

from sdr_ops import words

register = template.Library()


@register.filter
def duration(seconds) -> str:
    return words.duration(seconds)


@register.filter
def ago(value) -> str:
    return words.ago(value)
