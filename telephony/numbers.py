"""Phone numbers: read as people write them (Korean formats included), stored in E.164."""

from dataclasses import dataclass

import phonenumbers
from django.utils.translation import gettext_lazy as _

# Korean mobile prefixes before the 010 integration; carriers stopped serving most of them in
# 2021, so such a number may no longer reach the person (many moved to an 010 number).
LEGACY_KR_MOBILE = ("11", "16", "17", "18", "19")


@dataclass(frozen=True)
class Number:
    raw: str
    e164: str = ""
    national: str = ""
    international: str = ""
    valid: bool = False
    legacy: bool = False

    @property
    def problem(self) -> str:
        """Why this number cannot be dialled as written ("" when it can)."""
        if not self.raw.strip():
            return str(_("No phone number."))
        if not self.valid:
            return str(_("%(raw)s is not a valid phone number.") % {"raw": self.raw})
        return ""

    @property
    def warning(self) -> str:
        if self.legacy:
            return str(
                _(
                    "A legacy 01X mobile number: it may have moved to an 010 number; "
                    "confirm it with the prospect."
                )
            )
        return ""


def parse(raw: str, region: str = "KR") -> Number:
    """Reads a number as written (010-1234-5678, 02) 555-1234, +82 10 1234 5678, 82-10-...,
    +1 415 555 2671) in the given default region. Never raises."""
    raw = (raw or "").strip()
    if not raw:
        return Number(raw="")
    text = raw
    # "82-10-..." is how a number with the country code but without "+" is often written.
    digits = "".join(c for c in raw if c.isdigit())
    if region == "KR" and digits.startswith("82") and not raw.startswith(("0", "+")):
        text = "+" + raw
    try:
        parsed = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return Number(raw=raw)
    valid = phonenumbers.is_valid_number(parsed)
    national = str(parsed.national_number)
    return Number(
        raw=raw,
        e164=phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
        if valid
        else "",
        national=phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.NATIONAL),
        international=phonenumbers.format_number(
            parsed, phonenumbers.PhoneNumberFormat.INTERNATIONAL
        ),
        valid=valid,
        legacy=valid and parsed.country_code == 82 and national.startswith(LEGACY_KR_MOBILE),
    )


def e164(raw: str, region: str = "KR") -> str:
    """The number in E.164, or "" when it is not a valid number."""
    return parse(raw, region).e164
