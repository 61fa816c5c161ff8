from django.db import models
from django.db.models import Q
from django.utils import timezone


class ChangeKind(models.TextChoices):
    CLAIM = "claim", "claim"
    EVIDENCE = "evidence", "evidence"
    PAPER = "paper", "paper"
    REVIEW = "review", "review"


class ChangeAction(models.TextChoices):
    CREATED = "created", "created"
    UPDATED = "updated", "updated"
    STATUS = "status", "status changed"
    DELETED = "deleted", "deleted"


class Change(models.Model):
    """One entry of the change feed, written in the transaction of the write it records.

    The position is the primary key. Writers take the feed's lock before anything else
    (claims/changes.py), so positions are handed out in the order their transactions commit
    and a reader that has passed a position never finds an older one appearing behind it.
    """

    position = models.BigAutoField(primary_key=True)
    kind = models.CharField(max_length=16, choices=ChangeKind.choices)
    object_id = models.BigIntegerField()
    uid = models.UUIDField()
    action = models.CharField(max_length=16, choices=ChangeAction.choices)
    status = models.CharField(max_length=16, blank=True,
                              help_text="The object's review state after the change, if it has one.")
    at = models.DateTimeField(default=timezone.now)
    # For readers who see accepted work only: whether they could see the object after this
    # change, and whether they could see it before (a change that takes it out of their view
    # reaches them as a tombstone; one that never concerned them does not reach them at all).
    public = models.BooleanField()
    was_public = models.BooleanField()

    class Meta:
        ordering = ["position"]
        indexes = [
            models.Index(fields=["kind", "position"], name="change_kind_position"),
            # Each write reads the object's latest entry (was it visible before?).
            models.Index(fields=["kind", "object_id", "position"], name="change_object"),
            models.Index(fields=["position"], condition=Q(public=True) | Q(was_public=True),
                         name="change_public_position"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=ChangeKind.values), name="change_kind_valid"),
            models.CheckConstraint(condition=Q(action__in=ChangeAction.values),
                                   name="change_action_valid"),
        ]

    def __str__(self):
        return f"{self.position}: {self.kind} {self.uid} {self.action}"
