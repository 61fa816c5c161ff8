"""API endpoints. Views declare what they serve; rules live in the workflow and the models."""

import base64

from django.db.models import Exists, OuterRef, Prefetch, Q
from django.http import FileResponse
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.filters import OrderingFilter
from rest_framework.generics import get_object_or_404
from rest_framework.permissions import AllowAny, IsAuthenticated, IsAuthenticatedOrReadOnly
from rest_framework.response import Response

from claims import releases, roles, workflow, writes
from claims.api import exports, rows
from claims.api import serializers as s
from claims.api.conditional import ConditionalMixin
from claims.api.parameters import KnownParameters
from claims.api.sparse import only, parameter, requested_fields
from claims.filters import (
    ClaimFilter,
    EvidenceFilter,
    EvidenceTypeFilter,
    PaperFilter,
    ReviewFilter,
)
from claims.history import history_of
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
from claims.similar import similar_claims


class CurationViewSet(ConditionalMixin, viewsets.ModelViewSet):
    """Creates, edits and deletes through the write services (claims/writes.py), which lock,
    validate, stamp the editor and record history; the views keep only the presentation."""

    def sees_everything(self) -> bool:
        return roles.sees_everything(self.request.user)

    def perform_create(self, serializer):
        serializer.instance = writes.create(serializer.Meta.model, actor=self.request.user,
                                            data=serializer.validated_data)

    def perform_update(self, serializer):
        writes.update(serializer.instance, actor=self.request.user,
                      data=serializer.validated_data)

    def perform_destroy(self, instance):
        writes.delete(instance, actor=self.request.user)


def _reviews():
    return Prefetch("reviews", queryset=CuratorReview.objects.select_related("reviewer"))


def _evidence(visible):
    return Prefetch("evidence", queryset=visible.select_related(
        "paper", "evidence_type", "created_by", "updated_by").prefetch_related(_reviews()))


class TopicViewSet(CurationViewSet):
    queryset = Topic.objects.all()
    serializer_class = s.TopicSerializer
    search_fields = ["slug", "name"]
    ordering_fields = ["slug", "name"]


class EvidenceTypeViewSet(CurationViewSet):
    queryset = EvidenceType.objects.select_related("parent")
    serializer_class = s.EvidenceTypeSerializer
    filterset_class = EvidenceTypeFilter
    search_fields = ["code", "label", "description", "eco_id"]
    ordering_fields = ["code", "label", "weight"]


@extend_schema_view(list=exports.list_schema(s.PaperSerializer, "csv"))
class PaperViewSet(exports.PaperExports, CurationViewSet):
    queryset = Paper.objects.prefetch_related("topics", "preprints").order_by("-year", "title", "id")
    serializer_class = s.PaperSerializer
    filterset_class = PaperFilter
    search_fields = ["title", "abstract", "journal", "doi", "pmid"]
    ordering_fields = ["year", "title", "created_at", "updated_at"]

    def list(self, request, *args, **kwargs):
        # Papers read the same for everyone: the list is built from rows (claims/api/rows.py).
        queryset = self.filter_queryset(self.get_queryset()).values(*rows.PAPER_COLUMNS)
        return self.get_paginated_response(rows.papers(self.paginate_queryset(queryset)))


class TransitionsMixin:
    """POST actions shared by claims and evidence: each calls one workflow function.

    Any signed-in user may ask; the workflow decides by role and answers 403 or 409.
    """

    def _respond(self, obj):
        fresh = self.get_queryset().get(pk=obj.pk)
        return Response(self.get_serializer(fresh).data)

    @extend_schema(request=None, summary="Submit for review (draft → submitted)")
    @action(detail=True, methods=["post"], permission_classes=[IsAuthenticated])
    def submit(self, request, pk=None):
        return self.conditional(lambda: self._respond(workflow.submit(self.get_object(), request.user)))

    @extend_schema(request=None, summary="Withdraw from review (submitted → draft)")
    @action(detail=True, methods=["post"], permission_classes=[IsAuthenticated])
    def withdraw(self, request, pk=None):
        return self.conditional(lambda: self._respond(workflow.withdraw(self.get_object(), request.user)))

    @extend_schema(request=None, summary="Reopen to rework (rejected → draft)")
    @action(detail=True, methods=["post"], permission_classes=[IsAuthenticated])
    def reopen(self, request, pk=None):
        return self.conditional(lambda: self._respond(workflow.reopen(self.get_object(), request.user)))

    @extend_schema(request=s.ReviewCreateSerializer,
                   summary="Review: approve, reject or request changes")
    @action(detail=True, methods=["post"], permission_classes=[IsAuthenticated], url_path="reviews")
    def add_review(self, request, pk=None):
        body = s.ReviewCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)

        def review():
            obj = self.get_object()
            workflow.review(obj, request.user, **body.validated_data)
            return self._respond(obj)

        return self.conditional(review)

    @extend_schema(request=None, responses=s.HistoryEntrySerializer(many=True),
                   summary="Every change, transition and review, oldest first")
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def history(self, request, pk=None):
        return Response(history_of(self.get_object(), roles.sees_everything(request.user)))


