"""Lead import: preview first, all or nothing, every bad row with its line, duplicates once."""

import zoneinfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from leads import importer
from leads.models import Lead, StageChange

from .factories import AccountFactory, LeadFactory

SEOUL = zoneinfo.ZoneInfo("Asia/Seoul")
HEADER = ",".join(importer.COLUMNS)


def csv_bytes(*rows: str, header: str = HEADER) -> bytes:
    return ("\n".join([header, *rows]) + "\n").encode()


def good_row(n: int, owner: str = "alice@example.com", **over) -> str:
    values = {
        "external_id": f"crm-{n}",
        "first_name": "Jisoo",
        "last_name": f"Kim{n}",
        "email": f"jisoo{n}@hanbit.example",
        "phone": "",
        "title": "CIO",
        "company": "Hanbit Logistics",
        "segment": "enterprise",
        "source": "inbound",
        "owner_email": owner,
        "created_at": "2026-11-20T09:30",
    }
    values.update(over)
    return ",".join(values[c] for c in importer.COLUMNS)


def check(data: bytes, by=None):
    return importer.check_leads(data, filename="leads.csv", by=by, zone=SEOUL)


def test_a_good_file_imports_leads_companies_and_first_stage(org):
    result = check(csv_bytes(good_row(1), good_row(2, company="Seorim Foods", segment="smb")))
    assert result.ok, result.errors
    importer.import_leads(result, by=org.mia)
    leads = Lead.objects.order_by("external_id")
    assert [lead.external_id for lead in leads] == ["crm-1", "crm-2"]
    first = leads[0]
    assert (first.owner, first.account.segment, first.stage) == (org.alice, "enterprise", "new")
    assert first.created_at.astimezone(SEOUL).hour == 9  # no offset: the team's time zone
    assert StageChange.objects.filter(lead=first, to_stage="new", by=org.mia).exists()


def test_every_bad_row_is_reported_with_file_line_and_column_and_nothing_is_written(org):
    data = csv_bytes(
        good_row(1),
        good_row(2, segment="huge"),
        good_row(3, owner_email="nobody@example.com"),
        good_row(4, email="not-an-email"),
        good_row(5, email="", phone=""),
        good_row(6, created_at="yesterday"),
        good_row(7, company=""),
    )
    result = check(data)
    assert not result.ok
    assert result.errors == [
        "leads.csv:3: segment: must be one of enterprise, mid_market, smb",
        "leads.csv:4: owner_email: no SDR with this e-mail on your team",
        "leads.csv:5: email: not an e-mail address",
        "leads.csv:6: email: an e-mail or a phone number is needed",
        "leads.csv:7: created_at: not a date or time (write 2026-11-27 or 2026-11-27T09:30)",
        "leads.csv:8: company: required",
    ]
    with pytest.raises(ValueError):
        importer.import_leads(result, by=None)
    assert not Lead.objects.exists()


def test_unknown_and_missing_columns_are_errors(org):
    result = check(b"first_name,company,segmnt\nA,B,smb\n")
    assert "leads.csv:1: segmnt: unknown column" in result.errors[0]
    assert any("source: required column missing" in e for e in result.errors)


def test_a_byte_order_mark_is_allowed_and_other_encodings_are_refused(org):
    assert check(b"\xef\xbb\xbf" + csv_bytes(good_row(1))).ok
    result = check(csv_bytes(good_row(1)).replace(b"Jisoo", "J\xe9".encode("latin-1")))
    assert "not UTF-8" in result.errors[0]


def test_duplicates_in_the_file_and_in_the_database_are_reported_and_left_out(org):
    LeadFactory(
        owner=org.alice,
        email="known@hanbit.example",
        account=AccountFactory(name="Hanbit Logistics"),
    )
    data = csv_bytes(
        good_row(1),
        good_row(2, email="JISOO1@hanbit.example"),  # same e-mail, same company
        good_row(3, email="", phone="+82 2 555 0101"),
        good_row(4, email="", phone="+82-2-555-0101"),  # same phone, written differently
        good_row(5, email="known@hanbit.example"),  # already in the database
        good_row(6, email="jisoo1@hanbit.example", company="Other Co"),  # other company: fine
    )
    result = check(data)
    assert result.ok
    assert result.duplicates == [
        "leads.csv:3: the same lead as line 2; not created twice",
        "leads.csv:5: the same lead as line 4; not created twice",
        "leads.csv:6: already in SDR Ops; not created twice",
    ]
    importer.import_leads(result, by=None)
    assert Lead.objects.count() == 1 + 3


def test_importing_the_same_file_twice_creates_nothing_the_second_time(org):
    data = csv_bytes(good_row(1), good_row(2))
    importer.import_leads(check(data), by=None)
    again = check(data)
    assert again.ok and again.rows == [] and len(again.duplicates) == 2
    importer.import_leads(again, by=None)
    assert Lead.objects.count() == 2


def test_a_manager_imports_for_their_own_team_only(org):
    result = check(csv_bytes(good_row(1, owner_email="carol@example.com")), by=org.mia)
    assert result.errors == ["leads.csv:2: owner_email: no SDR with this e-mail on your team"]
    assert check(csv_bytes(good_row(1, owner_email="carol@example.com")), by=org.otto).ok


def test_errors_stop_being_listed_after_one_hundred(org):
    data = csv_bytes(*[good_row(n, segment="x") for n in range(150)])
    result = check(data)
    assert len(result.errors) == 100 and result.errors_left_off == 50


