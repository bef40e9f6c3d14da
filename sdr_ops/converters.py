"""Path converters. `id` is a row key: digits that fit a 64-bit key, so an absurdly long
number answers 404 like any other missing row instead of overflowing the database driver."""

from django.urls import register_converter

MAX_ID = 2**63 - 1


class IdConverter:
    regex = "[0-9]{1,18}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int) -> str:
        return str(value)


register_converter(IdConverter, "id")
