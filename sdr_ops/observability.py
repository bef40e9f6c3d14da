"""Request ids and structured logs: every log line of a request, and of the tasks it queues,
carries the same ``request_id``.

A request takes the id its caller sent in ``X-Request-ID`` (a load balancer's, say) or gets a
new one, and answers with it. A task queued while a request is handled carries the id in its
message headers, so the worker's log lines of that task name it too.
"""

import contextvars
import logging
import re
import uuid

from celery import signals

request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="")

HEADER = "X-Request-ID"
_SAFE = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")


def new_id() -> str:
    return uuid.uuid4().hex


def current() -> str:
    return request_id.get()


class RequestIdMiddleware:
    """Sets the request id for the request's log lines and answers with it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        sent = request.headers.get(HEADER, "")
        rid = sent if _SAFE.match(sent) else new_id()
        request.request_id = rid
        # Not reset afterwards: Django logs a failed request's status after the middleware
        # returned, and that line should name the request too. The next request sets its own.
        request_id.set(rid)
        response = self.get_response(request)
        response.headers[HEADER] = rid
        return response


class RequestIdFilter:
    """Puts the current request id (or "") on every log record as ``request_id``."""

    def filter(self, record) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = request_id.get()
        return True


@signals.before_task_publish.connect
def _carry_request_id(headers=None, **kwargs) -> None:
    rid = request_id.get()
    if headers is not None and rid and "request_id" not in headers:
        headers["request_id"] = rid


_task_tokens: dict[str, contextvars.Token] = {}


@signals.task_prerun.connect
def _enter_task(task_id=None, task=None, **kwargs) -> None:
    rid = getattr(task.request, "request_id", None) or f"task-{task_id}"
    _task_tokens[task_id] = request_id.set(rid)


@signals.task_postrun.connect
def _leave_task(task_id=None, **kwargs) -> None:
    token = _task_tokens.pop(task_id, None)
    if token is not None:
        request_id.reset(token)


def _formatter() -> logging.Formatter:
    """The formatter LOGGING names for LOG_FORMAT (plain or JSON)."""
    from django.conf import settings
    from django.utils.module_loading import import_string

    conf = dict(settings.LOGGING["formatters"][settings.LOG_FORMAT])
    factory = conf.pop("()", None)
    if factory:
        return import_string(factory)(**conf)
    return logging.Formatter(conf["format"])


@signals.after_setup_logger.connect
@signals.after_setup_task_logger.connect
def _worker_log_format(logger=None, **kwargs) -> None:
    # Celery sets up the worker's handlers itself (console or --logfile); they get the same
    # format and request ids as the web's log lines.
    for handler in logger.handlers:
        handler.setFormatter(_formatter())
        handler.addFilter(RequestIdFilter())
