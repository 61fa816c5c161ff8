"""Background tasks, run by Celery workers (curation/celery.py): webhook deliveries."""

import logging

from celery import shared_task
from celery.signals import worker_ready
from django.conf import settings

from claims import webhooks
from claims.api import push

logger = logging.getLogger(__name__)


@shared_task(bind=True, name=webhooks.DELIVER_TASK, acks_late=True, ignore_result=True)
def deliver(self, subscription_id: int) -> None:
    """Send a subscription's pending feed entries (claims/api/push.py); retried with
    exponential backoff until the receiver answers or the subscription is paused."""
    try:
        again = push.deliver(subscription_id, retrying=self.request.retries > 0)
    except push.NotAcknowledged as failure:
        # The delay is the one the subscription records (retry_at): kicks leave it alone until
        # then, so one chain of retries, not one per write, decides when it is tried again.
        raise self.retry(exc=failure, countdown=failure.delay,
                         max_retries=settings.WEBHOOK_MAX_FAILURES) from failure
    if again:
        webhooks.enqueue([subscription_id])


@shared_task(name="claims.tasks.sweep", ignore_result=True)
def sweep() -> None:
    """Deliveries whose task was lost: run on a schedule (CELERY_BEAT_SCHEDULE)."""
    webhooks.sweep()


@worker_ready.connect
def deliver_what_waited(**kwargs) -> None:
    """A starting worker sends what was committed while no worker ran or the broker was down."""
    try:
        webhooks.enqueue(webhooks.due().values_list("pk", flat=True))
    except Exception:
        logger.exception("Could not look for webhook deliveries that waited")
