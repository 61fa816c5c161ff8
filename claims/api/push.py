"""The change feed pushed: a webhook subscription's pending entries, rendered exactly as
GET /api/v1/changes/ renders them for the subscription's owner, signed and POSTed.

Each POST carries one page, {"subscription": id, "next": feed cursor, "results": [entries]};
the next page goes only once the receiver has answered 2xx, and only then does the
subscription's cursor move. So entries arrive in feed order, and a position the receiver has
acknowledged is not sent again. (A worker that dies between the receiver's answer and the
cursor's update sends that page again: receivers that must never see a page twice keep the
`next` of the last page they took.)
"""

import logging
import urllib.error
import urllib.request

from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone
from rest_framework.request import Request

from claims import destinations, webhooks
from claims.api import feed
from claims.api.renderers import FastJSONRenderer
from claims.models import Subscription, SubscriptionState

logger = logging.getLogger(__name__)


class NotAcknowledged(Exception):
    """The receiver did not answer 2xx; the next attempt is due in `delay` seconds."""

    def __init__(self, error: str, delay: float):
        super().__init__(error)
        self.delay = delay


def deliver(subscription_id: int, *, retrying: bool = False) -> bool:
    """Send a subscription's pending pages in order, each after the last was acknowledged.

    Returns whether entries are left for another run (more than one run's worth, or some
    committed while this run held the lock). Raises NotAcknowledged when the receiver failed,
    unless that failure paused the subscription. A first attempt (not `retrying`) leaves a
    subscription alone while a retry is scheduled for it.
    """
    with webhooks.delivery_lock(subscription_id) as lock:
        if lock is None:
            # Another worker is delivering; it looks for entries again once it lets go.
            return False
        # Read under the lock: the worker that held it last may have moved the cursor on.
        subscription = _active(subscription_id)
        if subscription is None:
            return False
        if not retrying and subscription.retry_at and subscription.retry_at > timezone.now():
            return False
        for _ in range(settings.WEBHOOK_PAGES_PER_RUN):
            page = feed.read(_request_as(subscription.owner), after=subscription.cursor,
                             kinds=subscription.kinds, size=settings.WEBHOOK_PAGE_SIZE)
            if not page["results"]:
                break
            body = FastJSONRenderer().render({"subscription": subscription.pk, "next": page["next"],
                                              "results": page["results"]})
            error = post(subscription, body)
            if error:
                delay = webhooks.failed(subscription, error)
                if delay is None:
                    logger.warning("Webhook subscription %s paused: %s", subscription.pk, error)
                    return False
                raise NotAcknowledged(error, delay)
            if not webhooks.delivered(subscription, feed.decode(page["next"])):
                logger.warning("Webhook subscription %s: its cursor moved during a delivery",
                               subscription.pk)
                return False
            lock.reacquire()
            subscription = _active(subscription_id)  # paused or edited meanwhile?
            if subscription is None:
                return False
        else:
            return True
    # Entries committed while the lock was held were announced to a worker that found it
    # taken and went away: look for them now that it is free.
    return feed.entries_for(subscription.owner, after=subscription.cursor,
                            kinds=subscription.kinds).exists()


def post(subscription: Subscription, body: bytes) -> str:
    """POST a signed body; returns "" when the receiver answered 2xx, else what went wrong
    (never the receiver's own words, which are no business of the subscription's owner)."""
    request = urllib.request.Request(subscription.url, data=body, method="POST", headers={
        "Content-Type": "application/json",
        "User-Agent": "curation-webhooks/1",
        webhooks.SIGNATURE_HEADER: webhooks.signature(subscription.secret, body),
    })
    try:
        with _opener.open(request, timeout=settings.WEBHOOK_TIMEOUT_SECONDS) as response:
            status = response.status
    except urllib.error.HTTPError as error:
        status = error.code
        error.close()
    except (urllib.error.URLError, OSError, ValueError) as error:
        reason = getattr(error, "reason", error)
        return f"{type(reason).__name__}: {reason}"
    return "" if 200 <= status < 300 else f"HTTP {status}"


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A redirect is an answer other than 2xx: following it would turn the POST into a GET."""

    def redirect_request(self, *args, **kwargs):
        return None


_opener = destinations.opener(_NoRedirects)


def _active(subscription_id: int) -> Subscription | None:
    """The subscription if it is to be delivered to now; one whose owner can no longer sign in
    is paused."""
    subscription = (Subscription.objects.select_related("owner")
                    .filter(pk=subscription_id, state=SubscriptionState.ACTIVE).first())
    if subscription is not None and not subscription.owner.is_active:
        webhooks.pause(subscription, "The owner's account is inactive.")
        return None
    return subscription


def _request_as(user) -> Request:
    """A request by `user`, for the feed's renderer: it reads who is asking, nothing else."""
    request = Request(HttpRequest())
    request.user = user
    return request

