"""Every cell of both imports is checked before anything is written: each bad one gets its
FILE:LINE: COLUMN: message with the value echoed, never a crash and never garbage stored."""

import csv
import io
import struct
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from leads import importer
from leads.models import Activity, Lead
from metrics import history
from sdr_ops.csvfiles import Problems, read_zip

from .test_import_history import files as history_files
from .test_import_leads import check, good_row


def leads_file(*rows: dict, columns: list[str] | None = None) -> bytes:
    columns = columns or importer.COLUMNS
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode()


def lead(n: int = 1, **over) -> dict:
    return dict(zip(importer.COLUMNS, good_row(n, **over).split(","), strict=True))


def test_a_leads_file_without_the_phone_column_imports(org):
    columns = [c for c in importer.COLUMNS if c != "phone"]
    result = check(leads_file(lead(1), columns=columns))
    assert result.ok, result.errors
    importer.import_leads(result, by=None)
    assert Lead.objects.get().phone == ""


@pytest.mark.parametrize(
    ("column", "limit"),
    [
        ("phone", 40),
        ("first_name", 100),
        ("last_name", 100),
        ("company", 200),
        ("external_id", 100),
    ],
)
def test_a_value_longer_than_its_column_is_refused_with_the_value_echoed(org, column, limit):
    value = "1" * (limit + 1) if column == "phone" else "x" * (limit + 1)
    result = check(leads_file(lead(1, **{column: value})))
    assert result.errors == [
        f'leads.csv:2: {column}: longer than {limit} characters: "{value[:40]}…"'
    ]


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("2026-02-30T10:00", 'no such date or time: "2026-02-30T10:00"'),
        ("0001-01-01", 'the year must be between 1900 and 2100: "0001-01-01"'),
        ("2101-01-01T09:00", 'the year must be between 1900 and 2100: "2101-01-01T09:00"'),
    ],
)
def test_impossible_dates_and_years_out_of_range_are_refused(org, value, message):
    result = check(leads_file(lead(1, created_at=value)))
    assert result.errors == [f"leads.csv:2: created_at: {message}"]


def test_a_repeated_header_is_refused_rather_than_the_second_winning(org):
    data = leads_file(lead(1)).replace(b"title,", b"email,", 1)
    assert check(data).errors == ["leads.csv:1: email: the column appears twice in the header"]


def test_not_utf8_names_the_line_it_is_on(org):
    data = leads_file(
        lead(1), lead(2), lead(3, title="Caf\xe9".encode("latin-1").decode("latin-1"))
    )
    data = data.replace("Café".encode(), "Café".encode("latin-1"))
    assert check(data).errors[0].startswith("leads.csv:4: -: the file is not UTF-8")


ACTIVITY = "L1,kim@hist.test,call,connected,2026-10-01T10:00,{duration},Good talk\n"
ACTIVITIES_HEADER = ",".join(history.FILES["activities.csv"]) + "\n"
OPPORTUNITY = "H1,{amount},2026-10-04T09:00,won,1200000,2026-10-20T09:00\n"
OPPORTUNITIES_HEADER = ",".join(history.FILES["opportunities.csv"]) + "\n"


@pytest.mark.parametrize(
    ("duration", "message"),
    [
        ("²", 'a whole number of seconds: "²"'),
        ("99999999999999", 'too large: "99999999999999"'),
        ("-5", 'a whole number of seconds: "-5"'),
    ],
)
def test_durations_that_are_not_a_number_of_seconds_are_refused(db, duration, message):
    activities = ACTIVITIES_HEADER + ACTIVITY.format(duration=duration)
    plan = history.check(history_files(**{"activities.csv": activities}))
    assert len(plan.problems.lines) == 1
    assert plan.problems.lines[0].startswith(f"activities.csv:2: duration_seconds: {message}")


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        ("NaN", 'not a number: "NaN"'),
        ("Infinity", 'not a number: "Infinity"'),
        ("1e20", 'too large: "1e20"'),
        ("1e-300", 'at most 2 decimal places: "1e-300"'),
        ("12.345", 'at most 2 decimal places: "12.345"'),
    ],
)
def test_amounts_that_the_database_would_mangle_are_refused(db, amount, message):
    opportunities = OPPORTUNITIES_HEADER + OPPORTUNITY.format(amount=amount)
    plan = history.check(history_files(**{"opportunities.csv": opportunities}))
    assert plan.problems.lines == [f"opportunities.csv:2: amount_at_creation: {message}"]