_CLAIM_FIELDS = parameter(rows.CLAIM_FIELDS)


@extend_schema_view(list=exports.list_schema(s.ClaimSerializer, "csv", "jsonld"),
                    retrieve=exports.detail_schema(s.ClaimSerializer))
@extend_schema_view(list=extend_schema(parameters=[_CLAIM_FIELDS]),
                    retrieve=extend_schema(parameters=[_CLAIM_FIELDS]))
class ClaimViewSet(exports.ClaimExports, TransitionsMixin, CurationViewSet):
    serializer_class = s.ClaimSerializer
    filterset_class = ClaimFilter
    filter_backends = [KnownParameters, DjangoFilterBackend, OrderingFilter]
    query_parameters = ("fields",)
    ordering_fields = ["created_at", "updated_at", "text"]

    def reads_rows(self) -> bool:
        """Readers of accepted work get claims built from rows (claims/api/rows.py); those
        who see drafts get the serializer, whose allowed_actions ask the workflow."""
        return self.action in ("list", "retrieve") and not self.sees_everything()

    def get_queryset(self):
        everything = self.sees_everything()
        visible = Claim.objects.visible(everything).order_by("-updated_at", "-id")
        if self.reads_rows():
            return visible
        return (visible.select_related("created_by", "updated_by", "superseded_by")
                .prefetch_related("topics", "versions", _reviews(),
                                  _evidence(Evidence.objects.visible(everything))))

    def list(self, request, *args, **kwargs):
        fields = requested_fields(request, rows.CLAIM_FIELDS)
        queryset = self.filter_queryset(self.get_queryset())
        if self.reads_rows():
            # Counted and paged on ids alone, so that PostgreSQL can count from an index and
            # joins cost only the page's rows.
            ids = self.paginate_queryset(queryset.values_list("pk", flat=True))
            return self.get_paginated_response(rows.claims_by_id(ids, fields))
        data = self.get_serializer(self.paginate_queryset(queryset), many=True).data
        return self.get_paginated_response([only(claim, fields) for claim in data])

    def filter_queryset(self, queryset):
        # A claim's own URL names it: list filters (a form validated per request) do not
        # apply to it, nor to the actions on it.
        return super().filter_queryset(queryset) if self.action == "list" else queryset

    def retrieve(self, request, *args, **kwargs):
        fields = requested_fields(request, rows.CLAIM_FIELDS)
        if self.reads_rows():
            row = get_object_or_404(self.get_queryset().values(*rows.CLAIM_COLUMNS),
                                    pk=self.kwargs["pk"])
            return Response(rows.claims([row], fields)[0])
        return Response(only(self.get_serializer(self.get_object()).data, fields))

    @extend_schema(request=s.RetractSerializer, summary="Retract an accepted claim (staff)")
    @action(detail=True, methods=["post"], permission_classes=[IsAuthenticated])
    def retract(self, request, pk=None):
        body = s.RetractSerializer(data=request.data, context={"request": request})
        body.is_valid(raise_exception=True)

        def retract():
            claim = self.get_object()
            workflow.retract(claim, request.user, **body.validated_data)
            return self._respond(claim)

        return self.conditional(retract)

    @extend_schema(request=s.ConfirmSerializer,
                   summary="Re-review: the claim stands (reviewers; clears needs_rereview)")
    @action(detail=True, methods=["post"], permission_classes=[IsAuthenticated])
    def confirm(self, request, pk=None):
        body = s.ConfirmSerializer(data=request.data)
        body.is_valid(raise_exception=True)

        def confirm():
            claim = self.get_object()
            workflow.confirm(claim, request.user, body.validated_data["comment"])
            return self._respond(claim)

        return self.conditional(confirm)

    @extend_schema(responses=s.ClaimVersionSerializer, summary="A citable accepted version")
    @action(detail=True, methods=["get"], url_path=r"versions/(?P<number>[0-9]+)",
            pagination_class=None, filter_backends=[])
    def version(self, request, pk=None, number=None):
        version = get_object_or_404(ClaimVersion.objects.select_related("claim"),
                                    claim=self.get_object(), number=number)
        return Response(s.ClaimVersionSerializer(version).data)

    @extend_schema(responses=s.VersionSummarySerializer(many=True),
                   summary="The claim's accepted versions")
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def versions(self, request, pk=None):
        return Response(s.VersionSummarySerializer(self.get_object().versions.all(),
                                                   many=True).data)

    @extend_schema(parameters=[s.SimilarQuerySerializer], responses=s.SimilarClaimsSerializer,
                   summary="Claims that say nearly the same as a text, best first")
    @action(detail=False, methods=["get"], pagination_class=None, filter_backends=[])
    def similar(self, request):
        query = s.SimilarQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        found = similar_claims(Claim.objects.visible(self.sees_everything()),
                               **query.validated_data)
        return Response(s.SimilarClaimsSerializer({"results": found}).data)


