"""import_history: all or nothing, FILE:LINE: COLUMN errors, idempotent, references resolved."""

import pytest
from django.core.management import CommandError, call_command

from handoffs.models import Handoff, Opportunity
from leads.models import Activity, Lead
from metrics import history
from sdr_ops.models import StaffingRecord, User

STAFF = """email,name,role,team,start_date,end_date,reason
kim@hist.test,Min Kim,sdr,history-desk,2026-01-05,,hired
kim@hist.test,Min Kim,sdr,other-desk,2025-06-01,2026-01-04,moved
lee@hist.test,Ara Lee,ae,history-sales,2025-01-01,,hired
"""
LEADS = """external_id,first_name,last_name,email,phone,title,company,segment,source,owner_email,created_at
L1,Jisoo,Park,jp@acme.test,,CIO,Acme,enterprise,inbound,kim@hist.test,2026-10-01T09:00
L2,Hana,Cho,hc@beta.test,,CFO,Beta,smb,outbound,kim@hist.test,2026-10-02T09:00+09:00
"""
ACTIVITIES = """lead_external_id,sdr_email,type,outcome,started_at,duration_seconds,notes
L1,kim@hist.test,call,connected,2026-10-01T10:00,300,Good talk
L2,kim@hist.test,call,no_answer,2026-10-02T10:00,20,
"""
HANDOFFS = """external_id,lead_external_id,sdr_email,ae_email,created_at,certainty,note,status,decided_at,rejection_reason
H1,L1,kim@hist.test,lee@hist.test,2026-10-03T09:00,A,Pain is real,accepted,2026-10-04T09:00,
"""
OPPORTUNITIES = """handoff_external_id,amount_at_creation,created_at,status,amount_at_close,closed_at
H1,1000000,2026-10-04T09:00,won,1200000,2026-10-20T09:00
"""


def files(**overrides):
    content = {
        "staff.csv": STAFF,
        "leads.csv": LEADS,
        "activities.csv": ACTIVITIES,
        "handoffs.csv": HANDOFFS,
        "opportunities.csv": OPPORTUNITIES,
    }
    content.update(overrides)
    return {k: v.encode() for k, v in content.items() if v is not None}


@pytest.fixture
def folder(tmp_path):
    def make(**overrides):
        for name, data in files(**overrides).items():
            (tmp_path / name).write_bytes(data)
        return tmp_path

    return make


def test_a_good_history_is_imported_with_its_references(db, folder, capsys):
    call_command("import_history", str(folder()))
    kim = User.objects.get(email="kim@hist.test")
    assert not kim.has_usable_password()
    assert StaffingRecord.objects.filter(person=kim).count() == 2
    lead = Lead.objects.get(external_id="L1")
    assert (lead.owner, lead.stage) == (kim, "won")
    assert lead.created_at.hour == 0  # 09:00 in the team's zone (Asia/Seoul) is 00:00 UTC
    assert Activity.objects.count() == 2
    assert Handoff.objects.get(external_id="H1").status == "accepted"
    assert Opportunity.objects.get().amount_at_close == 1200000
    assert "Imported in" in capsys.readouterr().out


def test_importing_the_same_files_again_changes_nothing(db, folder):
    call_command("import_history", str(folder()))
    counts = [
        m.objects.count() for m in (User, StaffingRecord, Lead, Activity, Handoff, Opportunity)
    ]
    call_command("import_history", str(folder()))
    assert counts == [
        m.objects.count() for m in (User, StaffingRecord, Lead, Activity, Handoff, Opportunity)
    ]


def test_every_bad_row_is_reported_and_nothing_is_written(db, folder, capsys):
    bad_leads = LEADS + "L3,,,x@y.test,,,Gamma,huge,inbound,nobody@hist.test,yesterday\n"
    bad_handoffs = HANDOFFS + "H2,L9,kim@hist.test,lee@hist.test,2026-10-03T09:00,D,,rejected,,\n"
    with pytest.raises(CommandError, match="Nothing was imported"):
        call_command(
            "import_history", str(folder(**{"leads.csv": bad_leads, "handoffs.csv": bad_handoffs}))
        )
    err = capsys.readouterr().err.splitlines()
    assert "leads.csv:4: segment: must be one of enterprise, mid_market, smb" in err
    assert "leads.csv:4: owner_email: no SDR with this e-mail (in staff.csv or the app)" in err
    assert any(e.startswith("leads.csv:4: created_at: not a time") for e in err)
    assert "handoffs.csv:3: certainty: must be one of A, B, C" in err
    assert "handoffs.csv:3: lead_external_id: no lead with this external_id" in err
    assert "handoffs.csv:3: decided_at: required unless pending" in err
    assert "handoffs.csv:3: rejection_reason: required when rejected" in err
    assert (
        not Lead.objects.exists() and not User.objects.filter(email__endswith="hist.test").exists()
    )


def test_unknown_columns_and_files_are_errors(db):
    plan = history.check(
        files(**{"leads.csv": LEADS.replace("segment", "segmnt"), "notes.csv": "a\n1\n"})
    )
    report = plan.problems.report()
    assert "notes.csv:1: -: unknown file" in report[0]
    assert any(line.startswith("leads.csv:1: segmnt: unknown column") for line in report)


def test_an_opportunity_needs_an_accepted_handoff(db):
    rejected = HANDOFFS.replace("accepted,2026-10-04T09:00,", "rejected,2026-10-04T09:00,no_need")
    plan = history.check(files(**{"handoffs.csv": rejected}))
    assert plan.problems.report() == [
        "opportunities.csv:2: handoff_external_id: the handoff must be accepted"
    ]


def test_every_file_is_optional(db, folder, tmp_path):
    call_command(
        "import_history",
        str(folder(**{"activities.csv": None, "handoffs.csv": None, "opportunities.csv": None})),
    )
    assert Lead.objects.count() == 2
