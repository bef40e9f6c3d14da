"""A checklist item's label in the reader's language, whoever wrote the checklist."""

from django import template

from sdr_ops.models import snapshot_label

register = template.Library()


@register.filter
def item_label(row) -> str:
    """{{ row|item_label }}: a frozen checklist row (a dict) through `snapshot_label`, a live
    answer through its own label."""
    return snapshot_label(row) if isinstance(row, dict) else row.label
