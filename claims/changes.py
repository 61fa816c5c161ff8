"""The change feed: every create, edit, status change and deletion of claims, evidence, papers
and reviews, as entries written in the same transaction as the write (never a second,
separately committed log).

Entries come from django-simple-history's records (every save and delete of a claim,
evidence item or paper makes one, whichever face or service made it), from reviews being
created, and from bulk writes, which call record_many() themselves.

Positions are handed out in commit order. A writer takes the feed's lock (lock()) before any
row lock and keeps it until its transaction ends, so a transaction that took position 5 has
committed before any other can take position 6: a reader that has passed a position never
finds an older one appearing behind it. SQLite needs no lock: its write transactions run one
at a time (they are IMMEDIATE, see curation/settings.py).
"""

from django.db import connection, transaction
from django.db.models import BooleanField, Case, CharField, F, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone

from claims import webhooks
from claims.choices import PUBLIC_CLAIM_STATUSES, PUBLIC_EVIDENCE_STATUSES, Status
from claims.models import Change, Claim, CuratorReview, Evidence, Paper
from claims.models.changes import ChangeAction

# Any number no other part of the service uses as a PostgreSQL advisory lock.
LOCK_KEY = 0x6665_6564

KINDS = {Claim: "claim", Evidence: "evidence", Paper: "paper", CuratorReview: "review"}


def lock():
    """Hold the feed's lock until the current transaction ends (PostgreSQL; re-entrant)."""
    if connection.vendor == "postgresql" and connection.in_atomic_block:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])


def visible_to_readers(model) -> Q:
    """What readers who see accepted work only may see, as a filter on the model."""
    if model is Claim:
        return Q(status__in=PUBLIC_CLAIM_STATUSES)
    if model is Evidence:
        return Q(status__in=PUBLIC_EVIDENCE_STATUSES, claim__status__in=PUBLIC_CLAIM_STATUSES)
    if model is CuratorReview:
        return (Q(claim__status__in=PUBLIC_CLAIM_STATUSES)
                | Q(evidence__status__in=PUBLIC_EVIDENCE_STATUSES,
                    evidence__claim__status__in=PUBLIC_CLAIM_STATUSES))
    return Q()


def _last(kind: str, ids) -> dict[int, tuple[bool, str]]:
    """Per object, (public, status) as its latest entry left it."""
    last = {}
    for object_id, public, status in (Change.objects.filter(kind=kind, object_id__in=ids)
                                      .order_by("position")
                                      .values_list("object_id", "public", "status")):
        last[object_id] = (public, status)
    return last


def record_many(model, ids, action: str = ChangeAction.UPDATED) -> None:
    """Entries for these objects as they are now, each after its latest entry (whether readers
    saw it, which status it had): one INSERT ... SELECT, whatever their number."""
    ids = list(ids)
    if ids:
        _insert(model, model.objects.filter(pk__in=ids), action, after_last=True)


def record_created_in_bulk(model, queryset, *, as_drafts: bool = False) -> int:
    """Entries for rows a bulk writer (COPY, bulk_create) has just written, which sent no
    signals: one INSERT ... SELECT, whatever their number. Returns how many. as_drafts: the
    claims or evidence were created as drafts and adopted in the same transaction
    (workflow.adopt_new): the entries say draft, and the adoption adds its own."""
    return _insert(model, queryset, ChangeAction.CREATED, after_last=False, as_drafts=as_drafts)


def _insert(model, queryset, action: str, *, after_last: bool, as_drafts: bool = False) -> int:
    """Write an entry for each row of queryset, in the order of their ids, in one statement
    that reads what the entries say from the rows themselves. after_last: an update becomes
    a status change when the status differs from the object's latest entry, and was_public
    is what that entry said (False without one); otherwise was_public is False."""
    kind = KINDS[model]
    has_status = model in (Claim, Evidence)
    status = F("status") if has_status else Value("", output_field=CharField())
    seen = _as_boolean(visible_to_readers(model))
    if as_drafts:  # drafts are never public
        status = Value(Status.DRAFT, output_field=CharField())
        seen = Value(False, output_field=BooleanField())
    # Named columns: SQLite names a subquery's plain columns after their tables.
    rows = queryset.annotate(entry_id=F("pk"), entry_uid=F("uid"), entry_status=status,
                             entry_seen=seen)
    step, was_public = Value(action, output_field=CharField()), Value(False)
    if after_last:
        last = (Change.objects.filter(kind=kind, object_id=OuterRef("pk"))
                .order_by("-position"))
        rows = rows.annotate(entry_was_public=Subquery(last.values("public")[:1]))
        was_public = Coalesce(F("entry_was_public"), Value(False))
        if has_status and action == ChangeAction.UPDATED:
            rows = rows.annotate(entry_last_status=Subquery(last.values("status")[:1]))
            step = Case(When(Q(entry_last_status__isnull=False)
                             & ~Q(entry_last_status=F("status")),
                             then=Value(ChangeAction.STATUS)),
                        default=step, output_field=CharField())
    rows = rows.annotate(entry_action=step, entry_was=was_public)
    select, params = rows.order_by().values_list(
        "entry_id", "entry_uid", "entry_action", "entry_status", "entry_seen",
        "entry_was").query.sql_with_params()
    table = connection.ops.quote_name(Change._meta.db_table)
    with transaction.atomic():
        lock()
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {table} (kind, object_id, uid, action, status, at, public, was_public) "
                f"SELECT %s, t.entry_id, t.entry_uid, t.entry_action, t.entry_status, %s, "
                f"t.entry_seen, t.entry_was FROM ({select}) t ORDER BY t.entry_id",
                [kind, timezone.now(), *params])
            webhooks.announce()
            return cursor.rowcount


