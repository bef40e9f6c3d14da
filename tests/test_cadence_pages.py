"""The manager's cadence pages: create, edit the steps (a new version when leads are in it),
activate, the counts and outcomes; bad input answers with the form, never a 5xx."""

from django.urls import reverse

from cadences import domain
from cadences.models import Cadence

from .factories import LeadFactory


def steps_post(rows, action="save"):
    data = {
        "action": action,
        "steps-TOTAL_FORMS": str(len(rows)),
        "steps-INITIAL_FORMS": "0",
        "steps-MIN_NUM_FORMS": "0",
        "steps-MAX_NUM_FORMS": "30",
    }
    for n, row in enumerate(rows):
        for key, value in row.items():
            data[f"steps-{n}-{key}"] = value
    return data


THREE = [
    {"type": "call", "offset_days": "0", "instruction": "Ask about timing", "aims_at": "timing"},
    {"type": "email", "offset_days": "2", "subject": "Hi {{ first_name }}", "body": "Hello"},
    {"type": "task", "offset_days": "3", "instruction": "LinkedIn"},
    {"type": "", "offset_days": "0"},
]


def test_a_manager_builds_and_activates_a_cadence(client, org):
    client.force_login(org.mia)
    response = client.post(reverse("cadence-list"), {"name": "Enterprise intro"})
    cadence = Cadence.objects.get(name="Enterprise intro")
    assert response.url == reverse("cadence-edit", args=[cadence.pk])
    url = reverse("cadence-edit", args=[cadence.pk])
    assert client.post(url, steps_post(THREE)).status_code == 302
    steps = list(cadence.current().steps.order_by("position").values_list("type", "aims_at"))
    assert steps == [("call", ["timing"]), ("email", []), ("task", [])]
    refused = client.post(url, {"action": "activate"}, follow=True).content.decode()
    assert "Step 2, variant A: preview the e-mail first" in refused
    LeadFactory(owner=org.alice, first_name="Hana")
    shown = client.post(url, steps_post(THREE, action="preview-all")).content.decode()
    assert "Hi Hana" in shown and "Previewed without error" in shown
    client.post(url, {"action": "activate"})
    cadence.refresh_from_db()
    assert cadence.status == "active"
    html = client.get(url).content.decode()
    assert "Ask about timing" in html and "{{ first_name }}" in html
    listing = client.get(reverse("cadence-list")).content.decode()
    assert "Enterprise intro" in listing


def test_editing_with_leads_enrolled_makes_a_new_version(client, org):
    cadence = domain.create_cadence(org.desk, name="Intro", by=org.mia)
    domain.save_steps(cadence, [domain.StepData(type="call")], by=org.mia)
    domain.set_status(cadence, "active", by=org.mia)
    domain.enrol(LeadFactory(owner=org.alice), cadence, by=org.alice)
    client.force_login(org.mia)
    url = reverse("cadence-edit", args=[cadence.pk])
    refused = client.post(url, steps_post(THREE), follow=True).content.decode()
    assert "preview the e-mail first" in refused
    client.post(url, steps_post(THREE, action="preview-1_a"))
    client.post(url, steps_post(THREE))
    cadence.refresh_from_db()
    assert cadence.version == 2
    assert "1 active" in client.get(reverse("cadence-edit", args=[cadence.pk])).content.decode()


def test_bad_input_answers_with_the_form(client, org):
    cadence = domain.create_cadence(org.desk, name="Intro", by=org.mia)
    client.force_login(org.mia)
    url = reverse("cadence-edit", args=[cadence.pk])
    response = client.post(url, steps_post([{"type": "call", "offset_days": "99"}]))
    assert response.status_code == 200 and cadence.current().steps.count() == 0
    response = client.post(url, steps_post([{"type": "email", "offset_days": "1"}]), follow=True)
    assert b"needs at least one variant" in response.content
    response = client.post(url, steps_post([{"type": "x" * 5000, "offset_days": "a"}]))
    assert response.status_code == 200
    response = client.post(url, {"action": "activate"}, follow=True)
    assert b"Add a step before activating" in response.content
    duplicate = client.post(reverse("cadence-list"), {"name": "Intro"})
    assert duplicate.status_code == 200 and b"already has a cadence" in duplicate.content
    assert client.post(reverse("cadence-list"), {"name": "x" * 500}).status_code == 200


def test_the_list_is_constant_in_queries(client, org, django_assert_max_num_queries):
    client.force_login(org.mia)
    for n in range(2):
        domain.create_cadence(org.desk, name=f"C{n}", by=org.mia)
    client.get(reverse("cadence-list"))
    with django_assert_max_num_queries(20) as few:
        client.get(reverse("cadence-list"))
    for n in range(2, 8):
        domain.create_cadence(org.desk, name=f"C{n}", by=org.mia)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("cadence-list"))
