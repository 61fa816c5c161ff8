import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from claims.models.changes import ChangeKind


def new_secret() -> str:
    return secrets.token_urlsafe(32)


def every_kind() -> list[str]:
    return list(ChangeKind.values)


class SubscriptionState(models.TextChoices):
    ACTIVE = "active", "active"
    PAUSED = "paused", "paused"


class Subscription(models.Model):
    """A downstream tool's webhook: the change feed, as its owner may see it, POSTed to a URL.

    The cursor is the feed position delivered last; the receiver has acknowledged every
    entry up to it. Delivery (claims/api/push.py) moves it on only after a 2xx answer, so a
    receiver that was down catches up from where it stopped, in feed order.
    """

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                              related_name="webhook_subscriptions",
                              help_text="Deliveries carry what this user may see in the feed.")
    url = models.URLField(
        "URL", max_length=2000,
        validators=[URLValidator(schemes=["http", "https"],
                                 message="Enter an http:// or https:// URL.")])
    kinds = models.JSONField(default=every_kind,
                             help_text="Which kinds of change to deliver: claim, evidence, paper, review.")
    secret = models.CharField(max_length=64, default=new_secret, editable=False,
                              help_text="Signs every delivery (HMAC-SHA256).")
    cursor = models.BigIntegerField(default=0, editable=False,
                                    help_text="The feed position delivered last.")
    state = models.CharField(max_length=16, choices=SubscriptionState.choices,
                             default=SubscriptionState.ACTIVE, editable=False)
    paused_reason = models.CharField(max_length=300, blank=True, editable=False)
    consecutive_failures = models.PositiveIntegerField(default=0, editable=False)
    retry_at = models.DateTimeField(null=True, blank=True, editable=False,
                                    help_text="When the next attempt after a failure is due.")
    last_delivery_at = models.DateTimeField(null=True, blank=True, editable=False)
    last_error = models.CharField(max_length=300, blank=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=Q(state__in=SubscriptionState.values),
                                   name="subscription_state_valid"),
            models.CheckConstraint(condition=Q(cursor__gte=0), name="subscription_cursor_valid"),
        ]
        indexes = [models.Index(fields=["state", "retry_at"], name="subscription_due")]

    def __str__(self):
        return f"{self.url} ({self.owner})"

    def clean(self):
        kinds = self.kinds
        if not isinstance(kinds, list) or not kinds or not all(isinstance(k, str) for k in kinds):
            raise ValidationError({"kinds": f"A non-empty list of kinds: {', '.join(ChangeKind.values)}."})
        unknown = sorted(set(kinds) - set(ChangeKind.values))
        if unknown:
            raise ValidationError({"kinds": f"Unknown kind {', '.join(unknown)}: choose from "
                                            f"{', '.join(ChangeKind.values)}."})
        # In the feed's order, once each: equal lists mean the same subscription.
        self.kinds = [kind for kind in ChangeKind.values if kind in kinds]
