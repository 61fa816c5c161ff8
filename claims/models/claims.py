from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from claims.choices import (
    PUBLIC_CLAIM_STATUSES,
    PUBLIC_EVIDENCE_STATUSES,
    Direction,
    Relation,
    Sex,
    Status,
    SynthesisLevel,
)
from claims.models.base import HasUid, Timestamped, UidManager
from claims.models.papers import Paper, Topic
from claims.models.vocabulary import EvidenceType

# A claim's meaning: what reviewers judge and versions cite.
FROZEN_CLAIM_FIELDS = ("text", "subject", "relation", "object", "context")
# The study as a preclinical reviewer records it (all optional).
STUDY_FIELDS = ("species", "model", "sex", "intervention", "dose", "route", "outcome", "effect",
                "effect_value", "effect_unit", "sample_size")
# What preclinical reviewers check of an animal study (SYRCLE's risk-of-bias tool, the ALS
# mouse-study guidelines): each reported done (True), reported not done (False), or not reported.
QUALITY_FIELDS = ("randomised", "blinded_assessment", "sample_size_calculation", "both_sexes",
                  "litter_matched_controls")
# What reviewers judge about an evidence item; notes stay editable.
FROZEN_EVIDENCE_FIELDS = ("claim", "paper", "evidence_type", "direction", "excerpt", "location",
                          *STUDY_FIELDS, *QUALITY_FIELDS)
# Derived from the claim's accepted evidence (claims/synthesis.py): never edited, not history.
SYNTHESIS_FIELDS = ("synthesis", "synthesis_level", "contested")
# Who is asked to review a claim now (claims/workflow.py, assign): work in progress, not history.
ASSIGNMENT_FIELDS = ("assigned_reviewer", "assigned_at")
# Under review, content waits for the verdict (an approval must be of what the reviewer saw);
# accepted, it is what versions cite.
FROZEN_STATUSES = (Status.SUBMITTED, Status.ACCEPTED, Status.RETRACTED)


def _refuse_frozen_changes(obj, fields, advice):
    """Refuse changes to content that is under review or accepted, naming each field."""
    if not obj.pk or obj.status not in FROZEN_STATUSES:
        return
    columns = [type(obj)._meta.get_field(f).attname for f in fields]
    stored = type(obj).objects.filter(pk=obj.pk).values(*columns).first()
    if stored is None:
        return
    kind = type(obj)._meta.verbose_name
    if obj.status == Status.SUBMITTED:
        advice = "withdraw it from review to edit it"
    changed = [f for f, c in zip(fields, columns, strict=True) if stored[c] != getattr(obj, c)]
    if changed:
        raise ValidationError({f: f"The {kind} is {obj.status}, so its {f} is frozen; {advice}."
                               for f in changed})


class ClaimQuerySet(models.QuerySet):
    def visible(self, sees_everything: bool):
        return self if sees_everything else self.filter(status__in=PUBLIC_CLAIM_STATUSES)


class EvidenceQuerySet(models.QuerySet):
    def visible(self, sees_everything: bool, claims_checked: bool = False):
        """claims_checked: the caller keeps only evidence of claims it already knows to be
        visible, so the claim's own status need not be joined in again."""
        if sees_everything:
            return self
        if claims_checked:
            return self.filter(status__in=PUBLIC_EVIDENCE_STATUSES)
        return self.filter(status__in=PUBLIC_EVIDENCE_STATUSES,
                           claim__status__in=PUBLIC_CLAIM_STATUSES)


ClaimManager = UidManager.from_queryset(ClaimQuerySet)


def no_synthesis() -> dict:
    """The synthesis of a claim without accepted evidence, as claims.synthesis words it."""
    return {"level": SynthesisLevel.NONE.value, "score": 0.0, "contested": False,
            "counts": {"supports": 0, "contradicts": 0, "inconclusive": 0},
            "by_evidence_type": {},
            "rule": "No accepted evidence supports or contradicts the claim: none."}
EvidenceManager = UidManager.from_queryset(EvidenceQuerySet)


def _status_check(prefix):
    # status is not editable, so full_clean() skips its choices: this message is the one users see.
    return models.CheckConstraint(condition=Q(status__in=Status.values),
                                  name=f"{prefix}_status_valid",
                                  violation_error_message="Unknown status: it is one of draft, "
                                                          "submitted, accepted, rejected or retracted.")


