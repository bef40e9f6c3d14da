from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HandoffsConfig(AppConfig):
    name = "handoffs"
    verbose_name = _("Handoffs")

    def ready(self) -> None:
        # The trail words this app's changes with their labels (sdr_ops.audit.register_words).
        from sdr_ops import audit
        from sdr_ops.models import Segment

        from .models import Opportunity, RejectionReason, Review

        def opportunity_field(name: str) -> str:
            names = {f.name for f in Opportunity._meta.fields}
            return str(Opportunity._meta.get_field(name).verbose_name) if name in names else name

        def capacity_value(value: str) -> str:
            # "8 enterprise": the capacity, then the segment covered (none: any).
            number, _sep, segment = value.partition(" ")
            return f"{number} {dict(Segment.choices).get(segment, segment)}".strip()

        audit.register_words(
            audit.Action.REJECTED, value=audit.choice_words(RejectionReason.choices)
        )
        audit.register_words(audit.Action.REVIEWED, value=audit.choice_words(Review.Rating.choices))
        for action in (audit.Action.CREATED, audit.Action.AMOUNT, audit.Action.WON):
            audit.register_words(action, field=opportunity_field)
        audit.register_words(audit.Action.HANDED_OFF, field=lambda name: str(_("Certainty")))
        audit.register_words(
            audit.Action.CAPACITY,
            field=lambda name: str(_("Normal capacity (open deals at once)")),
            value=capacity_value,
        )
