"""Query filters for the API (django-filter), combinable with each other."""

import django_filters as filters
from django import forms
from django.db import connections
from django.db.models import Exists, OuterRef, Q
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from claims import roles, workflow
from claims.choices import Direction, Relation, Status, SynthesisLevel
from claims.models import Claim, CuratorReview, Evidence, EvidenceType, Paper, Topic
from claims.models.base import ID_MAX, as_id
from claims.models.papers import normalise_doi, normalise_pmid, paper_reference
from claims.search import search_claims


class IdFilter(filters.NumberFilter):
    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        super().__init__(*args, min_value=1, max_value=ID_MAX, **kwargs)


class YearFilter(filters.NumberFilter):
    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        super().__init__(*args, min_value=0, max_value=9999, **kwargs)


class StrictBooleanField(forms.NullBooleanField):
    """true or false (1/0, yes/no): anything else is an error, never "no filter"."""

    widget = forms.TextInput
    _VALUES = {"true": True, "1": True, "yes": True, "false": False, "0": False, "no": False}

    def to_python(self, value):
        if value in (None, ""):
            return None
        try:
            return self._VALUES[str(value).strip().lower()]
        except KeyError:
            raise forms.ValidationError("Give true or false.", code="invalid") from None


class StrictBooleanFilter(filters.BooleanFilter):
    field_class = StrictBooleanField


UNREPORTED = "unreported"


class ReportedField(StrictBooleanField):
    """A study-quality item: true (reported done), false (reported not done) or unreported."""

    def to_python(self, value):
        if str(value).strip().lower() == UNREPORTED:
            return UNREPORTED
        try:
            return super().to_python(value)
        except forms.ValidationError:
            raise forms.ValidationError("Give true, false or unreported.", code="invalid") from None


_REPORTED = "true (reported done), false (reported not done) or unreported"


class ReportedFilter(filters.Filter):
    field_class = ReportedField

    def filter(self, qs, value):
        if value is None:
            return qs
        if value == UNREPORTED:
            return qs.filter(**{f"{self.field_name}__isnull": True})
        return qs.filter(**{self.field_name: value})


# A slug each (drf-spectacular cannot follow topics__slug plus to_field_name to the model).
@extend_schema_field(OpenApiTypes.STR)
class TopicFilter(filters.ModelMultipleChoiceFilter):
    """Topics by slug; given more than once, any of them matches."""

    def __init__(self, **kwargs):
        super().__init__(field_name="topics__slug", to_field_name="slug",
                         queryset=Topic.objects.all(), distinct=True, **kwargs)


def paper_q(value: str, prefix: str = "") -> Q:
    """A paper given by database id, DOI, or pmid:NNN; nothing matches anything else."""
    kind_lookup = paper_reference(value)
    if kind_lookup is None:
        return Q(pk__in=[])
    return Q(**{f"{prefix}{field}": v for field, v in kind_lookup[1].items()})


_SUBTREE = """
    WITH RECURSIVE subtree(id) AS (
        SELECT id FROM {table} WHERE {column} = %s
        UNION
        SELECT child.id FROM {table} child JOIN subtree ON child.parent_id = subtree.id
    )
    SELECT id FROM subtree"""


def evidence_type_subtree(value: str, using: str) -> list[int]:
    """The ids of the evidence type given by id, code or ECO id (ECO:0000006) and of all its
    descendants: asking for an ECO term finds the evidence filed under its more specific
    terms too. One query whatever the depth (UNION, not UNION ALL, also ends a cycle)."""
    text = str(value).strip()
    if text.isdigit():
        column, lookup = "id", as_id(text)
    elif text.upper().startswith("ECO:"):
        column, lookup = "eco_id", text.upper()
    else:
        column, lookup = "code", text
    if lookup is None:
        return []
    with connections[using].cursor() as cursor:
        cursor.execute(_SUBTREE.format(table=EvidenceType._meta.db_table, column=column), [lookup])
        return [row[0] for row in cursor.fetchall()]


class PaperFilter(filters.FilterSet):
    doi = filters.CharFilter(method="filter_doi", help_text="DOI, any case, with or without "
                             "https://doi.org/")
    pmid = filters.CharFilter(method="filter_pmid")
    year = YearFilter()
    year_from = YearFilter(field_name="year", lookup_expr="gte")
    year_to = YearFilter(field_name="year", lookup_expr="lte")
    journal = filters.CharFilter(lookup_expr="icontains")
    topic = TopicFilter()
    publication_type = filters.CharFilter()
    is_retracted = StrictBooleanFilter()

    class Meta:
        model = Paper
        fields = []

    def filter_doi(self, queryset, name, value):
        return queryset.filter(doi=normalise_doi(value))

    def filter_pmid(self, queryset, name, value):
        return queryset.filter(pmid=normalise_pmid(value))


_EVIDENCE_FILTERS = ("evidence_type", "paper", "direction")


