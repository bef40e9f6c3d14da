"""Labels people read for the codes the figures carry (stages, segments)."""

from django import template

from leads.models import Segment, Stage

register = template.Library()


@register.filter
def stage_label(code: str) -> str:
    """{{ step.from|stage_label }}: "connected" -> "Connected" (or its translation)."""
    return str(dict(Stage.choices).get(code, code))


@register.filter
def segment_label(code: str) -> str:
    return str(dict(Segment.choices).get(code, code))
