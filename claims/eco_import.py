"""An ECO release imported into the evidence vocabulary (manage.py import_evidence_types).

What the vocabulary keeps, and what it takes from the release:

- A type is matched to its term by eco_id. Its code and weight are the vocabulary's own and
  never change: evidence, fixtures and API clients refer to the code.
- Label, description (ECO's definition), parent and obsolete follow the release. Labels too:
  the vocabulary promises that a type with an eco_id carries its term's label
  (check_eco_ids refuses anything else), so a release that renames a term renames the type;
  each renamed type is reported.
- EvidenceType has one parent where a term may have several is_a parents: the type's parent
  is the first is_a parent that the file itself holds (ECO lists a term's main
  classification first). A term with no is_a parent in the file (the root, obsolete terms,
  an excerpt) keeps the parent its type has, so evidence of a withdrawn type is still found
  under the ancestors it was filed under.
- A new term becomes a type with the code eco-NNNNNNN and the default weight.
- A term whose id is not an ECO id (ECO: and 7 digits) cannot be a type's eco_id: it is
  skipped and reported. The 2024-07-19 release has two, ECO:000156 and ECO:000157, typos
  that ECO itself lists as alternative ids of other terms.
- Types whose eco_id the release does not hold are left as they are, and reported.

The whole release is checked before anything is written, then written in one transaction
through the write services, parents before children: all of it or nothing.
"""

import re
from dataclasses import dataclass, field
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction

from claims import eco, writes
from claims.models import EvidenceType
from claims.models.vocabulary import ECO_ID

_LABEL_MAX = EvidenceType._meta.get_field("label").max_length


class ImportRefused(ValueError):
    """The release cannot be imported as it is; nothing was written."""

    def __init__(self, path: Path, problems: list[str]):
        self.problems = problems
        shown = "\n".join(f"  {problem}" for problem in problems[:50])
        more = f"\n  ... and {len(problems) - 50} more" if len(problems) > 50 else ""
        super().__init__(f"{path}: nothing was imported:\n{shown}{more}")


@dataclass
class ImportReport:
    release: str
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    renamed: list[str] = field(default_factory=list)  # "code: 'old' -> 'new'"
    skipped: list[str] = field(default_factory=list)  # term ids that are not ECO ids
    not_in_release: list[str] = field(default_factory=list)  # "code (ECO:...)"


def code_for(eco_id: str) -> str:
    """The code a new type gets: ECO:0000179 is eco-0000179."""
    return eco_id.replace(":", "-").lower()


def import_evidence_types(path: Path, *, actor, dry_run: bool = False) -> ImportReport:
    """Create and update evidence types from an ECO release in OBO format.

    Raises eco.OboError (not OBO) or ImportRefused (a term or the vocabulary stands in the
    way), and then nothing is written. dry_run: everything is written and checked, then
    rolled back."""
    ontology = eco.read_obo(path)
    skipped = [term_id for term_id in ontology.terms if not re.match(ECO_ID, term_id)]
    terms = {term_id: term for term_id, term in ontology.terms.items() if term_id not in skipped}
    if not terms:
        raise ImportRefused(path, ["It holds no term with an ECO id (ECO: and 7 digits): is it "
                                   "a release of ECO?"])
    types = list(EvidenceType.objects.all())
    # Parents are followed in memory, so the tree check in EvidenceType.clean walks these
    # objects instead of asking the database at each level.
    by_pk = {t.pk: t for t in types}
    for evidence_type in types:
        evidence_type.parent = by_pk.get(evidence_type.parent_id)
    by_eco = _match(path, terms, types)
    parent_of = {term_id: next((p for p in term.is_a if p in terms and p != term_id), None)
                 for term_id, term in terms.items()}
    order = _parents_first(path, parent_of)

    report = ImportReport(release=ontology.release, skipped=skipped)
    replaced = ontology.replaced()
    for evidence_type in types:
        if evidence_type.eco_id and evidence_type.eco_id not in terms:
            hint = f", now {replaced[evidence_type.eco_id]}" if evidence_type.eco_id in replaced else ""
            report.not_in_release.append(f"{evidence_type.code} ({evidence_type.eco_id}{hint})")

    reason = f"import_evidence_types {path.name}"
    with transaction.atomic():
        for term_id in order:
            term, existing = terms[term_id], by_eco.get(term_id)
            parent_id = parent_of[term_id]
            if parent_id is not None:
                parent = by_eco[parent_id]
            else:
                parent = existing.parent if existing else None
            values = {"label": term.name, "description": term.definition, "parent": parent,
                      "obsolete": term.obsolete}
            try:
                if existing is None:
                    by_eco[term_id] = writes.create_evidence_type(
                        actor=actor, reason=reason,
                        data={"code": code_for(term_id), "eco_id": term_id, **values})
                    report.created += 1
                    continue
                changed = {name: value for name, value in values.items()
                           if getattr(existing, name) != value}
                if not changed:
                    report.unchanged += 1
                    continue
                old_label = existing.label
                writes.update_evidence_type(existing, actor=actor, data=changed, reason=reason)
                report.updated += 1
                if "label" in changed:
                    report.renamed.append(f"{existing.code}: {old_label!r} -> {term.name!r}")
            except ValidationError as exc:
                raise ImportRefused(path, [f"{term_id}: {_messages(exc)}"]) from exc
        if dry_run:
            transaction.set_rollback(True)
    return report


def _match(path: Path, terms: dict[str, eco.Term], types: list[EvidenceType]) -> dict:
    """The stored type of each term, by eco_id; every problem that would stop the import."""
    problems = []
    by_eco, by_code = {}, {t.code: t for t in types}
    for evidence_type in types:
        if evidence_type.eco_id in terms:
            if evidence_type.eco_id in by_eco:
                problems.append(f"{evidence_type.eco_id}: evidence types "
                                f"{by_eco[evidence_type.eco_id].code} and {evidence_type.code} "
                                f"both carry this eco_id; give each type its own.")
            by_eco[evidence_type.eco_id] = evidence_type
    for term_id, term in terms.items():
        if not term.name.strip():
            problems.append(f"{term_id}: name: missing.")
        elif len(term.name) > _LABEL_MAX:
            problems.append(f"{term_id}: name: longer than {_LABEL_MAX} characters.")
        taken = by_code.get(code_for(term_id))
        if term_id not in by_eco and taken is not None:
            problems.append(f"{term_id}: the code {taken.code} it would get is taken by the "
                            f"evidence type {taken.label!r} ({taken.eco_id or 'no eco_id'}).")
    if problems:
        raise ImportRefused(path, problems)
    return by_eco


def _parents_first(path: Path, parent_of: dict[str, str | None]) -> list[str]:
    """The terms ordered so that each comes after its parent; a cycle is refused."""
    order, placed = [], set()
    for term_id in parent_of:
        chain, on_chain, node = [], set(), term_id
        while node is not None and node not in placed:
            if node in on_chain:
                cycle = " -> ".join([*chain[chain.index(node):], node])
                raise ImportRefused(path, [f"{node}: is_a: the first is_a parents form a "
                                           f"cycle ({cycle})."])
            chain.append(node)
            on_chain.add(node)
            node = parent_of[node]
        order.extend(reversed(chain))
        placed.update(chain)
    return order


def _messages(exc: ValidationError) -> str:
    if hasattr(exc, "error_dict"):
        return "; ".join(f"{name}: {' '.join(messages)}"
                         for name, messages in exc.message_dict.items())
    return " ".join(exc.messages)