class ClaimFilter(filters.FilterSet):
    status = filters.MultipleChoiceFilter(choices=Status.choices)
    topic = TopicFilter()
    relation = filters.MultipleChoiceFilter(choices=Relation.choices)
    subject = filters.CharFilter(lookup_expr="icontains")
    object = filters.CharFilter(lookup_expr="icontains")
    context = filters.CharFilter(lookup_expr="icontains")
    evidence_type = filters.CharFilter(method="filter_evidence", help_text=(
        "Evidence type code, id or ECO id, e.g. in-vivo-animal-model or ECO:0000006; evidence "
        "of its descendant types (the ECO is_a tree) matches too"))
    paper = filters.CharFilter(method="filter_evidence", help_text="Paper id, DOI, or pmid:NNN")
    direction = filters.ChoiceFilter(choices=Direction.choices, method="filter_evidence")
    created_by = filters.CharFilter(field_name="created_by__username")
    updated_since = filters.IsoDateTimeFilter(field_name="updated_at", lookup_expr="gte",
                                              help_text="ISO 8601, e.g. 2026-01-31T00:00:00Z")
    search = filters.CharFilter(method="filter_search", help_text=(
        "Words that the claim's text, subject, object or context, or one of its evidence "
        "excerpts or paper titles, contains; on PostgreSQL stemmed (survive finds survival), "
        "with \"quoted phrases\", OR and -word, and ranked: claims that say the words "
        "themselves come first"))
    reviewable = StrictBooleanFilter(method="filter_reviewable",
                                       help_text="true: submitted claims you may review now")
    level = filters.MultipleChoiceFilter(
        field_name="synthesis_level", choices=SynthesisLevel.choices,
        help_text="The level of its evidence synthesis (README, \"Evidence synthesis\")")
    contested = StrictBooleanFilter(
        help_text="true: accepted evidence both supports and contradicts it")
    needs_rereview = StrictBooleanFilter(
        help_text="true: accepted claims flagged for re-review (a paper they rest on was "
                  "retracted, or contradicting evidence was accepted)")

    class Meta:
        model = Claim
        fields = []

    def _visible_evidence(self):
        # The claims filtered are already those the reader may see (ClaimViewSet).
        user = getattr(self.request, "user", None)
        return (Evidence.objects.visible(roles.sees_everything(user), claims_checked=True)
                .filter(claim=OuterRef("pk")))

    def filter_evidence(self, queryset, name, value):
        # ?evidence_type=X&direction=contradicts means contradicting evidence of type X: one
        # evidence item meets every condition given, so the first of them applies them all.
        given = [n for n in _EVIDENCE_FILTERS if self.form.cleaned_data.get(n) not in (None, "")]
        if name != given[0]:
            return queryset
        evidence = self._visible_evidence()
        values = {n: self.form.cleaned_data[n] for n in given}
        if "evidence_type" in values:
            # By ids, not by a join on the code: the planner then knows how rare the types are
            # and reads the (evidence_type, direction, claim) index instead of every claim.
            evidence = evidence.filter(evidence_type_id__in=evidence_type_subtree(
                values["evidence_type"], queryset.db))
        if "paper" in values:
            evidence = evidence.filter(paper_q(values["paper"], prefix="paper__"))
        if "direction" in values:
            evidence = evidence.filter(direction=values["direction"])
        return queryset.filter(Exists(evidence))

    def filter_reviewable(self, queryset, name, value):
        mine = workflow.reviewable(queryset, getattr(self.request, "user", None))
        return mine if value else queryset.exclude(pk__in=mine.values("pk"))

    def filter_search(self, queryset, name, value):
        # Evidence a reader may not see must not make a claim match either; an explicit
        # ?ordering= still wins over relevance.
        user = getattr(self.request, "user", None)
        # The claims searched are already those the reader may see.
        evidence = Evidence.objects.visible(roles.sees_everything(user), claims_checked=True)
        return search_claims(queryset, value, evidence)


class EvidenceFilter(filters.FilterSet):
    claim = IdFilter(field_name="claim_id")
    claim_uid = filters.UUIDFilter(field_name="claim__uid")
    paper = filters.CharFilter(method="filter_paper", help_text="Paper id, DOI, or pmid:NNN")
    evidence_type = filters.CharFilter(method="filter_evidence_type", help_text=(
        "Evidence type code, id or ECO id (ECO:0000006); evidence of its descendant types "
        "matches too"))
    direction = filters.MultipleChoiceFilter(choices=Direction.choices)
    status = filters.MultipleChoiceFilter(choices=Status.choices)
    updated_since = filters.IsoDateTimeFilter(field_name="updated_at", lookup_expr="gte")
    # The study-quality items (Evidence.QUALITY_FIELDS)
    randomised = ReportedFilter(help_text=_REPORTED)
    blinded_assessment = ReportedFilter(help_text=_REPORTED)
    sample_size_calculation = ReportedFilter(help_text=_REPORTED)
    both_sexes = ReportedFilter(help_text=_REPORTED)
    litter_matched_controls = ReportedFilter(help_text=_REPORTED)

    class Meta:
        model = Evidence
        fields = []

    def filter_paper(self, queryset, name, value):
        return queryset.filter(paper_q(value, prefix="paper__"))

    def filter_evidence_type(self, queryset, name, value):
        return queryset.filter(evidence_type_id__in=evidence_type_subtree(value, queryset.db))


class EvidenceTypeFilter(filters.FilterSet):
    parent = filters.CharFilter(field_name="parent__code")

    class Meta:
        model = EvidenceType
        fields = ["eco_id"]


class ReviewFilter(filters.FilterSet):
    claim = IdFilter(field_name="claim_id")
    evidence = IdFilter(field_name="evidence_id")
    reviewer = filters.CharFilter(field_name="reviewer__username")
    verdict = filters.CharFilter()

    class Meta:
        model = CuratorReview
        fields = []