class Claim(HasUid, Timestamped):
    text = models.TextField(help_text="The statement, as a curator would cite it.")
    subject = models.CharField(max_length=300, blank=True,
                               help_text='e.g. "Sigma-1R agonist PRE-084"')
    relation = models.CharField(max_length=32, choices=Relation.choices, blank=True)
    object = models.CharField(max_length=300, blank=True, help_text='e.g. "survival"')
    context = models.CharField(max_length=300, blank=True,
                               help_text='Organism, model or system, e.g. "SOD1-G93A mouse"')
    topics = models.ManyToManyField(Topic, blank=True, related_name="claims")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.DRAFT,
                              editable=False, db_index=True)
    review_round = models.PositiveIntegerField(
        default=0, editable=False,
        help_text="Incremented at each submission; reviews count within their round.")
    retraction_reason = models.TextField(blank=True, editable=False)
    superseded_by = models.ForeignKey("self", null=True, blank=True, editable=False,
                                      on_delete=models.PROTECT, related_name="supersedes")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   editable=False, on_delete=models.PROTECT,
                                   related_name="claims_created")
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   editable=False, on_delete=models.PROTECT,
                                   related_name="claims_updated")

    synthesis = models.JSONField(
        default=no_synthesis, editable=False,
        help_text="What its accepted evidence adds up to, and the rule that says why "
                  "(claims/synthesis.py).")
    synthesis_level = models.CharField(max_length=16, choices=SynthesisLevel.choices,
                                       default=SynthesisLevel.NONE, editable=False, db_index=True)
    contested = models.BooleanField(default=False, editable=False, db_index=True,
                                    help_text="Accepted evidence both supports and contradicts it.")
    # Set by claims/rereview.py when what an accepted claim rests on changes (a cited paper is
    # retracted, contradicting evidence is accepted); cleared by workflow.confirm or a retraction.
    needs_rereview = models.BooleanField(
        "needs re-review", default=False, editable=False,
        help_text="Something it rests on changed since it was accepted: a reviewer should "
                  "confirm that it stands, or staff retract it.")
    rereview_reason = models.TextField("re-review reason", blank=True, editable=False,
                                       help_text="What changed, one line each.")
    # Set and cleared by workflow.assign only; cleared too when the claim is decided, sent
    # back or confirmed. Kept out of the history columns: the history entry's reason names
    # the assignee, and the API's history stays as it was.
    assigned_reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, editable=False, db_index=True,
        on_delete=models.PROTECT, related_name="claims_assigned",
        help_text="The reviewer asked to decide it; it comes first in their review queue.")
    assigned_at = models.DateTimeField(null=True, blank=True, editable=False)

    history = HistoricalRecords(m2m_fields=["topics"],
                                excluded_fields=[*SYNTHESIS_FIELDS, *ASSIGNMENT_FIELDS])
    objects = ClaimManager()

    class Meta:
        ordering = ["-updated_at", "-id"]
        # The API's default order: deep pages walk this index instead of sorting.
        indexes = [models.Index(fields=["-updated_at", "-id"], name="claim_recent_first"),
                   # The re-review queue, in the API's order: few claims are ever in it.
                   models.Index(fields=["-updated_at", "-id"], condition=Q(needs_rereview=True),
                                name="claim_rereview_queue")]
        permissions = [("retract_claim", "Can retract claims and act for their authors")]
        constraints = [
            _status_check("claim"),
            models.CheckConstraint(condition=Q(relation="") | Q(relation__in=Relation.values),
                                   name="claim_relation_valid"),
            models.CheckConstraint(condition=~Q(text=""), name="claim_text_required"),
            models.CheckConstraint(
                condition=Q(status=Status.RETRACTED) | (Q(retraction_reason="")
                                                        & Q(superseded_by__isnull=True)),
                name="claim_retraction_only_when_retracted",
            ),
            models.CheckConstraint(
                condition=(Q(needs_rereview=True) & ~Q(rereview_reason=""))
                | (Q(needs_rereview=False) & Q(rereview_reason="")),
                name="claim_rereview_has_reason",
                violation_error_message="A claim flagged for re-review says why, and only then.",
            ),
            # Assigned only while waiting for a reviewer: submitted, or flagged for re-review.
            models.CheckConstraint(
                condition=(Q(assigned_reviewer__isnull=True) & Q(assigned_at__isnull=True))
                | (Q(assigned_reviewer__isnull=False) & Q(assigned_at__isnull=False)
                   & (Q(status=Status.SUBMITTED)
                      | Q(status=Status.ACCEPTED, needs_rereview=True))),
                name="claim_assigned_while_awaiting_review",
                violation_error_message="Only a submitted claim, or one flagged for re-review, "
                                        "is assigned to a reviewer, and then with its time.",
            ),
        ]

    def __str__(self):
        return self.text[:100]

    def clean(self):
        _refuse_frozen_changes(self, FROZEN_CLAIM_FIELDS,
                               "state a new claim that supersedes it instead")

    def clean_topics(self, topics):
        """Topics are part of what reviewers judge and versions cite: frozen like the text.

        Many-to-many values are not on the instance, so forms and serializers pass the new
        ones here."""
        if not self.pk or self.status not in FROZEN_STATUSES:
            return
        if {t.pk for t in topics} != set(self.topics.values_list("pk", flat=True)):
            advice = ("withdraw it from review to edit it" if self.status == Status.SUBMITTED
                      else "state a new claim that supersedes it instead")
            raise ValidationError({"topics": f"The claim is {self.status}, so its topics are "
                                             f"frozen; {advice}."})


