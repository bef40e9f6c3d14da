from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CadencesConfig(AppConfig):
    name = "cadences"
    verbose_name = _("Cadences")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from sdr_ops import audit

        from . import hooks
        from .domain.mail_settings import PASSWORD_WORDS
        from .models import CadenceSettings, Mailbox

        hooks.register()
        # The trail words the mail settings' and mailboxes' changes with their labels.
        setting = lambda name: CadenceSettings._meta.get_field(name).verbose_name  # noqa: E731
        values = {
            "True": _("yes"),
            "False": _("no"),
            **dict(CadenceSettings.Security.choices),
            **dict(CadenceSettings.Provider.choices),
            **dict(CadenceSettings.Region.choices),
            **PASSWORD_WORDS,  # the provider's key: only "changed" or "removed"
        }
        audit.register_words(
            audit.Action.MAIL_SETTINGS, field=setting, value=audit.choice_words(values.items())
        )
        mailbox_fields = {
            "address": Mailbox._meta.get_field("address").verbose_name,
            "username": Mailbox._meta.get_field("username").verbose_name,
            "password": _("password"),
        }
        audit.register_words(
            audit.Action.MAILBOX,
            field=audit.choice_words(mailbox_fields.items()),
            value=audit.choice_words(PASSWORD_WORDS.items()),
        )
