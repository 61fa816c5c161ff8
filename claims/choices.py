"""The vocabulary: every enumerated value the service stores."""

from django.db import models


class PublicationType(models.TextChoices):
    RESEARCH_ARTICLE = "research_article", "Research article"
    REVIEW = "review", "Review"
    BOOK_CHAPTER = "book_chapter", "Book chapter"
    PREPRINT = "preprint", "Preprint"
    OTHER = "other", "Other"


class Relation(models.TextChoices):
    INCREASES = "increases", "increases"
    DECREASES = "decreases", "decreases"
    CAUSES = "causes", "causes"
    PREVENTS = "prevents", "prevents"
    ASSOCIATED_WITH = "associated_with", "associated with"
    EXPRESSED_IN = "expressed_in", "expressed in"
    NO_EFFECT = "no_effect", "has no effect on"
    OTHER = "other", "other"


class Status(models.TextChoices):
    """The review state shared by claims and evidence items."""

    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted"
    ACCEPTED = "accepted", "Accepted"
    REJECTED = "rejected", "Rejected"
    RETRACTED = "retracted", "Retracted"


# What readers without a curation role may see.
PUBLIC_CLAIM_STATUSES = (Status.ACCEPTED, Status.RETRACTED)
PUBLIC_EVIDENCE_STATUSES = (Status.ACCEPTED,)


class Direction(models.TextChoices):
    SUPPORTS = "supports", "Supports"
    CONTRADICTS = "contradicts", "Contradicts"
    INCONCLUSIVE = "inconclusive", "Inconclusive"


class Sex(models.TextChoices):
    MALE = "male", "Male"
    FEMALE = "female", "Female"
    BOTH = "both", "Both"
    NOT_REPORTED = "not_reported", "Not reported"


class Verdict(models.TextChoices):
    APPROVE = "approve", "Approve"
    REJECT = "reject", "Reject"
    REQUEST_CHANGES = "request_changes", "Request changes"


class Role(models.TextChoices):
    """Names of the Django groups that carry the curation roles."""

    CURATOR = "curator", "Curator"
    REVIEWER = "reviewer", "Reviewer"


class SynthesisLevel(models.TextChoices):
    """What a claim's accepted evidence adds up to (claims/synthesis.py states the rule)."""

    STRONG = "strong", "Strong"
    MODERATE = "moderate", "Moderate"
    WEAK = "weak", "Weak"
    CONTESTED = "contested", "Contested"
    CONTRADICTED = "contradicted", "Contradicted"
    NONE = "none", "None"
