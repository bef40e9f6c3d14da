"""Reading the CSV files people upload or import: one decoding, one header check and one
capped list of `FILE:LINE: COLUMN: message` problems for every importer."""

import csv
import io
import re
from decimal import Decimal

from django.http import HttpResponse
from django.utils.translation import gettext as _

MAX_REPORTED = 100


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


NUMBER_OR_PHONE = re.compile(r"[+-]?[\d\s().,/-]+")


def looks_like_formula(value: str) -> bool:
    """A cell a spreadsheet would run: it starts with = or @ (or a tab or carriage return), or
    with + or - without being a number or a phone number such as +82 2-555-0100."""
    if not value:
        return False
    if value[0] in ("=", "@", "\t", "\r"):
        return True
    return value[0] in "+-" and not NUMBER_OR_PHONE.fullmatch(value)


def read_rows(
    name: str, data: bytes, columns: list[str], required: list[str], problems: Problems
) -> list[tuple[int, dict[str, str]]]:
    """The file's non-blank rows as (line number, stripped values by column), or [] after
    reporting why the file cannot be read: not UTF-8, an unknown or missing column."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        problems.add(
            name,
            1,
            "-",
            _("the file is not UTF-8 (byte %(pos)s); save it as CSV UTF-8.") % {"pos": exc.start},
        )
        return []
    if "\x00" in text:
        problems.add(name, 1, "-", _("this is not a CSV file; save it as CSV UTF-8."))
        return []
    reader = csv.DictReader(io.StringIO(text, newline=""))
    try:
        header = reader.fieldnames or []
    except csv.Error as exc:
        problems.add(name, 1, "-", _("not readable as CSV: %(error)s") % {"error": exc})
        return []
    before = problems.count
    for column in header:
        if column not in columns:
            problems.add(
                name,
                1,
                column,
                _("unknown column (the columns are: %(columns)s)")
                % {"columns": ", ".join(columns)},
            )
    for column in required:
        if column not in header:
            problems.add(name, 1, column, _("required column missing"))
    if not header:
        problems.add(name, 1, "-", _("the file is empty: it needs a header row"))
    if problems.count > before:
        return []
    rows = []
    try:
        for line, raw in enumerate(reader, start=2):
            if None in raw:
                problems.add(name, line, "-", _("more cells than columns"))
                continue
            values = {k: (v or "").strip() for k, v in raw.items()}
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
    except csv.Error as exc:
        problems.add(
            name, reader.line_num, "-", _("not readable as CSV: %(error)s") % {"error": exc}
        )
        return []
    return rows


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
