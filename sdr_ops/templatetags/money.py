"""Amounts in a currency with its conventions: KRW and JPY without decimals, grouping always,
the symbol placed as the reader's language writes it ("1,250,000원" in Korean)."""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django import template
from django.utils import formats
from django.utils.translation import get_language

from sdr_ops.amounts import CURRENCIES

register = template.Library()


def format_money(value, currency: str = "KRW") -> str:
    if value is None or value == "":
        return "—"
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        return str(value)
    places, symbol, korean_unit = CURRENCIES.get(currency, (2, "", ""))
    number = formats.number_format(
        abs(amount), decimal_pos=places, use_l10n=True, force_grouping=True
    )
    sign = "-" if amount < 0 else ""
    if korean_unit and (get_language() or "").startswith("ko"):
        return f"{sign}{number}{korean_unit}"
    if symbol:
        return f"{sign}{symbol}{number}"
    return f"{sign}{number} {currency}"


@register.filter
def money(value, currency: str = "KRW") -> str:
    """{{ amount|money:team.currency }}"""
    return format_money(value, currency or "KRW")


# -- amounts and shares as a manager reads them ---------------------------------------------

# Korean counts large amounts in 만 (10^4) and 억 (10^8); English in thousands, millions,
# billions.
_KOREAN_UNITS = ((Decimal(10) ** 12, "조"), (Decimal(10) ** 8, "억"), (Decimal(10) ** 4, "만"))
_ENGLISH_UNITS = ((Decimal(10) ** 9, "B"), (Decimal(10) ** 6, "M"), (Decimal(10) ** 3, "K"))


def _one_decimal(number: Decimal) -> str:
    text = formats.number_format(number, decimal_pos=1, use_l10n=True)
    return text[:-2] if text.endswith((".0", ",0")) else text


def format_amount(value, currency: str = "KRW") -> str:
    """An amount rounded to what a manager reads: "₩180.7M" in English, "1.8억원" in Korean,
    "$12.5K"; below a thousand (ten thousand in Korean) the exact amount."""
    if value is None or value == "":
        return "—"
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        return str(value)
    places, symbol, korean_unit = CURRENCIES.get(currency, (2, "", ""))
    sign = "-" if amount < 0 else ""
    size = abs(amount)
    korean = bool(korean_unit) and (get_language() or "").startswith("ko")
    for step, unit in _KOREAN_UNITS if korean else _ENGLISH_UNITS:
        if size >= step:
            number = _one_decimal((size / step).quantize(Decimal("0.1"), ROUND_HALF_UP))
            if korean:
                return f"{sign}{number}{unit}{korean_unit}"
            return f"{sign}{symbol}{number}{unit}" if symbol else f"{sign}{number}{unit} {currency}"
    return format_money(amount, currency)


def amount_units(currency: str = "KRW") -> list[list]:
    """format_amount's units for a chart's axis in the reader's language, largest first:
    [size, before the number, after it] ("₩", "M"; "", "억원"), so that the axis reads the
    amounts as the page does."""
    _places, symbol, korean_unit = CURRENCIES.get(currency, (2, "", ""))
    if korean_unit and (get_language() or "").startswith("ko"):
        return [[int(step), "", f"{unit}{korean_unit}"] for step, unit in _KOREAN_UNITS]
    if symbol:
        return [[int(step), symbol, unit] for step, unit in _ENGLISH_UNITS]
    return [[int(step), "", f"{unit} {currency}"] for step, unit in _ENGLISH_UNITS]


@register.filter
def amount(value, currency: str = "KRW") -> str:
    """{{ figure|amount:team.currency }}: a dashboard's amount, rounded (format_amount)."""
    return format_amount(value, currency or "KRW")


def format_percent(share, edges=()) -> str:
    """A share (0.7234) as a percentage ("72 %"). With `edges` (the shares where a status
    changes), as many decimals as it takes for the rounded number to stand on the same side
    of every edge as the share itself: 0.6957 beside a band starting at 0.70 reads "69.6 %",
    never "70 %" with "below the band" next to it."""
    if share is None or share == "":
        return "—"
    try:
        value = Decimal(str(share)) * 100
    except InvalidOperation:
        return str(share)
    limits = [Decimal(str(e)) * 100 for e in edges]
    for places in range(0, 4):
        shown = value.quantize(Decimal(1).scaleb(-places), ROUND_HALF_UP)
        if all((shown < e) == (value < e) and (shown > e) == (value > e) for e in limits):
            break
    return f"{formats.number_format(shown, decimal_pos=places, use_l10n=True)} %"


@register.filter
def percent(share, edges=None) -> str:
    """{{ ratio|percent }}, or {{ ratio|percent:band_edges }} beside a status (format_percent)."""
    return format_percent(share, edges or ())
