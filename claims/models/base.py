import re
import uuid

from django.core.exceptions import ValidationError
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


_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def unstorable(value) -> str | None:
    """Why a value (a text, or the texts in a list or a dict) cannot be stored, or None.

    PostgreSQL refuses a NUL in any text, and a lone surrogate (what a JSON "\\ud800" decodes
    to) is no character: no database can encode it. Forms and DRF's text fields refuse both;
    this says it for every other way in (the import commands, the write services)."""
    if isinstance(value, str):
        found = _UNSTORABLE.search(value)
        if found is None:
            return None
        if found.group() == "\x00":
            return "Null characters are not allowed."
        return f"Surrogate characters are not allowed: U+{ord(found.group()):X}."
    if isinstance(value, dict):
        value = [*value.keys(), *value.values()]
    if isinstance(value, list | tuple):
        return next((problem for item in value if (problem := unstorable(item))), None)
    return None


class StorableText:
    """Model mixin: full_clean() refuses text that cannot be stored (see unstorable), naming
    the field, before any other check of it can send it to the database."""

    def clean_fields(self, exclude=None):
        exclude = set(exclude or ())
        errors = {}
        for field in self._meta.concrete_fields:
            if field.name not in exclude:
                problem = unstorable(getattr(self, field.attname))
                if problem:
                    errors[field.name] = [ValidationError(problem, code="unstorable")]
        try:
            super().clean_fields(exclude=exclude | set(errors))
        except ValidationError as exc:
            errors = exc.update_error_dict(errors)
        if errors:
            raise ValidationError(errors)


class Timestamped(StorableText, models.Model):
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


class HasUid(StorableText, models.Model):
    """A stable public identifier: the natural key for fixtures, imports and mirrors."""

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)

    objects = UidManager()

    class Meta:
        abstract = True

    def natural_key(self):
        return (str(self.uid),)
