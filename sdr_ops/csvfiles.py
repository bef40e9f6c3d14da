"""Reading the files people upload or import: one decoding, one header check, one capped list
of `FILE:LINE: COLUMN: message` problems, and one cell checker that takes its limits from the
model field a column fills (its max_length, its integer range, its digits), so that a cell the
database would refuse or mangle is reported at its line instead."""

import csv
import datetime
import io
import re
import zipfile
import zlib
from decimal import Decimal, InvalidOperation
from pathlib import PurePosixPath

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, validate_email
from django.db import models
from django.db.backends.base.operations import BaseDatabaseOperations
from django.http import HttpResponse
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

MAX_REPORTED = 100
ECHO = 40
# Dates outside these years are typing mistakes in a sales history, and some (year 1) cannot be
# read back once stored.
FIRST_YEAR, LAST_YEAR = 1900, 2100


class Problems:
    """Every problem counted; the first MAX_REPORTED kept as `FILE:LINE: COLUMN: message`."""

    def __init__(self):
        self.lines: list[str] = []
        self.count = 0

    def add(self, file: str, line: int, column: str, message: str) -> None:
        self.count += 1
        if len(self.lines) < MAX_REPORTED:
            self.lines.append(f"{file}:{line}: {column}: {message}")

    @property
    def left_off(self) -> int:
        return self.count - len(self.lines)

    def report(self) -> list[str]:
        extra = self.left_off
        return self.lines + ([_("... and %(n)s more.") % {"n": extra}] if extra else [])


PLAIN_NAME = re.compile(r"[\w.-]+")


def echo(value: str) -> str:
    """The bad value as the report shows it: quoted, cut to ECHO characters."""
    shown = value if len(value) <= ECHO else value[:ECHO] + "…"
    return '"' + "".join(ch if ch.isprintable() else "�" for ch in shown) + '"'


def model_fields(model: type[models.Model], *names: str, **renamed: str) -> dict[str, models.Field]:
    """The fields of `model` that columns fill, by column: a column named as its field, or
    column=field. A cell is checked against the limits of the field it fills."""
    columns = dict(zip(names, names, strict=True)) | renamed
    return {column: model._meta.get_field(name) for column, name in columns.items()}


def _limits(field: models.Field) -> tuple[int, int]:
    """The range of an integer field that holds in every database Django supports (SQLite's
    is wider than PostgreSQL's: a file must mean the same on both), narrowed by the field's
    own validators."""
    low, high = BaseDatabaseOperations.integer_field_ranges[field.get_internal_type()]
    for validator in field.validators:
        if isinstance(validator, MinValueValidator):
            low = max(low, validator.limit_value)
        elif isinstance(validator, MaxValueValidator):
            high = min(high, validator.limit_value)
    return low, high


