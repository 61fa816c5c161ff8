"""GET /api/v1/changes/: the change feed (claims/changes.py) as the caller may see it.

Entries come oldest first. Each names the object (kind, uid), what happened and when, and
carries the object as its detail endpoint renders it now; an object that is gone, or that
the caller may no longer see, comes as a tombstone (object null). A reader who sees accepted
work only is never told about objects it has never been able to see. Replaying the feed from
the start, upserting objects and deleting tombstones, leaves a mirror holding exactly what the
API lists.
"""

import base64
import binascii

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from claims import roles
from claims.api import rows
from claims.api import serializers as s
from claims.api.parameters import refuse_unknown
from claims.api.views import ClaimViewSet, EvidenceViewSet, ReviewViewSet
from claims.models import Change, Paper
from claims.models.changes import ChangeAction, ChangeKind

DEFAULT_PAGE = 100
MAX_PAGE = 1000
_PREFIX = "feed:"


def encode(position: int) -> str:
    return base64.urlsafe_b64encode(f"{_PREFIX}{position}".encode()).decode().rstrip("=")


def decode(token: str) -> int:
    if not token:
        return 0
    try:
        text = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode("ascii")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        text = ""
    number = text.removeprefix(_PREFIX)
    if not text.startswith(_PREFIX) or not (number.isascii() and number.isdigit()
                                            and len(number) <= 19):
        raise ValidationError({"after": ["Not a change-feed cursor: start without ?after= and "
                                         "continue with the cursor each page gives."]})
    return int(number)


def _kinds(value: str) -> list[str]:
    if not value:
        return list(ChangeKind.values)
    asked = [k.strip() for k in value.split(",") if k.strip()]
    unknown = sorted(set(asked) - set(ChangeKind.values))
    if unknown or not asked:
        raise ValidationError({"kinds": [f"Unknown kind {', '.join(unknown) or '(none)'}: "
                                         f"choose from {', '.join(ChangeKind.values)}."]})
    return asked


def _page_size(value: str) -> int:
    if not value:
        return DEFAULT_PAGE
    if not (value.isascii() and value.isdigit()) or not 1 <= int(value) <= MAX_PAGE:
        raise ValidationError({"page_size": [f"A whole number from 1 to {MAX_PAGE}."]})
    return int(value)


class _Renderer:
    """The objects of one page of entries, as the caller's detail endpoints render them, in a
    fixed number of queries per kind."""

    def __init__(self, request):
        self.request = request
        self.everything = roles.sees_everything(request.user)

    def render(self, kind: str, ids: list[int]) -> dict[int, dict]:
        if not ids:
            return {}
        return getattr(self, f"_{kind}")(ids)

    def _context(self):
        return {"request": self.request}

    def _queryset(self, viewset, ids):
        view = viewset(request=self.request, action="retrieve", format_kwarg=None, kwargs={})
        return view.get_queryset().filter(pk__in=ids)

    def _serialized(self, serializer, queryset) -> dict[int, dict]:
        # One serializer for the page, not one per object: building a serializer's fields
        # costs more than rendering an object with them.
        objects = list(queryset)
        rendered = serializer(objects, many=True, context=self._context()).data
        return {obj.pk: data for obj, data in zip(objects, rendered, strict=True)}

    def _claim(self, ids):
        if not self.everything:
            return {claim["id"]: claim for claim in rows.claims_by_id(ids)}
        return self._serialized(s.ClaimSerializer, self._queryset(ClaimViewSet, ids))

    def _evidence(self, ids):
        return self._serialized(s.EvidenceSerializer, self._queryset(EvidenceViewSet, ids))

    def _paper(self, ids):
        return {p["id"]: p for p in rows.papers(Paper.objects.filter(pk__in=ids)
                                                .values(*rows.PAPER_COLUMNS))}

    def _review(self, ids):
        return self._serialized(s.ReviewSerializer, self._queryset(ReviewViewSet, ids))


class ChangeEntrySerializer(serializers.Serializer):
    cursor = serializers.CharField(help_text="Continue after this entry with ?after=<cursor>.")
    kind = serializers.ChoiceField(choices=ChangeKind.choices)
    uid = serializers.UUIDField()
    action = serializers.ChoiceField(choices=ChangeAction.choices)
    at = serializers.DateTimeField()
    tombstone = serializers.BooleanField(
        help_text="The object is gone or no longer visible to you: delete it from a mirror.")
    object = serializers.JSONField(allow_null=True,
                                   help_text="The object as its detail endpoint renders it now.")


class ChangePageSerializer(serializers.Serializer):
    next = serializers.CharField(help_text="Ask for ?after=<next> to continue; when no entries "
                                           "came, it is the cursor you sent.")
    more = serializers.BooleanField(help_text="More entries are waiting now.")
    results = ChangeEntrySerializer(many=True)


class ChangeFeedView(GenericAPIView):
    permission_classes = [AllowAny]
    filter_backends = []
    pagination_class = None
    queryset = Change.objects.all()

    @extend_schema(
        parameters=[
            OpenApiParameter("after", OpenApiTypes.STR,
                             description="A cursor from a previous page (empty: from the start)."),
            OpenApiParameter("kinds", OpenApiTypes.STR,
                             description="Comma-separated: claim, evidence, paper, review."),
            OpenApiParameter("page_size", OpenApiTypes.INT,
                             description=f"Entries per page, 1 to {MAX_PAGE} (default {DEFAULT_PAGE})."),
        ],
        responses={200: ChangePageSerializer},
        summary="Every change you may see, oldest first")
    def get(self, request):
        refuse_unknown(request, ("after", "kinds", "page_size"))
        after = decode(request.query_params.get("after", ""))
        kinds = _kinds(request.query_params.get("kinds", ""))
        size = _page_size(request.query_params.get("page_size", ""))
        return Response(read(request, after=after, kinds=kinds, size=size))


def entries_for(user, *, after: int, kinds: list[str]):
    """The feed entries after a position that `user` may hear of, of these kinds."""
    entries = Change.objects.filter(position__gt=after, kind__in=kinds)
    if not roles.sees_everything(user):
        entries = entries.filter(public=True) | entries.filter(was_public=True)
    return entries


def read(request, *, after: int, kinds: list[str], size: int) -> dict:
    """One page of the feed as request.user may see it: {"next", "more", "results"}. The view
    and webhook deliveries (claims/api/push.py) both read the feed here."""
    renderer = _Renderer(request)
    entries = entries_for(request.user, after=after, kinds=kinds)
    page = list(entries.order_by("position").values(
        "position", "kind", "object_id", "uid", "action", "at", "public")[:size + 1])
    more, page = len(page) > size, page[:size]
    wanted = {}
    for entry in page:
        if entry["action"] != "deleted" and (renderer.everything or entry["public"]):
            wanted.setdefault(entry["kind"], set()).add(entry["object_id"])
    objects = {kind: renderer.render(kind, sorted(ids)) for kind, ids in wanted.items()}
    results = []
    for entry in page:
        found = objects.get(entry["kind"], {}).get(entry["object_id"])
        results.append({"cursor": encode(entry["position"]), "kind": entry["kind"],
                        "uid": str(entry["uid"]), "action": entry["action"],
                        "at": entry["at"], "tombstone": found is None, "object": found})
    last = page[-1]["position"] if page else after
    return {"next": encode(last), "more": more, "results": results}
