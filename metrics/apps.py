from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MetricsConfig(AppConfig):
    name = "metrics"
    verbose_name = _("Metrics")

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from leads import hooks as lead_hooks
        from sdr_ops import hooks

        from . import freshness, signals, stage_entries

        # SQLite drops a table's triggers when a migration rebuilds it: put them back.
        post_migrate.connect(
            lambda using="default", **kwargs: stage_entries.install_triggers(using),
            sender=self,
            weak=False,
            dispatch_uid="metrics.stage_entry_triggers",
        )

        lead_hooks.on_activities_logged.append(signals.activities_logged)
        hooks.on_team_settings_changed.append(
            lambda team, fields, since: freshness.mark([team.pk], since=since)
        )
