"""The interchange format's records: what each kind of line holds, and how its values are written.

A record is one JSON object on one line: "kind" first, then the fields below in this order.
Everything is named by its natural key, never by a database id: evidence types by code,
topics by slug, papers by DOI, else PMID, else URL (Paper.natural_key), claims, evidence and
reviews by uid, versions by claim uid and number, users by username. The kinds are listed in
dependency order: a record only names records of earlier kinds, or of its own kind (an
evidence type's parent, a preprint's published version, the claim that supersedes a retracted
one).

Left out, on purpose: database ids; a paper's uid (papers are named by DOI, PMID or URL); a
claim's evidence synthesis (derived from its evidence, computed again where it is imported),
its re-review flag (raised by events in the database that holds the claim) and its reviewer
assignment (who is to review it next, in the database where it waits).

The JSON Schema of the records is fixtures/schema/curation.schema.json.
"""

import datetime as dt
import uuid
from dataclasses import dataclass, field
from decimal import Decimal
from types import SimpleNamespace

from django.db import models

from claims.models import Claim, ClaimVersion, CuratorReview, Evidence, EvidenceType, Paper, Topic
from claims.models.claims import QUALITY_FIELDS, STUDY_FIELDS
from claims.models.papers import normalise_doi, normalise_pmid

USER = "user"  # users are named (by username), never written as records of their own


@dataclass(frozen=True)
class Kind:
    """One kind of record: its model and its fields, in the order a record lists them."""

    name: str
    model: type[models.Model]
    fields: tuple[str, ...]
    key: tuple[str, ...]  # the fields that name the record
    refs: dict[str, str] = field(default_factory=dict)  # field -> the kind it names
    many: dict[str, str] = field(default_factory=dict)  # many-to-many field -> kind of its values

    def __str__(self):
        return self.name.replace("_", " ")


_TIMESTAMPS = ("created_at", "updated_at")
_AUTHORS = {"created_by": USER, "updated_by": USER}

KINDS: dict[str, Kind] = {kind.name: kind for kind in (
    Kind("evidence_type", EvidenceType,
         ("code", "label", "description", "eco_id", "parent", "weight", "obsolete"),
         key=("code",), refs={"parent": "evidence_type"}),
    Kind("topic", Topic, ("slug", "name"), key=("slug",)),
    Kind("paper", Paper,
         ("doi", "pmid", "url", "title", "authors", "authors_complete", "journal", "year",
          "volume", "pages", "abstract", "publication_type", "is_retracted", "retraction_date",
          "retraction_url", "published_version", "topics", *_TIMESTAMPS),
         key=("doi", "pmid", "url"), refs={"published_version": "paper"}, many={"topics": "topic"}),
    Kind("claim", Claim,
         ("uid", "text", "subject", "relation", "object", "context", "topics", "status",
          "review_round", "retraction_reason", "superseded_by", "created_by", "updated_by",
          *_TIMESTAMPS),
         key=("uid",), refs={"superseded_by": "claim", **_AUTHORS}, many={"topics": "topic"}),
    Kind("evidence", Evidence,
         ("uid", "claim", "paper", "evidence_type", "direction", "excerpt", "location",
          *STUDY_FIELDS, *QUALITY_FIELDS, "notes", "status", "review_round", "created_by",
          "updated_by",
          *_TIMESTAMPS),
         key=("uid",),
         refs={"claim": "claim", "paper": "paper", "evidence_type": "evidence_type", **_AUTHORS}),
    Kind("review", CuratorReview,
         ("uid", "claim", "evidence", "review_round", "verdict", "comment", "reviewer",
          "created_at"),
         key=("uid",), refs={"claim": "claim", "evidence": "evidence", "reviewer": USER}),
    Kind("version", ClaimVersion, ("claim", "number", "content", "content_hash", "accepted_at"),
         key=("claim", "number"), refs={"claim": "claim"}),
)}
ORDER = {name: rank for rank, name in enumerate(KINDS)}


# --- values: JSON <-> Python, by the model field that holds them ---


