"""The citable content of an accepted claim: what a version number and its hash stand for."""

import hashlib
import json

from django.db.models import Prefetch

from claims.choices import Status
from claims.models.claims import STUDY_FIELDS, Evidence


def _evidence_content(evidence) -> dict:
    paper = evidence.paper
    return {
        "uid": str(evidence.uid),
        "paper": {"doi": paper.doi, "pmid": paper.pmid, "url": paper.url, "title": paper.title,
                  "year": paper.year},
        "evidence_type": evidence.evidence_type.code,
        "direction": evidence.direction,
        "excerpt": evidence.excerpt,
        "location": evidence.location,
        **{field: getattr(evidence, field) for field in STUDY_FIELDS},
    }


def _accepted(evidence):
    return evidence.filter(status=Status.ACCEPTED).select_related("paper", "evidence_type")


def with_content(claims):
    """The claims of a queryset with what claim_content() reads, in three queries for any
    number of them."""
    return claims.prefetch_related("topics", Prefetch(
        "evidence", queryset=_accepted(Evidence.objects.all()), to_attr="accepted_evidence"))


def claim_content(claim) -> dict:
    """The claim's statement with its accepted evidence, in a canonical order."""
    accepted = getattr(claim, "accepted_evidence", None)
    if accepted is None:
        accepted = _accepted(claim.evidence.all())
    return {
        "uid": str(claim.uid),
        "text": claim.text,
        "subject": claim.subject,
        "relation": claim.relation,
        "object": claim.object,
        "context": claim.context,
        "topics": sorted(topic.slug for topic in claim.topics.all()),
        "evidence": sorted((_evidence_content(e) for e in accepted), key=lambda e: e["uid"]),
    }


def content_hash(content: dict) -> str:
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()
