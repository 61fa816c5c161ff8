"""Writing the interchange format: every record of a database (or of its accepted claims), streamed.

Memory stays flat whatever the size: each kind is read through one ordered query in chunks,
and a chunk's many-to-many values (topics) cost one query more.
"""

import json
from collections import defaultdict
from collections.abc import Iterator

from django.db import connection, transaction
from django.db.models import Exists, F, OuterRef, Q, QuerySet, Value
from django.db.models.functions import Coalesce, Collate, NullIf

from claims.interchange.records import KINDS, USER, Kind, paper_key, to_json
from claims.models import Claim, ClaimVersion, CuratorReview, Evidence, EvidenceType, Paper, Topic

CHUNK = 2000


def iter_lines(status: str | None = None) -> Iterator[str]:
    """The interchange file's lines, each a JSON record ending in "\\n", in a fixed order.

    Kinds come in dependency order (evidence types, topics, papers, claims, evidence, reviews,
    versions), each sorted by its natural key compared byte by byte (evidence types by code,
    topics by slug, papers by DOI/PMID/URL, claims, evidence and reviews by uid, versions by
    claim uid and number), so the same data gives the same bytes on any database.

    status=None: everything. status="accepted" (or any other status): the claims in that
    status, their evidence in that same status, the reviews of those claims and of that
    evidence, the claims' versions, and only the papers that evidence cites, the topics of
    those claims and papers, and the evidence types it uses with their ancestors.

    Outside a transaction, on PostgreSQL, the kinds are read from one snapshot
    (REPEATABLE READ), so references between them always resolve; a caller that already holds
    a transaction gets that transaction's view.
    """
    outermost = not connection.in_atomic_block
    with transaction.atomic():
        if outermost and connection.vendor == "postgresql":
            with connection.cursor() as cursor:  # only a transaction's first statement may
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        scope = _scope(status)
        for name, kind in KINDS.items():
            for record in _records(kind, scope[name]):
                yield json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n"


def write(stream, status: str | None = None) -> dict[str, int]:
    """Write the interchange file to a text stream; returns how many records of each kind."""
    counts = dict.fromkeys(KINDS, 0)
    for line in iter_lines(status):
        stream.write(line)
        counts[line[9:line.index('"', 9)]] += 1  # lines start with {"kind":"<name>"
    return counts


# --- what is exported ---


def _scope(status: str | None) -> dict[str, QuerySet]:
    if status is None:
        return {"evidence_type": EvidenceType.objects.all(), "topic": Topic.objects.all(),
                "paper": Paper.objects.all(), "claim": Claim.objects.all(),
                "evidence": Evidence.objects.all(), "review": CuratorReview.objects.all(),
                "version": ClaimVersion.objects.all()}
    claims = Claim.objects.filter(status=status)
    evidence = Evidence.objects.filter(status=status, claim__status=status)
    papers = Paper.objects.filter(Exists(evidence.filter(paper=OuterRef("pk"))))
    topics = Topic.objects.filter(Q(Exists(claims.filter(topics=OuterRef("pk"))))
                                  | Q(Exists(papers.filter(topics=OuterRef("pk")))))
    return {"evidence_type": EvidenceType.objects.filter(pk__in=_with_ancestors(evidence)),
            "topic": topics, "paper": papers, "claim": claims, "evidence": evidence,
            "review": CuratorReview.objects.filter(Q(claim__in=claims) | Q(evidence__in=evidence)),
            "version": ClaimVersion.objects.filter(claim__in=claims)}


def _with_ancestors(evidence: QuerySet) -> set[int]:
    """The evidence types this evidence uses, and their parents up the tree (few rows)."""
    parents = dict(EvidenceType.objects.values_list("pk", "parent_id"))
    wanted = set()
    for pk in evidence.values_list("evidence_type_id", flat=True).distinct():
        while pk is not None and pk not in wanted:
            wanted.add(pk)
            pk = parents.get(pk)
    return wanted


# --- reading rows ---


def _bytewise(expression):
    """Compare text by its bytes (PostgreSQL's own collation would sort by language rules;
    SQLite already compares bytes)."""
    return Collate(expression, "C") if connection.vendor == "postgresql" else expression


def _order(kind: Kind, queryset: QuerySet) -> QuerySet:
    if kind.name == "paper":
        key = Coalesce(NullIf("doi", Value("")), NullIf("pmid", Value("")), F("url"))
        return queryset.alias(natural_key=_bytewise(key)).order_by("natural_key", "pk")
    if kind.name == "version":
        return queryset.order_by("claim__uid", "number")
    if kind.key == ("uid",):  # a uuid: PostgreSQL compares its bytes, SQLite its hex digits
        return queryset.order_by("uid")
    return queryset.order_by(*(_bytewise(F(name)) for name in kind.key))


def _columns(kind: Kind) -> dict[str, tuple[str, ...]]:
    """Per record field, the columns (and joined keys) its value is read from."""
    meta = kind.model._meta
    columns = {}
    for name in kind.fields:
        target = kind.refs.get(name)
        if name in kind.many:
            continue
        if target == "paper":
            columns[name] = tuple(f"{name}__{part}" for part in ("doi", "pmid", "url"))
        elif target == USER:
            columns[name] = (f"{name}__username",)
        elif target:
            columns[name] = (f"{name}__{KINDS[target].key[0]}",)
        else:
            columns[name] = (meta.get_field(name).attname,)
    return columns


def _records(kind: Kind, queryset: QuerySet) -> Iterator[dict]:
    meta = kind.model._meta
    columns = _columns(kind)
    wanted = ["pk", *{c for cs in columns.values() for c in cs}]
    rows = _order(kind, queryset).values(*wanted).iterator(chunk_size=CHUNK)
    for chunk in _chunks(rows):
        many = {name: _many(kind, name, [row["pk"] for row in chunk]) for name in kind.many}
        for row in chunk:
            record = {"kind": kind.name}
            for name in kind.fields:
                if name in kind.many:
                    record[name] = many[name].get(row["pk"], [])
                    continue
                cols = columns[name]
                target = kind.refs.get(name)
                if target == "paper":
                    value = paper_key(*(row[c] for c in cols)) if row[cols[0]] is not None else None
                elif target:
                    value = row[cols[0]]
                    value = None if value is None else str(value)
                else:
                    value = to_json(meta.get_field(name), row[cols[0]])
                if value is None and name in _LEFT_OUT_WHEN_EMPTY.get(kind.name, ()):
                    continue
                record[name] = value
            yield record


# A review names the claim or the evidence item it judged: the other is left out.
_LEFT_OUT_WHEN_EMPTY = {"review": ("claim", "evidence")}


def _many(kind: Kind, name: str, pks: list[int]) -> dict[int, list[str]]:
    """The many-to-many values of a chunk's rows, by natural key, sorted."""
    field = kind.model._meta.get_field(name)
    through = field.remote_field.through
    source, target = field.m2m_field_name(), field.m2m_reverse_field_name()
    target_key = KINDS[kind.many[name]].key[0]
    values = defaultdict(list)
    for pk, key in (through.objects.filter(**{f"{source}_id__in": pks})
                    .values_list(f"{source}_id", f"{target}__{target_key}")):
        values[pk].append(key)
    return {pk: sorted(keys, key=lambda k: k.encode()) for pk, keys in values.items()}


def _chunks(rows) -> Iterator[list]:
    chunk = []
    for row in rows:
        chunk.append(row)
        if len(chunk) == CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk
