"""Write services: the one way papers, topics, evidence types, claims and evidence are
created, edited and deleted.

The workflow (claims/workflow.py) owns status changes; these functions own everything else.
Each locks the row it changes, validates it with the model's own rules (full_clean: fields,
clean(), constraints, frozen content), stamps who created and last edited it, and saves it
with django-simple-history recording the user and the reason in the same transaction. The
API, the admin and the import commands call them and keep only their presentation.

A write that changes nothing writes nothing: no save, no history entry, and the last editor
stays who it was (the four-eyes rule reads it).
"""

from django.db import transaction

from claims import changes, rereview, workflow
from claims.models import Claim, Evidence, EvidenceType, Paper, Topic

# Many-to-many fields a write may set, per model.
_M2M = {Claim: ("topics",), Paper: ("topics",)}


def _concrete(model):
    return [f for f in model._meta.concrete_fields if not f.primary_key]


def _snapshot(obj) -> dict:
    return {f.attname: getattr(obj, f.attname) for f in _concrete(type(obj))}


def _m2m_changes(obj, m2m: dict | None) -> dict:
    """The many-to-many values that differ from what is stored, as {field: [objects]}."""
    changes = {}
    for name, values in (m2m or {}).items():
        if name not in _M2M.get(type(obj), ()):
            raise ValueError(f"{type(obj).__name__} has no many-to-many field {name!r}")
        values = list(values)
        stored = set(getattr(obj, name).values_list("pk", flat=True)) if obj.pk else set()
        if {v.pk for v in values} != stored:
            changes[name] = values
    return changes


def _record(obj, actor, reason: str, created: bool):
    fields = {f.name for f in _concrete(type(obj))}
    if created and "created_by" in fields:
        obj.created_by = actor
    if "updated_by" in fields:
        obj.updated_by = actor
    obj._history_user = actor
    obj._change_reason = reason or None


def save(obj, *, actor, reason: str = "", m2m: dict | None = None) -> bool:
    """Validate and save obj, a new object or a stored one carrying the intended values.

    m2m: many-to-many values to set (e.g. {"topics": [...]}); None leaves them alone.
    Returns whether anything was written. Raises django's ValidationError (with field
    messages) or workflow.TransitionNotAllowed, and then nothing is written.
    """
    model = type(obj)
    with transaction.atomic():
        changes.lock()  # before any row lock: the change feed's order is commit order
        created = obj._state.adding
        stored = None if created else workflow.lock_row(model, obj.pk)
        if not created and stored is None:
            raise model.DoesNotExist(f"No {model._meta.verbose_name} {obj.pk}.")
        if stored is not None:
            # What callers cannot edit (status, review round, authors, uid) is taken from the
            # row as locked: a copy read before a decision never writes the old state back.
            for field in _concrete(model):
                if not field.editable:
                    setattr(obj, field.attname, getattr(stored, field.attname))
        # full_clean normalises (DOIs, PMIDs) before the comparison, so a write of the same
        # values in another spelling is no change either.
        obj.full_clean()
        many = _m2m_changes(stored if stored is not None else obj, m2m)
        if "topics" in many and isinstance(stored, Claim):
            stored.clean_topics(many["topics"])
        if stored is not None and _snapshot(stored) == _snapshot(obj) and not many:
            return False
        _record(obj, actor, reason, created)
        obj.save()
        for name, values in many.items():
            getattr(obj, name).set(values)
        if isinstance(obj, Paper) and obj.is_retracted and not (stored is None
                                                                 or stored.is_retracted):
            # The claims resting on it are looked at again (claims/rereview.py).
            rereview.flag_citing(obj, actor=actor)
        if not created:
            obj.__dict__.pop("_prefetched_objects_cache", None)
    return True


def create(model, *, actor, data: dict, reason: str = ""):
    """A new object from field values (and many-to-many values by field name)."""
    values, m2m = _split(model, data)
    obj = model(**values)
    save(obj, actor=actor, reason=reason, m2m=m2m)
    return obj


def update(obj, *, actor, data: dict, reason: str = "") -> bool:
    """Apply field values to a stored object and save them; True when anything changed.

    The values are applied to the row as it is under its lock, so a decision that landed
    since obj was read is not written back over."""
    model = type(obj)
    values, m2m = _split(model, data)
    with transaction.atomic():
        fresh = workflow.lock_row(model, obj.pk)
        if fresh is None:
            raise model.DoesNotExist(f"No {model._meta.verbose_name} {obj.pk}.")
        for name, value in values.items():
            setattr(fresh, name, value)
        changed = save(fresh, actor=actor, reason=reason, m2m=m2m)
    _copy_into(obj, fresh)
    return changed


def delete(obj, *, actor, reason: str = ""):
    """Delete a stored object: claims and evidence only while draft or rejected.

    A paper, topic or evidence type still referred to raises ProtectedError."""
    model = type(obj)
    with transaction.atomic():
        locked = workflow.lock_row(model, obj.pk)
        if locked is None:
            raise model.DoesNotExist(f"No {model._meta.verbose_name} {obj.pk}.")
        if isinstance(locked, Claim | Evidence):
            workflow.ensure_deletable(locked)
        if isinstance(locked, Paper):
            _unlink_preprints(locked, actor, reason)
        locked._history_user = actor
        locked._change_reason = reason or None
        locked.delete()


def _unlink_preprints(paper: Paper, actor, reason: str):
    """The preprints of a paper being deleted no longer name it as their published version,
    each with its history entry (the database's SET NULL alone would record nothing)."""
    for preprint in Paper.objects.select_for_update().filter(published_version=paper).order_by("pk"):
        preprint.published_version = None
        _record(preprint, actor, reason or "its published version was deleted", False)
        preprint.save(update_fields=["published_version"])


def _split(model, data: dict) -> tuple[dict, dict | None]:
    many = _M2M.get(model, ())
    values = {k: v for k, v in data.items() if k not in many}
    m2m = {k: v for k, v in data.items() if k in many}
    return values, (m2m or None)


def _copy_into(obj, fresh):
    for field in _concrete(type(obj)):
        setattr(obj, field.attname, getattr(fresh, field.attname))
        if field.is_relation and field.is_cached(fresh):
            field.set_cached_value(obj, field.get_cached_value(fresh))
        elif field.is_relation and field.is_cached(obj):
            field.delete_cached_value(obj)
    obj.__dict__.pop("_prefetched_objects_cache", None)


# The services by name, as callers read them.


def create_paper(*, actor, data, reason=""):
    return create(Paper, actor=actor, data=data, reason=reason)


def create_topic(*, actor, data, reason=""):
    return create(Topic, actor=actor, data=data, reason=reason)


def create_evidence_type(*, actor, data, reason=""):
    return create(EvidenceType, actor=actor, data=data, reason=reason)


def create_claim(*, actor, data, reason=""):
    return create(Claim, actor=actor, data=data, reason=reason)


def create_evidence(*, actor, data, reason=""):
    return create(Evidence, actor=actor, data=data, reason=reason)


update_paper = update_topic = update_evidence_type = update_claim = update_evidence = update
delete_paper = delete_topic = delete_evidence_type = delete_claim = delete_evidence = delete
