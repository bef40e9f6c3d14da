from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CertaintyConfig(AppConfig):
    name = "certainty"
    verbose_name = _("Certainty")

    def ready(self):
        from handoffs import hooks

        from . import scoring

        hooks.assessors.append(scoring.assess)
