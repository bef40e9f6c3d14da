from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MeetingsConfig(AppConfig):
    name = "meetings"
    verbose_name = _("Meetings")

    def ready(self) -> None:
        # Plug into handoffs without handoffs importing this app.
        from handoffs import hooks

        from . import domain, slots
        from .handoff_part import MeetingPart

        if not any(isinstance(p, MeetingPart) for p in hooks.form_parts):
            hooks.form_parts.append(MeetingPart())
            hooks.room_checks.append(slots.week_full)
            hooks.on_rejected.append(domain.cancel_for_rejected)
            hooks.inbox_related.append("meeting__ae__availability")
