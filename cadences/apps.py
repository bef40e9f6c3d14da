from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CadencesConfig(AppConfig):
    name = "cadences"
    verbose_name = _("Cadences")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import hooks

        hooks.register()
