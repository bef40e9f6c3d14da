"""How long a text a person types may be: one number per kind of text, used by the forms (whose
max_length becomes the input's maxlength in the browser) and the API serializers alike, so that
the browser, the page and the API refuse the same input."""

from django.utils.translation import gettext as _

# Free text kept with a record: a call's notes, a handoff comment, a checklist answer.
NOTE = 5000
# A reason or a comment given with a decision (a rejection's comment, a loss, a review's note).
REASON = 500
# A one-line reason (a skip, a capacity reduction).
SHORT = 200


def too_long(n: int) -> str:
    """The refusal of a text over its limit, for a domain function's ValidationError."""
    return _("Keep it to %(n)s characters or fewer.") % {"n": n}
