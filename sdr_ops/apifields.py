"""Dates and times as the API reads and writes them.

- **Read**: a date or a time must fall in the years 1900 to 2100. Outside them no date of a
  sales team's work lies, and some cannot even be stored faithfully (year 1 reads back as
  "1 BC" on PostgreSQL).
- **Written**: every timestamp is RFC 3339. A time in a zone's distant past can carry an
  offset with seconds (Seoul's local mean time until 1908 is +08:27:52), which RFC 3339 cannot
  say: such a time is written in UTC instead.

The serializers of every app use `ModelSerializer` from here, so each model date and time
field gets these fields without being declared one by one.
"""

import datetime

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from .amounts import parse_amount

FIRST_YEAR, LAST_YEAR = 1900, 2100


class _InRange:
    default_error_messages = {
        "out_of_range": _("Give a date between the years {first} and {last}."),
    }

    def to_internal_value(self, value):
        parsed = super().to_internal_value(value)
        # A time is judged by its year in UTC, whatever zone it was written in.
        year = (
            parsed.astimezone(datetime.UTC).year
            if isinstance(parsed, datetime.datetime) and parsed.tzinfo
            else parsed.year
        )
        if not FIRST_YEAR <= year <= LAST_YEAR:
            self.fail("out_of_range", first=FIRST_YEAR, last=LAST_YEAR)
        return parsed


class DateField(_InRange, serializers.DateField):
    pass


class DateTimeField(_InRange, serializers.DateTimeField):
    def to_representation(self, value):
        if isinstance(value, datetime.datetime):
            value = self.enforce_timezone(value)
            offset = value.utcoffset()
            if offset is not None and offset.total_seconds() % 60:
                return value.astimezone(datetime.UTC).isoformat().replace("+00:00", "Z")
        return super().to_representation(value)


class ModelSerializer(serializers.ModelSerializer):
    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.DateTimeField: DateTimeField,
        models.DateField: DateField,
    }


class EnumParameter(serializers.ChoiceField):
    """A query parameter that is one of its choices, or absent. DRF reads an empty query value
    of an optional field as absent; the schema says the parameter is an enum, and the empty
    string is none of its values, so it is refused like any other value outside it."""

    def get_value(self, dictionary):
        if self.field_name in dictionary and dictionary.get(self.field_name) == "":
            return ""
        return super().get_value(dictionary)


@extend_schema_field({"oneOf": [{"type": "number"}, {"type": "string"}], "example": "1,200,000"})
class AmountField(serializers.Field):
    """An amount as the forms read it (sdr_ops.amounts.parse_amount): a number, or a string
    with thousands separators; no decimals for KRW and JPY. The currency is the serializer
    context's `currency` (the caller's team's), KRW without one. Written as a number."""

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, str | int | float):
            raise serializers.ValidationError(str(_("Give the amount as a number or a string.")))
        try:
            return parse_amount(data, currency=self.context.get("currency", "KRW"))
        except DjangoValidationError as error:
            raise serializers.ValidationError(error.messages) from error

    def to_representation(self, value):
        return float(value)
