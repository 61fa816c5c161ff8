"""Reading the interchange format back: a whole file checked, then upserted in one transaction.

The file is read twice, line by line; what is kept between lines is the natural keys seen
(and the ids they stand for), never the records.

1. Scan: every line is UTF-8, JSON, and a record the schema accepts; no record repeats the
   natural key of an earlier one.
2. Load, inside one transaction: kind by kind in dependency order, in batches. A batch's
   references are resolved by natural key (a query per kind it names), its stored rows read
   (a query), and each record becomes a model instance that its model validates
   (claims/writes_bulk.py). What is new is created, what differs is updated, the rest left
   alone, with history naming the importing user and "import_curation <file name>". New
   claims and evidence are adopted by the workflow in the state their record gives as they
   are written (workflow.adopt_new): the history shows each created as a draft, then adopted.
   Reviews and versions are restored as they are: a stored one is never changed.

Every problem found on the way is collected as "line N: field: message"; if there is any, or
on a dry run, the transaction is rolled back and the database is exactly as it was.

Decisions the format leaves to the importer:
- Fields a record leaves out keep their stored value (a new row: the model's default; its
  author: the importing user). created_at and updated_at are taken from the record, so a
  round trip is exact; a change without updated_at is stamped now.
- A stored claim or evidence item keeps its state: a record that gives it another status (or
  review round, retraction) is refused, as states change only through the review workflow.
- Users the file names but the database lacks are created inactive, with unusable passwords
  and no roles, and counted in the report.
- An accepted (or retracted) claim imported without any version record gets version 1 of
  its content as imported, as an acceptance would have minted it.
"""

import json
import os
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Protocol

from django.contrib.auth import get_user_model
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import connection, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from claims import changes, data_version, synthesis, workflow, writes_bulk
from claims.choices import Status
from claims.interchange import schema
from claims.interchange.records import (
    KINDS,
    ORDER,
    USER,
    Kind,
    converter,
    from_json,
    record_key,
    reference,
    shown,
)
from claims.models import Claim, ClaimVersion, EvidenceType, Paper
from claims.models.base import unstorable
from claims.versions import claim_content, content_hash, with_content

BATCH = 1000
IDS_KEPT = 50_000  # natural keys whose ids the import keeps at hand between batches
ANALYZE_AFTER = 10_000  # rows of a kind written, past which PostgreSQL's statistics are refreshed
# The workflow's part of a claim or evidence record: set only through workflow.adopt_new()
# and workflow.adopt().
STATE = {"claim": ("status", "review_round", "retraction_reason", "superseded_by"),
         "evidence": ("status", "review_round")}
APPEND_ONLY = ("review", "version")


@dataclass(frozen=True)
class Problem:
    line: int | None
    field: str
    message: str

    def __str__(self):
        where = f"line {self.line}: " if self.line else ""
        return f"{where}{self.field}: {self.message}" if self.field else f"{where}{self.message}"


class ImportRefused(Exception):
    """The file was not imported; problems says why, each naming its line and field."""

    def __init__(self, problems: list[Problem]):
        self.problems = sorted(problems, key=lambda p: (p.line or 0, p.field))
        super().__init__("\n".join(str(p) for p in self.problems))


@dataclass
class Report:
    """What an import did (or, on a dry run, would have done)."""

    counts: dict[str, dict[str, int]] = field(
        default_factory=lambda: {k: dict.fromkeys(("created", "updated", "unchanged"), 0)
                                 for k in KINDS})
    users_created: list[str] = field(default_factory=list)
    versions_minted: int = 0
    records: int = 0
    dry_run: bool = False


class Progress(Protocol):
    def start(self, label: str, total: int) -> None: ...
    def advance(self, amount: int) -> None: ...
    def finish(self) -> None: ...


class _Quiet:
    def start(self, label, total):
        pass

    def advance(self, amount):
        pass

    def finish(self):
        pass


def load(path, *, actor=None, dry_run: bool = False, progress: Progress | None = None) -> Report:
    """Check the interchange file at path and, unless dry_run, upsert it as actor.

    Raises ImportRefused with every problem found, and then nothing is written."""
    progress = progress or _Quiet()
    scan = _Scan(path, progress)
    scan.run()
    reason = _reason(Path(path).name)
    loader = _Loader(scan, actor, reason)
    with transaction.atomic():
        changes.lock()  # before any row lock, as every writer
        # Each claim's synthesis computed once, after all its evidence and its adoption, and
        # not at all when nothing will be kept.
        with synthesis.deferred() as syntheses:
            loader.run(progress)
            problems = scan.problems + loader.problems
            if problems:
                raise ImportRefused(problems)  # leaving the blocks rolls everything back
            if dry_run:
                syntheses.clear()
                transaction.set_rollback(True)
        if not dry_run:
            transaction.on_commit(data_version.bump)
    loader.report.records, loader.report.dry_run = scan.records, dry_run
    return loader.report


