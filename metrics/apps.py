from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MetricsConfig(AppConfig):
    name = "metrics"
    verbose_name = _("Metrics")

    def ready(self) -> None:
        from sdr_ops import hooks

        from . import freshness, signals  # noqa: F401 - signals connects the marks

        hooks.on_team_settings_changed.append(
            lambda team, fields, since: freshness.mark([team.pk], since=since)
        )
