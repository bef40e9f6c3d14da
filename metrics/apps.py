from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MetricsConfig(AppConfig):
    name = "metrics"
    verbose_name = _("Metrics")

    def ready(self) -> None:
        from sdr_ops import hooks

        from .stale import forget_weeks

        hooks.on_team_settings_changed.append(forget_weeks)
