"""Evidence synthesis: what a claim's accepted evidence adds up to, as a level that a reader
can check by hand from the numbers its rule names.

The rule (README, "Evidence synthesis", says the same):

1. Only accepted evidence counts, and evidence citing a retracted paper (Paper.is_retracted)
   is left out; the rule says how many items were. A preprint and its published version
   (Paper.published_version) are one work: an item citing a preprint is left out when an
   accepted item of the same claim, with the same direction and evidence type, cites its
   published version, which counts in its stead (the rule says how many were left out).
2. Each item weighs its evidence type's weight (EvidenceType.weight). An in vivo item (its
   type is, or descends from, ECO:0000179 animal model system study evidence or ECO:0000178
   in vivo assay evidence) that leaves any of the five study-quality items unreported
   (Evidence.QUALITY_FIELDS: randomisation, blinded outcome assessment, sample-size
   calculation, both sexes, litter-matched controls) weighs QUALITY_FACTOR (half) of it.
3. score = the weight of the supporting items minus the weight of the contradicting ones:
   contradicting evidence counts against the claim. Inconclusive items are counted and
   reported, and weigh 0.
4. The level: none when no counted item supports or contradicts the claim; contested when
   counted items do both (the score says which way it leans); contradicted when they only
   contradict it; when they only support it, strong at a score of 2 or more, moderate at 1
   or more, weak below 1.

Each claim stores its synthesis (Claim.synthesis, the object the API serves, with
synthesis_level and contested as columns to filter on), written in the transaction of every
write that changes it, so lists filter and render it at no extra query:
- single writes, whichever face or service makes them: claims/apps.py connects
  on_history_record to django-simple-history's post_create_historical_record, which every
  save and delete of evidence and papers sends (a status change of evidence included; a
  claim's own fields do not enter its synthesis), and on_type_saving/on_type_saved to an
  evidence type's saves (its weight or its place in the tree);
- bulk writers, which send no signals, call refresh() or refresh_for() themselves
  (claims/writes_bulk.py, claims/corpus.py);
- an import writes a claim's evidence in several batches and then adopts it: inside
  deferred() (claims/interchange/load.py) refresh() only notes the claims, and the block's
  end computes each once, still in the import's transaction;
- `manage.py refresh_synthesis` and migration 0008 recompute every claim.
"""

import json
from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from decimal import Decimal

from django.apps import apps as global_apps
from django.db import connections, router, transaction
from django.db.models import BooleanField, Case, Count, Exists, OuterRef, Q, Value, When

from claims import changes
from claims.choices import Direction, Status, SynthesisLevel
from claims.models.claims import QUALITY_FIELDS, SYNTHESIS_FIELDS

QUALITY_FACTOR = Decimal("0.5")
STRONG_SCORE = Decimal(2)
MODERATE_SCORE = Decimal(1)
# Types whose items are animal studies, where the study-quality items apply.
IN_VIVO_ECO_IDS = ("ECO:0000179", "ECO:0000178")
QUALITY_ITEMS = ("randomisation, blinded outcome assessment, sample-size calculation, both sexes "
                 "and litter-matched controls")
BATCH = 1000

SUPPORTS, CONTRADICTS, INCONCLUSIVE = Direction.SUPPORTS, Direction.CONTRADICTS, Direction.INCONCLUSIVE
DIRECTIONS = tuple(Direction.values)  # Direction.values builds a new list at every call


@dataclass(frozen=True)
class Tally:
    """Accepted evidence items of one claim alike in everything the rule reads, and how many."""

    direction: str
    evidence_type: str  # its code
    weight: Decimal  # the type's
    in_vivo: bool = False
    quality_reported: bool = True  # all five study-quality items reported, yes or no
    paper_retracted: bool = False
    # Cites a preprint whose published version the claim's accepted evidence cites with the
    # same direction and type: the work counts once, as the published version.
    preprint_of_cited: bool = False
    count: int = 1

    @property
    def halved(self) -> bool:
        return self.in_vivo and not self.quality_reported

    @property
    def item_weight(self) -> Decimal:
        return self.weight * QUALITY_FACTOR if self.halved else self.weight


