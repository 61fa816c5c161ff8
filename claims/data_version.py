"""The data version: one integer that every committed write to the claims app moves on.

Cached API responses are keyed on it (claims/api/cache.py), so a write invalidates them all
by moving the number, never by deleting keys: entries under an old version are never read
again and expire on their own. The number lives in the cache itself, shared by every process
that shares the cache. Saves, deletions and many-to-many changes of the app's models move it
once their transaction commits (connected in ClaimsConfig.ready); code that writes without
signals (QuerySet.update, bulk_create, raw SQL) calls bump() itself.
"""

import logging
import time

from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save

logger = logging.getLogger(__name__)

KEY = "claims:data-version"


def _start() -> int:
    # From the clock, in microseconds: a counter lost with its cache (restart, eviction) starts
    # again above every number it handed out before, so old responses are never read again.
    return time.time_ns() // 1000


def current() -> int:
    """The data version now; started in the cache when it is missing."""
    version = cache.get(KEY)
    if version is None:
        cache.add(KEY, _start(), timeout=None)  # the first process to get here sets it
        version = cache.get(KEY)
    return _start() if version is None else version


def bump() -> int:
    """Move the data version on (right away: call it after the write has committed)."""
    try:
        return cache.incr(KEY)
    except ValueError:  # missing: start it, whoever else is starting it at the same moment
        cache.add(KEY, _start(), timeout=None)
        return cache.incr(KEY)


def _bump_after_commit() -> None:
    try:
        bump()
    except Exception:
        # The write has committed: a cache that cannot be reached must not turn it into an error.
        # Cached responses expire after API_CACHE_SECONDS at the latest.
        logger.exception("The data version could not be moved on; cached reads may be stale")


def on_migrate(sender, **kwargs) -> None:
    _bump_after_commit()


def _on_write(sender, using="default", **kwargs) -> None:
    transaction.on_commit(_bump_after_commit, using=using)


def _on_m2m_change(sender, action, using="default", **kwargs) -> None:
    if action in ("post_add", "post_remove", "post_clear"):
        transaction.on_commit(_bump_after_commit, using=using)


def watch(models) -> None:
    """Move the data version on after every save, deletion and many-to-many change of `models`."""
    for model in models:
        uid = f"data-version:{model._meta.label}"
        post_save.connect(_on_write, sender=model, dispatch_uid=uid)
        post_delete.connect(_on_write, sender=model, dispatch_uid=uid)
        m2m_changed.connect(_on_m2m_change, sender=model, dispatch_uid=uid)  # sent by through tables
