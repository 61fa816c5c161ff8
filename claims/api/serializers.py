"""API representations. Writes are saved by the write services (claims/writes.py)."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from claims import roles, workflow
from claims.api.fields import (
    EvidenceTypeRefField,
    PaperIdRefField,
    PaperRefField,
    VisiblePrimaryKeyField,
    VisibleSlugField,
)
from claims.choices import Direction, SynthesisLevel, Verdict
from claims.models import (
    Claim,
    ClaimVersion,
    CuratorReview,
    Evidence,
    EvidenceType,
    Paper,
    Release,
    Topic,
)
from claims.models.claims import QUALITY_FIELDS
from claims.similar import DEFAULT_LIMIT, MAX_LIMIT


class RefusesUnknownFields(serializers.Serializer):
    """A field the body names that the serializer does not know is a 400 naming it: a
    misspelt field ("txet") would otherwise be dropped and the write answered 2xx without it.
    Read-only fields are known, so a representation sent back as it was read is accepted (they
    are left as they are)."""

    # What a browser's form sends besides the fields.
    FORM_EXTRAS = frozenset({"csrfmiddlewaretoken"})

    def to_internal_value(self, data):
        if hasattr(data, "keys"):
            unknown = sorted(set(data.keys()) - set(self.fields) - self.FORM_EXTRAS)
            if unknown:
                known = ", ".join(name for name, f in self.fields.items() if not f.read_only)
                raise serializers.ValidationError({
                    name.encode("unicode_escape").decode(): [f"Unknown field; the fields written "
                                                             f"here are {known}."]
                    for name in unknown})
        return super().to_internal_value(data)


class ValidatedModelSerializer(RefusesUnknownFields, serializers.ModelSerializer):
    """Checks the shape of the input; the write services (claims/writes.py) run the model's
    own validation (fields, clean(), constraints) when they save, with its field messages."""

    def get_validators(self):
        # Uniqueness and checks come from the model's constraints, with their messages.
        return []


class TopicSerializer(ValidatedModelSerializer):
    class Meta:
        model = Topic
        fields = ["id", "slug", "name"]


class EvidenceTypeSerializer(ValidatedModelSerializer):
    parent = serializers.SlugRelatedField(slug_field="code", queryset=EvidenceType.objects.all(),
                                          required=False, allow_null=True)

    class Meta:
        model = EvidenceType
        fields = ["id", "code", "label", "description", "eco_id", "parent", "weight", "obsolete"]


class PaperSerializer(ValidatedModelSerializer):
    # Declared without the model's validators: the model normalises first, then validates.
    doi = serializers.CharField(required=False, allow_blank=True, max_length=255,
                                help_text="Any case, with or without https://doi.org/ or doi:")
    pmid = serializers.CharField(required=False, allow_blank=True, max_length=16)
    topics = serializers.SlugRelatedField(slug_field="slug", many=True, required=False,
                                          queryset=Topic.objects.all())
    authors = serializers.ListField(child=serializers.CharField(), required=False,
                                    help_text="Ordered list of author names.")
    published_version = PaperIdRefField(
        required=False, allow_null=True,
        help_text="For a preprint: the id of the paper it was published as; writes also take "
                  "its DOI or pmid:NNN.")
    preprints = serializers.SerializerMethodField(
        help_text="The ids of the papers that name this one as their published version.")

    class Meta:
        model = Paper
        fields = ["id", "uid", "doi", "pmid", "title", "authors", "authors_complete", "journal", "year",
                  "volume", "pages", "abstract", "publication_type", "url", "is_retracted",
                  "retraction_date", "retraction_url", "published_version", "preprints", "topics",
                  "created_at", "updated_at"]

    @extend_schema_field(serializers.ListField(child=serializers.IntegerField()))
    def get_preprints(self, paper):
        return sorted(preprint.pk for preprint in paper.preprints.all())


class ReviewSerializer(serializers.ModelSerializer):
    reviewer = serializers.SlugRelatedField(slug_field="username", read_only=True)
    # A review is of a claim or of an evidence item: the other one is null (and documented so).
    claim = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)
    evidence = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)

    class Meta:
        model = CuratorReview
        fields = ["id", "uid", "claim", "evidence", "review_round", "verdict", "comment",
                  "reviewer", "created_at"]
        read_only_fields = fields


class ReviewCreateSerializer(RefusesUnknownFields):
    verdict = serializers.ChoiceField(choices=Verdict.choices)
    comment = serializers.CharField(required=False, allow_blank=True, default="")

    def validate(self, attrs):
        if attrs["verdict"] != Verdict.APPROVE and not attrs["comment"].strip():
            raise serializers.ValidationError(
                {"comment": "A comment is required to reject or request changes."})
        return attrs


class ReviewTargetSerializer(ReviewCreateSerializer):
    """POST /reviews/: a verdict on exactly one claim or evidence item."""

    claim = VisiblePrimaryKeyField(queryset=Claim.objects.all(), required=False)
    evidence = VisiblePrimaryKeyField(queryset=Evidence.objects.all(), required=False)

    def validate(self, attrs):
        attrs = super().validate(attrs)
        if bool(attrs.get("claim")) == bool(attrs.get("evidence")):
            raise serializers.ValidationError(
                {"non_field_errors": ["Review exactly one of a claim or an evidence item."]})
        return attrs


class AllowedActionsMixin(serializers.Serializer):
    allowed_actions = serializers.SerializerMethodField(
        help_text="Transitions the requesting user may apply now.")

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_allowed_actions(self, obj):
        request = self.context.get("request")
        if request is None or not roles.sees_everything(request.user):
            return []
        return workflow.allowed_actions(obj, request.user)


class EvidenceSerializer(AllowedActionsMixin, ValidatedModelSerializer):
    claim = VisiblePrimaryKeyField(queryset=Claim.objects.all())
    claim_uid = serializers.UUIDField(source="claim.uid", read_only=True)
    paper = PaperRefField(help_text="Paper id, DOI or pmid:NNN; reads give a summary.")
    evidence_type = EvidenceTypeRefField(help_text="Evidence type id or code.")
    direction = serializers.ChoiceField(choices=Direction.choices)
    created_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    updated_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    reviews = ReviewSerializer(many=True, read_only=True)

    class Meta:
        model = Evidence
        fields = ["id", "uid", "claim", "claim_uid", "paper", "evidence_type", "direction",
                  "excerpt", "location", "species", "model", "sex", "intervention", "dose",
                  "route", "outcome", "effect", "effect_value", "effect_unit", "sample_size",
                  *QUALITY_FIELDS, "notes", "status", "review_round", "created_by", "updated_by",
                  "created_at", "updated_at", "reviews", "allowed_actions"]
        read_only_fields = ["uid", "status", "review_round", "created_at", "updated_at"]


class ClaimEvidenceSerializer(EvidenceSerializer):
    """Evidence as nested in its claim (the claim is the parent)."""

    class Meta(EvidenceSerializer.Meta):
        fields = [f for f in EvidenceSerializer.Meta.fields
                  if f not in ("claim", "claim_uid", "allowed_actions")]


class VersionSummarySerializer(serializers.ModelSerializer):
    class Meta:
        model = ClaimVersion
        fields = ["number", "content_hash", "accepted_at"]


class ClaimVersionSerializer(serializers.ModelSerializer):
    claim = serializers.PrimaryKeyRelatedField(read_only=True)
    claim_uid = serializers.UUIDField(source="claim.uid", read_only=True)

    class Meta:
        model = ClaimVersion
        fields = ["claim", "claim_uid", "number", "content_hash", "accepted_at", "content"]


_DIRECTION_COUNTS = {"type": "object", "properties": {d: {"type": "integer"} for d in Direction.values}}


@extend_schema_field({
    "type": "object",
    "description": "What the claim's accepted evidence adds up to (README, \"Evidence synthesis\").",
    "properties": {
        "level": {"type": "string", "enum": SynthesisLevel.values},
        "score": {"type": "number", "description": "Support weight minus contradiction weight."},
        "contested": {"type": "boolean"},
        "counts": _DIRECTION_COUNTS,
        "by_evidence_type": {"type": "object", "additionalProperties": _DIRECTION_COUNTS},
        "rule": {"type": "string", "description": "Why this level, naming the numbers."},
    },
})
class SynthesisField(serializers.JSONField):
    """The synthesis as stored on the claim (claims/synthesis.py keeps it current)."""


class ClaimSerializer(AllowedActionsMixin, ValidatedModelSerializer):
    topics = serializers.SlugRelatedField(slug_field="slug", many=True, required=False,
                                          queryset=Topic.objects.all())
    created_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    updated_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    superseded_by = serializers.UUIDField(source="superseded_by.uid", read_only=True,
                                          allow_null=True)
    evidence = ClaimEvidenceSerializer(many=True, read_only=True)
    evidence_counts = serializers.SerializerMethodField()
    synthesis = SynthesisField(read_only=True)
    reviews = ReviewSerializer(many=True, read_only=True)
    versions = VersionSummarySerializer(many=True, read_only=True)

    class Meta:
        model = Claim
        fields = ["id", "uid", "text", "subject", "relation", "object", "context", "topics",
                  "status", "review_round", "needs_rereview", "rereview_reason",
                  "retraction_reason", "superseded_by", "created_by", "updated_by", "created_at",
                  "updated_at", "evidence_counts", "synthesis", "evidence", "reviews", "versions",
                  "allowed_actions"]
        read_only_fields = ["uid", "status", "review_round", "retraction_reason", "created_at",
                            "updated_at"]

    @extend_schema_field(_DIRECTION_COUNTS)
    def get_evidence_counts(self, claim):
        counts = dict.fromkeys(Direction.values, 0)
        for evidence in claim.evidence.all():
            counts[evidence.direction] += 1
        return counts


class SimilarQuerySerializer(serializers.Serializer):
    text = serializers.CharField(max_length=2000, help_text="The claim as the curator would state it.")
    limit = serializers.IntegerField(min_value=1, max_value=MAX_LIMIT, default=DEFAULT_LIMIT,
                                     help_text=f"How many claims at most (up to {MAX_LIMIT}).")


class SimilarClaimSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    uid = serializers.UUIDField()
    text = serializers.CharField()
    status = serializers.CharField()
    similarity = serializers.FloatField(help_text="From 0 to 1; 1 is the same text.")


class SimilarClaimsSerializer(serializers.Serializer):
    results = SimilarClaimSerializer(many=True, help_text="Best first.")


class ConfirmSerializer(RefusesUnknownFields):
    _MISSING = "A re-review needs a comment: say why the claim stands."
    comment = serializers.CharField(error_messages={"required": _MISSING, "blank": _MISSING},
                                    help_text="Why the claim stands, for the record.")


class RetractSerializer(RefusesUnknownFields):
    reason = serializers.CharField()
    superseded_by = VisibleSlugField(
        slug_field="uid", queryset=Claim.objects.all(), required=False, allow_null=True,
        help_text="uid of the claim that replaces this one")


class HistoryChangeSerializer(serializers.Serializer):
    field = serializers.CharField()
    # "from"/"to" are Python keywords: declared below.


HistoryChangeSerializer._declared_fields["from"] = serializers.JSONField()
HistoryChangeSerializer._declared_fields["to"] = serializers.JSONField()


class HistoryEntrySerializer(serializers.Serializer):
    """Documents the history entries (the view builds them as plain dicts)."""

    at = serializers.DateTimeField()
    kind = serializers.ChoiceField(choices=["claim", "evidence", "review"])
    uid = serializers.UUIDField()
    action = serializers.CharField(help_text="created, changed, a transition, or review: verdict")
    user = serializers.CharField(allow_null=True)
    status = serializers.CharField(required=False)
    changes = HistoryChangeSerializer(many=True, required=False)
    verdict = serializers.CharField(required=False)
    comment = serializers.CharField(required=False)
    review_round = serializers.IntegerField(required=False)
    target = serializers.CharField(required=False)


class ReleaseSerializer(serializers.ModelSerializer):
    previous = serializers.SlugRelatedField(slug_field="version", read_only=True)
    created_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    download = serializers.HyperlinkedIdentityField(view_name="release-download",
                                                    lookup_field="version")
    summary = serializers.SerializerMethodField(help_text="How many claims were added, changed "
                                                          "and retracted since the previous one.")

    class Meta:
        model = Release
        fields = ["version", "created_at", "created_by", "previous", "sha256", "size", "counts",
                  "summary", "download"]

    @extend_schema_field({"type": "object", "properties": {
        k: {"type": "integer"} for k in ("added", "changed", "retracted")}})
    def get_summary(self, release):
        return {k: len(release.diff.get(k, [])) for k in ("added", "changed", "retracted")}


class ReleaseDetailSerializer(ReleaseSerializer):
    class Meta(ReleaseSerializer.Meta):
        fields = [*ReleaseSerializer.Meta.fields, "diff"]
