"""Claim and paper representations built from rows, for the hot read paths.

A page of claims carries hundreds of nested evidence items, reviews and papers. Building a
model instance for each and serialising it field by field cost most of a list request, so
readers who see accepted work only get the same JSON assembled from values() rows: one
query per kind of row for the whole page, never one per item. tests/test_api_rows.py holds
this output equal to the serializers' (claims/api/serializers.py), which stay the reference
and serve everyone who sees drafts (their allowed_actions need the workflow).
"""

from collections import defaultdict
from collections.abc import Iterable

from django.db.models import Q
from django.utils import timezone

from claims.api.serializers import ClaimSerializer
from claims.choices import Direction
from claims.models import Claim, ClaimVersion, CuratorReview, Evidence, Paper
from claims.models.claims import QUALITY_FIELDS, STUDY_FIELDS


def _stamper():
    """DRF's DateTimeField rendering (ISO 8601 in the current time zone, UTC as Z), with the
    zone looked up once: a page renders thousands of timestamps."""
    zone = timezone.get_current_timezone()

    def stamp(value):
        text = value.astimezone(zone).isoformat()
        return text[:-6] + "Z" if text.endswith("+00:00") else text

    return stamp


CLAIM_COLUMNS = ("id", "uid", "text", "subject", "relation", "object", "context", "status",
                 "review_round", "needs_rereview", "rereview_reason", "retraction_reason",
                 "superseded_by__uid",
                 "created_by__username", "updated_by__username", "created_at", "updated_at",
                 "synthesis")
# The serializer is the reference for what a claim carries, and in which order.
CLAIM_FIELDS = tuple(ClaimSerializer.Meta.fields)
# Parts of a claim that cost a query of their own; a client that leaves them out saves it.
_NEEDS_EVIDENCE = {"evidence", "evidence_counts"}

_EVIDENCE_COLUMNS = ("id", "uid", "claim_id", "paper_id", "paper__doi", "paper__pmid",
                     "paper__title", "paper__year", "evidence_type_id", "evidence_type__code",
                     "evidence_type__label", "evidence_type__eco_id", "direction", "excerpt",
                     "location", *STUDY_FIELDS, *QUALITY_FIELDS, "notes", "status", "review_round",
                     "created_by__username", "updated_by__username", "created_at", "updated_at")
_REVIEW_COLUMNS = ("id", "uid", "claim_id", "evidence_id", "review_round", "verdict", "comment",
                   "reviewer__username", "created_at")

PAPER_COLUMNS = ("id", "uid", "doi", "pmid", "title", "authors", "authors_complete", "journal", "year",
                 "volume", "pages", "abstract", "publication_type", "url", "is_retracted",
                 "retraction_date", "retraction_url", "published_version", "created_at", "updated_at")


def _review(row: dict, stamp) -> dict:
    return {"id": row["id"], "uid": str(row["uid"]), "claim": row["claim_id"],
            "evidence": row["evidence_id"], "review_round": row["review_round"],
            "verdict": row["verdict"], "comment": row["comment"],
            "reviewer": row["reviewer__username"], "created_at": stamp(row["created_at"])}


def _evidence(row: dict, reviews: list, stamp) -> dict:
    item = {
        "id": row["id"], "uid": str(row["uid"]),
        "paper": {"id": row["paper_id"], "doi": row["paper__doi"], "pmid": row["paper__pmid"],
                  "title": row["paper__title"], "year": row["paper__year"]},
        "evidence_type": {"id": row["evidence_type_id"], "code": row["evidence_type__code"],
                          "label": row["evidence_type__label"],
                          "eco_id": row["evidence_type__eco_id"]},
        "direction": row["direction"], "excerpt": row["excerpt"], "location": row["location"],
    }
    for field in (*STUDY_FIELDS, *QUALITY_FIELDS):
        item[field] = row[field]
    if item["effect_value"] is not None:
        item["effect_value"] = float(item["effect_value"])
    item.update(notes=row["notes"], status=row["status"], review_round=row["review_round"],
                created_by=row["created_by__username"], updated_by=row["updated_by__username"],
                created_at=stamp(row["created_at"]), updated_at=stamp(row["updated_at"]),
                reviews=reviews)
    return item