def test_a_good_amount_with_decimals_and_an_exponent_is_fine(db):
    opportunities = OPPORTUNITIES_HEADER + OPPORTUNITY.format(amount="1.5E6")
    assert history.check(history_files(**{"opportunities.csv": opportunities})).ok


def test_history_cells_are_checked_against_their_columns_too(db):
    long_phone = "1" * 41
    leads = (
        history_files()["leads.csv"]
        .decode()
        .replace("jp@acme.test,,", f"jp@acme.test,{long_phone},")
    )
    plan = history.check(history_files(**{"leads.csv": leads}))
    assert plan.problems.lines[0] == (
        f'leads.csv:2: phone: longer than 40 characters: "{long_phone[:40]}…"'
    )
    assert not Activity.objects.exists()


# -- zips ---------------------------------------------------------------------------------


def zipped(*members: tuple[str, bytes], method=zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=method) as archive:
        for name, data in members:
            archive.writestr(name, data)
    return buffer.getvalue()


def read(data: bytes) -> tuple[dict, list[str]]:
    problems = Problems()
    found = read_zip("history.zip", data, max_bytes=1_000_000, problems=problems)
    return found, problems.lines


def _local_header(data: bytes) -> int:
    return data.index(b"PK\x03\x04")


def _central_header(data: bytes) -> int:
    return data.index(b"PK\x01\x02")


def test_two_files_of_one_name_in_a_zip_are_refused():
    data = zipped(("a/leads.csv", b"x\n"), ("b/leads.csv", b"y\n"))
    assert read(data)[1] == ["history.zip:1: leads.csv: two files of this name in the archive"]


def test_a_bad_crc_is_reported():
    data = bytearray(zipped(("leads.csv", b"external_id\nL1\n"), method=zipfile.ZIP_STORED))
    data[data.index(b"L1")] = ord("X")  # the content no longer matches its checksum
    assert read(bytes(data))[1] == [
        "history.zip:1: leads.csv: the file is damaged in the archive: zip it again"
    ]


def test_lying_sizes_are_reported():
    data = bytearray(zipped(("leads.csv", b"external_id\nL1\nL2\n" * 50)))
    for header, offset in ((_local_header(data), 22), (_central_header(data), 24)):
        struct.pack_into("<I", data, header + offset, 3)  # the uncompressed size
    assert read(bytes(data))[1] == [
        "history.zip:1: leads.csv: the file is damaged in the archive: zip it again"
    ]


def test_the_encrypted_flag_is_refused():
    data = bytearray(zipped(("leads.csv", b"external_id\nL1\n")))
    for header, offset in ((_local_header(data), 6), (_central_header(data), 8)):
        data[header + offset] |= 0x1
    assert read(bytes(data))[1] == [
        "history.zip:1: leads.csv: the file is encrypted: zip it without a password"
    ]


def test_an_unknown_compression_method_is_refused():
    data = bytearray(zipped(("leads.csv", b"external_id\nL1\n")))
    for header, offset in ((_local_header(data), 8), (_central_header(data), 10)):
        struct.pack_into("<H", data, header + offset, 99)
    assert read(bytes(data))[1] == [
        "history.zip:1: leads.csv: an unknown compression method: zip it again"
    ]


def test_a_broken_zip_upload_answers_with_its_problem_not_a_500(client, org):
    client.force_login(org.mia)
    data = zipped(("a/leads.csv", b"x\n"), ("b/leads.csv", b"y\n"))
    response = client.post(
        reverse("history-import"),
        {"files": [SimpleUploadedFile("history.zip", data)], "action": "check"},
    )
    assert response.status_code == 200
    assert "history.zip:1: leads.csv: two files of this name in the archive" in (
        response.content.decode()
    )


def test_a_team_that_is_not_a_slug_is_refused(db):
    staff = history_files()["staff.csv"].decode().replace("history-desk", "History Desk!")
    plan = history.check(history_files(**{"staff.csv": staff}))
    assert plan.problems.lines[0] == (
        'staff.csv:2: team: a team slug: letters, digits, - and _ only: "History Desk!"'
    )