def test_command_imports_and_fails_loudly(org, tmp_path, capsys):
    good = tmp_path / "leads.csv"
    good.write_bytes(csv_bytes(good_row(1)))
    call_command("import_leads", str(good))
    assert Lead.objects.count() == 1
    bad = tmp_path / "bad.csv"
    bad.write_bytes(csv_bytes(good_row(2), good_row(3, source="fax")))
    with pytest.raises(CommandError, match="Nothing was imported"):
        call_command("import_leads", str(bad))
    assert "bad.csv:3: source: must be one of" in capsys.readouterr().err
    assert Lead.objects.count() == 1


def test_browser_import_previews_then_imports(client, org):
    client.force_login(org.mia)
    upload = SimpleUploadedFile("leads.csv", csv_bytes(good_row(1), good_row(2)))
    response = client.post(reverse("lead-import"), {"file": upload})
    html = response.content.decode()
    assert "2 leads ready to import" in html and "Import these leads" in html
    assert not Lead.objects.exists()  # a preview writes nothing
    token = client.session["lead_import"]["token"]
    response = client.post(reverse("lead-import"), {"confirm": "1", "token": token})
    assert response.url == reverse("lead-list")
    assert Lead.objects.count() == 2


def test_browser_import_shows_the_errors_and_offers_no_import(client, org):
    client.force_login(org.mia)
    upload = SimpleUploadedFile("leads.csv", csv_bytes(good_row(1, segment="big")))
    html = client.post(reverse("lead-import"), {"file": upload}).content.decode()
    assert "leads.csv:2: segment: must be one of" in html
    assert "Import these leads" not in html
    assert client.post(reverse("lead-import"), {"confirm": "1"}).url == reverse("lead-import")
    assert not Lead.objects.exists()


def test_browser_import_refuses_files_that_are_not_csv(client, org):
    client.force_login(org.mia)
    upload = SimpleUploadedFile("leads.xlsx", b"PK\x03\x04")
    assert (
        "Upload a .csv file."
        in client.post(reverse("lead-import"), {"file": upload}).content.decode()
    )


@pytest.mark.parametrize("persona", ["alice", "aaron", "stella"])
def test_only_managers_and_admins_import(client, org, persona):
    client.force_login(getattr(org, persona))
    assert client.get(reverse("lead-import")).status_code == 404


def test_formula_cells_are_refused_but_phone_numbers_are_not(org):
    result = check(
        csv_bytes(
            good_row(1, company="=HYPERLINK(1)"),
            good_row(2, phone="+82 2-555-0100", email=""),
            good_row(3, title="@SUM(A1)"),
        )
    )
    assert not result.ok
    assert result.errors == [
        "leads.csv:2: company: starts like a spreadsheet formula (=, +, -, @): remove the sign, "
        "so that nobody's spreadsheet runs it",
        "leads.csv:4: title: starts like a spreadsheet formula (=, +, -, @): remove the sign, "
        "so that nobody's spreadsheet runs it",
    ]


def test_a_file_that_is_not_text_is_refused(org):
    result = check(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    assert not result.ok
    assert "leads.csv:1: -:" in result.errors[0]


def test_confirming_the_same_preview_twice_imports_it_once(client, org):
    client.force_login(org.mia)
    upload = SimpleUploadedFile("leads.csv", csv_bytes(good_row(1), good_row(2)))
    client.post(reverse("lead-import"), {"file": upload})
    token = client.session["lead_import"]["token"]
    client.post(reverse("lead-import"), {"confirm": "1", "token": token})
    again = client.post(reverse("lead-import"), {"confirm": "1", "token": token})
    assert again.url == reverse("lead-import")  # the preview has expired
    assert Lead.objects.count() == 2


def test_a_tab_confirms_its_own_preview_not_the_one_another_tab_made_since(client, org):
    client.force_login(org.mia)
    client.post(
        reverse("lead-import"), {"file": SimpleUploadedFile("a.csv", csv_bytes(good_row(1)))}
    )
    first = client.session["lead_import"]["token"]
    client.post(
        reverse("lead-import"), {"file": SimpleUploadedFile("b.csv", csv_bytes(good_row(2)))}
    )
    assert client.post(reverse("lead-import"), {"confirm": "1", "token": first}).url == reverse(
        "lead-import"
    )
    assert not Lead.objects.exists()


def test_the_import_rechecks_under_its_lock_so_a_second_run_finds_only_duplicates(org):
    data = csv_bytes(good_row(1), good_row(2))
    assert importer.check_and_import(data, filename="leads.csv", by=None, zone=SEOUL).created == 2
    again = importer.check_and_import(data, filename="leads.csv", by=None, zone=SEOUL)
    assert again.ok and again.created == 0 and len(again.duplicates) == 2
    assert Lead.objects.count() == 2


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ({"email": "Jisoo@hanbit.example"}, {"email": "jisoo@HANBIT.example"}),
        ({"email": "", "phone": "+82 2-555-0101"}, {"email": "", "phone": "82 (2) 555.0101"}),
    ],
)
def test_the_database_holds_the_duplicate_rule_whoever_writes(org, first, second):
    from django.db import IntegrityError, transaction

    account = AccountFactory(name="Hanbit Logistics")
    LeadFactory(account=account, owner=org.alice, **first)
    with pytest.raises(IntegrityError), transaction.atomic():
        LeadFactory(account=account, owner=org.alice, **second)
    LeadFactory(account=AccountFactory(name="Other Co"), owner=org.alice, **second)
