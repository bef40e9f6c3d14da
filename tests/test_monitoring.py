"""/metrics for the configured addresses or the token only; request ids on the response, in
the log lines and in the headers of the tasks a request queues; JSON log lines."""

import json
import logging

import pytest
from django.test import Client

from sdr_ops import observability, outbox
from sdr_ops.models import OutboxMessage


def test_metrics_answer_the_configured_addresses(client, db):
    OutboxMessage.objects.create(task="sdr_ops.ping", kwargs={})
    client.get("/healthz/live")
    response = client.get("/metrics")
    assert response.status_code == 200
    text = response.content.decode()
    assert "sdr_ops_http_requests_total" in text
    assert "sdr_ops_outbox_pending 1.0" in text


@pytest.mark.parametrize(
    ("authorization", "status"),
    [("", 404), ("Bearer wrong", 404), ("Bearer s3cret-token", 200)],
)
def test_metrics_from_elsewhere_need_the_token(db, settings, authorization, status):
    settings.METRICS_TOKEN = "s3cret-token"
    headers = {"HTTP_AUTHORIZATION": authorization} if authorization else {}
    response = Client(REMOTE_ADDR="203.0.113.9").get("/metrics", **headers)
    assert response.status_code == status


def test_no_token_configured_means_no_token_opens_them(db, settings):
    settings.METRICS_TOKEN = ""
    response = Client(REMOTE_ADDR="203.0.113.9").get("/metrics", HTTP_AUTHORIZATION="Bearer ")
    assert response.status_code == 404


def test_a_request_answers_with_its_id_and_takes_a_safe_one_it_is_sent(client, db):
    sent = client.get("/healthz/live", HTTP_X_REQUEST_ID="lb-1234")
    assert sent["X-Request-ID"] == "lb-1234"
    made = client.get("/healthz/live", HTTP_X_REQUEST_ID="bad id\n<script>")
    assert len(made["X-Request-ID"]) == 32 and made["X-Request-ID"].isalnum()


def test_a_task_queued_by_a_request_carries_its_id(
    db, monkeypatch, django_capture_on_commit_callbacks
):
    from sdr_ops.tasks import ping

    published = []
    monkeypatch.setattr(
        ping, "apply_async", lambda kwargs, headers, **options: published.append(headers)
    )
    observability.request_id.set("req-42")
    with django_capture_on_commit_callbacks(execute=True):
        outbox.enqueue_on_commit(ping, payload="x")
    assert published == [{"request_id": "req-42"}]
    assert OutboxMessage.objects.get().request_id == "req-42"


def test_json_log_lines_carry_the_request_id(settings):
    from sdr_ops.observability import RequestIdFilter, _formatter

    settings.LOG_FORMAT = "json"
    record = logging.LogRecord("leads.tasks", logging.INFO, __file__, 1, "built %s", ("x",), None)
    observability.request_id.set("req-7")
    RequestIdFilter().filter(record)
    line = json.loads(_formatter().format(record))
    assert line["message"] == "built x"
    assert line["request_id"] == "req-7" and line["level"] == "INFO"