def claims(rows: Iterable[dict], fields: set[str] | None = None) -> list[dict]:
    """The claims in rows (CLAIM_COLUMNS), as ClaimSerializer renders them for a reader who
    sees accepted work only; fields, when given, keeps only those keys."""
    rows, stamp = list(rows), _stamper()
    ids = [row["id"] for row in rows]
    wanted = set(CLAIM_FIELDS) if fields is None else fields
    topics = defaultdict(list)
    if "topics" in wanted:
        through = Claim.topics.through.objects.filter(claim_id__in=ids)
        for claim_id, slug in through.order_by("topic__slug").values_list("claim_id",
                                                                         "topic__slug"):
            topics[claim_id].append(slug)
    evidence = defaultdict(list)
    evidence_rows = []
    if wanted & _NEEDS_EVIDENCE:
        evidence_rows = list(Evidence.objects.visible(False, claims_checked=True)
                             .filter(claim_id__in=ids)
                             .order_by("claim_id", "id").values(*_EVIDENCE_COLUMNS))
    claim_reviews, evidence_reviews = defaultdict(list), defaultdict(list)
    evidence_ids = [row["id"] for row in evidence_rows] if "evidence" in wanted else []
    if ids and ("reviews" in wanted or evidence_ids):
        for review in _reviews_of(ids if "reviews" in wanted else [], evidence_ids):
            if review["claim_id"] is not None:
                claim_reviews[review["claim_id"]].append(_review(review, stamp))
            else:
                evidence_reviews[review["evidence_id"]].append(_review(review, stamp))
    if "evidence" in wanted:
        for row in evidence_rows:
            evidence[row["claim_id"]].append(_evidence(row, evidence_reviews[row["id"]], stamp))
    counts = defaultdict(lambda: dict.fromkeys(Direction.values, 0))
    for row in evidence_rows:
        counts[row["claim_id"]][row["direction"]] += 1
    versions = defaultdict(list)
    if "versions" in wanted:
        for version in (ClaimVersion.objects.filter(claim_id__in=ids)
                        .values("claim_id", "number", "content_hash", "accepted_at")):
            versions[version["claim_id"]].append({
                "number": version["number"], "content_hash": version["content_hash"],
                "accepted_at": stamp(version["accepted_at"])})
    result = []
    for row in rows:
        pk = row["id"]
        superseded_by = row["superseded_by__uid"]
        claim = {
            "id": pk, "uid": str(row["uid"]), "text": row["text"], "subject": row["subject"],
            "relation": row["relation"], "object": row["object"], "context": row["context"],
            "topics": topics[pk], "status": row["status"], "review_round": row["review_round"],
            "needs_rereview": row["needs_rereview"], "rereview_reason": row["rereview_reason"],
            "retraction_reason": row["retraction_reason"],
            "superseded_by": str(superseded_by) if superseded_by else None,
            "created_by": row["created_by__username"], "updated_by": row["updated_by__username"],
            "created_at": stamp(row["created_at"]), "updated_at": stamp(row["updated_at"]),
            "evidence_counts": counts[pk], "synthesis": row["synthesis"], "evidence": evidence[pk],
            "reviews": claim_reviews[pk], "versions": versions[pk], "allowed_actions": [],
        }
        result.append(claim if fields is None else {k: claim[k] for k in CLAIM_FIELDS
                                                    if k in fields})
    return result


def claims_by_id(ids: list[int], fields: set[str] | None = None) -> list[dict]:
    """claims() of the claims with these ids, in this order (one deleted meanwhile is left out)."""
    found = {row["id"]: row for row in Claim.objects.visible(False).filter(pk__in=ids)
             .values(*CLAIM_COLUMNS)}
    return claims([found[pk] for pk in ids if pk in found], fields)


def _reviews_of(claim_ids: list[int], evidence_ids: list[int]):
    reviews = CuratorReview.objects.filter(Q(claim_id__in=claim_ids) | Q(evidence_id__in=evidence_ids))
    return reviews.order_by("created_at", "id").values(*_REVIEW_COLUMNS)


_STAMPS = ("created_at", "updated_at")


def papers(rows: Iterable[dict]) -> list[dict]:
    """The papers in rows (PAPER_COLUMNS), as PaperSerializer renders them."""
    rows, stamp = list(rows), _stamper()
    ids = [row["id"] for row in rows]
    topics, preprints = defaultdict(list), defaultdict(list)
    through = Paper.topics.through.objects.filter(paper_id__in=ids)
    for paper_id, slug in through.order_by("topic__slug").values_list("paper_id", "topic__slug"):
        topics[paper_id].append(slug)
    for version, preprint in (Paper.objects.filter(published_version_id__in=ids).order_by("pk")
                              .values_list("published_version_id", "pk")):
        preprints[version].append(preprint)
    result = []
    for row in rows:
        paper = {column: row[column] for column in PAPER_COLUMNS if column not in _STAMPS}
        paper["uid"] = str(row["uid"])
        paper["authors"] = [str(author) for author in row["authors"]]
        if row["retraction_date"] is not None:
            paper["retraction_date"] = row["retraction_date"].isoformat()
        paper["preprints"] = preprints[row["id"]]
        paper["topics"] = topics[row["id"]]
        paper["created_at"] = stamp(row["created_at"])
        paper["updated_at"] = stamp(row["updated_at"])
        result.append(paper)
    return result