class EvidenceViewSet(TransitionsMixin, CurationViewSet):
    serializer_class = s.EvidenceSerializer
    filterset_class = EvidenceFilter
    search_fields = ["excerpt", "notes", "paper__title", "claim__text"]
    ordering_fields = ["created_at", "updated_at"]

    def get_queryset(self):
        return (Evidence.objects.visible(self.sees_everything())
                .select_related("claim", "paper", "evidence_type", "created_by", "updated_by")
                .prefetch_related(_reviews())
                .order_by("claim_id", "id"))


class ReviewViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Reviews are append-only: listed, read and created (through the workflow), never edited."""

    serializer_class = s.ReviewSerializer
    permission_classes = [IsAuthenticatedOrReadOnly]
    filterset_class = ReviewFilter
    search_fields = ["comment"]
    ordering_fields = ["created_at"]

    def get_queryset(self):
        queryset = CuratorReview.objects.select_related("reviewer").order_by("created_at", "id")
        if roles.sees_everything(self.request.user):
            return queryset
        public_claims = Claim.objects.visible(False).filter(pk=OuterRef("claim_id"))
        public_evidence = Evidence.objects.visible(False).filter(pk=OuterRef("evidence_id"))
        return queryset.filter(Q(Exists(public_claims)) | Q(Exists(public_evidence)))

    @extend_schema(request=s.ReviewTargetSerializer, responses=s.ReviewSerializer)
    def create(self, request, *args, **kwargs):
        body = s.ReviewTargetSerializer(data=request.data, context={"request": request})
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        target = data.pop("claim", None) or data.pop("evidence")
        data.pop("evidence", None)
        outcome = workflow.review(target, request.user, **data)
        return Response(s.ReviewSerializer(outcome.review).data, status=status.HTTP_201_CREATED)


class ReleaseViewSet(viewsets.ReadOnlyModelViewSet):
    """Data releases (manage.py release_curation): the accepted data as published, each with
    its checksum, what changed since the one before, and the file to download."""

    queryset = Release.objects.select_related("previous", "created_by")
    lookup_field = "version"
    lookup_value_regex = r"[0-9A-Za-z][0-9A-Za-z._-]*"
    permission_classes = [AllowAny]
    filter_backends = [KnownParameters]  # no filters, but a misspelt parameter is still a 400

    def get_serializer_class(self):
        return s.ReleaseDetailSerializer if self.action == "retrieve" else s.ReleaseSerializer

    @extend_schema(responses={(200, "application/x-ndjson"): OpenApiTypes.BINARY},
                   summary="The release file, in the interchange format (JSON Lines)")
    @action(detail=True, methods=["get"], pagination_class=None)
    def download(self, request, version=None):
        release = self.get_object()
        path = releases.path_of(release)
        if not path.exists():
            raise NotFound(f"The file of release {release.version} is missing on this server.")
        response = FileResponse(path.open("rb"), as_attachment=True, filename=release.file_name,
                                content_type="application/x-ndjson")
        response["ETag"] = f'"{release.sha256}"'
        response["Digest"] = f"sha-256={base64.b64encode(bytes.fromhex(release.sha256)).decode()}"
        return response
