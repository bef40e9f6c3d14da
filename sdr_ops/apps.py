from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SdrOpsConfig(AppConfig):
    name = "sdr_ops"
    verbose_name = _("Organisation")

    def ready(self) -> None:
        from django.db.models.signals import post_migrate, pre_migrate

        from . import changes

        # The data version's triggers (sdr_ops.changes) are taken off while migrations run
        # (SQLite checks every trigger when a migration renames a rebuilt table) and put back
        # after, with every team's version moved on past whatever the migrations wrote.
        pre_migrate.connect(
            lambda using="default", **kwargs: changes.drop_triggers(using),
            sender=self,
            weak=False,
            dispatch_uid="sdr_ops.drop_change_triggers",
        )
        post_migrate.connect(
            lambda using="default", **kwargs: changes.after_migrate(using),
            sender=self,
            weak=False,
            dispatch_uid="sdr_ops.install_change_triggers",
        )