def to_json(model_field, value):
    """A stored value as the format writes it."""
    if value is None:
        return None
    if isinstance(model_field, models.DateTimeField):
        text = value.astimezone(dt.UTC).isoformat()
        return text.removesuffix("+00:00") + "Z"
    if isinstance(model_field, models.DateField):
        return value.isoformat()
    if isinstance(model_field, models.DecimalField | models.UUIDField):
        return str(value)
    if isinstance(model_field, models.JSONField):
        return canonical(value)
    if isinstance(value, float) and value == 0:
        # -0.0 is 0.0: PostgreSQL's drivers send it as a numeric literal, which has no sign.
        return 0.0
    return value


def from_json(model_field, value):
    """A record's value as the model field takes it (the model validates it further).

    Raises ValueError for a date or time that is not ISO 8601 with a time zone."""
    convert = converter(model_field)
    return value if value is None or convert is None else convert(value)


def converter(model_field):
    """The function that turns a record's (non-null) value into the field's, or None: as is."""
    if isinstance(model_field, models.DateTimeField):
        return _moment
    if isinstance(model_field, models.DateField):
        return dt.date.fromisoformat
    if isinstance(model_field, models.DecimalField):
        return Decimal
    if isinstance(model_field, models.UUIDField):
        return uuid.UUID
    return None


def _moment(value: str) -> dt.datetime:
    moment = dt.datetime.fromisoformat(value)
    if moment.tzinfo is None:
        raise ValueError("a time needs its time zone, e.g. 2024-09-02T09:00:00Z")
    return moment.astimezone(dt.UTC)


def canonical(value):
    """JSON with every object's keys sorted: the same bytes whichever database stored it
    (PostgreSQL's jsonb reorders keys)."""
    if isinstance(value, dict):
        return {k: canonical(value[k]) for k in sorted(value)}
    if isinstance(value, list):
        return [canonical(v) for v in value]
    return value


# --- natural keys ---


def paper_key(doi: str, pmid: str, url: str) -> str:
    """The key a paper is named by: Paper.natural_key() of these identifiers."""
    return Paper.natural_key(SimpleNamespace(doi=doi, pmid=pmid, url=url))[0]


def paper_lookup(key: str) -> tuple[str, str]:
    """The paper field a paper key names and its stored value, as PaperManager.get_by_natural_key
    reads a key: a DOI starts with 10., a PMID is digits, anything else is a URL."""
    if key.startswith("10."):
        return "doi", normalise_doi(key)
    if key.isdigit():
        return "pmid", key
    return "url", key


def record_key(kind: Kind, record: dict):
    """The natural key a record names itself by, normalised as stored; None if it has none.

    Compact, as a file's keys are all kept while it is read: a uid is its 128-bit integer, a
    code or slug itself, a paper (field, value) such as ("doi", "10.1002/ana.22534"), a
    version (claim uid, number)."""
    if kind.name == "paper":
        values = {"doi": normalise_doi(record.get("doi") or ""),
                  "pmid": normalise_pmid(record.get("pmid") or ""), "url": record.get("url") or ""}
        key = paper_key(**values)
        return next(((name, key) for name, value in values.items() if key and value == key), None)
    parts = []
    for name in kind.key:
        value = record.get(name)
        if name == "uid":
            value = uuid.UUID(value).int
        elif name in kind.refs:
            value = reference(kind.refs[name], value)
        parts.append(value)
    return parts[0] if len(parts) == 1 else tuple(parts)


def reference(target: str, value):
    """A record's reference to a record of the target kind, as record_key() gives that
    record's key. Raises ValueError for a uid that is not one."""
    if target == "paper":
        return paper_lookup(value)
    if target in ("claim", "evidence"):
        return uuid.UUID(value).int
    return value


def shown(target: str, key) -> str:
    """A key as a person reads it."""
    if target in ("claim", "evidence") and isinstance(key, int):
        return str(uuid.UUID(int=key))
    if target == "paper":
        return key[1]
    return str(key)


