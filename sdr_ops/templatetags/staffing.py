"""Staffing records as people read them."""

from django import template

from sdr_ops.models import staffing_reason_label

register = template.Library()


@register.filter
def staffing_reason(reason: str) -> str:
    """{{ record.reason|staffing_reason }}: a usual reason translated, any other as written."""
    return staffing_reason_label(reason or "")
