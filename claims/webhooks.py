"""Webhook subscriptions: registering them, their state, signatures, and telling the workers
that there is news.

A subscription's cursor is a position in the change feed (claims/changes.py). Delivery
(claims/api/push.py, run by the Celery task in claims/tasks.py) sends the entries after it and
moves it on only once the receiver has answered 2xx, so nothing depends on the broker keeping
a message: a lost message, a worker or a Redis restarted, a receiver that was down, all end
with the next delivery starting from the cursor.

Without a broker (no REDIS_URL, as under `make run`) subscriptions can be registered and
nothing is sent; their cursors keep the work until a worker runs.
"""

import hashlib
import hmac
import logging
import time
from contextlib import contextmanager
from datetime import timedelta

from celery import current_app
from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from claims import destinations
from claims.models import Change, Subscription, SubscriptionState
from claims.models.webhooks import new_secret

logger = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-Curation-Signature"
DELIVER_TASK = "claims.tasks.deliver"


def feed_end() -> int:
    """The position of the newest committed feed entry (0 for an empty feed)."""
    return Change.objects.order_by("-position").values_list("position", flat=True).first() or 0


# --- registering and editing ---------------------------------------------------------------


def subscribe(*, owner, url: str, kinds: list[str] | None = None,
              from_start: bool = False) -> Subscription:
    """A new active subscription, delivering from the feed's current end (or its start)."""
    subscription = Subscription(owner=owner, url=url)
    if kinds is not None:
        subscription.kinds = kinds
    return register(subscription, from_start=from_start)


def register(subscription: Subscription, *, from_start: bool = False) -> Subscription:
    """Validate and save a new subscription (as a form built it), its cursor at the feed's
    current end, or at 0 to deliver the whole feed."""
    subscription.cursor = 0 if from_start else feed_end()
    subscription.full_clean()
    destinations.check_url(subscription.url)
    subscription.save()
    if from_start:
        _kick_after_commit([subscription.pk])
    return subscription


def edit(subscription: Subscription, *, url: str | None = None,
         kinds: list[str] | None = None) -> Subscription:
    """Change where a subscription delivers and what; its cursor and state stay."""
    if url is not None:
        subscription.url = url
    if kinds is not None:
        subscription.kinds = kinds
    subscription.full_clean()
    destinations.check_url(subscription.url)
    subscription.save(update_fields=["url", "kinds"])
    return subscription


def rotate_secret(subscription: Subscription) -> str:
    """A new signing secret, in force for the next delivery; the old one signs nothing more."""
    secret = new_secret()
    Subscription.objects.filter(pk=subscription.pk).update(secret=secret)
    subscription.secret = secret
    return secret


def pause(subscription: Subscription, reason: str) -> None:
    Subscription.objects.filter(pk=subscription.pk).update(
        state=SubscriptionState.PAUSED, paused_reason=reason[:300])
    subscription.refresh_from_db()


def resume(subscription: Subscription) -> None:
    """Active again, with a clean slate of failures; delivery starts once this commits."""
    Subscription.objects.filter(pk=subscription.pk).update(
        state=SubscriptionState.ACTIVE, paused_reason="", consecutive_failures=0, retry_at=None)
    subscription.refresh_from_db()
    _kick_after_commit([subscription.pk])


# --- what delivery records -----------------------------------------------------------------
# Plain UPDATEs: a delivery is no change to the curated data, so it must not retire cached
# API responses (claims/data_version.py watches saves).


def delivered(subscription: Subscription, position: int) -> bool:
    """The receiver acknowledged everything up to `position`. False if the cursor had moved
    meanwhile (then nothing is changed)."""
    moved = Subscription.objects.filter(pk=subscription.pk, cursor=subscription.cursor).update(
        cursor=position, consecutive_failures=0, retry_at=None, last_error="",
        last_delivery_at=timezone.now())
    subscription.cursor = position
    return bool(moved)