def _reason(name: str) -> str:
    """The history's reason, "import_curation <file name>", within the length history keeps
    (with room for workflow.adopt's "adopt <status>: " before it)."""
    room = Claim.history.model._meta.get_field("history_change_reason").max_length
    room -= len("import_curation ") + len("adopt retracted: ")
    return f"import_curation {name if len(name) <= room else name[:room - 1] + '…'}"


# --- reading lines ---


def _lines(path, progress: Progress, label: str):
    """(line number, bytes) of each line; the progress counts bytes."""
    with open(path, "rb") as file:
        progress.start(label, os.fstat(file.fileno()).st_size)
        pending = 0
        for number, raw in enumerate(file, 1):
            pending += len(raw)
            if pending > 1 << 20:
                progress.advance(pending)
                pending = 0
            yield number, raw
        progress.advance(pending)
        progress.finish()


def _text(number: int, raw: bytes) -> str:
    """The line as text, without its line break (so JSON's columns are the file's)."""
    text = raw.decode("utf-8").rstrip("\r\n")
    return text.removeprefix("\ufeff") if number == 1 else text


def _no_constants(name):
    raise ValueError(f"{name} is not a JSON value")


class _RepeatedKey(ValueError):
    def __init__(self, key: str):
        super().__init__(key)
        self.key = key


def _refuse_repeated_keys(pairs):
    """A field given twice is ambiguous (JSON readers disagree on which one wins): refused."""
    seen = {}
    for key, value in pairs:
        if key in seen:
            raise _RepeatedKey(key)
        seen[key] = value
    return seen


def _parse(text: str):
    return json.loads(text, parse_constant=_no_constants, object_pairs_hook=_refuse_repeated_keys)


class _Scan:
    """The first pass: syntax, schema and natural keys, line by line."""

    def __init__(self, path, progress: Progress):
        self.path, self.progress = path, progress
        self.name = Path(path).name
        # The natural keys seen, and the identifiers of papers (("pmid", "123")): sets, not
        # the lines they were seen on, which only a repeated record needs (see _repeated()).
        self.keys: dict[str, set] = {kind: set() for kind in KINDS}
        self.skip: set[int] = set()  # lines the load leaves out: broken, or repeating a record
        self.kinds: set[str] = set()
        self.ordered = True
        self.records = 0
        self.problems: list[Problem] = []
        self.paper_identifiers: set[tuple[str, str]] = set()
        self.repeats: list[tuple[int, str, str, tuple]] = []  # line, field, kind, key

    def problem(self, line, name, message):
        self.problems.append(Problem(line, name, message))
        self.skip.add(line)

    def run(self):
        highest = 0
        try:
            lines = _lines(self.path, self.progress, "checking")
            for number, raw in lines:
                try:
                    text = _text(number, raw)
                except UnicodeDecodeError as exc:
                    lines.close()
                    raise ImportRefused([_not_utf8(number, raw, exc)]) from None
                if not text.strip():
                    continue
                self.records += 1
                try:
                    record = _parse(text)
                except _RepeatedKey as exc:
                    self.problem(number, exc.key, "given twice in one record: a record names "
                                                  "each field once")
                    continue
                except ValueError as exc:
                    where = f" at column {exc.colno}" if hasattr(exc, "colno") else ""
                    self.problem(number, "", f"not valid JSON{where}: {getattr(exc, 'msg', exc)}")
                    continue
                except RecursionError:
                    self.problem(number, "", "not valid JSON here: nested too deeply")
                    continue
                if not isinstance(record, dict):
                    self.problem(number, "", "a record is a JSON object: {\"kind\": ..., ...}")
                    continue
                # A NUL or a lone surrogate ("\\u0000", "\\ud800") can be neither stored nor
                # looked up: said here, before any value or reference reaches the database. In
                # valid JSON read from UTF-8 either comes only from a \\u escape.
                for name, value in record.items() if "\\u" in text else ():
                    problem = unstorable(name) or unstorable(value)
                    if problem:
                        self.problem(number, name.encode("unicode_escape").decode(), problem)
                highest = self._record(number, record, highest)
        except OSError as exc:
            raise ImportRefused([Problem(None, self.name, f"cannot be read: {exc.strerror}")]) \
                from None
        if not self.records:
            raise ImportRefused([Problem(None, self.name, "the file is empty: no records to import")])
        if self.repeats:
            self._repeated()

    def _record(self, number: int, record: dict, highest: int) -> int:
        for name, message in schema.problems(record):
            self.problem(number, name, message)
        kind = KINDS.get(record.get("kind")) if isinstance(record.get("kind"), str) else None
        if kind is None:
            return highest
        try:
            key = record_key(kind, record)
        except (ValueError, TypeError, AttributeError):
            key = None  # the schema has said what is wrong with it
        if kind.name == "paper" and key is not None:
            # A paper is one record whichever identifier names it: a DOI, PMID or URL that
            # another paper record gives too is the same paper.
            for identifier in _identifiers(record):
                if identifier in self.paper_identifiers:
                    self.repeats.append((number, identifier[0], "paper", identifier))
                    self.skip.add(number)
                    break
                self.paper_identifiers.add(identifier)
        elif key is not None:
            if key in self.keys[kind.name]:
                self.repeats.append((number, kind.key[0], kind.name, key))
                self.skip.add(number)
            else:
                self.keys[kind.name].add(key)
        self.kinds.add(kind.name)
        if ORDER[kind.name] < highest:
            self.ordered = False
        return max(highest, ORDER[kind.name])

    def _repeated(self):
        """Say which line each repeated record repeats: the file read again up to the first
        line of each, as the scan read it (only a file that repeats a record pays for it)."""
        wanted = {(kind, key) for _, _, kind, key in self.repeats}
        first = {}
        for number, raw in _lines(self.path, _Quiet(), "checking"):
            try:
                record = _parse(_text(number, raw))
                kind = KINDS[record["kind"]]
                found = ([("paper", i) for i in _identifiers(record)] if kind.name == "paper"
                         else [(kind.name, record_key(kind, record))])
            except (ValueError, TypeError, AttributeError, KeyError, RecursionError):
                continue
            for item in wanted.intersection(found):
                first.setdefault(item, number)
            if len(first) == len(wanted):
                break
        for number, field_name, kind, key in self.repeats:
            where = f"on line {first[kind, key]}" if (kind, key) in first else "earlier"
            if kind == "paper":
                self.problem(number, field_name, f"the same paper as {where} ({key[1]}): a file "
                                                 "holds each record once")
            else:
                self.problem(number, field_name, f"the same {KINDS[kind]} as {where}: a file "
                                                 "holds each record once")

    def records_in_order(self, progress: Progress):
        """(line, record) of every sound line, kind by kind in dependency order: in one pass
        when the file is in that order (as export_curation writes it), else a pass per kind."""
        passes = [None] if self.ordered else [k for k in KINDS if k in self.kinds]
        for wanted in passes:
            for number, raw in _lines(self.path, progress, "importing"):
                if number in self.skip:
                    continue
                text = _text(number, raw)
                if not text.strip():
                    continue
                record = json.loads(text)  # the scan has refused repeated keys and constants
                if wanted is None or record["kind"] == wanted:
                    yield number, record