def record_deleted(model, object_id: int, uid) -> None:
    kind = KINDS[model]
    with transaction.atomic():
        lock()
        was_public, status = _last(kind, [object_id]).get(object_id, (False, ""))
        Change.objects.create(kind=kind, object_id=object_id, uid=uid,
                              action=ChangeAction.DELETED, status=status or "", public=False,
                              was_public=was_public)
        webhooks.announce()


def _as_boolean(condition: Q):
    if not condition:  # papers: every reader sees them
        return Value(True, output_field=BooleanField())
    # CASE, not the bare condition: across a missing relation (a review of evidence has no
    # claim) the condition is NULL, which is neither.
    return Case(When(condition, then=Value(True)), default=Value(False),
                output_field=BooleanField())


# --- what a write touches besides itself ---


def _followers(model, obj, record=None) -> list[tuple[type, list[int]]]:
    """Objects whose rendering shows this one: they change with it. record: the history
    entry of the write, when there is one."""
    if model is Evidence:
        return [(Claim, [obj.claim_id])]
    if model is CuratorReview:
        if obj.claim_id:
            return [(Claim, [obj.claim_id])]
        return [(Evidence, [obj.evidence_id]),
                (Claim, list(Evidence.objects.filter(pk=obj.evidence_id)
                             .values_list("claim_id", flat=True)))]
    if model is Paper:
        citing = Evidence.objects.filter(paper_id=obj.pk)
        return [(Evidence, list(citing.values_list("pk", flat=True))),
                (Claim, list(citing.values_list("claim_id", flat=True).distinct())),
                (Paper, _published_versions_relinked(obj, record))]
    return []


def _published_versions_relinked(paper, record) -> list[int]:
    """The papers that list this one among their preprints before or after this write, when
    it was created, deleted or linked anew."""
    versions = {paper.published_version_id}
    if record is not None and record.history_type == "~":
        previous = record.prev_record
        before = previous.published_version_id if previous is not None else None
        if before == paper.published_version_id:
            return []
        versions.add(before)
    return sorted(versions - {None})


def _newly_public_reviews(model, obj) -> list[int]:
    """Reviews readers could not see before this change and may now: their target was just
    accepted."""
    if model not in (Claim, Evidence) or obj.status not in PUBLIC_CLAIM_STATUSES:
        return []
    target = "claim" if model is Claim else "evidence"
    return list(CuratorReview.objects.filter(**{target: obj.pk})
                .filter(visible_to_readers(CuratorReview)).values_list("pk", flat=True))


def on_history_record(sender, instance, history_instance, **kwargs):
    """A claim, evidence item or paper was saved or deleted: it and what shows it change."""
    model = type(instance)
    if model not in KINDS:
        return
    if history_instance.history_type == "-":
        record_deleted(model, instance.pk, instance.uid)
    else:
        action = ChangeAction.CREATED if history_instance.history_type == "+" else ChangeAction.UPDATED
        record_many(model, [instance.pk], action)
        record_many(CuratorReview, _newly_public_reviews(model, instance))
    for follower, ids in _followers(model, instance, history_instance):
        record_many(follower, ids)


def on_review_saved(sender, instance, created, raw=False, **kwargs):
    if raw:
        return
    record_many(CuratorReview, [instance.pk],
                ChangeAction.CREATED if created else ChangeAction.UPDATED)
    for follower, ids in _followers(CuratorReview, instance):
        record_many(follower, ids)
