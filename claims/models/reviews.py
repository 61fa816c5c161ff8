from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from claims.choices import Verdict
from claims.models.base import HasUid
from claims.models.claims import Claim, Evidence


class CuratorReview(HasUid):
    """A reviewer's verdict on a claim or on one evidence item. Append-only."""

    # PROTECT: reviews are the record of who decided what; they outlive nothing they judged.
    claim = models.ForeignKey(Claim, null=True, blank=True, on_delete=models.PROTECT,
                              related_name="reviews")
    evidence = models.ForeignKey(Evidence, null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="reviews")
    review_round = models.PositiveIntegerField(
        default=1, help_text="The submission round of the claim or evidence this review judged.")
    verdict = models.CharField(max_length=16, choices=Verdict.choices)
    comment = models.TextField(blank=True)
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                 related_name="reviews")
    created_at = models.DateTimeField(default=timezone.now, editable=False, db_index=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(claim__isnull=False) & Q(evidence__isnull=True))
                | (Q(claim__isnull=True) & Q(evidence__isnull=False)),
                name="review_exactly_one_target",
                violation_error_message="A review is of a claim or of an evidence item, "
                                        "exactly one of the two.",
            ),
            models.CheckConstraint(condition=Q(verdict__in=Verdict.values),
                                   name="review_verdict_valid"),
            models.CheckConstraint(
                condition=Q(verdict=Verdict.APPROVE) | ~Q(comment=""),
                name="review_comment_unless_approve",
                violation_error_message="A comment is required to reject or request changes.",
            ),
            # One reviewer's verdict counts once per submission round.
            models.UniqueConstraint(fields=["claim", "review_round", "reviewer"],
                                    condition=Q(claim__isnull=False),
                                    name="review_once_per_claim_round"),
            models.UniqueConstraint(fields=["evidence", "review_round", "reviewer"],
                                    condition=Q(evidence__isnull=False),
                                    name="review_once_per_evidence_round"),
        ]

    def __str__(self):
        target = f"claim {self.claim_id}" if self.claim_id else f"evidence {self.evidence_id}"
        return f"{self.get_verdict_display()} of {target} by {self.reviewer}"


class ClaimVersionManager(models.Manager):
    def get_by_natural_key(self, claim_uid, number):
        return self.get(claim__uid=claim_uid, number=number)


class ClaimVersion(models.Model):
    """A citable snapshot minted at each acceptance; never changed afterwards."""

    claim = models.ForeignKey(Claim, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField()
    content = models.JSONField(help_text="The claim and its accepted evidence, as accepted.")
    content_hash = models.CharField(max_length=64, help_text="SHA-256 of the canonical content.")
    accepted_at = models.DateTimeField(default=timezone.now)

    objects = ClaimVersionManager()

    class Meta:
        ordering = ["claim_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["claim", "number"], name="claim_version_unique"),
            models.CheckConstraint(condition=Q(number__gte=1), name="claim_version_positive"),
        ]

    def __str__(self):
        return f"{self.claim_id} v{self.number}"

    def natural_key(self):
        return (*self.claim.natural_key(), self.number)

    natural_key.dependencies = ["claims.claim"]
