from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.utils import timezone

VERSION_PATTERN = r"^[0-9A-Za-z][0-9A-Za-z._-]{0,63}$"


class Release(models.Model):
    """A citable data release: the accepted data in the interchange format, frozen in a file.

    Releases are kept side by side; none is ever overwritten or edited."""

    version = models.CharField(
        max_length=64, unique=True,
        validators=[RegexValidator(VERSION_PATTERN, "A version is letters, digits, '.', '_' "
                                                    "and '-', e.g. 2026.11 or v1.2.0.")])
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   editable=False, on_delete=models.PROTECT,
                                   related_name="releases")
    previous = models.ForeignKey("self", null=True, blank=True, editable=False,
                                 on_delete=models.PROTECT, related_name="next_releases")
    file_name = models.CharField(max_length=200, editable=False,
                                 help_text="The release file, relative to RELEASES_ROOT.")
    sha256 = models.CharField("SHA-256", max_length=64, editable=False)
    size = models.PositiveBigIntegerField(editable=False, help_text="Bytes.")
    counts = models.JSONField(default=dict, editable=False,
                              help_text="Records per kind.")
    diff = models.JSONField(default=dict, editable=False,
                            help_text="Claims added, changed and retracted since the previous "
                                      "release, by uid.")

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(version__regex=VERSION_PATTERN),
                                   name="release_version_format"),
            models.CheckConstraint(condition=models.Q(sha256__regex=r"^[0-9a-f]{64}$"),
                                   name="release_sha256_format"),
        ]

    def __str__(self):
        return self.version
