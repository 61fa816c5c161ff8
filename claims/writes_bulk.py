"""Bulk writes: claims/writes.py's counterpart for imports of thousands of rows at a time.

The same rules: each row is validated by its model (clean_fields() and clean(), as in
full_clean()), the database's constraints hold, and each write leaves a django-simple-history
entry with its user and reason. What changes is how many queries that takes (and new rows'
entries are copied from the rows by the database, see record_history()). full_clean() asks the
database, row by row, whether each foreign key exists and whether each unique and check
constraint holds; here the caller resolves foreign keys from natural keys in batches, and the
constraints are checked by the database itself on a whole batch. Only when it refuses a batch
are the rows retried one by one, each asked the model's own validate_unique() and
validate_constraints() first, to name the rows at fault and say why in the model's words.

Bulk writes send no signals, so the change feed (claims/changes.py) hears of them from here:
an entry per row written, and one for each claim or evidence item whose rendering shows it.
"""

from collections import defaultdict
from functools import cache

from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Max
from django.utils import timezone
from simple_history.utils import bulk_update_with_history

from claims import bulk_insert, changes, rereview, synthesis
from claims.choices import Status
from claims.models import Claim, CuratorReview, Evidence, Paper
from claims.models.changes import ChangeAction

BATCH = 1000
# The state of a claim or evidence item as created, before any review (Claim's and Evidence's
# defaults; evidence has no retraction fields).
FRESH_DRAFT = {"status": Status.DRAFT, "review_round": 0, "retraction_reason": "",
               "superseded_by": None}


def _historical(model) -> bool:
    return hasattr(model._meta, "simple_history_manager_attribute")


def validate(obj, exclude: tuple[str, ...] = ()) -> ValidationError | None:
    """full_clean() without its per-row queries: fields and clean(), foreign keys left to the
    caller (resolved from natural keys), constraints left to the database (see create())."""
    try:
        obj.full_clean(exclude=_relations(type(obj)) | set(exclude), validate_unique=False,
                       validate_constraints=False)
    except ValidationError as exc:
        return exc
    return None


@cache
def _relations(model) -> frozenset[str]:
    return frozenset(f.name for f in model._meta.concrete_fields if f.is_relation)


def create(model, objs: list, *, actor, reason: str,
           many: dict[str, list[list[int]]] | None = None,
           as_drafts: bool = False) -> dict[int, ValidationError]:
    """Insert validated new objects (with a "+" history entry each, when the model keeps history).

    many: per many-to-many field, the related ids of each object, in the order of objs.
    as_drafts: claims or evidence written in the state the workflow adopts them in
    (workflow.adopt_new): their "+" history and change feed entries show the fresh drafts
    they were created as, before that adoption.
    Returns {index in objs: why} for the rows the database refused; the others are written
    and carry their ids."""
    mark = _history_mark(model)
    refused = {}
    drafts = FRESH_DRAFT if as_drafts else None
    try:
        with transaction.atomic():
            _insert(model, objs, actor, reason, drafts)
    except IntegrityError:
        refused = _one_by_one(objs, lambda obj: _insert(model, [obj], actor, reason, drafts),
                              adding=True)
    written = [(i, obj) for i, obj in enumerate(objs) if i not in refused]
    for name, values in (many or {}).items():
        _add_many(model, name, {obj.pk: values[i] for i, obj in written})
    _finish(model, [obj.pk for _, obj in written], mark)
    announce(model, [obj.pk for _, obj in written], created=True, as_drafts=as_drafts)
    return refused


def update(model, objs: list, fields: list[str], *, actor, reason: str,
           many: dict[str, dict[int, set[int]]] | None = None) -> dict[int, ValidationError]:
    """Save validated changes to stored objects (a "~" history entry each).

    fields: the fields that changed in any of objs. many: per many-to-many field, the new
    related ids of each object id whose values change. Returns {index: why} for the rows the
    database refused."""
    mark = _history_mark(model)
    refused = {}
    retracting = _retracting(model, objs, fields)
    try:
        with transaction.atomic():
            _save(model, objs, fields, actor, reason)
    except IntegrityError:
        refused = _one_by_one(objs, lambda obj: _save(model, [obj], fields, actor, reason),
                              adding=False)
    kept = {obj.pk for i, obj in enumerate(objs) if i not in refused}
    for name, wanted in (many or {}).items():
        wanted = {pk: ids for pk, ids in wanted.items() if pk in kept}
        through, source, target = _through(model._meta.get_field(name))
        stale, have = [], defaultdict(set)
        for row_id, pk, related in (through.objects.filter(**{f"{source}__in": list(wanted)})
                                    .values_list("pk", source, target)):
            if related in wanted[pk]:
                have[pk].add(related)
            else:
                stale.append(row_id)
        through.objects.filter(pk__in=stale).delete()
        _add_many(model, name, {pk: ids - have[pk] for pk, ids in wanted.items()})
    _finish(model, list(kept), mark)
    announce(model, list(kept))
    for paper in retracting:
        if paper.pk in kept:
            rereview.flag_citing(paper, actor=actor)
    return refused