def synthesise(tallies: Iterable[Tally]) -> dict:
    """The synthesis of one claim's accepted evidence, as the API gives it:
    {level, score, contested, counts, by_evidence_type, rule}."""
    tallies = list(tallies)
    counted = [t for t in tallies if not (t.paper_retracted or t.preprint_of_cited)]
    left_out = sum(t.count for t in tallies if t.paper_retracted)
    preprints = sum(t.count for t in tallies if t.preprint_of_cited and not t.paper_retracted)
    counts = dict.fromkeys(DIRECTIONS, 0)
    by_type: dict[str, dict[str, int]] = {}
    weights = dict.fromkeys(DIRECTIONS, Decimal(0))
    terms = {d: Counter() for d in DIRECTIONS}
    halved = 0
    for t in counted:
        counts[t.direction] += t.count
        by_type.setdefault(t.evidence_type, dict.fromkeys(DIRECTIONS, 0))[t.direction] += t.count
        weights[t.direction] += t.item_weight * t.count
        terms[t.direction][t.evidence_type, t.item_weight, t.halved] += t.count
        halved += t.count if t.halved and t.direction != INCONCLUSIVE else 0
    score = weights[SUPPORTS] - weights[CONTRADICTS]
    level = _level(counts, score)
    return {
        "level": level.value,
        "score": float(score),
        "contested": level == SynthesisLevel.CONTESTED,
        "counts": counts,
        "by_evidence_type": dict(sorted(by_type.items())),
        "rule": " ".join(_rule(counts, weights, terms, score, level, left_out, preprints,
                               halved)),
    }


def _level(counts: dict, score: Decimal) -> SynthesisLevel:
    supports, contradicts = counts[SUPPORTS], counts[CONTRADICTS]
    if not supports and not contradicts:
        return SynthesisLevel.NONE
    if supports and contradicts:
        return SynthesisLevel.CONTESTED
    if contradicts:
        return SynthesisLevel.CONTRADICTED
    if score >= STRONG_SCORE:
        return SynthesisLevel.STRONG
    return SynthesisLevel.MODERATE if score >= MODERATE_SCORE else SynthesisLevel.WEAK


def _n(value: Decimal) -> str:
    """A weight or score as people write it: 2, 0.5, -1.25."""
    text = format(value.normalize(), "f")
    return "0" if text in ("-0", "0") else text


_VERDICTS = {
    SynthesisLevel.NONE: "No accepted evidence supports or contradicts the claim: none.",
    SynthesisLevel.CONTESTED: "Evidence both supports and contradicts the claim: contested.",
    SynthesisLevel.CONTRADICTED: "Evidence only contradicts the claim: contradicted.",
    SynthesisLevel.STRONG: f"Evidence only supports the claim and the score is "
                           f"{_n(STRONG_SCORE)} or more: strong.",
    SynthesisLevel.MODERATE: f"Evidence only supports the claim and the score is "
                             f"{_n(MODERATE_SCORE)} or more, below {_n(STRONG_SCORE)}: moderate.",
    SynthesisLevel.WEAK: f"Evidence only supports the claim and the score is below "
                         f"{_n(MODERATE_SCORE)}: weak.",
}


def _items(n: int) -> str:
    return f"{n} item" if n == 1 else f"{n} items"


def _sum(terms: Counter) -> str:
    """How a direction's weight adds up: 2 × 1 (in-vivo-animal-model) + 1 × 0.5 (...)."""
    parts = []
    for (code, weight, halved), n in sorted(terms.items(), key=lambda kv: (kv[0][0], -kv[0][1])):
        parts.append(f"{n} × {_n(weight)} ({code}{', half weight' if halved else ''})")
    return " + ".join(parts)


