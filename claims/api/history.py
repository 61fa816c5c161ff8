"""A claim's or evidence item's story: every recorded change and every review, oldest first."""

from django.db.models import Q

from claims.models import Claim, CuratorReview

_SKIP = {"updated_at", "updated_by"}
_LABELS = {"+": "created", "~": "changed", "-": "deleted"}


def _user(user):
    return user.username if user else None


def _record_entries(record_qs, kind):
    entries = []
    previous = None
    for record in record_qs.select_related("history_user").order_by("history_date", "history_id"):
        changes = []
        if previous is not None:
            # Compare every tracked column (simple-history's diff skips non-editable ones,
            # and status is the change that matters most).
            changes = [{"field": f.name, "from": _plain(getattr(previous, f.attname)),
                        "to": _plain(getattr(record, f.attname))}
                       for f in record.tracked_fields
                       if f.name not in _SKIP
                       and getattr(previous, f.attname) != getattr(record, f.attname)]
        entries.append({
            "at": record.history_date,
            "kind": kind,
            "uid": str(record.uid),
            "action": record.history_change_reason or _LABELS[record.history_type],
            "user": _user(record.history_user),
            "status": record.status,
            "changes": changes,
        })
        previous = record
    return entries


def _plain(value):
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)


def history_of(obj, visible_evidence) -> list[dict]:
    """For a claim, its own records plus those of the evidence the reader may see."""
    if isinstance(obj, Claim):
        entries = _record_entries(obj.history.all(), "claim")
        evidence = list(visible_evidence.filter(claim=obj))
        for item in evidence:
            entries += _record_entries(item.history.all(), "evidence")
        reviews = CuratorReview.objects.filter(Q(claim=obj) | Q(evidence__in=evidence))
    else:
        entries = _record_entries(obj.history.all(), "evidence")
        reviews = obj.reviews.all()
    for review in reviews.select_related("reviewer"):
        entries.append({
            "at": review.created_at,
            "kind": "review",
            "uid": str(review.uid),
            "action": f"review: {review.verdict}",
            "user": _user(review.reviewer),
            "verdict": review.verdict,
            "comment": review.comment,
            "review_round": review.review_round,
            "target": "claim" if review.claim_id else f"evidence {review.evidence_id}",
        })
    entries.sort(key=lambda e: e["at"])
    return entries