def _retracting(model, objs: list, fields: list[str]) -> list:
    """The papers among objs that these changes mark retracted: the claims resting on them
    are flagged for re-review as writes.save flags them (claims/rereview.py)."""
    if model is not Paper or "is_retracted" not in fields:
        return []
    already = set(Paper.objects.filter(pk__in=[o.pk for o in objs], is_retracted=True)
                  .values_list("pk", flat=True))
    return [obj for obj in objs if obj.is_retracted and obj.pk not in already]


def announce(model, pks: list[int], *, created: bool = False, as_drafts: bool = False):
    """Tell the change feed about rows written in bulk: their own entries, then those of the
    claims and evidence that show them (a query or two per batch, not per row)."""
    if model not in changes.KINDS or not pks:
        return
    if created:
        changes.record_created_in_bulk(model, model.objects.filter(pk__in=pks),
                                       as_drafts=as_drafts)
    else:
        changes.record_many(model, pks, ChangeAction.UPDATED)
    for follower, ids in _followers(model, pks):
        changes.record_many(follower, ids)


def _followers(model, pks: list[int]) -> list[tuple[type, list[int]]]:
    """The claims and evidence whose rendering shows these rows, as claims/changes.py has it."""
    if model is Evidence:
        claims = Evidence.objects.filter(pk__in=pks).values_list("claim_id", flat=True)
        return [(Claim, sorted(set(claims)))]
    if model is CuratorReview:
        reviews = CuratorReview.objects.filter(pk__in=pks)
        evidence = sorted(set(reviews.exclude(evidence=None).values_list("evidence_id", flat=True)))
        claims = set(reviews.exclude(claim=None).values_list("claim_id", flat=True))
        claims |= set(Evidence.objects.filter(pk__in=evidence).values_list("claim_id", flat=True))
        return [(Evidence, evidence), (Claim, sorted(claims))]
    if model is Paper:
        citing = Evidence.objects.filter(paper_id__in=pks)
        return [(Evidence, sorted(citing.values_list("pk", flat=True))),
                (Claim, sorted(set(citing.values_list("claim_id", flat=True))))]
    return []


def create_users(usernames: list[str]) -> dict[str, int]:
    """Users a file names but this database lacks: inactive, with unusable passwords, no roles.

    They stand for the curators and reviewers of the source, so that authorship and reviews
    keep their names; nobody can sign in as them until staff activate them and set a password.
    Returns {username: id}."""
    model = get_user_model()
    users = [model(username=name, is_active=False, password=make_password(None))
             for name in usernames]
    model.objects.bulk_create(users, batch_size=BATCH)
    return {user.username: user.pk for user in users}


def complete_history(model, pks: list[int], since: int | None):
    """Give the history entries written since `since` (see history_mark) for these objects the
    many-to-many values they saw: the bulk history writers leave them out. Called after a
    bulk write outside this module (workflow.adopt), it also does the rest of _finish()."""
    _finish(model, pks, since)


def history_mark(model) -> int | None:
    """The last history entry of this model now: complete_history() fills in what follows."""
    return _history_mark(model)


def record_history(model, pks: list[int], *, actor, reason: str | dict[str, str],
                   history_type: str = "~", instead: dict[str, object] | None = None):
    """A history entry for each of these stored rows as it is now, by actor, with reason
    (or, given {status: reason}, the reason for the row's status): what
    bulk_create_with_history ("+") and bulk_update_with_history ("~") record, made by the
    database from the rows themselves (one INSERT ... SELECT per BATCH, in the order of their
    ids) rather than from a history object per row built in Python. instead: {field: value}
    the entries record in place of the rows' own."""
    if not getattr(settings, "SIMPLE_HISTORY_ENABLED", True):  # as django-simple-history
        return
    history = getattr(model, model._meta.simple_history_manager_attribute).model
    quote = connection.ops.quote_name
    tracked = history.tracked_fields
    instead = instead or {}
    columns = [quote(history._meta.get_field(f.name).column) for f in tracked]
    values = [("%s" if f.name in instead else quote(f.column)) for f in tracked]
    value_params = [instead[f.name] for f in tracked if f.name in instead]
    columns += [quote(history._meta.get_field(name).column) for name in
                ("history_date", "history_user", "history_change_reason", "history_type")]
    if isinstance(reason, dict):
        status = quote(model._meta.get_field("status").column)
        reason_sql = f"CASE {' '.join(f'WHEN {status} = %s THEN %s' for _ in reason)} END"
        reason_params = [value for pair in reason.items() for value in pair]
    else:
        reason_sql, reason_params = "%s", [reason]
    key = quote(model._meta.pk.column)
    now, user = timezone.now(), actor.pk if actor is not None else None
    _per_batch(f"INSERT INTO {quote(history._meta.db_table)} ({', '.join(columns)}) "
               f"SELECT {', '.join(values)}, %s, %s, {reason_sql}, %s "
               f"FROM {quote(model._meta.db_table)} WHERE {key} IN (<ids>) ORDER BY {key}",
               [*value_params, now, user, *reason_params, history_type], sorted(pks))


