"""Reads from the replica, writes to the primary, and a request's reads after a write to the primary.

Installed by the settings only when DATABASE_REPLICA_URL is set: the `replica` alias, this
router in DATABASE_ROUTERS and PrimaryAfterWriteMiddleware first in MIDDLEWARE.

A replica lags behind its primary. So a request that may write (POST, PUT, PATCH, DELETE)
reads from the primary from its start, and any request that writes reads from the primary for
the rest of it: nobody reads back an older copy of what they just wrote. Sessions are read
from the primary too: a login followed at once by the next page must find its session.
Outside requests (management commands), the first write sends every later read of the process
to the primary.
"""

from contextvars import ContextVar

PRIMARY = "default"
REPLICA = "replica"
PRIMARY_ONLY_APPS = frozenset({"sessions"})
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

_on_primary: ContextVar[bool] = ContextVar("reads_on_primary", default=False)


class PrimaryReplicaRouter:
    def db_for_read(self, model, **hints):
        if _on_primary.get() or model._meta.app_label in PRIMARY_ONLY_APPS:
            return PRIMARY
        return REPLICA

    def db_for_write(self, model, **hints):
        _on_primary.set(True)
        return PRIMARY

    def allow_relation(self, obj1, obj2, **hints):
        # The replica holds the primary's rows: an object read from one may point at one from the other.
        return {obj1._state.db, obj2._state.db} <= {PRIMARY, REPLICA} or None

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == PRIMARY


class PrimaryAfterWriteMiddleware:
    """Starts each request reading from the replica (or the primary, if it may write)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _on_primary.set(request.method not in SAFE_METHODS)
        try:
            return self.get_response(request)
        finally:
            _on_primary.reset(token)
