"""A checklist item's label in the reader's language, whoever wrote the checklist."""

from django import template

from sdr_ops.models import qualification_label, snapshot_label

register = template.Library()


@register.filter
def item_label(row) -> str:
    """{{ row|item_label }}: a frozen checklist row (a dict) through `snapshot_label`, an item's
    code through the team-independent label, a live answer through its own label."""
    if isinstance(row, dict):
        return snapshot_label(row)
    if isinstance(row, str) or row is None:
        return qualification_label(row or "")
    return row.label