def _rule(counts, weights, terms, score, level, left_out, preprints, halved) -> list[str]:
    sentences = []
    if any(counts.values()):
        sentences.append(f"Accepted evidence counted: {counts[SUPPORTS]} supporting, "
                         f"{counts[CONTRADICTS]} contradicting, {counts[INCONCLUSIVE]} "
                         "inconclusive (inconclusive items weigh 0).")
    if left_out:
        sentences.append(f"{_items(left_out)} citing a retracted paper "
                         f"{'is' if left_out == 1 else 'are'} left out.")
    if preprints:
        sentences.append(f"{_items(preprints)} citing a preprint {'is' if preprints == 1 else 'are'} "
                         "left out: the published version is cited with the same direction and "
                         "evidence type, and one work counts once.")
    if halved:
        sentences.append(f"{_items(halved)} of in vivo evidence {'does' if halved == 1 else 'do'} "
                         f"not report all of {QUALITY_ITEMS}, so "
                         f"{'it counts' if halved == 1 else 'they count'} at half "
                         f"{'its' if halved == 1 else 'their'} type's weight.")
    if level != SynthesisLevel.NONE:
        for direction, name in ((SUPPORTS, "Supporting"), (CONTRADICTS, "Contradicting")):
            total = _n(weights[direction])
            sentences.append(f"{name} weight {total}" + (f" = {_sum(terms[direction])}."
                                                         if terms[direction] else "."))
        sentences.append(f"Score {_n(weights[SUPPORTS])} − {_n(weights[CONTRADICTS])} = "
                         f"{_n(score)}.")
    sentences.append(_VERDICTS[level])
    return sentences


# --- reading the evidence and storing the synthesis ---


def _tallies(claim_ids: list[int], apps, using: str) -> dict[int, list[Tally]]:
    evidence = apps.get_model("claims", "Evidence").objects.using(using)
    reported = Q(**{f"{name}__isnull": False for name in QUALITY_FIELDS})
    rows = list(evidence.filter(claim_id__in=claim_ids, status=Status.ACCEPTED)
                .annotate(reported=Case(When(reported, then=Value(True)), default=Value(False),
                                        output_field=BooleanField()),
                          preprint_of_cited=_published_version_cited(evidence, claim_ids, apps))
                .order_by()
                .values("claim_id", "direction", "evidence_type_id", "evidence_type__code",
                        "evidence_type__weight", "paper__is_retracted", "reported",
                        "preprint_of_cited")
                .annotate(n=Count("id")))
    in_vivo = _in_vivo_types({row["evidence_type_id"] for row in rows}, apps, using)
    tallies: dict[int, list[Tally]] = {}
    for row in rows:
        tallies.setdefault(row["claim_id"], []).append(Tally(
            direction=row["direction"], evidence_type=row["evidence_type__code"],
            weight=Decimal(row["evidence_type__weight"]),
            in_vivo=row["evidence_type_id"] in in_vivo, quality_reported=bool(row["reported"]),
            paper_retracted=bool(row["paper__is_retracted"]),
            preprint_of_cited=bool(row["preprint_of_cited"]), count=row["n"]))
    return tallies


def _published_version_cited(evidence, claim_ids: list[int], apps):
    """Whether an item's paper is a preprint whose published version an accepted item of the
    same claim cites with the same direction and type. False before migration 0010 (which
    links preprints), as migration 0008 reads the models."""
    paper = apps.get_model("claims", "Paper")
    if not any(field.name == "published_version" for field in paper._meta.get_fields()):
        return Value(False, output_field=BooleanField())
    # claim_id__in says again what claim_id=OuterRef says: PostgreSQL may run the subquery
    # once, hashed, and then reads only these claims' evidence, not all accepted evidence.
    return Exists(evidence.filter(
        claim_id__in=claim_ids,
        claim_id=OuterRef("claim_id"), direction=OuterRef("direction"),
        evidence_type_id=OuterRef("evidence_type_id"), status=Status.ACCEPTED,
        paper_id=OuterRef("paper__published_version_id")))


_ANCESTRY = """
    WITH RECURSIVE up(start, id, parent_id, eco_id) AS (
        SELECT id, id, parent_id, eco_id FROM {table} WHERE id IN ({ids})
        UNION
        SELECT up.start, t.id, t.parent_id, t.eco_id FROM {table} t JOIN up ON t.id = up.parent_id
    )
    SELECT DISTINCT start FROM up WHERE eco_id IN ({roots})"""

