"""Papers from a bibliography file (claims/bibliography.py): matched to stored papers by DOI
or PMID, checked in full before anything is written, then created or completed in one
transaction through the write services.

A stored paper is never overwritten by a reference manager's copy: only its blank fields are
filled. A file with any problem writes nothing, and every problem is reported at once.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction

from claims import writes
from claims.models import Paper
from claims.models.papers import normalise_doi, normalise_pmid

# What a record may fill in a stored paper; the author list brings its completeness along.
FILLABLE = ("doi", "pmid", "title", "authors", "journal", "year", "volume", "pages", "abstract", "url")


@dataclass(frozen=True, order=True)
class Problem:
    record: int  # position in the file, from 1
    field: str
    message: str
    title: str = ""

    def __str__(self):
        title = self.title if len(self.title) <= 60 else self.title[:59] + "\u2026"
        return f"record {self.record} ({title or 'no title'}), {self.field}: {self.message}"


class ImportRefused(Exception):
    """The file has problems; nothing was written."""

    def __init__(self, problems: list[Problem]):
        self.problems = sorted(problems)
        super().__init__("\n".join(map(str, self.problems)))


@dataclass
class Plan:
    create: list[tuple[int, dict]] = field(default_factory=list)  # (record, clean values)
    fill: list[tuple[int, Paper, dict]] = field(default_factory=list)  # (record, paper, values)
    unchanged: list[Paper] = field(default_factory=list)


@dataclass(frozen=True)
class Result:
    created: int
    updated: int
    unchanged: int


def plan(records: Sequence[dict]) -> Plan:
    """What importing the records would do; raises ImportRefused naming every problem."""
    problems: list[Problem] = []
    keys = [(normalise_doi(r.get("doi", "")), normalise_pmid(r.get("pmid", ""))) for r in records]
    stored = _stored(keys)
    seen: dict[tuple[str, str], int] = {}
    matched: dict[int, int] = {}  # paper id -> the record that matched it
    result = Plan()
    for number, (record, (doi, pmid)) in enumerate(zip(records, keys, strict=True), 1):
        title = record.get("title", "")

        def problem(name, message, number=number, title=title):
            problems.append(Problem(number, name, message, title))

        if not doi and not pmid:
            problem("doi, pmid", "no DOI or PMID: a paper is imported and matched by one of them")
            continue
        repeated = [(name, value) for name, value in (("DOI", doi), ("PMID", pmid))
                    if value and (name, value) in seen]
        for name, value in repeated:
            first = seen[name, value]
            problem(name.lower(), f"the same {name} {value} as record {first} "
                    f"({records[first - 1].get('title', 'no title')})")
        seen.update({(name, value): number for name, value in (("DOI", doi), ("PMID", pmid))
                     if value and (name, value) not in seen})
        if repeated:
            continue
        by_doi, by_pmid = stored.get(("doi", doi)), stored.get(("pmid", pmid))
        if by_doi and by_pmid and by_doi.pk != by_pmid.pk:
            problem("doi, pmid", f"the DOI is paper {by_doi.pk}'s ({by_doi.title[:40]}), the PMID "
                    f"paper {by_pmid.pk}'s ({by_pmid.title[:40]})")
            continue
        paper = by_doi or by_pmid
        if paper is None:
            _check_new(number, record, result, problem)
            continue
        if paper.pk in matched:
            problem("doi, pmid", f"matches paper {paper.pk}, as record {matched[paper.pk]} does")
            continue
        matched[paper.pk] = number
        for name, ours, theirs in (("doi", paper.doi, doi), ("pmid", paper.pmid, pmid)):
            if ours and theirs and ours != theirs:
                problem(name, f"{theirs} differs from paper {paper.pk}'s {ours}, which the record's "
                        f"{'PMID' if name == 'doi' else 'DOI'} matches")
        _check_fill(number, paper, record, result, problem)
    if problems:
        raise ImportRefused(problems)
    return result


def apply(plan: Plan, *, actor, reason: str) -> Result:
    """Write a plan in one transaction; raises ImportRefused (nothing written) if a paper
    changed underneath it since it was made."""
    updated, current = 0, (0, "")
    try:
        with transaction.atomic():
            for number, values in plan.create:
                current = (number, values.get("title", ""))
                writes.create(Paper, actor=actor, data=values, reason=reason)
            for number, paper, values in plan.fill:
                current = (number, paper.title)
                updated += writes.update(paper, actor=actor, data=values, reason=reason)
    except ValidationError as exc:
        raise ImportRefused(_problems(*current, exc)) from None
    return Result(created=len(plan.create), updated=updated,
                  unchanged=len(plan.unchanged) + len(plan.fill) - updated)


def _stored(keys) -> dict[tuple[str, str], Paper]:
    dois = {doi for doi, _ in keys if doi}
    pmids = {pmid for _, pmid in keys if pmid}
    found = {}
    for paper in Paper.objects.filter(doi__in=dois):
        found["doi", paper.doi] = paper
    for paper in Paper.objects.filter(pmid__in=pmids):
        found["pmid", paper.pmid] = paper
    return found


def _check_new(number, record, result, problem):
    paper = Paper(**record)
    try:
        paper.full_clean()
    except ValidationError as exc:
        for found in _problems(number, record.get("title", ""), exc):
            problem(found.field, found.message)
        return
    result.create.append((number, {name: getattr(paper, name) for name in record}))


def _check_fill(number, paper, record, result, problem):
    blank = [name for name in FILLABLE
             if name in record and getattr(paper, name) in ("", None, [])]
    if "authors" in blank and "authors_complete" in record:
        blank.append("authors_complete")
    if not blank:
        result.unchanged.append(paper)
        return
    merged = Paper.objects.get(pk=paper.pk)
    for name in blank:
        setattr(merged, name, record[name])
    try:
        merged.full_clean()
    except ValidationError as exc:
        for found in _problems(number, record.get("title", ""), exc):
            problem(found.field, found.message)
        return
    result.fill.append((number, paper, {name: getattr(merged, name) for name in blank}))


def _problems(number: int, title: str, exc: ValidationError) -> list[Problem]:
    if not hasattr(exc, "error_dict"):
        return [Problem(number, "record", message, title) for message in exc.messages]
    return [Problem(number, "record" if name == NON_FIELD_ERRORS else name, message, title)
            for name, messages in exc.message_dict.items() for message in messages]
