"""Exports: whole lists as CSV and JSON-LD, and the accepted data set as JSON Lines, streamed.

?format=csv (claims and papers) and ?format=jsonld (claims) answer a list with every row of
it, filtered as the JSON list is and as the caller may see it, not one page. The list is read
in keyset batches in id order (WHERE id > last), a fixed number of queries per batch, and
each batch is written out before the next is read: memory stays flat whatever the size, and
claims edited, added or deleted during the download neither shift nor repeat the rest.
?format=jsonld on a claim gives that claim as one JSON-LD document (claims/api/jsonld.py).
"""

import contextlib
import csv
from collections import defaultdict
from collections.abc import Iterable, Iterator

import orjson
from django.http import StreamingHttpResponse
from django.urls import reverse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.generics import get_object_or_404
from rest_framework.permissions import AllowAny
from rest_framework.renderers import BaseRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from claims.api import jsonld
from claims.api.renderers import FastJSONRenderer
from claims.api.serializers import ReleaseSerializer
from claims.choices import Status
from claims.interchange import export
from claims.models import Claim, Evidence, Paper, Release

BATCH = 500  # rows per keyset batch
CHUNK = 64 * 1024  # characters of JSON Lines gathered before they are sent


class CSVRenderer(BaseRenderer):
    """Offers text/csv to content negotiation; the CSV itself is streamed by the views here."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        raise TypeError("CSV is streamed by claims/api/exports.py, never rendered from data.")


class JSONLinesRenderer(CSVRenderer):
    media_type = "application/x-ndjson"
    format = "jsonl"


class JSONLDRenderer(FastJSONRenderer):
    media_type = "application/ld+json"
    format = "jsonld"


_RENDERERS = {"csv": CSVRenderer, "jsonld": JSONLDRenderer}
_STREAMED = (CSVRenderer, JSONLDRenderer)


# --- reading in batches ---


def batches(queryset, columns: Iterable[str]) -> Iterator[list[dict]]:
    """The rows of queryset (values of columns, "id" among them), BATCH at a time, in id order."""
    after, size = 0, BATCH
    while True:
        rows = list(queryset.filter(pk__gt=after).order_by("pk").values(*columns)[:size])
        if rows:
            yield rows
        if len(rows) < size:
            return
        after = rows[-1]["id"]


def _by_claim(evidence, claim_ids: list[int], columns: tuple[str, ...]) -> dict[int, list[dict]]:
    cited = defaultdict(list)
    for row in evidence.filter(claim_id__in=claim_ids).order_by("claim_id", "id").values(*columns):
        cited[row["claim_id"]].append(row)
    return cited


def _topics(through, column: str, ids: list[int]) -> dict[int, list[str]]:
    slugs = defaultdict(list)
    for owner, slug in (through.objects.filter(**{f"{column}__in": ids}).order_by("topic__slug")
                        .values_list(column, "topic__slug")):
        slugs[owner].append(slug)
    return slugs


# --- CSV ---


class _Echo:
    """A file for csv.writer that hands each line back instead of keeping it."""

    def write(self, line: str) -> str:
        return line


CLAIM_HEADER = ("claim_uid", "claim_text", "claim_status", "evidence_uid", "direction",
                "evidence_type", "eco_id", "paper_doi", "paper_pmid", "paper_title", "paper_year")
_CSV_EVIDENCE = ("claim_id", "uid", "direction", "evidence_type__code", "evidence_type__eco_id",
                 "paper__doi", "paper__pmid", "paper__title", "paper__year")
_NO_EVIDENCE = ("",) * (len(CLAIM_HEADER) - 3)


def claims_csv(claims, evidence) -> Iterator[str]:
    """One row per claim and evidence item in `evidence` (what the caller may see); a claim
    without any gives one row whose evidence columns are empty."""
    writer = csv.writer(_Echo())
    lines = [writer.writerow(CLAIM_HEADER)]
    for batch in batches(claims, ("id", "uid", "text", "status")):
        cited = _by_claim(evidence, [claim["id"] for claim in batch], _CSV_EVIDENCE)
        for claim in batch:
            head = (claim["uid"], claim["text"], claim["status"])
            for item in cited[claim["id"]] or [None]:
                tail = _NO_EVIDENCE if item is None else [item[c] for c in _CSV_EVIDENCE[1:]]
                lines.append(writer.writerow([*head, *tail]))
        yield "".join(lines)
        lines = []
    if lines:  # no claims: the header alone
        yield "".join(lines)


PAPER_HEADER = ("uid", "doi", "pmid", "title", "authors", "authors_complete", "journal", "year",
                "volume", "pages", "publication_type", "url", "is_retracted", "retraction_date",
                "retraction_url", "published_version", "topics", "abstract")
_PUBLISHED = ("published_version__doi", "published_version__pmid", "published_version__url")
_PAPER_COLUMNS = ("id", *(c for c in PAPER_HEADER if c not in ("topics", "published_version")),
                  *_PUBLISHED)


def _citable(doi: str | None, pmid: str | None, url: str | None) -> str:
    return doi or (f"pmid:{pmid}" if pmid else url or "")


def papers_csv(papers) -> Iterator[str]:
    """One row per paper; authors and topics are joined with "; ", flags are true or false; a
    preprint's published version by its DOI, else pmid:NNN, else its URL."""
    writer = csv.writer(_Echo())
    lines = [writer.writerow(PAPER_HEADER)]
    for batch in batches(papers, _PAPER_COLUMNS):
        topics = _topics(Paper.topics.through, "paper_id", [paper["id"] for paper in batch])
        for paper in batch:
            paper.update(authors="; ".join(paper["authors"]), topics="; ".join(topics[paper["id"]]),
                         authors_complete=_flag(paper["authors_complete"]),
                         is_retracted=_flag(paper["is_retracted"]),
                         published_version=_citable(*(paper[c] for c in _PUBLISHED)))
            lines.append(writer.writerow([paper[c] for c in PAPER_HEADER]))
        yield "".join(lines)
        lines = []
    if lines:
        yield "".join(lines)