class Checker:
    """Checks the rows of one file cell by cell; each problem is reported at the row's line."""

    def __init__(self, name: str, problems: Problems):
        self.name, self.problems = name, problems
        self.line = 0
        self.bad = False

    def at(self, line: int) -> "Checker":
        self.line, self.bad = line, False
        return self

    def error(self, column: str, message: str, value: str | None = None) -> None:
        self.bad = True
        if value is not None:
            message = f"{message}: {echo(value)}"
        self.problems.add(self.name, self.line, column, message)

    def required(self, values: dict, columns: list[str]) -> None:
        for column in columns:
            if not values.get(column):
                self.error(column, _("required"))

    def choice(self, values: dict, column: str, choices: list[str]) -> str:
        value = values.get(column, "")
        if value and value not in choices:
            self.error(column, _("must be one of %(c)s") % {"c": ", ".join(choices)})
        return value

    def email(self, values: dict, column: str) -> str:
        value = values.get(column, "").lower()
        if value:
            try:
                validate_email(value)
            except ValidationError:
                self.error(column, _("not an e-mail address"))
                return ""
        return value

    def cells(self, values: dict, fields: dict[str, models.Field]) -> None:
        """Every text cell against the length of the field it fills."""
        for column, field in fields.items():
            value = values.get(column, "")
            if field.max_length and len(value) > field.max_length:
                self.error(
                    column,
                    _("longer than %(n)s characters") % {"n": field.max_length},
                    value,
                )

    def _year(self, column: str, value: str, year: int) -> bool:
        if FIRST_YEAR <= year <= LAST_YEAR:
            return True
        self.error(
            column,
            _("the year must be between %(first)s and %(last)s")
            % {"first": FIRST_YEAR, "last": LAST_YEAR},
            value,
        )
        return False

    def date(self, values: dict, column: str) -> datetime.date | None:
        value = values.get(column, "")
        if not value:
            return None
        try:
            day = datetime.date.fromisoformat(value)
        except ValueError:
            self.error(column, _("not a date (write 2026-11-27)"))
            return None
        return day if self._year(column, value, day.year) else None

    def moment(
        self, values: dict, column: str, zone, *, day_allowed: bool = False
    ) -> datetime.datetime | None:
        """A timestamp; without an offset it is in `zone`. With `day_allowed`, a bare date
        is that day's midnight."""
        value = values.get(column, "")
        if not value:
            return None
        try:
            parsed = parse_datetime(value)
        except ValueError:  # well formed, but no such day or hour
            self.error(column, _("no such date or time"), value)
            return None
        if parsed is None and day_allowed:
            try:
                parsed = datetime.datetime.combine(
                    datetime.date.fromisoformat(value), datetime.time(0)
                )
            except ValueError:
                parsed = None
        if parsed is None:
            self.error(
                column,
                _("not a date or time (write 2026-11-27 or 2026-11-27T09:30)")
                if day_allowed
                else _("not a time (write 2026-11-27T09:30 or with an offset)"),
            )
            return None
        if not self._year(column, value, parsed.year):
            return None
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=zone)

    def whole(self, values: dict, column: str, field: models.Field) -> int | None:
        """A whole number within the integer range of the field it fills."""
        value = values.get(column, "")
        if not value:
            return None
        if not re.fullmatch(r"[0-9]+", value):
            self.error(column, _("a whole number of seconds"), value)
            return None
        number = int(value)
        low, high = _limits(field)
        if not low <= number <= high:
            self.error(column, _("too large"), value)
            return None
        return number

    def amount(self, values: dict, column: str, field: models.DecimalField) -> Decimal | None:
        """A finite amount, not negative, with no more digits than the field keeps."""
        value = values.get(column, "")
        if not value:
            return None
        try:
            amount = Decimal(value)
        except InvalidOperation:
            self.error(column, _("not a number"), value)
            return None
        if not amount.is_finite():
            self.error(column, _("not a number"), value)
            return None
        if amount < 0:
            self.error(column, _("cannot be negative"))
            return None
        _sign, digits, exponent = amount.normalize().as_tuple()
        decimals = max(-exponent, 0)
        whole_digits = len(digits) + exponent
        if decimals > field.decimal_places:
            self.error(
                column,
                _("at most %(n)s decimal places") % {"n": field.decimal_places},
                value,
            )
            return None
        if amount and whole_digits > field.max_digits - field.decimal_places:
            self.error(column, _("too large"), value)
            return None
        return amount


NUMBER_OR_PHONE = re.compile(r"[+-]?[\d\s().,/-]+")


def looks_like_formula(value: str) -> bool:
    """A cell a spreadsheet would run: it starts with = or @ (or a tab or carriage return), or
    with + or - without being a number or a phone number such as +82 2-555-0100."""
    if not value:
        return False
    if value[0] in ("=", "@", "\t", "\r"):
        return True
    return value[0] in "+-" and not NUMBER_OR_PHONE.fullmatch(value)


def _decode(name: str, data: bytes, problems: Problems) -> str | None:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        problems.add(
            name,
            line,
            "-",
            _("the file is not UTF-8 (byte %(pos)s); save it as CSV UTF-8.") % {"pos": exc.start},
        )
        return None


