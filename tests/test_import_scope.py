"""A manager's history upload touches their own team only; admins import anything; imported
people reach their first log-in through the password reset form."""

import re

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse

from handoffs.models import Handoff
from leads.models import Activity, Lead
from metrics import history
from sdr_ops.models import StaffingRecord, User

from .factories import LeadFactory
from .test_history_upload import post, team_files

STAFF_HEADER = "email,name,role,team,start_date,end_date,reason\n"
ACTIVITIES_HEADER = ",".join(history.FILES["activities.csv"]) + "\n"
HANDOFFS_HEADER = ",".join(history.FILES["handoffs.csv"]) + "\n"


def check_as(manager, **files) -> list[str]:
    content = {name: data.encode() for name, data in files.items()}
    return history.check(content, team=manager.current_team).problems.report()


def test_a_manager_cannot_move_another_teams_sdr_onto_their_team(client, org):
    client.force_login(org.mia)
    content = team_files()
    content["staff.csv"] = (
        STAFF_HEADER + "carol@example.com,Carol,sdr,enterprise-desk,2026-11-01,,moved\n"
    ).encode()
    html = post(client, content).content.decode()
    assert (
        "staff.csv:2: email: on another team: only an admin can move people between teams" in html
    )
    assert not StaffingRecord.objects.filter(person=org.carol, team=org.desk).exists()
    assert org.carol.current_team == org.growth


def test_a_manager_cannot_add_someone_already_in_the_app_to_their_team(org):
    report = check_as(
        org.mia,
        **{"staff.csv": STAFF_HEADER + "aaron@example.com,,sdr,enterprise-desk,2026-11-01,,\n"},
    )
    assert "staff.csv:2: email: on another team: only an admin can move people between teams" in (
        report
    )


def test_a_manager_cannot_write_on_another_teams_lead(org):
    LeadFactory(owner=org.carol, external_id="G1")
    activity = "G1,alice@example.com,call,connected,2026-10-01T10:00,60,\n"
    handoff = "GH1,G1,alice@example.com,aaron@example.com,2026-10-03T09:00,A,,pending,,\n"
    report = check_as(
        org.mia,
        **{
            "activities.csv": ACTIVITIES_HEADER + activity,
            "handoffs.csv": HANDOFFS_HEADER + handoff,
        },
    )
    assert report == [
        "activities.csv:2: lead_external_id: no lead with this external_id",
        "handoffs.csv:2: lead_external_id: no lead with this external_id",
    ]


def test_a_manager_cannot_take_over_another_teams_lead_by_its_external_id(org):
    LeadFactory(owner=org.carol, external_id="G1")
    leads = history.FILES["leads.csv"]
    row = (
        "G1,Jisoo,Park,jp@acme.test,,CIO,Acme,enterprise,inbound,alice@example.com,2026-10-01T09:00"
    )
    report = check_as(org.mia, **{"leads.csv": ",".join(leads) + "\n" + row + "\n"})
    assert report == ["leads.csv:2: external_id: this external_id is taken"]


def test_a_manager_cannot_add_an_opportunity_to_another_teams_handoff(org):
    lead = LeadFactory(owner=org.carol, external_id="G1")
    Handoff.objects.create(
        external_id="GH1",
        lead=lead,
        sdr=org.carol,
        ae=org.aaron,
        certainty="A",
        status="accepted",
        decided_at=lead.created_at,
    )
    header = ",".join(history.FILES["opportunities.csv"]) + "\n"
    report = check_as(
        org.mia, **{"opportunities.csv": header + "GH1,1000000,2026-10-04T09:00,open,,\n"}
    )
    assert report == ["opportunities.csv:2: handoff_external_id: no handoff with this external_id"]


@pytest.mark.parametrize("role", ["ae", "manager", "stakeholder"])
def test_a_manager_cannot_create_an_ae_or_anyone_who_is_not_an_sdr(client, org, role):
    client.force_login(org.mia)
    content = team_files()
    content["staff.csv"] += (
        f"new.{role}@hist.test,New One,{role},enterprise-desk,2026-01-05,,\n".encode()
    )
    html = post(client, content).content.decode()
    assert "staff.csv:3: role: only an admin can import people who are not SDRs" in html
    assert not User.objects.filter(email=f"new.{role}@hist.test").exists()
    assert not Lead.objects.filter(external_id="L1").exists()


@pytest.mark.parametrize("who", ["bob", "inactive_ae"])
def test_a_handoff_goes_to_an_active_ae_only(org, who):
    if who == "inactive_ae":
        User.objects.filter(pk=org.ada.pk).update(is_active=False)
        email = "ada@example.com"
    else:
        email = "bob@example.com"
    leads = ",".join(history.FILES["leads.csv"]) + "\n"
    leads += "L1,Jisoo,Park,jp@acme.test,,CIO,Acme,enterprise,inbound,alice@example.com,2026-10-01T09:00\n"
    handoff = f"H1,L1,alice@example.com,{email},2026-10-03T09:00,A,,pending,,\n"
    report = check_as(org.mia, **{"leads.csv": leads, "handoffs.csv": HANDOFFS_HEADER + handoff})
    assert report == ["handoffs.csv:2: ae_email: no active AE with this e-mail"]


def test_an_admin_may_move_people_create_aes_and_write_on_any_lead(org):
    LeadFactory(owner=org.carol, external_id="G1")
    staff = (
        STAFF_HEADER
        + "carol@example.com,Carol,sdr,enterprise-desk,2026-11-01,,moved\n"
        + "new.ae@hist.test,New Ae,ae,field-sales,2026-01-05,,hired\n"
    )
    activity = "G1,carol@example.com,call,connected,2026-10-01T10:00,60,\n"
    plan = history.check(
        {"staff.csv": staff.encode(), "activities.csv": (ACTIVITIES_HEADER + activity).encode()}
    )
    assert plan.ok, plan.problems.report()
    history.write(plan)
    assert User.objects.get(email="new.ae@hist.test").role == "ae"
    assert Activity.objects.filter(lead__external_id="G1").exists()


def test_an_imported_person_chooses_a_first_password_through_the_reset_form(client, org, tmp_path):
    (tmp_path / "staff.csv").write_text(
        STAFF_HEADER + "kim@hist.test,Min Kim,sdr,enterprise-desk,2026-01-05,,hired\n"
    )
    call_command("import_history", str(tmp_path))
    assert not User.objects.get(email="kim@hist.test").has_usable_password()

    client.post(reverse("password_reset"), {"email": "KIM@hist.test"})
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["kim@hist.test"]
    link = re.search(r"https?://[^/]+(/accounts/reset/\S+)", mail.outbox[0].body).group(1)
    form = client.get(link, follow=True)
    client.post(
        form.redirect_chain[-1][0],
        {"new_password1": "first-pass-2026!", "new_password2": "first-pass-2026!"},
    )
    client.logout()
    response = client.post(
        reverse("login"), {"username": "kim@hist.test", "password": "first-pass-2026!"}
    )
    assert response.status_code == 302


def test_someone_who_has_logged_in_and_lost_their_password_gets_no_reset_mail(client, org):
    from django.utils import timezone

    User.objects.filter(pk=org.bob.pk).update(password="!", last_login=timezone.now())
    client.post(reverse("password_reset"), {"email": "bob@example.com"})
    assert mail.outbox == []
