from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    """The demo organisation (`seed_demo`): above every app, built by their bulk functions."""

    name = "demo"
    verbose_name = _("Demo")
