"""Django's database sessions, read with one hand-written statement.

Every signed-in request reads its session first. Django's database backend reads it through
the ORM (`Session.objects.get`), whose compiling cost about as much CPU as the rest of a bare
signed-in request's session handling; this backend reads the same row with the same
condition (the key, not yet expired) and decodes it as Django does. Writes (save, delete,
cycling the key) are Django's own.
"""

from django.contrib.sessions.backends import db
from django.db import connections, router
from django.utils import timezone


class SessionStore(db.SessionStore):
    def load(self):
        model = self.model
        using = router.db_for_read(model)
        table = connections[using].ops.quote_name(model._meta.db_table)
        with connections[using].cursor() as cursor:
            cursor.execute(
                f"SELECT session_data FROM {table} WHERE session_key = %s AND expire_date > %s",
                [self.session_key, timezone.now()],
            )
            row = cursor.fetchone()
        if row is None:
            self._session_key = None
            return {}
        return self.decode(row[0])
