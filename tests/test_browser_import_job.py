"""A manager confirms a large lead import: the job's page polls its progress and shows the
result once the worker has run it, without a reload."""

import pytest
from playwright.sync_api import expect

from leads.models import ImportJob, Lead
from leads.tasks import run_import_job

from .test_browser_skeleton import log_in
from .test_import_leads import csv_bytes, good_row

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_large_import_shows_its_progress_then_its_result(
    page, live_server, org, settings, tmp_path
):
    settings.LEAD_IMPORT_JOB_ROWS = 2
    path = tmp_path / "leads.csv"
    path.write_bytes(csv_bytes(good_row(1), good_row(2), good_row(3)))
    log_in(page, live_server, "mia@example.com")
    page.goto(f"{live_server.url}/leads/import/")
    page.get_by_label("leads.csv").set_input_files(str(path))
    page.get_by_role("button", name="Check the file").click()
    page.get_by_role("button", name="Import these leads").click()
    expect(page.get_by_role("heading", name="leads.csv: Queued")).to_be_visible()
    expect(page.locator("progress")).to_be_visible()
    page.evaluate("window.__sameDocument = true")
    # The worker runs the job (here in the test's thread, through the task itself).
    run_import_job(job_id=ImportJob.objects.get().pk)
    expect(page.get_by_text("3 leads imported, 0 duplicates left out.")).to_be_visible(
        timeout=10_000
    )
    assert page.evaluate("window.__sameDocument") is True, "the progress reloaded the page"
    assert Lead.objects.count() == 3
    assert page.csp_violations == []
