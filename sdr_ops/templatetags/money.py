"""Amounts in a currency with its conventions: KRW and JPY without decimals, grouping always,
the symbol placed as the reader's language writes it ("1,250,000원" in Korean)."""

from decimal import Decimal, InvalidOperation

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
