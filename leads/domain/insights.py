"""Market insights (idea 6): SDRs are the company's ear, recording what prospects say."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from sdr_ops.models import Role, User

from ..models import Insight, Lead

MAX_QUOTE = 500


def record_insight(lead: Lead, *, by: User, topic: str, quote: str) -> Insight:
    """An SDR records what a prospect said, on one of their own leads (an insight is always
    its lead's SDR's: anyone else is refused, whoever calls)."""
    if by.role != Role.SDR or lead.owner_id != by.pk:
        raise PermissionDenied
    errors = {}
    if topic not in Insight.Topic.values:
        errors["topic"] = _("Choose a topic.")
    if not quote.strip():
        errors["quote"] = _("Write down what the prospect said, in a sentence or two.")
    elif len(quote.strip()) > MAX_QUOTE:
        errors["quote"] = _("Keep the quote under %(n)s characters.") % {"n": MAX_QUOTE}
    if errors:
        raise ValidationError(errors)
    return Insight.objects.create(lead=lead, sdr=by, topic=topic, quote=quote.strip())
