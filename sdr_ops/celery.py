"""The Celery application of SDR Ops.

Configuration lives in Django's settings under the ``CELERY_`` prefix; the beat schedule too.
"""

import os

from celery import Celery

# Signal handlers: request ids carried into tasks, task counts and durations for /metrics.
from . import monitoring, observability  # noqa: F401

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sdr_ops.settings")

app = Celery("sdr_ops")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