_DESCENDANTS = """
    WITH RECURSIVE down(id) AS (
        SELECT id FROM {table} WHERE id IN ({ids})
        UNION
        SELECT t.id FROM {table} t JOIN down ON t.parent_id = down.id
    )
    SELECT id FROM down"""


def _tree(sql: str, ids: set[int], params: list, apps, using: str) -> set[int]:
    if not ids:
        return set()
    connection = connections[using]
    table = connection.ops.quote_name(apps.get_model("claims", "EvidenceType")._meta.db_table)
    ids = sorted(ids)
    query = sql.format(table=table, ids=", ".join(["%s"] * len(ids)),
                       roots=", ".join(["%s"] * len(IN_VIVO_ECO_IDS)))
    with connection.cursor() as cursor:
        cursor.execute(query, [*ids, *params])
        return {row[0] for row in cursor.fetchall()}


def _in_vivo_types(type_ids: set[int], apps, using: str) -> set[int]:
    """Those of these evidence types that are, or descend from, an in vivo type (one query
    whatever the depth; UNION, not UNION ALL, also ends a cycle)."""
    return _tree(_ANCESTRY, type_ids, list(IN_VIVO_ECO_IDS), apps, using)


# While deferred() runs: per database, the claims whose synthesis waits for the block's end.
_pending: ContextVar[dict[str, set[int]] | None] = ContextVar("synthesis_pending", default=None)


@contextmanager
def deferred() -> Iterator[dict]:
    """Refresh each claim written inside the block once, when the block ends without an error.

    For a writer that touches the same claims many times in one transaction (an import writes
    a claim, its evidence in batches, then adopts both): refresh() only notes the claims, and
    the end of the block computes them, so a claim is synthesised once, not once per write.
    Nothing may read a synthesis inside the block (history and the change feed do not).
    It gives the claims noted: a writer whose work will be rolled back clears them."""
    if _pending.get() is not None:  # already deferred by an outer block, which refreshes
        yield {}
        return
    token = _pending.set({})
    try:
        yield _pending.get()
        pending = _pending.get()
    finally:
        _pending.reset(token)
    for using, ids in pending.items():
        refresh(ids, using=using)


def refresh(claim_ids: Iterable[int], *, apps=global_apps, using: str | None = None) -> int:
    """Recompute and store the synthesis of these claims; returns how many changed (0 inside
    deferred(), which only notes them).

    Per BATCH claims: the accepted evidence read grouped (and the in vivo types among those
    it cites), then one statement that writes only the syntheses that differ."""
    claims = apps.get_model("claims", "Claim")
    using = using or router.db_for_write(claims)
    ids = sorted({pk for pk in claim_ids if pk is not None})
    if not ids:
        return 0
    pending = _pending.get()
    if pending is not None and apps is global_apps:
        pending.setdefault(using, set()).update(ids)
        return 0
    changed = 0
    with transaction.atomic(using=using):
        for start in range(0, len(ids), BATCH):
            chunk = ids[start:start + BATCH]
            tallies = _tallies(chunk, apps, using)
            fresh = {pk: synthesise(tallies.get(pk, ())) for pk in chunk}
            changed += _store(claims, fresh, using)
    return changed


_STORE = """
    UPDATE {table} AS c
    SET synthesis = v.synthesis, synthesis_level = v.level, contested = v.contested
    FROM unnest(%s::bigint[], %s::jsonb[], %s::varchar[], %s::boolean[])
        AS v(id, synthesis, level, contested)
    WHERE c.id = v.id AND c.synthesis IS DISTINCT FROM v.synthesis"""