def failed(subscription: Subscription, error: str) -> float | None:
    """A delivery was not acknowledged. Returns the seconds to wait before the next attempt,
    or None when this failure paused the subscription (WEBHOOK_MAX_FAILURES in a row)."""
    error = error[:300]
    with transaction.atomic():
        locked = Subscription.objects.select_for_update().get(pk=subscription.pk)
        failures = locked.consecutive_failures + 1
        if failures >= settings.WEBHOOK_MAX_FAILURES:
            Subscription.objects.filter(pk=locked.pk).update(
                state=SubscriptionState.PAUSED, consecutive_failures=failures, last_error=error,
                retry_at=None,
                paused_reason=f"{failures} deliveries failed in a row; the last: {error}"[:300])
            return None
        delay = backoff(failures)
        Subscription.objects.filter(pk=locked.pk).update(
            consecutive_failures=failures, last_error=error,
            retry_at=timezone.now() + timedelta(seconds=delay))
        return delay


def backoff(failures: int) -> float:
    """Seconds before the attempt after `failures` failures in a row: doubling, capped."""
    return min(settings.WEBHOOK_RETRY_SECONDS * 2 ** (failures - 1), settings.WEBHOOK_RETRY_MAX_SECONDS)


# --- signatures ----------------------------------------------------------------------------


def signature(secret: str, body: bytes, timestamp: int | None = None) -> str:
    """The X-Curation-Signature value: t=<unix time>,v1=<hex HMAC-SHA256 of "<t>.<body>">.

    The time is signed with the body, so a receiver that refuses old timestamps refuses a
    delivery replayed later."""
    timestamp = int(time.time()) if timestamp is None else timestamp
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


# --- telling the workers -------------------------------------------------------------------


def announce() -> None:
    """New feed entries are being recorded: deliveries are due once this transaction commits.

    One kick per transaction, however many entries it records; none if it rolls back, nor
    without a broker."""
    if not broker_configured():
        return
    connection = transaction.get_connection()
    if any(func is _kick_due for _, func, _ in connection.run_on_commit):
        return
    transaction.on_commit(_kick_due, robust=True)


def due():
    """Active subscriptions with no retry waiting for its time."""
    return Subscription.objects.filter(state=SubscriptionState.ACTIVE).filter(
        Q(retry_at__isnull=True) | Q(retry_at__lte=timezone.now()))


def sweep() -> int:
    """Kick the subscriptions that have entries past their cursor and no retry waiting: what a
    lost task message (Redis keeps no queue across a restart) or a retry that was never run
    left behind. Run every WEBHOOK_SWEEP_SECONDS by the workers' beat; returns how many."""
    if not broker_configured():
        return 0
    return enqueue(due().filter(cursor__lt=feed_end()).values_list("pk", flat=True))


def broker_configured() -> bool:
    return bool(current_app.conf.broker_url)


def _kick_due() -> None:
    if broker_configured():
        enqueue(due().values_list("pk", flat=True))


def _kick_after_commit(ids: list[int]) -> None:
    transaction.on_commit(lambda: enqueue(ids), robust=True)


def enqueue(ids) -> int:
    """Ask the workers to deliver to these subscriptions. Never raises: a broker that cannot
    be reached is logged, and the cursors keep the work for the next kick. Returns how many
    were enqueued."""
    if not broker_configured():
        return 0
    sent = 0
    for pk in ids:
        try:
            current_app.send_task(DELIVER_TASK, args=[pk], retry_policy=_PUBLISH_RETRY)
        except Exception as error:  # kombu raises its own and the socket's errors
            logger.warning("Webhook deliveries not enqueued (the broker is unreachable: %s); "
                           "they will be sent after the next write once it answers", error)
            break
        sent += 1
    return sent


# A request that wrote must not wait for a broker that is down: one quick retry, then give up.
_PUBLISH_RETRY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.2}


# --- one worker per subscription at a time -------------------------------------------------


def _redis():
    import redis

    url = current_app.conf.broker_url
    client = _clients.get(url)
    if client is None:
        client = _clients[url] = redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=10)
    return client


_clients: dict = {}


@contextmanager
def delivery_lock(subscription_id: int):
    """The subscription's delivery lock in Redis, if free: yields the lock, or None when another
    worker holds it. It expires on its own if its worker dies; lock.reacquire() renews it."""
    lock = _redis().lock(f"{settings.WEBHOOK_LOCK_PREFIX}{subscription_id}",
                         timeout=settings.WEBHOOK_TIMEOUT_SECONDS * 2 + 30)
    if not lock.acquire(blocking=False):
        yield None
        return
    try:
        yield lock
    finally:
        try:
            lock.release()
        except Exception:  # expired meanwhile: nothing left to release
            logger.warning("The delivery lock of subscription %s had expired", subscription_id)

