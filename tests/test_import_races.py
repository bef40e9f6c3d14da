"""Two imports at once take turns: the second answers as a repeat, never with an error."""

import threading

import pytest
from django.db import connection, connections

from leads import importer
from leads.models import Lead
from metrics import history

from .test_import_history import files as history_files
from .test_import_leads import SEOUL, csv_bytes, good_row

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="SQLite runs one writer at a time anyway (IMMEDIATE transactions)",
    ),
]


def at_once(work, n: int = 2) -> list:
    """Runs `work` in n threads released together; returns what each returned or raised."""
    start = threading.Barrier(n)
    results: list = [None] * n

    def run(i: int) -> None:
        start.wait()
        try:
            results[i] = work()
        except Exception as exc:  # noqa: BLE001 - the test reports it
            results[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def test_two_history_imports_at_once_write_once_and_the_second_answers_as_a_repeat():
    results = at_once(lambda: history.import_files(history_files()))
    assert all(not isinstance(r, Exception) for r in results), results
    written = sorted((r.written for r in results), key=lambda w: w["leads"])
    nothing = dict.fromkeys(written[0], 0)
    assert written[0] == nothing
    assert written[1]["leads"] == 2
    assert Lead.objects.count() == 2


def test_the_same_lead_file_confirmed_twice_at_once_is_imported_once(org):
    data = csv_bytes(good_row(1), good_row(2))
    results = at_once(
        lambda: importer.check_and_import(data, filename="leads.csv", by=None, zone=SEOUL)
    )
    assert all(not isinstance(r, Exception) for r in results), results
    assert sorted(r.created for r in results) == [0, 2]
    assert Lead.objects.count() == 2
