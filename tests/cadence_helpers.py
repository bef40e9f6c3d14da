"""Cadences as the tests of scheduling, sending and reading need them: activated as a
manager would after previewing each e-mail (the previews' own rules are tested in
test_cadence_previews.py)."""

from cadences import domain
from cadences.domain import previews
from cadences.models import Cadence, VariantPreview


def previewed(cadence: Cadence) -> None:
    """Records that each e-mail variant of the cadence's current version was previewed."""
    for _n, _label, subject, body in previews.current_wordings(cadence):
        VariantPreview.objects.get_or_create(cadence=cadence, digest=previews.digest(subject, body))


def activate(cadence: Cadence, by) -> Cadence:
    previewed(cadence)
    return domain.set_status(cadence, Cadence.Status.ACTIVE, by=by)
