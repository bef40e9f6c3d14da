"""The history import in the browser: managers for their team, admins for any."""

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from handoffs.models import Handoff, Opportunity
from leads.models import Activity, Lead
from sdr_ops.models import StaffingRecord

from .test_import_history import files as history_files

URL = "history-import"
TEAM_STAFF = """email,name,role,team,start_date,end_date,reason
kim@hist.test,Min Kim,sdr,enterprise-desk,2026-01-05,,hired
"""
TEAM_HANDOFFS = """external_id,lead_external_id,sdr_email,ae_email,created_at,certainty,note,status,decided_at,rejection_reason
H1,L1,kim@hist.test,aaron@example.com,2026-10-03T09:00,A,Pain is real,accepted,2026-10-04T09:00,
"""


def team_files() -> dict[str, bytes]:
    content = history_files()
    content["staff.csv"] = TEAM_STAFF.encode()
    content["handoffs.csv"] = TEAM_HANDOFFS.encode()
    return content


def uploads(content: dict[str, bytes]) -> list[SimpleUploadedFile]:
    return [
        SimpleUploadedFile(name, data, content_type="text/csv") for name, data in content.items()
    ]


def post(client, content, action="import", as_zip=False):
    if as_zip:
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            for name, data in content.items():
                archive.writestr(f"history/{name}", data)
        files = [SimpleUploadedFile("history.zip", buffer.getvalue())]
    else:
        files = uploads(content)
    return client.post(reverse(URL), {"files": files, "action": action})


@pytest.mark.parametrize(
    ("persona", "status"),
    [("mia", 200), ("root", 200), ("alice", 404), ("aaron", 404), ("stella", 404)],
)
def test_who_may_import_history(client, org, persona, status):
    client.force_login(getattr(org, persona))
    assert client.get(reverse(URL)).status_code == status


def test_a_manager_imports_their_team_history_all_at_once(client, org):
    client.force_login(org.mia)
    html = post(client, team_files()).content.decode()
    assert "Imported" in html
    assert Lead.objects.filter(external_id__in=["L1", "L2"]).count() == 2
    assert Activity.objects.filter(lead__external_id="L1").count() == 1
    assert Opportunity.objects.get(handoff__external_id="H1").amount_at_close == 1200000
    assert StaffingRecord.objects.filter(person__email="kim@hist.test", team=org.desk).exists()
    # The same files again write nothing.
    html = post(client, team_files()).content.decode()
    assert Lead.objects.filter(external_id__in=["L1", "L2"]).count() == 2
    assert Handoff.objects.filter(external_id="H1").count() == 1
    assert "<td>Leads</td><td>2</td><td>0</td>" in html


def test_an_import_asks_for_one_recomputation_of_the_weeks_it_marked(client, org):
    from metrics import rollups
    from metrics.kpis import Week
    from metrics.models import WeeklyRollup
    from sdr_ops.models import OutboxMessage

    rollups.roll_up(org.desk, Week.parse(org.desk, "2026-W40"))  # the imported activity's
    client.force_login(org.mia)
    post(client, team_files())
    assert WeeklyRollup.objects.get(team=org.desk, week="2026-W40").marked_at is not None
    # The marks' recomputation, and no full recomputation of every stored week on top.
    assert set(OutboxMessage.objects.values_list("task", flat=True)) == {"metrics.recompute_marked"}


def test_checking_only_writes_nothing(client, org):
    client.force_login(org.mia)
    html = post(client, team_files(), action="check").content.decode()
    assert "The files are good: nothing is written yet." in html
    assert not Lead.objects.filter(external_id="L1").exists()


def test_a_zip_of_the_files_is_read_like_the_files(client, org):
    client.force_login(org.mia)
    post(client, team_files(), as_zip=True)
    assert Lead.objects.filter(external_id="L1").exists()


def test_bad_rows_are_listed_and_nothing_is_written(client, org):
    client.force_login(org.mia)
    bad = team_files()
    bad["activities.csv"] += b"L9,kim@hist.test,call,connected,yesterday,30,\n"
    html = post(client, bad).content.decode()
    assert "Nothing was imported" in html
    assert "activities.csv:4: lead_external_id: no lead with this external_id" in html
    assert "activities.csv:4: started_at: not a time" in html
    assert not Lead.objects.filter(external_id="L1").exists()


def test_a_manager_cannot_import_another_team(client, org):
    client.force_login(org.mia)
    other = team_files()
    other["staff.csv"] = TEAM_STAFF.replace("enterprise-desk", "growth-desk").encode()
    html = post(client, other).content.decode()
    assert "staff.csv:2: team: you can import the history of enterprise-desk only" in html
    assert "leads.csv:2: owner_email: not an SDR of enterprise-desk" in html
    assert not StaffingRecord.objects.filter(person__email="kim@hist.test").exists()


def test_an_admin_imports_any_team(client, org):
    client.force_login(org.root)
    post(client, history_files())
    assert StaffingRecord.objects.filter(team__slug="history-desk").exists()


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (SimpleUploadedFile("notes.txt", b"hello"), "notes.txt is neither a .csv nor a .zip file"),
        (SimpleUploadedFile("history.zip", b"not a zip"), "The .zip file cannot be opened"),
        (
            SimpleUploadedFile("leads.csv", "é".encode("latin-1")),
            "leads.csv:1: -: the file is not UTF-8",
        ),
    ],
)
def test_files_that_cannot_be_read_say_why(client, org, upload, message):
    client.force_login(org.mia)
    html = client.post(reverse(URL), {"files": [upload], "action": "check"}).content.decode()
    assert message in html


def test_the_page_costs_a_fixed_number_of_queries(client, org, django_assert_num_queries):
    client.force_login(org.mia)
    # session, the user with their team
    with django_assert_num_queries(2):
        assert client.get(reverse(URL)).status_code == 200


@pytest.mark.parametrize(
    "cell", ['=HYPERLINK("http://x")', "@SUM(A1)", "+cmd|' /C calc'!A0", "-2+3+cmd"]
)
def test_cells_that_a_spreadsheet_would_run_are_refused(client, org, cell):
    client.force_login(org.mia)
    bad = team_files()
    bad["activities.csv"] = bad["activities.csv"].replace(b"Good talk", cell.encode())
    html = post(client, bad).content.decode()
    assert "activities.csv:2: notes: starts like a spreadsheet formula" in html
    assert not Lead.objects.filter(external_id="L1").exists()


def test_numbers_and_phone_numbers_with_a_sign_are_fine():
    from sdr_ops.csvfiles import looks_like_formula

    for value in ("+82 2-555-0100", "-1200", "+1 (415) 555-0100", "0.5", "Call back"):
        assert not looks_like_formula(value), value