class Evidence(HasUid, Timestamped):
    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="evidence")
    paper = models.ForeignKey(Paper, on_delete=models.PROTECT, related_name="evidence")
    evidence_type = models.ForeignKey(EvidenceType, on_delete=models.PROTECT,
                                      related_name="evidence")
    direction = models.CharField(max_length=16, choices=Direction.choices)
    excerpt = models.TextField(blank=True, help_text="The sentence or passage in the paper.")
    location = models.CharField(max_length=100, blank=True, help_text='e.g. "Fig. 3B", "abstract"')
    species = models.CharField(max_length=100, blank=True)
    model = models.CharField("model or strain", max_length=200, blank=True,
                             help_text='e.g. "SOD1-G93A"')
    sex = models.CharField(max_length=16, choices=Sex.choices, blank=True)
    intervention = models.CharField(max_length=300, blank=True)
    dose = models.CharField(max_length=100, blank=True)
    route = models.CharField(max_length=100, blank=True)
    outcome = models.CharField("outcome measured", max_length=300, blank=True)
    effect = models.CharField(max_length=300, blank=True, help_text="The effect as reported.")
    effect_value = models.FloatField(null=True, blank=True)
    effect_unit = models.CharField(max_length=50, blank=True)
    sample_size = models.PositiveIntegerField(null=True, blank=True,
                                              validators=[MinValueValidator(1)])
    randomised = models.BooleanField(
        null=True, blank=True, help_text="Were animals allocated to groups at random? Blank: "
                                         "not reported.")
    blinded_assessment = models.BooleanField(
        "blinded outcome assessment", null=True, blank=True,
        help_text="Were outcomes assessed without knowing the group? Blank: not reported.")
    sample_size_calculation = models.BooleanField(
        null=True, blank=True, help_text="Was the sample size calculated beforehand? Blank: "
                                         "not reported.")
    both_sexes = models.BooleanField(
        null=True, blank=True, help_text="Were animals of both sexes studied? Blank: not reported.")
    litter_matched_controls = models.BooleanField(
        null=True, blank=True, help_text="Were controls matched by litter? Blank: not reported.")
    notes = models.TextField(blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.DRAFT,
                              editable=False, db_index=True)
    review_round = models.PositiveIntegerField(default=0, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   editable=False, on_delete=models.PROTECT,
                                   related_name="evidence_created")
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   editable=False, on_delete=models.PROTECT,
                                   related_name="evidence_updated")

    history = HistoricalRecords()
    objects = EvidenceManager()

    class Meta:
        verbose_name_plural = "evidence"
        ordering = ["claim_id", "id"]
        constraints = [
            _status_check("evidence"),
            models.CheckConstraint(condition=Q(direction__in=Direction.values),
                                   name="evidence_direction_valid"),
            models.CheckConstraint(condition=Q(sex="") | Q(sex__in=Sex.values),
                                   name="evidence_sex_valid"),
            models.CheckConstraint(condition=Q(sample_size__isnull=True) | Q(sample_size__gte=1),
                                   name="evidence_sample_size_positive"),
            models.UniqueConstraint(
                fields=["claim", "paper", "evidence_type", "location"],
                name="evidence_unique_per_location",
                violation_error_message="This claim already cites this paper with this "
                                        "evidence type at this location.",
            ),
        ]
        # The claims list filters by evidence type and direction together, among the evidence
        # a reader may see: answered from this index alone, without visiting the table.
        indexes = [models.Index(fields=["direction"]),
                   models.Index(fields=["evidence_type", "direction", "status", "claim"],
                                name="evidence_type_direction_seen"),
                   # Search: the claims whose evidence cites papers whose titles match.
                   models.Index(fields=["paper", "status", "claim"], name="evidence_paper_seen")]

    def __str__(self):
        return f"{self.get_direction_display()}: {self.paper_id} → claim {self.claim_id}"

    def clean(self):
        _refuse_frozen_changes(self, FROZEN_EVIDENCE_FIELDS,
                               "add a new evidence item and have it reviewed instead")
        # An obsolete type stays on the evidence that already cites it, but is never chosen
        # anew: not for a new item, not as a change of an item's type.
        if self.evidence_type_id is not None and self.evidence_type.obsolete:
            stored = None if self._state.adding else (
                type(self).objects.filter(pk=self.pk).values_list("evidence_type_id", flat=True)
                .first())
            if stored != self.evidence_type_id:
                kind = self.evidence_type
                raise ValidationError({"evidence_type": (
                    f"{kind.eco_id or kind.code} ({kind.label}) is obsolete, withdrawn from the "
                    f"Evidence & Conclusion Ontology: choose a current evidence type.")})
