"""A claim's or evidence item's story: every recorded change and every review, oldest first."""

from collections import defaultdict

from django.apps import apps
from django.db.models import Q

from claims.models import Claim, CuratorReview, Evidence

_SKIP = {"updated_at", "updated_by"}
_LABELS = {"+": "created", "~": "changed", "-": "deleted"}


def fit_reason(sender, history_instance, **kwargs):
    """pre_create_historical_record: the reason column holds 100 characters and PostgreSQL
    refuses more; the full text stays on the row it explains (retraction_reason, rereview_reason)."""
    reason = history_instance.history_change_reason
    room = type(history_instance)._meta.get_field("history_change_reason").max_length
    if reason and len(reason) > room:
        history_instance.history_change_reason = reason[:room - 1] + "…"


def _user(user):
    return user.username if user else None


def _m2m_snapshots(records) -> dict[int, dict[str, list[str]]]:
    """Per historical record, the many-to-many values it saw (e.g. topics): one query each."""
    model = records[0].__class__ if records else None
    snapshots = defaultdict(dict)
    for field in getattr(model, "_history_m2m_fields", ()):
        through = apps.get_model(model._meta.app_label, f"{model.__name__}_{field.name}")
        rows = through.objects.filter(history__in=[r.history_id for r in records])
        target = field.m2m_reverse_field_name()
        related = field.related_model.objects.in_bulk(
            {pk for _, pk in rows.values_list("history_id", f"{target}_id")})
        for record in records:
            snapshots[record.history_id][field.name] = []
        for history_id, pk in rows.values_list("history_id", f"{target}_id"):
            label = related[pk].natural_key()[0] if pk in related else str(pk)
            snapshots[history_id][field.name].append(label)
    return snapshots


def _record_entries(records, kind):
    """One entry per historical record, with what changed since that object's previous one."""
    entries = []
    previous = {}
    records = list(records.select_related("history_user").order_by("history_date", "history_id"))
    m2m = _m2m_snapshots(records)
    for record in records:
        before = previous.get(record.id)
        changes = []
        if before is not None:
            # Compare every tracked column (simple-history's diff skips non-editable ones,
            # and status is the change that matters most).
            changes = [{"field": f.name, "from": _plain(getattr(before, f.attname)),
                        "to": _plain(getattr(record, f.attname))}
                       for f in record.tracked_fields
                       if f.name not in _SKIP
                       and getattr(before, f.attname) != getattr(record, f.attname)]
            for name, values in m2m[record.history_id].items():
                old = m2m[before.history_id][name]
                if sorted(old) != sorted(values):
                    changes.append({"field": name, "from": sorted(old), "to": sorted(values)})
        if before is not None and not changes and not record.history_change_reason \
                and record.history_type == "~":
            previous[record.id] = record
            continue  # a save that changed nothing (e.g. before a topics change is recorded)
        entries.append({
            "at": record.history_date,
            "kind": kind,
            "uid": str(record.uid),
            "action": record.history_change_reason or _LABELS[record.history_type],
            "user": _user(record.history_user),
            "status": record.status,
            "changes": changes,
        })
        previous[record.id] = record
    return entries


def _plain(value):
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)


def history_of(obj, sees_everything: bool) -> list[dict]:
    """A claim's records, its evidence's (deleted evidence included for those who see
    everything; readers see only accepted evidence) and the reviews, in a fixed number of
    queries."""
    if isinstance(obj, Claim):
        entries = _record_entries(obj.history.all(), "claim")
        evidence_records = Evidence.history.filter(claim_id=obj.pk)
        evidence_reviews = Q(evidence__claim=obj)
        if not sees_everything:
            visible = Evidence.objects.visible(False).filter(claim=obj).values("pk")
            evidence_records = evidence_records.filter(id__in=visible)
            evidence_reviews &= Q(evidence__in=visible)
        entries += _record_entries(evidence_records, "evidence")
        reviews = CuratorReview.objects.filter(Q(claim=obj) | evidence_reviews)
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