def _flag(value: bool) -> str:
    return "true" if value else "false"


# --- JSON-LD ---

_LD_CLAIM = ("id", "uid", "text", "subject", "relation", "object", "context", "status",
             "superseded_by__uid", "created_at", "updated_at")
_LD_EVIDENCE = ("claim_id", "uid", "direction", "excerpt", "location", "status", "evidence_type_id",
                "evidence_type__code", "evidence_type__label", "evidence_type__eco_id", "paper__doi",
                "paper__pmid", "paper__url", "paper__title", "paper__year")


def _present(node: dict) -> dict:
    """Leaves out what is empty: an empty string is no statement."""
    return {key: value for key, value in node.items() if value not in ("", None, [])}


class LinkedData:
    """Claims as JSON-LD nodes, with IRIs and the context for the service the request reached."""

    def __init__(self, request):
        vocab = request.build_absolute_uri(reverse("jsonld-vocab"))
        self.context = jsonld.context(vocab)
        self.claims_url = request.build_absolute_uri(reverse("claim-list"))
        self.types_url = request.build_absolute_uri(reverse("evidencetype-list"))

    def claim_nodes(self, rows: list[dict], evidence) -> list[dict]:
        ids = [row["id"] for row in rows]
        cited = _by_claim(evidence, ids, _LD_EVIDENCE)
        topics = _topics(Claim.topics.through, "claim_id", ids)
        return [self.claim_node(row, topics[row["id"]], cited[row["id"]]) for row in rows]

    def claim_node(self, row: dict, topics: list[str], cited: list[dict]) -> dict:
        superseded_by = row["superseded_by__uid"]
        return _present({
            "@id": jsonld.claim_iri(row["uid"]), "@type": "Claim", "identifier": str(row["uid"]),
            "url": f"{self.claims_url}{row['id']}/", "text": row["text"],
            "subject": row["subject"], "relation": row["relation"], "object": row["object"],
            "context": row["context"], "keywords": topics, "status": row["status"],
            "supersededBy": jsonld.claim_iri(superseded_by) if superseded_by else None,
            "dateCreated": row["created_at"].isoformat(),
            "dateModified": row["updated_at"].isoformat(),
            "evidence": [self.evidence_node(item) for item in cited],
        })

    def evidence_node(self, row: dict) -> dict:
        eco_id = row["evidence_type__eco_id"]
        kind = _present({
            "@id": jsonld.eco_iri(eco_id) if eco_id else f"{self.types_url}{row['evidence_type_id']}/",
            "code": row["evidence_type__code"], "label": row["evidence_type__label"]})
        iri, same_as = jsonld.paper_iris(row["paper__doi"], row["paper__pmid"], row["paper__url"])
        year = row["paper__year"]
        paper = _present({
            "@id": iri, "@type": "ScholarlyArticle", "name": row["paper__title"],
            "datePublished": str(year) if year is not None else None, "doi": row["paper__doi"],
            "pmid": row["paper__pmid"], "sameAs": same_as})
        return _present({
            "@id": jsonld.claim_iri(row["uid"]), "@type": "Evidence", "direction": row["direction"],
            "evidenceType": kind, "paper": paper, "excerpt": row["excerpt"],
            "location": row["location"], "status": row["status"]})

    def claims_document(self, claims, evidence) -> Iterator[str]:
        """{"@context": ..., "@graph": [every claim]}, written batch by batch."""
        start = '{"@context":' + orjson.dumps(self.context).decode() + ',"@graph":['
        for batch in batches(claims, _LD_CLAIM):
            nodes = self.claim_nodes(batch, evidence)
            yield start + ",".join(orjson.dumps(node).decode() for node in nodes)
            start = ","
        yield ("" if start == "," else start) + "]}\n"


