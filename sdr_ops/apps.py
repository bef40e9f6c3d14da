from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SdrOpsConfig(AppConfig):
    name = "sdr_ops"
    verbose_name = _("Organisation")
