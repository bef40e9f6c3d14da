from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LeadsConfig(AppConfig):
    name = "leads"
    verbose_name = _("Leads")

    def ready(self) -> None:
        # The trail words this app's changes with their labels (sdr_ops.audit.register_words).
        from sdr_ops import audit
        from sdr_ops.models import Team, qualification_label

        from .models import QualificationStatus, Stage

        audit.register_words(audit.Action.STAGE, value=audit.choice_words(Stage.choices))
        audit.register_words(
            audit.Action.QUALIFICATION,
            field=qualification_label,
            value=audit.choice_words(QualificationStatus.choices),
        )
        audit.register_words(
            audit.Action.TEAM_SETTINGS,
            field=lambda name: (
                str(Team._meta.get_field(name).verbose_name)
                if name in {f.name for f in Team._meta.fields}
                else name
            ),
        )