# --- responses ---


def _streamed(chunks: Iterator[str], content_type: str, name: str,
              extension: str) -> StreamingHttpResponse:
    """A download of chunks. The first (which holds the first batch) is made before the
    response starts, so that its errors answer as errors instead of cutting a file short."""
    first = next(chunks, None)

    def rest():
        if first is not None:
            yield first
        yield from chunks

    response = StreamingHttpResponse(rest(), content_type=content_type)
    response["Content-Disposition"] = (f'attachment; filename="{name}-{timezone.localdate()}.'
                                       f'{extension}"')
    return response


def _chunked(lines: Iterator[str]) -> Iterator[str]:
    with contextlib.closing(lines):
        buffer, size = [], 0
        for line in lines:
            buffer.append(line)
            size += len(line)
            if size >= CHUNK:
                yield "".join(buffer)
                buffer, size = [], 0
        if buffer:
            yield "".join(buffer)


_WHOLE_LIST = ("page", "page_size", "cursor", "fields", "ordering")


def _refuse_paging(request):
    given = [name for name in _WHOLE_LIST if name in request.query_params]
    if given:
        fmt = request.accepted_renderer.format
        raise ValidationError({name: [f"?format={fmt} gives every row of the list, in id order: "
                                      f"{name} does not apply to it."] for name in given})


def _errors_in_json(request, response):
    """A refusal reads as everywhere else, in JSON, whatever format was asked for."""
    # A refusal raised before content negotiation (credentials not understood) has no renderer
    # yet: DRF would negotiate one from ?format=, a streaming one that cannot render data.
    renderer = getattr(request, "accepted_renderer", None)
    if getattr(response, "exception", False) and (
            renderer is None or isinstance(renderer, (*_STREAMED, JSONLinesRenderer))):
        request.accepted_renderer = FastJSONRenderer()
        request.accepted_media_type = FastJSONRenderer.media_type


class _Exports:
    """For viewsets: ?format=<export> on an action named in `exports` is answered by the
    export's handler instead of by the action."""

    exports: dict[str, dict[str, str]] = {}

    def get_renderers(self):
        formats = self.exports.get(getattr(self, "action", None), {})
        return [*super().get_renderers(), *(_RENDERERS[name]() for name in formats)]

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        handler = self.exports.get(self.action, {}).get(request.accepted_renderer.format)
        if handler:
            # As a viewset binds GET to its action, this request's GET is bound to the export.
            setattr(self, request.method.lower(), getattr(self, handler))

    def finalize_response(self, request, response, *args, **kwargs):
        _errors_in_json(request, response)
        return super().finalize_response(request, response, *args, **kwargs)


class ClaimExports(_Exports):
    exports = {"list": {"csv": "claims_csv", "jsonld": "claims_jsonld"},
               "retrieve": {"jsonld": "claim_jsonld"}}

    def _claims_and_evidence(self, request):
        _refuse_paging(request)
        claims = self.filter_queryset(self.get_queryset()).prefetch_related(None)
        return claims, Evidence.objects.visible(self.sees_everything(), claims_checked=True)

    def claims_csv(self, request, *args, **kwargs):
        claims, evidence = self._claims_and_evidence(request)
        return _streamed(claims_csv(claims, evidence), "text/csv; charset=utf-8", "claims", "csv")

    def claims_jsonld(self, request, *args, **kwargs):
        claims, evidence = self._claims_and_evidence(request)
        return _streamed(LinkedData(request).claims_document(claims, evidence),
                         "application/ld+json", "claims", "jsonld")

    def claim_jsonld(self, request, *args, **kwargs):
        claims = self.get_queryset().prefetch_related(None)
        row = get_object_or_404(claims.values(*_LD_CLAIM), pk=self.kwargs["pk"])
        linked = LinkedData(request)
        node = linked.claim_nodes([row], Evidence.objects.visible(self.sees_everything(),
                                                                  claims_checked=True))[0]
        return Response({"@context": linked.context, **node})


class PaperExports(_Exports):
    exports = {"list": {"csv": "papers_csv"}}

    def papers_csv(self, request, *args, **kwargs):
        _refuse_paging(request)
        papers = self.filter_queryset(self.get_queryset()).prefetch_related(None)
        return _streamed(papers_csv(papers), "text/csv; charset=utf-8", "papers", "csv")


# --- the schema of the formats ---

def _format(*formats: str) -> OpenApiParameter:
    return OpenApiParameter("format", str, enum=["json", *formats], description=(
        "json (the default), or an export: csv and jsonld give every row of the filtered list "
        "in one streamed download, in id order (page, page_size, cursor, fields and ordering "
        "do not apply). Accept: text/csv or application/ld+json asks for the same."))


