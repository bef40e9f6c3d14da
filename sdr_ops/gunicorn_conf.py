"""gunicorn's settings for the production image (``gunicorn -c python:sdr_ops.gunicorn_conf``).

The timeout is 120 s: the slowest request the app serves is a history upload, checked and
written inside the request (25 MB at most: 30 s for the largest file set on the benchmark
machine, docs/performance.md), so a worker doing real work is never killed, while one that
hangs is replaced within two minutes. Everything else answers in well under a second; the
nightly builds, rollups and e-mails run in Celery, not in a request.
"""

import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", "3"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "120"))
# A stop (deploy, scale down) lets requests under way finish for this long.
graceful_timeout = 30
keepalive = 5
accesslog = "-"
# The TLS proxy in front sets X-Forwarded-Proto; Django reads it (SECURE_PROXY_SSL_HEADER).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
# No control socket: nothing uses it, and two instances on one machine would share its path.
control_socket_disable = True