def _identifiers(record: dict) -> set[tuple[str, str]]:
    """Every identifier a paper record gives, as a reference to it would name it."""
    try:
        paper = Paper(doi=record.get("doi") or "", pmid=record.get("pmid") or "",
                      url=record.get("url") or "")
        paper.doi = Paper._meta.get_field("doi").to_python(paper.doi)
        paper.pmid = Paper._meta.get_field("pmid").to_python(paper.pmid)
    except ValidationError:
        return set()
    return {(name, getattr(paper, name)) for name in ("doi", "pmid", "url") if getattr(paper, name)}


def _not_utf8(number: int, raw: bytes, exc: UnicodeDecodeError) -> Problem:
    hint = ""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in raw:
        hint = " (it looks like UTF-16)"
    return Problem(number, "", f"the file is not UTF-8{hint}: byte 0x{raw[exc.start]:02x} at "
                               f"column {exc.start + 1} is not UTF-8 text. The interchange "
                               "format is UTF-8: convert the file (e.g. iconv -t UTF-8) and "
                               "import it again.")


# --- the second pass ---


@dataclass
class _Row:
    """A record on its way to the database."""

    line: int
    record: dict
    obj: object
    stored: bool
    changed: list[str] = field(default_factory=list)
    many: dict[str, set[int]] = field(default_factory=dict)
    moved: set[str] = field(default_factory=set)  # many-to-many fields whose values change
    state: dict | None = None  # a new claim's or evidence item's state, for workflow.adopt


