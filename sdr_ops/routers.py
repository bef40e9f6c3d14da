"""Reads of the dashboards from a streaming replica, when one is configured.

With ``DATABASE_REPLICA_URL`` set, GET requests under ``DATABASE_REPLICA_PATHS`` (the
dashboards and the KPI API by default) read the leads, handoffs and metrics tables from the
``replica`` database; everything else, every write and every read of people, teams and
sessions, uses the primary. The replica lags the primary by a moment, which the dashboards (last
week's figures, this week's so far) tolerate; a person's own pages never read from it.
"""

import contextvars

from django.conf import settings

_replica_reads = contextvars.ContextVar("replica_reads", default=False)
REPLICA_APPS = {"leads", "handoffs", "metrics"}


class ReplicaRouter:
    def db_for_read(self, model, **hints):
        if _replica_reads.get() and model._meta.app_label in REPLICA_APPS:
            return "replica"
        return None

    def db_for_write(self, model, **hints):
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        return True  # the replica is a copy of the primary: the same rows

    def allow_migrate(self, db, app_label, **hints):
        return db == "default"


class ReplicaReadsMiddleware:
    """Marks the GET requests of the configured paths as reading from the replica."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.paths = tuple(settings.DATABASE_REPLICA_PATHS)

    def __call__(self, request):
        replica = request.method == "GET" and request.path_info.startswith(self.paths)
        token = _replica_reads.set(replica)
        try:
            return self.get_response(request)
        finally:
            _replica_reads.reset(token)