def list_schema(serializer, *formats: str):
    """extend_schema for a list that also exports as formats."""
    media = {"csv": ("text/csv", OpenApiTypes.STR),
             "jsonld": ("application/ld+json", OpenApiTypes.OBJECT)}
    return extend_schema(parameters=[_format(*formats)], responses={
        (200, "application/json"): serializer,
        **{(200, media[name][0]): media[name][1] for name in formats}})


def detail_schema(serializer):
    """extend_schema for a detail that is also given as JSON-LD."""
    return extend_schema(
        parameters=[OpenApiParameter("format", str, enum=["json", "jsonld"], description=(
            "json (the default) or jsonld: the object as JSON-LD (context: /api/v1/context.jsonld)"))],
        responses={(200, "application/json"): serializer,
                   (200, "application/ld+json"): OpenApiTypes.OBJECT})


# --- the downloads, listed, and the live export ---

class DownloadSerializer(serializers.Serializer):
    name = serializers.CharField()
    media_type = serializers.CharField()
    url = serializers.URLField()
    description = serializers.CharField()


class ExportsSerializer(serializers.Serializer):
    live = DownloadSerializer(many=True, help_text="Read from the database at each request.")
    releases = ReleaseSerializer(many=True, help_text="Frozen files, newest first.")


class ExportsView(APIView):
    """GET /api/v1/exports/: every download of the data, the live ones and the releases."""

    permission_classes = [AllowAny]

    @extend_schema(summary="The downloads: live exports and data releases",
                   responses=ExportsSerializer)
    def get(self, request):
        def url(name, query=""):
            return request.build_absolute_uri(reverse(name)) + query

        live = [
            {"name": "accepted.jsonl", "media_type": "application/x-ndjson",
             "url": url("export-accepted"),
             "description": "Every accepted claim with its accepted evidence, reviews and versions, "
                            "and the papers, topics and evidence types they name, in the "
                            "interchange format, read from the database now."},
            {"name": "claims.csv", "media_type": "text/csv", "url": url("claim-list", "?format=csv"),
             "description": "One row per claim and evidence item you may see; the claims list's "
                            "filters apply."},
            {"name": "claims.jsonld", "media_type": "application/ld+json",
             "url": url("claim-list", "?format=jsonld"),
             "description": "The claims you may see as schema.org Claims with their evidence, "
                            "papers and ECO evidence types; the claims list's filters apply."},
            {"name": "papers.csv", "media_type": "text/csv", "url": url("paper-list", "?format=csv"),
             "description": "One row per paper; the papers list's filters apply."},
        ]
        releases = Release.objects.select_related("previous", "created_by")
        return Response({"live": live, "releases": ReleaseSerializer(
            releases, many=True, context={"request": request}).data})


class AcceptedExportView(APIView):
    """GET /api/v1/exports/accepted.jsonl: the accepted data in the interchange format, as
    `export_curation --status accepted` writes it, streamed as it is read."""

    permission_classes = [AllowAny]
    renderer_classes = [FastJSONRenderer, JSONLinesRenderer]

    @extend_schema(summary="The accepted data now, in the interchange format (JSON Lines)",
                   responses={(200, "application/x-ndjson"): OpenApiTypes.BINARY})
    def get(self, request):
        return _streamed(_chunked(export.iter_lines(status=Status.ACCEPTED)),
                         "application/x-ndjson; charset=utf-8", "curation-accepted", "jsonl")

    def finalize_response(self, request, response, *args, **kwargs):
        _errors_in_json(request, response)
        return super().finalize_response(request, response, *args, **kwargs)


class ContextView(APIView):
    """GET /api/v1/context.jsonld: the JSON-LD context the exports use (and embed)."""

    permission_classes = [AllowAny]
    renderer_classes = [JSONLDRenderer, FastJSONRenderer]

    @extend_schema(summary="The JSON-LD context of the exports",
                   responses={(200, "application/ld+json"): OpenApiTypes.OBJECT})
    def get(self, request):
        return Response({"@context": jsonld.context(request.build_absolute_uri(reverse("jsonld-vocab")))})


class VocabularyView(APIView):
    """GET /api/v1/vocab: the project's vocabulary, each term described; its terms' IRIs are
    this URL with #term."""

    permission_classes = [AllowAny]
    renderer_classes = [JSONLDRenderer, FastJSONRenderer]

    @extend_schema(summary="The project's linked-data vocabulary",
                   responses={(200, "application/ld+json"): OpenApiTypes.OBJECT})
    def get(self, request):
        return Response(jsonld.vocabulary(request.build_absolute_uri(reverse("jsonld-vocab"))))