def _per_batch(sql: str, params: list, ids: list):
    """Run sql once per BATCH of ids, with their placeholders in place of <ids>."""
    with connection.cursor() as cursor:
        for start in range(0, len(ids), BATCH):
            chunk = ids[start:start + BATCH]
            cursor.execute(sql.replace("<ids>", ", ".join(["%s"] * len(chunk))), [*params, *chunk])


# --- inside ---


def _finish(model, pks: list[int], since: int | None):
    """What a bulk write leaves to do once its rows are in, since it sends no signals: the
    history entries' many-to-many values, and the evidence synthesis of the claims whose
    evidence, papers or types it wrote (claims/synthesis.py), a few queries per batch."""
    _complete_history(model, pks, since)
    synthesis.refresh_for(model, pks)


def _insert(model, objs, actor, reason, instead=None):
    bulk_insert.insert(model, objs)
    if _historical(model):  # bulk_create has given each object its id
        fields = {f.name for f in model._meta.concrete_fields}
        record_history(model, [obj.pk for obj in objs], actor=actor, reason=reason,
                       history_type="+",
                       instead={k: v for k, v in (instead or {}).items() if k in fields})


def _save(model, objs, fields, actor, reason):
    if _historical(model):
        bulk_update_with_history(objs, model, fields, batch_size=BATCH, default_user=actor,
                                 default_change_reason=reason)
    else:
        model.objects.bulk_update(objs, fields, batch_size=BATCH)


def _one_by_one(objs, write, *, adding: bool) -> dict[int, ValidationError]:
    """The batch was refused: write each row in a savepoint of its own to find which rows the
    model's unique and check constraints (or, failing those, the database) refuse."""
    refused = {}
    if adding:  # ids handed out before the refusal were rolled back with it
        for obj in objs:
            obj.pk, obj._state.adding = None, True
    for index, obj in enumerate(objs):
        try:
            obj.validate_unique()
            obj.validate_constraints()
        except ValidationError as exc:
            refused[index] = exc
            continue
        try:
            with transaction.atomic():
                write(obj)
        except IntegrityError as exc:
            refused[index] = ValidationError(f"The database refused it: {exc}".strip())
            if adding:
                obj.pk, obj._state.adding = None, True
    return refused


def _through(field):
    through = field.remote_field.through
    return through, f"{field.m2m_field_name()}_id", f"{field.m2m_reverse_field_name()}_id"


def _add_many(model, name: str, values: dict[int, list[int] | set[int]]):
    through, source, target = _through(model._meta.get_field(name))
    rows = [through(**{source: pk, target: related})
            for pk, related_ids in values.items() for related in sorted(related_ids)]
    bulk_insert.insert(through, rows)


def _history_mark(model) -> int | None:
    if not _history_many_fields(model):
        return None
    history = model._meta.simple_history_manager_attribute
    return getattr(model, history).aggregate(last=Max("history_id"))["last"] or 0


def _history_many_fields(model) -> list:
    if not _historical(model):
        return []
    history = getattr(model, model._meta.simple_history_manager_attribute).model
    return list(getattr(history, "_history_m2m_fields", ()))


def _complete_history(model, pks: list[int], since: int | None):
    """The through rows of these objects, copied by the database beside each of their history
    entries written since `since` (as django-simple-history's m2m snapshots)."""
    fields = _history_many_fields(model)
    if not fields or not pks or since is None:
        return
    history = getattr(model, model._meta.simple_history_manager_attribute).model
    quote = connection.ops.quote_name
    entries = quote(history._meta.db_table)
    entry_id, entry_object = (quote(history._meta.get_field(name).column)
                              for name in ("history_id", "id"))
    for field in fields:
        snapshot = apps.get_model(model._meta.app_label, f"{history.__name__}_{field.name}")
        through, source, _ = _through(field)
        columns = [f.column for f in through._meta.concrete_fields]
        source_column = through._meta.get_field(source.removesuffix("_id")).column
        _per_batch(f"INSERT INTO {quote(snapshot._meta.db_table)} "
                   f"({quote(snapshot._meta.get_field('history').column)}, "
                   f"{', '.join(quote(c) for c in columns)}) "
                   f"SELECT h.{entry_id}, {', '.join(f't.{quote(c)}' for c in columns)} "
                   f"FROM {quote(through._meta.db_table)} t "
                   f"JOIN {entries} h ON h.{entry_object} = t.{quote(source_column)} "
                   f"WHERE h.{entry_id} > %s AND h.{entry_object} IN (<ids>) "
                   f"ORDER BY h.{entry_id}, t.{quote(columns[0])}", [since], pks)