def read_rows(
    name: str, data: bytes, columns: list[str], required: list[str], problems: Problems
) -> list[tuple[int, dict[str, str]]]:
    """The file's non-blank rows as (line number, stripped values by column; a column the file
    leaves out is empty), or [] after reporting why the file cannot be read: not UTF-8, an
    unknown, missing or repeated column."""
    text = _decode(name, data, problems)
    if text is None:
        return []
    if "\x00" in text:
        problems.add(name, 1, "-", _("this is not a CSV file; save it as CSV UTF-8."))
        return []
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader, [])
    except csv.Error as exc:
        problems.add(name, 1, "-", _("not readable as CSV: %(error)s") % {"error": exc})
        return []
    header = [column.strip() for column in header]
    before = problems.count
    for i, column in enumerate(header):
        if column not in columns:
            problems.add(
                name,
                1,
                column if PLAIN_NAME.fullmatch(column) else echo(column),
                _("unknown column (the columns are: %(columns)s)")
                % {"columns": ", ".join(columns)},
            )
        elif column in header[:i]:
            problems.add(name, 1, column, _("the column appears twice in the header"))
    for column in required:
        if column not in header:
            problems.add(name, 1, column, _("required column missing"))
    if not header:
        problems.add(name, 1, "-", _("the file is empty: it needs a header row"))
    if problems.count > before:
        return []
    absent = dict.fromkeys((c for c in columns if c not in header), "")
    rows = []
    try:
        line = reader.line_num + 1
        for cells in reader:
            if len(cells) > len(header):
                problems.add(name, line, "-", _("more cells than columns"))
                line = reader.line_num + 1
                continue
            values = {
                **absent,
                **dict.fromkeys(header, ""),
                **{column: cell.strip() for column, cell in zip(header, cells, strict=False)},
            }
            formulas = [column for column, value in values.items() if looks_like_formula(value)]
            for column in formulas:
                problems.add(
                    name,
                    line,
                    column,
                    _(
                        "starts like a spreadsheet formula (=, +, -, @): remove the sign, "
                        "so that nobody's spreadsheet runs it"
                    ),
                )
            if any(values.values()) and not formulas:
                rows.append((line, values))
            line = reader.line_num + 1
    except csv.Error as exc:
        problems.add(
            name, reader.line_num, "-", _("not readable as CSV: %(error)s") % {"error": exc}
        )
        return []
    return rows


# The compression methods Python reads without an extra library.
READABLE_METHODS = {zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED, zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA}


def read_zip(name: str, data: bytes, *, max_bytes: int, problems: Problems) -> dict[str, bytes]:
    """The files in a .zip by their names (folders and archivers' traces left out), or what
    is wrong with it, each as `ARCHIVE:1: MEMBER: message`: not a zip, encrypted, an unknown
    compression, a damaged member, two files of one name, more than `max_bytes` unpacked."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, EOFError):
        problems.add(name, 1, "-", _("The .zip file cannot be opened."))
        return {}
    files: dict[str, bytes] = {}
    total = 0
    for member in archive.infolist():
        base = PurePosixPath(member.filename).name
        if member.is_dir() or base.startswith(".") or member.filename.startswith("__MACOSX/"):
            continue  # the traces archivers leave
        if member.flag_bits & 0x1:
            problems.add(name, 1, base, _("the file is encrypted: zip it without a password"))
            continue
        if member.compress_type not in READABLE_METHODS:
            problems.add(name, 1, base, _("an unknown compression method: zip it again"))
            continue
        if base in files:
            problems.add(name, 1, base, _("two files of this name in the archive"))
            continue
        try:
            with archive.open(member) as opened:
                content = opened.read(max_bytes - total + 1)
        except (
            zipfile.BadZipFile,
            zlib.error,
            EOFError,
            OSError,
            ValueError,
            NotImplementedError,
            RuntimeError,
        ):
            problems.add(name, 1, base, _("the file is damaged in the archive: zip it again"))
            continue
        total += len(content)
        if total > max_bytes:
            problems.add(
                name,
                1,
                base,
                _("the files are larger than %(mb)s MB in all")
                % {"mb": max_bytes // (1024 * 1024)},
            )
            return {}
        files[base] = content
    return files


FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value) -> str:
    """A cell a spreadsheet will not run as a formula. Numbers stay numbers (a negative one is
    not a formula); text that starts like a formula gets a leading quote."""
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        return str(value)
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def csv_response(filename: str, header: list[str], rows) -> HttpResponse:
    """A CSV download, every cell safe from formulas."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    for row in rows:
        writer.writerow([safe_cell(v) for v in row])
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
