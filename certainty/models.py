"""The certainty score's team settings and its model versions (each with its card)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# Defaults of the team settings (issue 17).
DEFAULT_MIN_DECIDED = 200
DEFAULT_A_FROM = 0.75
DEFAULT_B_FROM = 0.50


class CertaintySettings(models.Model):
    """One SDR team's settings of the score: how many decided handoffs it needs before it
    learns, the cut points of certainty A and B, and a version a manager pinned."""

    team = models.OneToOneField(
        "sdr_ops.Team", on_delete=models.CASCADE, related_name="certainty_settings"
    )
    min_decided = models.PositiveIntegerField(
        _("decided handoffs needed to learn"), default=DEFAULT_MIN_DECIDED
    )
    a_from = models.FloatField(_("certainty A from score"), default=DEFAULT_A_FROM)
    b_from = models.FloatField(_("certainty B from score"), default=DEFAULT_B_FROM)
    pinned = models.ForeignKey(
        "ModelVersion",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("pinned version"),
    )

    class Meta:
        verbose_name = _("certainty settings")
        verbose_name_plural = _("certainty settings")
        constraints = [
            models.CheckConstraint(
                condition=Q(b_from__gte=0) & Q(b_from__lte=models.F("a_from")) & Q(a_from__lte=1),
                name="certainty_thresholds_ordered",
            )
        ]

    def __str__(self) -> str:
        return f"{self.team}: A ≥ {self.a_from}, B ≥ {self.b_from}"


class ModelVersion(models.Model):
    """One trained model of a team with its card. Every version is kept; one is in use."""

    team = models.ForeignKey(
        "sdr_ops.Team", on_delete=models.CASCADE, related_name="certainty_models"
    )
    number = models.PositiveIntegerField(_("version"))
    trained_at = models.DateTimeField(_("trained"), default=timezone.now)
    trained_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    n_train = models.PositiveIntegerField(_("handoffs trained on"))
    n_holdout = models.PositiveIntegerField(_("recent handoffs held out"))
    auc = models.FloatField(_("AUC on the held-out period"), null=True, blank=True)
    brier = models.FloatField(_("Brier score on the held-out period"))
    # The Brier score on the same held-out rows of what was in use when it was trained.
    previous_brier = models.FloatField(null=True, blank=True)
    holdout_from = models.DateTimeField(_("held-out period from"), null=True, blank=True)
    params = models.JSONField(_("coefficients"))
    deciles = models.JSONField(_("calibration on the held-out period"), default=list)
    active = models.BooleanField(_("in use"), default=False)

    class Meta:
        ordering = ["team", "-number"]
        verbose_name = _("certainty model")
        verbose_name_plural = _("certainty models")
        constraints = [
            models.UniqueConstraint(fields=["team", "number"], name="certainty_version_unique"),
            models.UniqueConstraint(
                fields=["team"], condition=Q(active=True), name="certainty_one_active_per_team"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.team} v{self.number}"