class _Loader:
    def __init__(self, scan: _Scan, actor, reason: str):
        self.scan, self.actor, self.reason = scan, actor, reason
        self.problems: list[Problem] = []
        self.report = Report()
        self.ids: dict[str, dict] = {kind: {} for kind in (*KINDS, USER)}
        self.bad_users: dict[str, str] = {}
        self.types: dict[int, EvidenceType] = {}  # the vocabulary, whole: see _type()
        self.obsolete_later: list[EvidenceType] = []
        self.deferred: list[_Row] = []  # retracted claims superseded by a claim not yet written
        self.waiting: list[_Row] = []  # those of the batch being written
        self.links_later: list[tuple[_Row, str, object]] = []  # to a record of its kind further on
        self.decided: set[int] = set()  # claims adopted as accepted or retracted
        self.adoption_refused = False
        self.now = timezone.now()

    def problem(self, line, name, message):
        self.problems.append(Problem(line, name, message))

    def run(self, progress: Progress):
        current, batch = None, []
        for number, record in self.scan.records_in_order(progress):
            kind = record["kind"]
            if kind != current or (len(batch) >= BATCH and kind != "evidence_type"):
                self._batch(current, batch)
                batch = []
                if kind != current:
                    self._finish(current)
                    current = kind
            batch.append((number, record))
        self._batch(current, batch)
        self._finish(current)
        if self.obsolete_later:
            EvidenceType.objects.filter(pk__in=[t.pk for t in self.obsolete_later if t.pk]) \
                .update(obsolete=True)
        self._mint_missing_versions()

    def _batch(self, name: str | None, batch: list):
        if not batch:
            return
        kind = KINDS[name]
        self._forget_ids()
        self._resolve(kind, batch)
        if name == "evidence_type":
            self._evidence_types(kind, batch)
            return
        stored = self._stored(kind, batch)
        rows = []
        for number, record in batch:
            row = self._row(kind, number, record, stored)
            if row is not None:
                rows.append(row)
        self._write(kind, rows)

    def _finish(self, name: str | None):
        if name is not None:
            self._refresh_statistics(KINDS[name])
        if self.links_later and name is not None:
            self._link_later(KINDS[name])
        if name == "claim" and self.deferred:
            rows, self.deferred = self.deferred, []
            for row in rows:
                uid = reference("claim", row.record["superseded_by"])
                row.state["superseded_by_id"] = self.ids["claim"].get(uid)
                if row.state["superseded_by_id"] is None:
                    self._look_up("claim", [uid])
                    row.state["superseded_by_id"] = self.ids["claim"].get(uid)
            self._adopt(Claim, [row for row in rows if row.state["superseded_by_id"]])

    def _refresh_statistics(self, kind: Kind):
        """PostgreSQL plans the import's later queries (the next kinds' lookups, the syntheses
        computed at the end) from its statistics of the tables, which are those from before the
        import until they are refreshed: after thousands of new rows (a first load into an
        empty database), refreshed here, inside the transaction, which ANALYZE counts."""
        counts = self.report.counts[kind.name]
        if connection.vendor != "postgresql" or counts["created"] + counts["updated"] < ANALYZE_AFTER:
            return
        tables = {kind.model._meta.db_table}
        tables |= {kind.model._meta.get_field(name).remote_field.through._meta.db_table
                   for name in kind.many}
        if hasattr(kind.model._meta, "simple_history_manager_attribute"):
            tables.add(getattr(kind.model, kind.model._meta.simple_history_manager_attribute)
                       .model._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {', '.join(map(connection.ops.quote_name, sorted(tables)))}")

    def _link_later(self, kind: Kind):
        """References to records of the same kind further on in the file (a preprint's
        published version), set once the whole kind is in."""
        rows, names = [], set()
        self._look_up(kind.name, list({key for _, _, key in self.links_later
                                       if key not in self.ids[kind.name]}))
        for row, attname, key in self.links_later:
            pk = self.ids[kind.name].get(key)
            if pk is None or row.obj.pk is None:
                continue  # that record, or this one, has a problem of its own
            setattr(row.obj, attname, pk)
            error = writes_bulk.validate(row.obj)
            if error is not None:
                self._problems_from(row.line, error)
                continue
            rows.append(row)
            names.add(kind.model._meta.get_field(attname.removesuffix("_id")).name)
        self.links_later = []
        if rows:
            refused = writes_bulk.update(kind.model, [r.obj for r in rows], sorted(names),
                                         actor=self.actor, reason=self.reason)
            self._refused(rows, refused)
            # Each link was checked against the others not yet set: checked again now that all
            # are, so two of them cannot make together what the model refuses (a chain, a loop).
            fields = [kind.model._meta.get_field(name) for name in names]
            for index, row in enumerate(rows):
                if index in refused:
                    continue
                for field in fields:
                    if field.is_cached(row.obj):
                        field.delete_cached_value(row.obj)
                error = writes_bulk.validate(row.obj)
                if error is not None:
                    self._problems_from(row.line, error)

    # references

    def _references(self, kind: Kind, record: dict):
        """(field, target kind, key) of each record this record names."""
        for name, target in kind.refs.items():
            if record.get(name) is not None:
                yield name, target, reference(target, record[name])
        for name, target in kind.many.items():
            for value in record.get(name) or ():
                yield name, target, value

    def _resolve(self, kind: Kind, batch: list):
        wanted = defaultdict(set)
        for _, record in batch:
            for _, target, key in self._references(kind, record):
                if key not in self.ids[target]:
                    wanted[target].add(key)
        for target, keys in wanted.items():
            self._look_up(target, list(keys))

    def _forget_ids(self):
        """The ids of records written or looked up are a cache: each batch looks up the keys
        it names that are not in it. Emptied when it grows past IDS_KEPT, so that memory does
        not grow with the file."""
        if sum(len(ids) for ids in self.ids.values()) > IDS_KEPT:
            for ids in self.ids.values():
                ids.clear()

    def _look_up(self, target: str, keys: list):
        """Find in the database the records of a kind these keys name (users: create them)."""
        ids = self.ids[target]
        if target == USER:
            model = get_user_model()
            ids.update(model.objects.filter(username__in=keys).values_list("username", "pk"))
            missing = sorted(name for name in keys if name not in ids and name not in self.bad_users)
            field = model._meta.get_field(model.USERNAME_FIELD)
            creatable = []
            for name in missing:
                try:
                    field.clean(name, None)
                    creatable.append(name)
                except ValidationError as exc:
                    self.bad_users[name] = " ".join(exc.messages)
            ids.update(writes_bulk.create_users(creatable))
            self.report.users_created.extend(creatable)
            return
        if target == "paper":
            papers = Paper.objects.filter(_by_identifiers(keys))
            for pk, *identifiers in papers.values_list("pk", "doi", "pmid", "url"):
                self._register_paper(pk, *identifiers)
            return
        kind = KINDS[target]
        column = kind.key[0]
        lookup = [uuid.UUID(int=k) for k in keys] if column == "uid" else keys
        for key, pk in kind.model.objects.filter(**{f"{column}__in": lookup}).values_list(column, "pk"):
            ids[key.int if column == "uid" else key] = pk

    def _type(self, pk: int) -> EvidenceType:
        """An evidence type from memory: evidence's clean() reads its type, which would
        otherwise cost a query per row."""
        if pk not in self.types:
            self.types = {t.pk: t for t in EvidenceType.objects.all()}
        return self.types[pk]

    def _register_paper(self, pk, doi, pmid, url):
        for name, value in (("doi", doi), ("pmid", pmid), ("url", url)):
            if value:
                self.ids["paper"].setdefault((name, value), pk)

    def _id(self, kind: Kind, line: int, name: str, target: str, key) -> int | None:
        """The id a reference stands for; a problem when it names nothing."""
        pk = self.ids[target].get(key)
        if pk is not None:
            return pk
        if target == USER:
            self.problem(line, name, f"{key!r} cannot be a username: {self.bad_users.get(key)}")
        elif self._in_file(target, key):
            return None  # that record is in the file, with its own problem reported
        else:
            label = shown(target, key)
            hint = {"paper": " (a paper is named by its DOI, its PMID as digits, or its URL)",
                    "evidence_type": " (an evidence type is named by its code)",
                    "topic": " (a topic is named by its slug)"}.get(target, "")
            self.problem(line, name, f"unknown {KINDS[target]} {label!s}: neither in the database "
                                     f"nor in this file{hint}")
        return None

    def _in_file(self, target: str, key) -> bool:
        if target == "paper":
            return key in self.scan.paper_identifiers
        return key in self.scan.keys.get(target, {})

    # stored rows

    def _stored(self, kind: Kind, batch: list) -> dict:
        """The stored rows the batch's records name, by natural key, locked; and their
        many-to-many values (self.many_stored)."""
        keys = []
        for _, record in batch:
            try:
                key = record_key(kind, record)
            except ValueError:
                continue
            if key is not None:
                keys.append(key)
        rows = kind.model.objects.select_for_update()
        if kind.name == "paper":
            found = {}
            for paper in rows.filter(_by_identifiers(keys)):
                for name in ("doi", "pmid", "url"):
                    if getattr(paper, name):
                        found.setdefault((name, getattr(paper, name)), paper)
        elif kind.name == "version":
            uids = {self.ids["claim"].get(uid): uid for uid, _ in keys}
            uids.pop(None, None)
            found = {(uids[v.claim_id], v.number): v for v in rows.filter(claim_id__in=list(uids))}
        elif kind.key == ("uid",):
            found = {obj.uid.int: obj
                     for obj in rows.filter(uid__in=[uuid.UUID(int=k) for k in keys])}
        else:
            column = kind.key[0]
            found = {getattr(obj, column): obj for obj in rows.filter(**{f"{column}__in": keys})}
        for obj in found.values():
            if getattr(obj, "evidence_type_id", None) is not None:
                obj.evidence_type = self._type(obj.evidence_type_id)
        self.many_stored = {}
        pks = [obj.pk for obj in found.values()]
        for name in kind.many:
            field = kind.model._meta.get_field(name)
            through = field.remote_field.through
            source, target = f"{field.m2m_field_name()}_id", f"{field.m2m_reverse_field_name()}_id"
            current = defaultdict(set)
            for pk, related in through.objects.filter(**{f"{source}__in": pks}).values_list(source, target):
                current[pk].add(related)
            self.many_stored[name] = current
        return found

    # records into rows

    def _row(self, kind: Kind, line: int, record: dict, stored: dict) -> _Row | None:
        key = record_key(kind, record)
        obj = stored.get(key) if key is not None else None
        is_stored = obj is not None
        if obj is None:
            obj = kind.model()
        before = _snapshot(obj) if is_stored else None
        row = _Row(line, record, obj, is_stored)
        failed = len(self.problems)
        self._apply(kind, row)
        for name, target in kind.many.items():
            if name in record:
                ids = {self._id(kind, line, name, target, v) for v in record[name]}
                row.many[name] = ids
        if len(self.problems) > failed or None in set().union(*row.many.values()):
            return None
        if not is_stored:
            self._authors(kind, record, obj, created=True)
        elif _snapshot(obj) == before and all(
                ids == self.many_stored[name][obj.pk] for name, ids in row.many.items()):
            return row  # as stored: nothing to validate, nothing to write
        error = writes_bulk.validate(obj)
        if error is None and is_stored and "topics" in row.many and kind.name == "claim":
            if self.many_stored["topics"][obj.pk] != row.many["topics"]:
                try:
                    obj.clean_topics([_Pk(pk) for pk in row.many["topics"]])
                except ValidationError as exc:
                    error = exc
        if error is not None:
            self._problems_from(line, error)
            return None
        if is_stored:
            after = _snapshot(obj)
            row.changed = [name for name, value in after.items() if before[name] != value]
        return row

    def _apply(self, kind: Kind, row: _Row):
        """Set the record's values on the row's object (state fields of new rows aside)."""
        plan = _plan(kind.name)
        obj = row.obj
        for name, value in row.record.items():
            step = plan.get(name)
            if step is None:  # kind, and the many-to-many fields
                continue
            how, attname, convert = step
            if how == "value":
                try:
                    setattr(obj, attname, value if convert is None or value is None
                            else convert(value))
                except ValueError as exc:
                    self.problem(row.line, name, str(exc))
            elif how == "state":
                self._state(kind, row, name, value)
            else:
                pk = None
                if value is not None:
                    key = reference(how, value)
                    pk = self._id(kind, row.line, name, how, key)
                    if pk is None:
                        if how == kind.name and self._in_file(how, key):
                            self.links_later.append((row, attname, key))  # further on
                        continue
                if how == "evidence_type" and pk is not None:
                    setattr(obj, name, self._type(pk))
                else:
                    setattr(obj, attname, pk)

    def _state(self, kind: Kind, row: _Row, name: str, value):
        if name == "superseded_by" and value is not None:
            uid = reference("claim", value)
            if uid not in self.ids["claim"] and not self._in_file("claim", uid):
                self._id(kind, row.line, name, "claim", uid)  # says it names nothing
                return
            value = self.ids["claim"].get(uid, ("file", uid))
        if not row.stored:
            row.state = row.state or {f: writes_bulk.FRESH_DRAFT[f] for f in STATE[kind.name]}
            row.state[name] = value
            return
        stored = getattr(row.obj, "superseded_by_id" if name == "superseded_by" else name)
        if stored != value:
            given = row.record.get(name)
            was = getattr(row.obj, "superseded_by", None) if name == "superseded_by" else stored
            was = str(was.uid) if hasattr(was, "uid") else was
            self.problem(row.line, name, f"the stored {kind} has {was!r}, this record {given!r}: "
                                         f"a stored {kind}'s {name.replace('_', ' ')} changes only "
                                         "through the review workflow, never by import")

    def _authors(self, kind: Kind, record: dict, obj, created: bool):
        """Authorship the record leaves out is the importing user's, as in claims/writes.py."""
        names = ("created_by", "updated_by") if created else ("updated_by",)
        for name in names:
            if name in kind.refs and name not in record:
                setattr(obj, f"{name}_id", getattr(self.actor, "pk", None))

    def _problems_from(self, line: int, error: ValidationError):
        for name, messages in error.message_dict.items():
            for message in messages:
                self.problem(line, "record" if name == NON_FIELD_ERRORS else name, message)

    # writing

    def _write(self, kind: Kind, rows: list[_Row]):
        counts = self.report.counts[kind.name]
        model = kind.model
        new = [r for r in rows if not r.stored]
        changed = []
        for row in rows:
            if not row.stored:
                continue
            moved = {name for name, ids in row.many.items()
                     if ids != self.many_stored[name][row.obj.pk]}
            if not row.changed and not moved:
                counts["unchanged"] += 1
                self._register(kind, row)
                continue
            if kind.name in APPEND_ONLY:
                fields = ", ".join(row.changed)
                self.problem(row.line, row.changed[0] if row.changed else "record",
                             f"the stored {kind} differs in {fields}: {kind.name}s are "
                             "never changed once recorded")
                continue
            if "updated_at" in _names(model) and "updated_at" not in row.record:
                row.obj.updated_at = self.now
                row.changed.append("updated_at")
            if "updated_by" in _names(model) and "updated_by" not in row.record:
                self._authors(kind, row.record, row.obj, created=False)
                row.changed.append("updated_by")
            row.moved = moved
            changed.append(row)
        if new:
            refused = self._create(kind, new)
            self._refused(new, refused)
            written = [r for i, r in enumerate(new) if i not in refused]
            counts["created"] += len(written)
            for row in written:
                self._register(kind, row)
            waiting = {id(r) for r in self.waiting}
            self.deferred += [r for r in written if id(r) in waiting]
            self.waiting = []
        if changed:
            fields = sorted({name for r in changed for name in r.changed})
            many = {name: {r.obj.pk: r.many[name] for r in changed if name in r.moved}
                    for name in kind.many}
            refused = writes_bulk.update(model, [r.obj for r in changed], fields,
                                         actor=self.actor, reason=self.reason, many=many)
            self._refused(changed, refused)
            counts["updated"] += len(changed) - len(refused)
            for row in changed:
                self._register(kind, row)

    def _refused(self, rows: list[_Row], refused: dict):
        for index, error in refused.items():
            self._problems_from(rows[index].line, error)

    def _register(self, kind: Kind, row: _Row):
        obj = row.obj
        if obj.pk is None:
            return
        if kind.name == "paper":
            self._register_paper(obj.pk, obj.doi, obj.pmid, obj.url)
        elif kind.name in ("claim", "evidence", "topic", "evidence_type"):
            key = obj.uid.int if kind.key == ("uid",) else getattr(obj, kind.key[0])
            self.ids[kind.name][key] = obj.pk

    # the workflow's part

    def _create(self, kind: Kind, rows: list[_Row]) -> dict:
        """Write new rows; claims and evidence in the state their records give, which the
        workflow adopts as they are written (workflow.adopt_new). Returns {index: why} for
        the rows the database refused."""
        many = {name: [r.many.get(name, set()) for r in rows] for name in kind.many}
        objs = [r.obj for r in rows]

        def create(objs, as_drafts=False):
            return writes_bulk.create(kind.model, objs, actor=self.actor, reason=self.reason,
                                      many=many, as_drafts=as_drafts)

        states = self._states(kind, rows)
        if not any(states) or self.adoption_refused:
            return create(objs)
        try:
            refused, failed = workflow.adopt_new(kind.model, objs, states, self.actor,
                                                 self.reason, lambda objs: create(objs, True))
        except workflow.TransitionNotAllowed as exc:
            self._adoption_forbidden(exc)
            return create(objs)
        for index, state in enumerate(states):
            if state is not None and index not in failed:
                self._adopted(kind.model, rows[index], refused.get(index))
        return failed

    def _states(self, kind: Kind, rows: list[_Row]) -> list[dict | None]:
        """Per new row, the state workflow.adopt_new brings it to; None for a fresh draft,
        and for a retracted claim superseded by a claim further on in the file, which
        _finish() adopts once that claim is written (self.waiting until this batch is)."""
        fresh = {f: writes_bulk.FRESH_DRAFT[f] for f in STATE.get(kind.name, ())}
        states = []
        for row in rows:
            if not row.state or row.state == fresh:
                states.append(None)
                continue
            row.state["superseded_by_id"] = row.state.pop("superseded_by", None)
            if isinstance(row.state["superseded_by_id"], tuple):
                self.waiting.append(row)
                states.append(None)
            else:
                states.append(row.state)
        return states

    def _adopt(self, model, rows: list[_Row]):
        if not rows or self.adoption_refused:
            return
        try:
            refused = workflow.adopt(model, {r.obj.pk: r.state for r in rows}, self.actor,
                                     self.reason)
        except workflow.TransitionNotAllowed as exc:
            self._adoption_forbidden(exc)
            return
        for row in rows:
            self._adopted(model, row, refused.get(row.obj.pk))

    def _adopted(self, model, row: _Row, refused: str | None):
        if refused:
            self.problem(row.line, "status", refused)
        elif model is Claim and row.state["status"] in (Status.ACCEPTED, Status.RETRACTED):
            self.decided.add(row.obj.pk)

    def _adoption_forbidden(self, exc):
        self.adoption_refused = True
        who = f"--as {self.actor.get_username()}" if self.actor else "--as (not given)"
        self.problem(None, who, exc.message)

    def _mint_missing_versions(self):
        """Versions for claims adopted as accepted whose file has none, as acceptance mints;
        a batch of claims at a time (a file of accepted claims may give no versions at all)."""
        if not self.decided or self.problems:
            return
        pks = sorted(Claim.objects.filter(pk__in=self.decided)
                     .exclude(Exists(ClaimVersion.objects.filter(claim=OuterRef("pk"))))
                     .values_list("pk", flat=True))
        for start in range(0, len(pks), BATCH):
            minted = []
            for claim in with_content(Claim.objects.filter(pk__in=pks[start:start + BATCH])
                                      .order_by("pk")):
                content = claim_content(claim)
                minted.append(ClaimVersion(claim=claim, number=1, content=content,
                                           content_hash=content_hash(content),
                                           accepted_at=claim.updated_at))
            refused = writes_bulk.create(ClaimVersion, minted, actor=self.actor,
                                         reason=self.reason)
            for index, error in refused.items():
                self.problem(None, "version", f"claim {minted[index].claim.uid}: version 1 "
                                              f"cannot be minted: {' '.join(error.messages)}")
            self.report.versions_minted += len(minted) - len(refused)

    # evidence types: a small vocabulary, loaded whole, parents set once every type exists

    def _evidence_types(self, kind: Kind, batch: list):
        stored = {t.code: t for t in EvidenceType.objects.select_for_update()}
        by_pk = {t.pk: t for t in stored.values()}
        for t in stored.values():  # parents from memory: clean() walks them without queries
            if t.parent_id:
                t.parent = by_pk[t.parent_id]
        rows = []
        for number, record in batch:
            obj = stored.get(record["code"])
            before = _snapshot(obj) if obj else None
            parent = obj.parent if obj else None
            row = _Row(number, record, obj or EvidenceType(), obj is not None)
            failed = len(self.problems)
            self._apply_without_parent(kind, row)
            row.obj.parent = parent
            error = writes_bulk.validate(row.obj)
            if error is not None:
                self._problems_from(number, error)
            if len(self.problems) == failed:
                rows.append((row, before))
                if row.obj.obsolete and not (before or {}).get("obsolete"):
                    # The file's evidence may cite it: at its source it did so before the type
                    # was withdrawn. It is withdrawn here too once that evidence is in.
                    row.obj.obsolete = False
                    self.obsolete_later.append(row.obj)
        new = [r for r, _ in rows if not r.stored]
        parents = [(r, r.obj.parent) for r in new]
        for r in new:
            r.obj.parent = None
        refused = writes_bulk.create(EvidenceType, [r.obj for r in new], actor=self.actor,
                                     reason=self.reason)
        self._refused(new, refused)
        for r, parent in parents:
            r.obj.parent = parent
        known = {**stored, **{r.record["code"]: r.obj for r, _ in rows if r.obj.pk}}
        counts = self.report.counts[kind.name]
        changed = []
        for row, before in rows:
            if row.obj.pk is None:
                continue
            code = row.record.get("parent", getattr(row.obj.parent, "code", None))
            if code is not None and code not in known:
                if code not in self.scan.keys["evidence_type"]:
                    self.problem(row.line, "parent", f"unknown evidence type {code}: neither in "
                                                     "the database nor in this file")
                continue
            row.obj.parent = known.get(code)
            error = writes_bulk.validate(row.obj)
            if error is not None:
                self._problems_from(row.line, error)
                continue
            after = _snapshot(row.obj)
            if not row.stored:
                counts["created"] += 1
                if row.obj.parent_id:
                    changed.append(row)
            elif after != before:
                counts["updated"] += 1
                changed.append(row)
            else:
                counts["updated" if row.obj in self.obsolete_later else "unchanged"] += 1
            self.ids["evidence_type"][row.obj.code] = row.obj.pk
        for code, obj in stored.items():
            self.ids["evidence_type"].setdefault(code, obj.pk)
        self.types = {obj.pk: obj for obj in known.values() if obj.pk}
        if changed:
            fields = sorted(_names(EvidenceType))
            refused = writes_bulk.update(EvidenceType, [r.obj for r in changed], fields,
                                         actor=self.actor, reason=self.reason)
            self._refused(changed, refused)

    def _apply_without_parent(self, kind: Kind, row: _Row):
        meta = kind.model._meta
        for name in kind.fields:
            if name in row.record and name != "parent":
                model_field = meta.get_field(name)
                try:
                    setattr(row.obj, model_field.attname, from_json(model_field, row.record[name]))
                except ValueError as exc:
                    self.problem(row.line, name, str(exc))


def _by_identifiers(keys) -> Q:
    """Papers named by any of these (field, value) identifiers: one IN list per field."""
    grouped = defaultdict(list)
    for name, value in keys:
        grouped[name].append(value)
    query = Q(pk__in=[])
    for name, values in grouped.items():
        query |= Q(**{f"{name}__in": values})
    return query


@dataclass(frozen=True)
class _Pk:
    """A related object by id alone, for Claim.clean_topics."""

    pk: int


@cache
def _plan(name: str) -> dict[str, tuple[str, str, object]]:
    """How each field of a record is set: ("value", attname, converter or None), ("state", ...)
    for the workflow's fields, or (the kind it names, attname, None) for a reference."""
    kind = KINDS[name]
    meta = kind.model._meta
    plan = {}
    for field_name in kind.fields:
        if field_name in kind.many:
            continue
        model_field = meta.get_field(field_name)
        if field_name in STATE.get(name, ()):
            plan[field_name] = ("state", model_field.attname, None)
        elif field_name in kind.refs:
            plan[field_name] = (kind.refs[field_name], model_field.attname, None)
        else:
            plan[field_name] = ("value", model_field.attname, converter(model_field))
    return plan


@cache
def _names(model) -> frozenset[str]:
    """The concrete fields a bulk write may list."""
    return frozenset(f.name for f in model._meta.concrete_fields if not f.primary_key)


def _snapshot(obj) -> dict:
    return {f.name: getattr(obj, f.attname) for f in obj._meta.concrete_fields
            if not f.primary_key}


