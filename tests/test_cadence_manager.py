"""The manager's side of cadences: the e-mail preview with a real lead and the rule that only
previewed e-mail runs, weighted variants edited in the page, the e-mail step sent by hand
(through a real aiosmtpd), analytics per step and variant, and the team's days off."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from cadences import domain
from cadences.domain import compose, previews
from cadences.models import (
    Cadence,
    CadenceSettings,
    EmailVariant,
    Enrollment,
    Step,
    StepRun,
    Suppression,
    VariantPreview,
)
from cadences.views_team import public_holidays
from sdr_ops.models import TeamDayOff

from .cadence_helpers import activate
from .factories import AccountFactory, LeadFactory
from .test_cadence_mail import smtp, team_mail  # noqa: F401
from .test_cadence_pages import steps_post
from .test_cadences import seoul


def email(subject="Hi {{ first_name }}", body="About {{ company }}.", **variant):
    return domain.StepData(
        type=Step.Type.EMAIL, variants=[domain.VariantData(subject=subject, body=body, **variant)]
    )


@pytest.fixture
def hana(org):
    return LeadFactory(
        owner=org.alice,
        first_name="Hana",
        email="hana@hanbit.example",
        account=AccountFactory(name="Hanbit <Logistics>"),
    )


# -- the preview and its rule -----------------------------------------------------------------


def test_a_preview_renders_as_the_lead_receives_it_and_reports_unknown_fields(org, hana):
    cadence = domain.create_cadence(org.desk, name="Intro", by=org.mia)
    shown = domain.preview(
        cadence, "Hi {{ first_name }}", "About {{ company }}.", lead=hana, by=org.mia
    )
    assert shown.ok and shown.subject == "Hi Hana"
    assert shown.text.startswith("About Hanbit <Logistics>.") and "/unsubscribe/" in shown.text
    assert "Hanbit &lt;Logistics&gt;" in shown.html and "unsubscribe</a>" in shown.html
    CadenceSettings.objects.create(team=org.desk, advertising=True)
    assert domain.preview(cadence, "Hi", "x", lead=hana, by=org.mia).subject == "(광고) Hi"
    bad = domain.preview(cadence, "Hi {{ nickname }}", "{% load x %}", lead=hana, by=org.mia)
    assert not bad.ok
    assert any("nickname" in error for error in bad.errors)
    assert any("Only merge fields" in error for error in bad.errors)
    assert not VariantPreview.objects.filter(
        digest=previews.digest("Hi {{ nickname }}", "{% load x %}")
    ).exists()
    no_address = LeadFactory(owner=org.alice, email="")
    quiet = domain.preview(cadence, "Hi", "x", lead=no_address, by=org.mia)
    assert quiet.ok and "no e-mail address" in quiet.notes[0]
    assert not domain.preview(cadence, "Hi", "x", lead=None, by=org.mia).ok


def test_the_preview_lead_is_the_first_match_of_the_team_with_an_address(org, hana):
    LeadFactory(owner=org.alice, first_name="Aaron", email="")
    LeadFactory(owner=org.carol, first_name="Hana", email="other@team.example")
    assert domain.pick_lead(org.desk) == hana
    assert domain.pick_lead(org.desk, "hanbit") == hana
    assert domain.pick_lead(org.desk, "nobody") is None
    assert domain.pick_lead(org.growth, "Hana").owner == org.carol


def test_only_previewed_email_activates_and_a_change_asks_for_a_new_preview(org, hana):
    cadence = domain.create_cadence(org.desk, name="Intro", by=org.mia)
    domain.save_steps(cadence, [domain.StepData(type="call"), email()], by=org.mia)
    with pytest.raises(ValidationError, match="Step 2, variant A: preview"):
        domain.set_status(cadence, Cadence.Status.ACTIVE, by=org.mia)
    assert all(p.ok for p in domain.preview_current(cadence, lead=hana, by=org.mia))
    domain.set_status(cadence, Cadence.Status.ACTIVE, by=org.mia)
    # Active: saving the same wording (a new version once leads are in) keeps the preview ...
    domain.enrol(hana, cadence, by=org.alice)
    assert domain.save_steps(cadence, [email()], by=org.mia).number == 2
    # ... a changed one is refused until it is previewed, so nothing unpreviewed runs.
    with pytest.raises(ValidationError, match="Step 1, variant A: preview"):
        domain.save_steps(cadence, [email(body="About {{ company }}!")], by=org.mia)
    domain.preview(
        cadence, "Hi {{ first_name }}", "About {{ company }}!\r\n", lead=hana, by=org.mia
    )
    domain.save_steps(cadence, [email(body="About {{ company }}!")], by=org.mia)
    # A draft saves unpreviewed e-mail; activating it is what is refused.
    domain.set_status(cadence, Cadence.Status.DRAFT, by=org.mia)
    domain.save_steps(cadence, [email(subject="New")], by=org.mia)
    with pytest.raises(ValidationError):
        domain.set_status(cadence, Cadence.Status.ACTIVE, by=org.mia)


# -- variants in the page ---------------------------------------------------------------------


def two_variants(**extra):
    return {
        "type": "email",
        "offset_days": "2",
        "subject": "Hi {{ first_name }}",
        "body": "Short",
        "weight": "3",
        "subject_b": "A question, {{ first_name }}",
        "body_b": "Longer",
        "weight_b": "1",
        **extra,
    }


def test_variants_are_added_weighted_edited_and_removed_in_the_page(client, org, hana):
    cadence = domain.create_cadence(org.desk, name="AB", by=org.mia)
    client.force_login(org.mia)
    url = reverse("cadence-edit", args=[cadence.pk])
    assert client.post(url, steps_post([two_variants()])).status_code == 302
    step = cadence.current().steps.get()
    assert list(step.variants.values_list("label", "weight", "body")) == [
        ("A", 3, "Short"),
        ("B", 1, "Longer"),
    ]
    html = client.get(url).content.decode()
    assert 'value="A question, {{ first_name }}"' in html and "Add variant C" in html
    previewed = client.post(url, steps_post([two_variants()], action="preview-0_b")).content
    assert b"A question, Hana" in previewed and b"Previewed without error" in previewed
    assert VariantPreview.objects.filter(cadence=cadence).count() == 1  # B only
    page = client.get(url).content.decode()
    assert page.count(">previewed</span>") == 1 and page.count(">not previewed</span>") == 1
    client.post(url, {"action": "activate"})
    assert Cadence.objects.get(pk=cadence.pk).status == "draft"  # A is not previewed
    client.post(url, steps_post([two_variants()], action="preview-all"))
    client.post(url, {"action": "activate"})
    assert Cadence.objects.get(pk=cadence.pk).status == "active"
    assert client.post(url, steps_post([two_variants(remove_b="on")])).status_code == 302
    assert list(cadence.current().steps.get().variants.values_list("label", flat=True)) == ["A"]


@pytest.mark.parametrize(
    ("row", "error"),
    [
        (two_variants(weight="0"), "greater than or equal to 1"),
        (two_variants(weight_b="101"), "less than or equal to 100"),
        ({"type": "email", "offset_days": "0"}, "needs at least one variant"),
        (two_variants(body_b=""), "A variant needs a text."),
        (two_variants(subject="", remove="on", remove_b="on"), "needs at least one variant"),
    ],
)
def test_variants_are_checked(client, org, row, error):
    cadence = domain.create_cadence(org.desk, name="AB", by=org.mia)
    client.force_login(org.mia)
    response = client.post(reverse("cadence-edit", args=[cadence.pk]), steps_post([row]))
    assert response.status_code == 200 and error in response.content.decode()
    assert not cadence.current().steps.exists()


def test_the_domain_refuses_bad_weights_and_twin_labels(org):
    cadence = domain.create_cadence(org.desk, name="AB", by=org.mia)
    with pytest.raises(ValidationError, match="weight is 1 to 100"):
        domain.save_steps(cadence, [email(weight=0)], by=org.mia)
    twins = email()
    twins.variants.append(domain.VariantData(subject="x", body="y", label="A"))
    with pytest.raises(ValidationError, match="label of its own"):
        domain.save_steps(cadence, [twins], by=org.mia)


def test_editing_variants_of_a_cadence_in_use_makes_a_new_version(client, org, hana):
    cadence = domain.create_cadence(org.desk, name="AB", by=org.mia)
    domain.save_steps(cadence, [email()], by=org.mia)
    activate(cadence, org.mia)
    enrollment = domain.enrol(hana, cadence, by=org.alice)
    client.force_login(org.mia)
    url = reverse("cadence-edit", args=[cadence.pk])
    client.post(url, steps_post([two_variants()], action="preview-all"))
    assert client.post(url, steps_post([two_variants()])).status_code == 302
    cadence.refresh_from_db()
    assert cadence.version == 2 and cadence.current().steps.get().variants.count() == 2
    enrollment.refresh_from_db()
    assert enrollment.version.number == 1
    assert enrollment.version.steps.get().variants.count() == 1


def test_the_editor_is_constant_in_queries(client, org, hana, django_assert_max_num_queries):
    cadence = domain.create_cadence(org.desk, name="AB", by=org.mia)
    client.force_login(org.mia)
    url = reverse("cadence-edit", args=[cadence.pk])
    domain.save_steps(cadence, [email()], by=org.mia)
    client.get(url)
    with django_assert_max_num_queries(40) as few:
        client.get(url)
    step = domain.StepData(type="email", variants=[])
    for label in "ABCD":
        step.variants.append(domain.VariantData(subject=f"S {label}", body="b", label=label))
    domain.save_steps(cadence, [step, step, step, domain.StepData(type="call")], by=org.mia)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(url)


# -- the e-mail step sent by hand -------------------------------------------------------------


@pytest.fixture
def by_hand(org, hana, team_mail):  # noqa: F811
    cadence = domain.create_cadence(org.desk, name="By hand", by=org.mia)
    manual = email(subject="Re: {{ company }}", body="Dear {{ first_name }},\n\nAs promised.")
    manual.manual = True
    domain.save_steps(cadence, [email(), manual], by=org.mia)
    activate(cadence, org.mia)
    return domain.enrol(hana, cadence, by=org.alice, now=seoul(12, 1, 10))


def test_the_automatic_sender_leaves_a_manual_step_to_the_sdr(org, by_hand, smtp):  # noqa: F811
    assert domain.send_due(seoul(12, 1, 10, 5))["sent"] == 1  # step 1, automatic
    Enrollment.objects.filter(pk=by_hand.pk).update(next_due=seoul(12, 1, 11))
    assert domain.send_due(seoul(12, 1, 11, 5))["sent"] == 0
    assert len(smtp.messages) == 1
    assert Enrollment.objects.get(pk=by_hand.pk).step == 2


def test_the_sdr_composes_edits_and_sends_with_the_same_headers(client, org, by_hand, smtp):  # noqa: F811
    domain.send_due(seoul(12, 1, 10, 5))
    first = smtp.messages[0]
    url = reverse("enrollment-compose", args=[by_hand.pk])
    client.force_login(org.alice)
    form = client.get(url).content.decode()
    assert 'value="Re: Hanbit &lt;Logistics&gt;"' in form and "Dear Hana," in form
    response = client.post(url, {"subject": "Re: Hanbit", "body": "Dear Hana,\n\n<b>Edited</b>."})
    assert response.status_code == 302
    sent = smtp.messages[1]
    assert sent["Subject"] == "Re: Hanbit" and sent["To"] == "hana@hanbit.example"
    assert sent["In-Reply-To"] == first["Message-ID"] and sent["References"] == first["Message-ID"]
    assert sent["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "/unsubscribe/" in sent["List-Unsubscribe"]
    assert "<b>Edited</b>." in sent.get_body(("plain",)).get_content()
    assert "&lt;b&gt;Edited&lt;/b&gt;" in sent.get_body(("html",)).get_content()
    run = StepRun.objects.get(enrollment=by_hand, step__position=2)
    assert (run.outcome, run.message_id, run.variant.label) == ("sent", sent["Message-ID"], "A")
    assert Enrollment.objects.get(pk=by_hand.pk).state == "finished"  # no more steps
    again = client.post(url, {"subject": "Twice", "body": "Twice"})
    assert again.status_code == 409 and len(smtp.messages) == 2


def test_a_manual_send_keeps_the_rules_of_automatic_mail(org, by_hand, smtp):  # noqa: F811
    domain.send_due(seoul(12, 1, 10, 5))
    CadenceSettings.objects.filter(team=org.desk).update(advertising=True)
    with pytest.raises(ValidationError, match="21:00 and 08:00"):
        compose.send_manual(by_hand, subject="Hi", text="x", by=org.alice, now=seoul(12, 1, 22))
    Suppression.objects.create(address="hana@hanbit.example", reason="opted_out")
    with pytest.raises(ValidationError, match="no more e-mail"):
        compose.send_manual(by_hand, subject="Hi", text="x", by=org.alice, now=seoul(12, 1, 10))
    Suppression.objects.all().delete()
    compose.send_manual(by_hand, subject="Hi", text="x", by=org.alice, now=seoul(12, 1, 10))
    assert smtp.messages[-1]["Subject"] == "(광고) Hi"


def test_compose_refuses_a_step_that_is_not_manual_and_bad_input(client, org, by_hand, smtp):  # noqa: F811
    client.force_login(org.alice)
    url = reverse("enrollment-compose", args=[by_hand.pk])
    assert b"not an e-mail sent by hand" in client.get(url).content  # step 1 is automatic
    domain.send_due(seoul(12, 1, 10, 5))
    for data in ({"subject": "", "body": ""}, {"subject": "x" * 201, "body": "y"}):
        assert client.post(url, data).status_code == 400
    assert len(smtp.messages) == 1


def test_compose_is_the_enrollments_sdr_only(client, org, by_hand):
    url = reverse("enrollment-compose", args=[by_hand.pk])
    for person in (org.bob, org.carol, org.mia, org.aaron, org.stella):
        client.force_login(person)
        assert client.get(url).status_code == 404
        assert client.post(url, {"subject": "x", "body": "y"}).status_code == 404


# -- analytics --------------------------------------------------------------------------------


def ran(enrollment, position, variant=None, **fields):
    step = enrollment.version.steps.get(position=position)
    return StepRun.objects.create(enrollment=enrollment, step=step, variant=variant, **fields)


def test_analytics_per_step_with_variants_side_by_side(client, org):
    cadence = domain.create_cadence(org.desk, name="AB", by=org.mia)
    ab = email()
    ab.variants.append(domain.VariantData(subject="B", body="b", label="B"))
    domain.save_steps(cadence, [domain.StepData(type="call"), ab], by=org.mia)
    activate(cadence, org.mia)
    a, b = EmailVariant.objects.filter(step__version__cadence=cadence).order_by("label")
    people = [domain.enrol(LeadFactory(owner=org.alice), cadence, by=org.alice) for _ in range(4)]
    for n, person in enumerate(people):
        ran(person, 1, outcome="done", connected=n < 3)
    ran(people[0], 2, a, outcome="sent", replied_at=seoul(12, 2, 9))
    ran(people[1], 2, a, outcome="sent")
    ran(people[2], 2, b, outcome="sent", replied_at=seoul(12, 2, 9))
    ran(people[3], 2, outcome="skipped", reason="no address")
    steps = {row["position"]: row for row in domain_analytics(cadence)}
    assert (steps[1]["done"], steps[1]["connected"], steps[1]["connect_rate"]) == (4, 3, 0.75)
    assert (steps[2]["sent"], steps[2]["replied"], steps[2]["skipped"]) == (3, 2, 1)
    assert steps[2]["reply_rate"] == pytest.approx(2 / 3)
    variants = {
        v["label"]: (v["sent"], v["replied"], v["reply_rate"]) for v in steps[2]["variants"]
    }
    assert variants == {"A": (2, 1, 0.5), "B": (1, 1, 1.0)}
    client.force_login(org.mia)
    html = client.get(reverse("cadence-analytics", args=[cadence.pk])).content.decode()
    assert 'data-variant="B"' in html and "75" in html


def domain_analytics(cadence):
    from cadences import queries

    return queries.step_analytics(cadence)


def test_analytics_are_constant_in_queries(client, org, django_assert_max_num_queries):
    cadence = domain.create_cadence(org.desk, name="AB", by=org.mia)
    domain.save_steps(cadence, [domain.StepData(type="call"), email()], by=org.mia)
    activate(cadence, org.mia)
    client.force_login(org.mia)
    url = reverse("cadence-analytics", args=[cadence.pk])

    def runs(n):
        for _ in range(n):
            person = domain.enrol(LeadFactory(owner=org.alice), cadence, by=org.alice)
            ran(person, 1, outcome="done", connected=True)
            ran(person, 2, person.version.steps.get(position=2).variants.first(), outcome="sent")

    runs(1)
    client.get(url)
    with django_assert_max_num_queries(30) as few:
        client.get(url)
    runs(6)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(url)


def test_analytics_are_for_the_teams_manager(client, org):
    cadence = domain.create_cadence(org.desk, name="AB", by=org.mia)
    url = reverse("cadence-analytics", args=[cadence.pk])
    for person in (org.alice, org.otto, org.aaron, org.stella):
        client.force_login(person)
        assert client.get(url).status_code == 404
    client.force_login(org.root)
    assert client.get(url).status_code == 200


# -- days off ---------------------------------------------------------------------------------


def test_public_holidays_name_substitute_holidays():
    days = {h["day"]: h for h in public_holidays("KR", [2026, 2027])}
    assert days[datetime.date(2026, 9, 25)]["substitute"] is False  # Chuseok
    assert days[datetime.date(2026, 10, 5)]["substitute"] is True  # for National Foundation Day
    assert days[datetime.date(2027, 2, 9)]["substitute"] is True
    assert public_holidays("", [2026]) == [] and public_holidays("ZZ", [2026]) == []


def test_a_manager_adds_and_removes_days_off_which_the_calendar_follows(client, org):
    client.force_login(org.mia)
    url = reverse("days-off")
    page = client.get(url).content.decode()
    assert "substitute holiday" in page and "Chuseok" in page
    day = datetime.date(2026, 12, 4)
    response = client.post(url, {"action": "add", "day": "2026-12-04", "name": "Offsite"})
    assert response.status_code == 302
    assert not org.desk.work_calendar().is_working_day(day)
    again = client.post(url, {"action": "add", "day": "2026-12-04", "name": "Twice"})
    assert again.status_code == 200 and b"a day off already" in again.content
    for bad in ("", "2026-13-40", "9999-01-01", "0001-01-01"):
        assert client.post(url, {"action": "add", "day": bad}).status_code == 200
    day_off = TeamDayOff.objects.get(team=org.desk)
    client.force_login(org.otto)  # another team's manager removes nothing of this team
    client.post(url, {"action": "remove", "day_off": str(day_off.pk)})
    assert TeamDayOff.objects.filter(pk=day_off.pk).exists()
    client.force_login(org.mia)
    for bad in ("", "x", "9" * 30):
        assert client.post(url, {"action": "remove", "day_off": bad}).status_code == 302
    client.post(url, {"action": "remove", "day_off": str(day_off.pk)})
    assert org.desk.work_calendar().is_working_day(day)


def test_days_off_are_for_managers_and_constant_in_queries(
    client, org, django_assert_max_num_queries
):
    url = reverse("days-off")
    for person in (org.alice, org.aaron, org.stella):
        client.force_login(person)
        assert client.get(url).status_code == 404
    client.force_login(org.mia)
    TeamDayOff.objects.create(team=org.desk, day=datetime.date(2026, 12, 24))
    client.get(url)
    with django_assert_max_num_queries(30) as few:
        client.get(url)
    for n in range(1, 8):
        TeamDayOff.objects.create(team=org.desk, day=datetime.date(2026, 11, n))
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(url)


def test_hostile_input_to_the_preview_never_gives_a_server_error(client, org, hana):
    from .test_html_fuzz import HOSTILE

    cadence = domain.create_cadence(org.desk, name="AB", by=org.mia)
    client.force_login(org.mia)
    url = reverse("cadence-edit", args=[cadence.pk])
    names = ["type", "offset_days", "subject", "body", "weight", "subject_b", "body_b", "remove"]
    for value in HOSTILE:
        for action in ("preview-all", "preview-0_a", "preview-0_b", f"preview-{value[:30]}"):
            row = dict.fromkeys(names, value) | {"type": "email"}
            data = steps_post([row], action=action) | {"preview_lead": value}
            assert client.post(url, data).status_code in (200, 400)
