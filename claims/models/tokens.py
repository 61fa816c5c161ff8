import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone


def digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


class ApiTokenQuerySet(models.QuerySet):
    def usable(self):
        return self.filter(revoked_at__isnull=True, user__is_active=True)


class ApiToken(models.Model):
    """A named API token. Only its SHA-256 is stored: the key is shown once, when made.

    A read-only token may read what its user may read and change nothing."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="api_tokens")
    name = models.CharField(max_length=100, help_text='What uses it, e.g. "nightly mirror".')
    prefix = models.CharField(max_length=8, editable=False,
                              help_text="The key's first characters, to tell tokens apart.")
    key_digest = models.CharField(max_length=64, unique=True, editable=False)
    read_only = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = "API token"
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.name} ({self.prefix}…, {self.user})"

    @classmethod
    def issue(cls, user, name: str, read_only: bool = False) -> tuple["ApiToken", str]:
        """A new token and its key (the only time the key is known)."""
        key = secrets.token_hex(20)
        token = cls.objects.create(user=user, name=name, read_only=read_only, prefix=key[:8],
                                   key_digest=digest(key))
        return token, key

    def revoke(self):
        if self.revoked_at is None:
            self.revoked_at = timezone.now()
            self.save(update_fields=["revoked_at"])
