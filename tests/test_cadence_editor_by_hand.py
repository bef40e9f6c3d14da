""" "Sent by hand" is a way of sending an e-mail step: the cadence editor offers it on e-mail
steps only, and refuses it beside a call or a task step (in the reader's language, never a
5xx)."""

import re

from django.urls import reverse

from cadences import domain
from cadences.models import Step

from .test_cadence_pages import steps_post

REFUSED = "Only an e-mail step is sent by hand: untick it for a call or a task."
REFUSED_KO = "직접 발송은 이메일 단계에만 있습니다. 통화나 작업 단계에서는 선택을 해제하세요."


def _step_html(html: str, n: int) -> str:
    """The editor's HTML of step n (from 1), up to the next step or the save button."""
    match = re.search(rf'data-step="{n}">(.*?)(data-step="{n + 1}"|value="save")', html, re.S)
    assert match, f"no step {n}"
    return match.group(1)


def test_the_editor_offers_sent_by_hand_on_email_steps_only(client, org):
    cadence = domain.create_cadence(org.desk, name="Intro", by=org.mia)
    domain.save_steps(
        cadence,
        [
            domain.StepData(type="call", instruction="Ask about timing"),
            domain.StepData(
                type="email", variants=[domain.VariantData(subject="Hi", body="Hello")]
            ),
            domain.StepData(type="task", instruction="LinkedIn"),
        ],
        by=org.mia,
    )
    client.force_login(org.mia)
    html = client.get(reverse("cadence-edit", args=[cadence.pk])).content.decode()
    call, email, task = (_step_html(html, n) for n in (1, 2, 3))
    for step, n in ((call, 0), (task, 2)):
        assert f'name="steps-{n}-manual"' not in step and "Sent by hand" not in step
    assert 'name="steps-1-manual"' in email and "Sent by hand" in email
    # A step not chosen yet may become an e-mail: it keeps the choice.
    assert 'name="steps-3-manual"' in _step_html(html, 4)


def test_sent_by_hand_on_a_call_step_is_refused_with_its_reason(client, org):
    cadence = domain.create_cadence(org.desk, name="Intro", by=org.mia)
    client.force_login(org.mia)
    url = reverse("cadence-edit", args=[cadence.pk])
    for kind in ("call", "task"):
        posted = steps_post([{"type": kind, "offset_days": "0", "manual": "on"}])
        response = client.post(url, posted)
        assert response.status_code == 200
        step = _step_html(response.content.decode(), 1)
        assert REFUSED in step
        # Shown ticked beside its error, so that it can be unticked.
        assert 'name="steps-0-manual"' in step and "checked" in step
        korean = client.post(url, posted, HTTP_ACCEPT_LANGUAGE="ko").content.decode()
        assert REFUSED_KO in korean
    assert not Step.objects.filter(version__cadence=cadence).exists()
    # The same step unticked saves; an e-mail step sent by hand saves as one.
    assert client.post(url, steps_post([{"type": "call", "offset_days": "0"}])).status_code == 302
    email = {"type": "email", "offset_days": "0", "manual": "on", "subject": "Hi", "body": "Hey"}
    assert client.post(url, steps_post([email])).status_code == 302
    assert list(cadence.current().steps.values_list("type", "manual")) == [("email", True)]