def _store(claims, fresh: dict[int, dict], using: str) -> int:
    """Write the syntheses that differ from the stored ones; returns how many did.

    PostgreSQL compares and writes in one UPDATE from arrays (jsonb compares by value);
    elsewhere the stored ones are read and compared here, and bulk_update writes the rest
    (its CASE per row grows with the batch squared, tolerable on the small databases
    SQLite serves)."""
    connection = connections[using]
    if connection.vendor == "postgresql":
        pks = list(fresh)
        values = [fresh[pk] for pk in pks]
        with connection.cursor() as cursor:
            cursor.execute(_STORE.format(table=connection.ops.quote_name(claims._meta.db_table)),
                           [pks, [json.dumps(v) for v in values], [v["level"] for v in values],
                            [v["contested"] for v in values]])
            return cursor.rowcount
    stale = [claims(pk=pk, synthesis=fresh[pk], synthesis_level=fresh[pk]["level"],
                    contested=fresh[pk]["contested"])
             for pk, stored in (claims.objects.using(using).filter(pk__in=list(fresh))
                                .values_list("pk", "synthesis"))
             if stored != fresh[pk]]
    claims.objects.using(using).bulk_update(stale, SYNTHESIS_FIELDS, batch_size=BATCH)
    return len(stale)


def refresh_all(*, apps=global_apps, using: str | None = None, progress=None) -> tuple[int, int]:
    """Recompute every claim's synthesis, a batch per transaction; returns (claims, changed).

    Each batch holds the writers' lock (claims.changes.lock) so that no write lands between
    its reading the evidence and its storing the result."""
    claims = apps.get_model("claims", "Claim")
    using = using or router.db_for_write(claims)
    ids = list(claims.objects.using(using).order_by("pk").values_list("pk", flat=True))
    changed = 0
    for start in range(0, len(ids), BATCH):
        with transaction.atomic(using=using):
            changes.lock()
            changed += refresh(ids[start:start + BATCH], apps=apps, using=using)
        if progress:
            progress(min(start + BATCH, len(ids)), len(ids))
    return len(ids), changed


def claims_affected(model, pks: Iterable[int], *, using: str | None = None) -> list[int]:
    """The claims whose synthesis may change when these rows of model were written."""
    pks = list(pks)
    evidence = global_apps.get_model("claims", "Evidence").objects
    if using:
        evidence = evidence.using(using)
    accepted = evidence.filter(status=Status.ACCEPTED)
    name = model._meta.model_name
    if name == "claim":
        return pks
    if name == "evidence":
        return list(evidence.filter(pk__in=pks).values_list("claim_id", flat=True).distinct())
    if name == "paper":
        return list(accepted.filter(paper_id__in=pks).values_list("claim_id", flat=True)
                    .distinct())
    if name == "evidencetype":
        subtree = _tree(_DESCENDANTS, set(pks), [], global_apps, using or router.db_for_write(model))
        return list(accepted.filter(evidence_type_id__in=subtree)
                    .values_list("claim_id", flat=True).distinct())
    return []


def refresh_for(model, pks: Iterable[int]) -> int:
    """refresh() the claims whose synthesis may change when these rows of model were written:
    for bulk writers, which send no signals."""
    return refresh(claims_affected(model, pks))


# --- receivers (connected in claims/apps.py) ---


def on_history_record(sender, instance, history_instance, **kwargs):
    """An evidence item or a paper was saved or deleted: refresh the claims it counts for."""
    name = instance._meta.model_name
    if name == "evidence":
        # Only accepted evidence counts, and the workflow never takes an item out of that
        # state: the saves and deletions of items in any other state change no synthesis.
        if instance.status == Status.ACCEPTED:
            refresh([instance.claim_id])
    elif name == "paper" and history_instance.history_type != "+":  # a new paper is cited by none
        refresh_for(type(instance), [instance.pk])


_TYPE_INPUTS = ("weight", "parent_id", "eco_id")


def on_type_saving(sender, instance, raw=False, **kwargs):
    """Note what the synthesis reads of an evidence type before it is changed."""
    if raw or instance.pk is None:
        return
    instance._synthesis_inputs = (type(instance).objects.filter(pk=instance.pk)
                                  .values_list(*_TYPE_INPUTS).first())


def on_type_saved(sender, instance, created, raw=False, **kwargs):
    """A type's weight, parent or ECO id changed: refresh the claims citing it or below it."""
    before = instance.__dict__.pop("_synthesis_inputs", None)
    if raw or created or before is None:
        return
    if before != tuple(getattr(instance, name) for name in _TYPE_INPUTS):
        refresh_for(type(instance), [instance.pk])
