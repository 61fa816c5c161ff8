import uuid

from django.db import models
from django.utils import timezone

ID_MAX = 2**63 - 1  # the largest primary key either database stores


def as_id(value) -> int | None:
    """A database id written as digits (a JSON number or a string), or None."""
    if isinstance(value, bool):
        return None
    text = str(value).strip()
    if text.isascii() and text.isdigit() and 0 < int(text) <= ID_MAX:
        return int(text)
    return None


class Timestamped(models.Model):
    """created_at/updated_at that fixtures can carry verbatim.

    auto_now would stamp every fixture load with the load time, so loading the same
    fixture twice would change rows; here only save() (never loaddata's raw save) moves
    updated_at.
    """

    created_at = models.DateTimeField(default=timezone.now, editable=False, db_index=True)
    updated_at = models.DateTimeField(default=timezone.now, editable=False, db_index=True)

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        self.updated_at = timezone.now()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "updated_at" not in update_fields:
            kwargs["update_fields"] = [*update_fields, "updated_at"]
        super().save(*args, **kwargs)


class UidManager(models.Manager):
    def get_by_natural_key(self, uid):
        return self.get(uid=uid)


class HasUid(models.Model):
    """A stable public identifier: the natural key for fixtures, imports and mirrors."""

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)

    objects = UidManager()

    class Meta:
        abstract = True

    def natural_key(self):
        return (str(self.uid),)
