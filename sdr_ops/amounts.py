"""Amounts of money as people type them, one rule for every form and the API.

"1,200,000", "1200000", "₩1,200,000" and "1,200,000원" are the same amount in KRW; a KRW or
JPY amount has no decimals ("1,200,000.5" is refused, "1,200,000.00" is the whole amount); an
amount in USD or EUR has at most two. The amount columns hold 14 digits, two after the point.
"""

import re
from decimal import Decimal, InvalidOperation

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# code: (decimal places, symbol, Korean unit written after the number)
CURRENCIES = {
    "KRW": (0, "₩", "원"),
    "JPY": (0, "¥", "엔"),
    "USD": (2, "$", ""),
    "EUR": (2, "€", ""),
}
MAX_AMOUNT = Decimal("999999999999")
# Digits with or without thousands separators (commas), then perhaps a fraction.
_NUMBER = re.compile(r"^(\d{1,3}(,\d{3})+|\d+)(\.(\d+))?$")


def places(currency: str) -> int:
    return CURRENCIES.get(currency, (2, "", ""))[0]


def currency_of(user) -> str:
    """The currency of the user's team (KRW without one)."""
    team = getattr(user, "current_team", None)
    return team.currency if team else "KRW"


def parse_amount(value, *, currency: str = "KRW") -> Decimal:
    """The amount typed (a string, or a number from JSON) as a Decimal above zero;
    ValidationError saying what to type otherwise."""
    text = str(value if value is not None else "").strip()
    _places, symbol, unit = CURRENCIES.get(currency, (2, "", ""))
    for sign in (symbol, unit, currency):
        if sign:
            text = text.replace(sign, "")
    text = re.sub(r"[\s\u00a0]", "", text)
    match = _NUMBER.match(text)
    if not text or match is None:
        raise ValidationError(
            _("Type the amount in digits, with or without commas: 1,200,000."), code="invalid"
        )
    fraction = match.group(4) or ""
    if places(currency) == 0 and fraction.strip("0"):
        raise ValidationError(
            _("%(currency)s amounts have no decimals: type whole %(currency)s, as 1,200,000.")
            % {"currency": currency},
            code="decimals",
        )
    if len(fraction.rstrip("0")) > places(currency):
        raise ValidationError(
            _("At most %(n)s digits after the point.") % {"n": places(currency)}, code="decimals"
        )
    try:
        amount = Decimal(text.replace(",", ""))
    except InvalidOperation as error:  # pragma: no cover - the pattern admits digits only
        raise ValidationError(_("Type the amount in digits."), code="invalid") from error
    if amount <= 0:
        raise ValidationError(_("The amount must be above zero."), code="min")
    if amount > MAX_AMOUNT:
        raise ValidationError(_("At most 999,999,999,999."), code="max")
    return amount.quantize(Decimal(1)) if places(currency) == 0 else amount


class AmountField(forms.Field):
    """A form's amount: typed as text (thousands separators welcome), read by parse_amount
    in the form's currency (set `currency` before validating; KRW by default)."""

    widget = forms.TextInput
    MAX_LENGTH = 30

    def __init__(self, *args, currency: str = "KRW", **kwargs):
        super().__init__(*args, **kwargs)
        self.currency = currency

    def widget_attrs(self, widget):
        return {
            **super().widget_attrs(widget),
            "inputmode": "decimal",
            "autocomplete": "off",
            "maxlength": str(self.MAX_LENGTH),
        }

    def to_python(self, value):
        text = str(value).strip() if value is not None else ""
        if not text:
            return None
        if len(text) > self.MAX_LENGTH:
            raise ValidationError(_("At most 999,999,999,999."), code="max")
        return parse_amount(text, currency=self.currency)

    def prepare_value(self, value):
        if isinstance(value, Decimal):
            return f"{value:,.{places(self.currency)}f}"
        return value
