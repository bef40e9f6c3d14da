"""Property-based: any value in any column of either import gives a good import or
FILE:LINE: COLUMN: messages, never an exception, and nothing is written on refusal.

The examples are bounded and derandomized, so `make test` and CI (CI=true) always try the
same ones. To explore with a random seed (hypothesis prints the seed of a failure, and
`--hypothesis-seed=N` replays it):

    HYPOTHESIS_RANDOM=1 IMPORT_FUZZ_EXAMPLES=200 .venv/bin/pytest tests/test_import_properties.py
"""

import csv
import datetime
import io
import os
import re

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from handoffs.models import Handoff, Opportunity
from leads import importer
from leads.models import Activity, Lead
from metrics import history
from sdr_ops.models import StaffingRecord, User

from .test_import_history import files as history_files
from .test_import_leads import SEOUL, good_row

RANDOM = os.environ.get("HYPOTHESIS_RANDOM") == "1" and os.environ.get("CI") != "true"
FUZZ = settings(
    max_examples=int(os.environ.get("IMPORT_FUZZ_EXAMPLES", "15")),
    derandomize=not RANDOM,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
LINE = re.compile(r'^[\w.-]+\.csv:\d+: ([^:\s]+|"[^\n]*"): .+')

EDGES = [
    "",
    " ",
    "0",
    "-0",
    "NaN",
    "sNaN",
    "Infinity",
    "-Infinity",
    "1e20",
    "1e-300",
    "²",
    "99999999999999",
    "0001-01-01",
    "1899-12-31",
    "1900-01-01T00:00",
    "2100-12-31T23:59+14:00",
    "9999-12-31T23:59:59",
    "2026-02-30T10:00",
    "2026-13-01",
    "2026-11-27T25:00",
    "x" * 401,
    "=1+1",
    "a,b\nc",
    '"',
    "\x00",
    "ⓐ@ⓑ.ⓒ",
]
VALUES = st.one_of(
    st.sampled_from(EDGES),
    st.text(max_size=60),
    st.text(min_size=95, max_size=260),
    st.integers(min_value=-(10**20), max_value=10**20).map(str),
    st.floats().map(str),
    st.decimals(allow_nan=True).map(str),
    st.dates(min_value=datetime.date(1, 1, 1)).map(datetime.date.isoformat),
    st.datetimes(
        min_value=datetime.datetime(1, 1, 2),
        max_value=datetime.datetime(9999, 12, 30),
        timezones=st.sampled_from([None, datetime.UTC, SEOUL]),
    ).map(datetime.datetime.isoformat),
)
TABLES = [User, StaffingRecord, Lead, Activity, Handoff, Opportunity]


def counts() -> list[int]:
    return [model.objects.count() for model in TABLES]


def with_cell(data: bytes, column: str, value: str, line: int = 2) -> bytes:
    """The CSV file with one cell of one data line replaced, written as a spreadsheet would."""
    rows = list(csv.reader(io.StringIO(data.decode())))
    rows[line - 1][rows[0].index(column)] = value
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue().encode()


def assert_lines(report: list[str]) -> None:
    assert report, "refused without a message"
    for line in report:
        assert LINE.match(line) or line.startswith("... and"), line


@pytest.mark.parametrize("column", importer.COLUMNS)
@FUZZ
@given(value=VALUES)
def test_any_cell_of_a_lead_import(org, column, value):
    data = with_cell(
        ("\n".join([",".join(importer.COLUMNS), good_row(1)]) + "\n").encode(), column, value
    )
    before = counts()
    result = importer.check_leads(data, filename="leads.csv", by=org.mia, zone=SEOUL)
    if not result.ok:
        assert_lines(result.errors)
        assert counts() == before
        return
    with transaction.atomic():
        importer.import_leads(result, by=org.mia)
        [lead.refresh_from_db() for lead in Lead.objects.all()]  # readable back
        transaction.set_rollback(True)


HISTORY_CELLS = [(name, column) for name, columns in history.FILES.items() for column in columns]


@pytest.mark.parametrize(("name", "column"), HISTORY_CELLS)
@FUZZ
@given(value=VALUES)
def test_any_cell_of_a_history_import(db, name, column, value):
    content = history_files()
    content[name] = with_cell(content[name], column, value)
    before = counts()
    plan = history.check(content)
    if not plan.ok:
        assert_lines(plan.problems.report())
        assert counts() == before
        return
    with transaction.atomic():
        history.write(plan)
        [lead.refresh_from_db() for lead in Lead.objects.all()]
        transaction.set_rollback(True)


@FUZZ
@given(
    header=st.lists(st.one_of(st.sampled_from(importer.COLUMNS), st.text(max_size=12)), max_size=14)
)
def test_any_header_of_a_lead_import(org, header):
    out = io.StringIO()
    csv.writer(out).writerows([header, ["x"] * len(header)])
    result = importer.check_leads(
        out.getvalue().encode(), filename="leads.csv", by=None, zone=SEOUL
    )
    if not result.ok:
        assert_lines(result.errors)
    assert not Lead.objects.exists()
