"""Relation fields that read a summary and accept the identifiers people use."""

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Q
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.plumbing import build_basic_type, build_object_type
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from claims import roles
from claims.models import EvidenceType, Paper
from claims.models.base import as_id, unstorable
from claims.models.papers import paper_reference


def _storable(value):
    """A reference the database can be asked about (a NUL or a lone surrogate would be a
    server error, claims.models.base.unstorable): otherwise a 400 naming the field."""
    problem = unstorable(value)
    if problem:
        raise serializers.ValidationError(problem, code="unstorable")
    return value


class _ChoicesById:
    """The browsable API's form lists these fields' choices keyed by id: their readings are
    summaries (dicts), which cannot key a choice list."""

    def get_choices(self, cutoff=None):
        queryset = self.choice_queryset()
        if queryset is None:
            return {}
        if cutoff is not None:
            queryset = queryset[:cutoff]
        return {item.pk: self.display_value(item) for item in queryset}

    def choice_queryset(self):
        """What a form offers, which may be less than what a write accepts."""
        return self.get_queryset()


class PaperRefField(_ChoicesById, serializers.RelatedField):
    """Writes take a paper id, a DOI (any case, with or without https://doi.org/) or pmid:NNN."""

    default_error_messages = {
        "not_found": "No paper with {kind} {value}.",
        "invalid": "Give a paper id, a DOI (10.NNNN/...) or pmid:NNN.",
    }

    def get_queryset(self):
        return Paper.objects.all()

    def to_internal_value(self, data):
        reference = paper_reference(_storable(data))
        if reference is None:
            self.fail("invalid")
        kind, lookup = reference
        try:
            return self.get_queryset().get(**lookup)
        except ObjectDoesNotExist:
            self.fail("not_found", kind=kind, value=str(data).strip())

    def to_representation(self, paper):
        return {"id": paper.pk, "doi": paper.doi, "pmid": paper.pmid, "title": paper.title,
                "year": paper.year}


@extend_schema_field(OpenApiTypes.INT)
class PaperIdRefField(PaperRefField):
    """A paper naming another: writes take its id, DOI or pmid:NNN, as PaperRefField's;
    reads give its id."""

    def use_pk_only_optimization(self):
        return True

    def to_representation(self, paper):
        return paper.pk


class EvidenceTypeRefField(_ChoicesById, serializers.RelatedField):
    """Writes take an evidence type id or code; reads give its code, label and ECO id."""

    default_error_messages = {"not_found": "No evidence type {value}.",
                              "invalid": "Give an evidence type id or code."}

    def get_queryset(self):
        return EvidenceType.objects.all()

    def choice_queryset(self):
        # Obsolete types are never offered; the one an edited item already cites stays, and a
        # write naming an obsolete type gets the model's reason (Evidence.clean), not "no type".
        current = getattr(getattr(self.parent, "instance", None), "evidence_type_id", None)
        return self.get_queryset().filter(Q(obsolete=False) | Q(pk=current))

    def to_internal_value(self, data):
        if not isinstance(data, str | int) or isinstance(data, bool):
            self.fail("invalid")
        value = _storable(str(data).strip())
        lookup = {"pk": as_id(value) or 0} if value.isdigit() else {"code": value}
        try:
            return self.get_queryset().get(**lookup)
        except ObjectDoesNotExist:
            self.fail("not_found", value=value)

    def to_representation(self, evidence_type):
        return {"id": evidence_type.pk, "code": evidence_type.code, "label": evidence_type.label,
                "eco_id": evidence_type.eco_id}


def _summary(**properties):
    return build_object_type(properties=properties, required=list(properties))


class _ReferenceSchema(OpenApiSerializerFieldExtension):
    """Writes name the object by a string (id, DOI, code...); reads give its summary: the
    schema says both, per direction (extend_schema_field has one schema for both)."""

    read = None

    def map_serializer_field(self, auto_schema, direction):
        return self.read if direction == "response" else build_basic_type(OpenApiTypes.STR)


class PaperRefSchema(_ReferenceSchema):
    target_class = PaperRefField
    read = _summary(id=build_basic_type(int), doi=build_basic_type(str), pmid=build_basic_type(str),
                    title=build_basic_type(str), year={**build_basic_type(int), "nullable": True})


class EvidenceTypeRefSchema(_ReferenceSchema):
    target_class = EvidenceTypeRefField
    read = _summary(id=build_basic_type(int), code=build_basic_type(str), label=build_basic_type(str),
                    eco_id=build_basic_type(str))


class _Visible:
    """Only what the requesting user may see: anything else answers as if it did not exist,
    so that a refusal never tells an outsider that a hidden id is there."""

    def get_queryset(self):
        request = self.context.get("request")
        sees_everything = roles.sees_everything(getattr(request, "user", None))
        return super().get_queryset().visible(sees_everything)


class VisiblePrimaryKeyField(_Visible, serializers.PrimaryKeyRelatedField):
    def to_internal_value(self, data):
        # The database would truncate 10.5 to 10 and answer for another row: an id is a
        # whole number, written as a JSON integer or as digits.
        if as_id(data) is None:
            self.fail("incorrect_type", data_type=type(data).__name__)
        return super().to_internal_value(as_id(data))


class VisibleSlugField(_Visible, serializers.SlugRelatedField):
    pass
