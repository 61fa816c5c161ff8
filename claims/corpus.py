"""A large, realistic and reproducible corpus of curation, for benchmarks and demonstrations.

Papers, claims, evidence, reviews and versions about the Sigma-1 receptor in ALS and
neurodegeneration, in the states and proportions a mature curation service would hold:
mostly accepted claims, a few retracted, the rest in draft, under review or rejected. The
same seed on the same starting database gives the same rows, uids included: every value is
drawn from a seeded random.Random and timestamps count back from a fixed anchor date, never
from the clock.

Everything is fictitious and says so: DOIs use the DOI test prefix (10.5555/corpus.<n>),
PMIDs start at 90,000,000 (far above any real one), users are corpus-curator-<n> and
corpus-reviewer-<n> with unusable passwords.

The rows are written directly (COPY on PostgreSQL, bulk_create elsewhere), not through the
workflow: no django-simple-history rows are written, so generated objects have no history
entries; their reviews and versions are written as the workflow would have left them.
Everything is written in one transaction: a refusal or a collision leaves the database as it
was.
"""

import random
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from itertools import accumulate

from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.contrib.auth.models import Group, User
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.db.models import Max

from claims import changes, data_version, synthesis
from claims.choices import (
    Direction,
    PublicationType,
    Relation,
    Role,
    Sex,
    Status,
    SynthesisLevel,
    Verdict,
)
from claims.corpus_sink import DB, Sink, lock_tables, on, table
from claims.corpus_vocabulary import (
    ALL_KINDS,
    APPROVAL_NOTES,
    BOOK_SERIES,
    CLAIM_STATES,
    CLINICAL,
    CLINICAL_JOURNALS,
    CONTEXTS,
    DIRECTIONS,
    EXPRESSED,
    IN_VITRO,
    IN_VIVO,
    INITIALS,
    JOURNALS,
    LOCATIONS,
    LOCATIONS_IN_PAPER,
    OUTCOMES,
    PUBLICATION_TYPES,
    QUALIFIERS,
    REJECTIONS,
    RELATION_PAST_TENSE,
    REQUEST_CHANGES,
    RETRACTIONS,
    SECONDARY_OUTCOMES,
    SIGNIFICANT_P_VALUES,
    STATEMENT,
    SUBJECTS,
    SURNAMES,
    TOPICS,
    TREATMENT_QUALIFIERS,
    TYPE_KINDS,
    TYPE_WEIGHTS,
    Context,
    Outcome,
    Subject,
)
from claims.models import Claim, ClaimVersion, CuratorReview, Evidence, EvidenceType, Paper, Topic
from claims.models.claims import QUALITY_FIELDS, STUDY_FIELDS, no_synthesis
from claims.versions import content_hash
from claims.workflow import required_approvals

ANCHOR = datetime(2025, 6, 30, 12, 0, tzinfo=UTC)  # "now" for every generated timestamp
SPAN_DAYS = 6 * 365  # the service's generated past: claims are created over these days
CURATORS = 8
PMID_BASE = 90_000_000

Progress = Callable[[str], None]


class CorpusRefused(Exception):
    """The corpus was not written (the database already holds curation, or rows collide)."""


# --- the public entry point ---


def generate(*, papers: int, claims: int, evidence: int, seed: int, append: bool = False,
             copy: bool | None = None, progress: Progress | None = None) -> dict[str, int]:
    """Write a corpus of this size and return how many rows of each kind were written.

    Refuses (CorpusRefused, nothing written) a database that already holds papers, claims
    or evidence, unless append: then new rows take ids after the existing ones and the seed
    reproduces them only from that same starting point. copy: write with PostgreSQL's COPY
    (None: on PostgreSQL, bulk_create elsewhere).
    """
    if min(papers, claims, evidence) < 0:
        raise ValueError("Sizes cannot be negative.")
    if evidence and not (claims and papers):
        raise ValueError("Evidence needs at least one claim and one paper to cite.")
    use_copy = connection.vendor == "postgresql" if copy is None else copy
    if use_copy and connection.vendor != "postgresql":
        raise ValueError("COPY is PostgreSQL's: use bulk inserts on this database.")
    say = progress or (lambda message: None)
    try:
        with transaction.atomic(using=DB):
            lock_tables()
            if not append and any(on(m).exists() for m in (Paper, Claim, Evidence)):
                raise CorpusRefused("The database already holds papers, claims or evidence: "
                                    "nothing was written.")
            first = {m: on(m).aggregate(n=Max("pk"))["n"] or 0 for m in changes.KINDS}
            counts = _Corpus(seed, Sink(use_copy), say).write(papers, claims, evidence)
            for model, last in first.items():
                changes.record_created_in_bulk(model, on(model).filter(pk__gt=last))
            say("change feed entries written")
            # Written without signals: each new claim's synthesis is computed here, in batches.
            synthesis.refresh(on(Claim).filter(pk__gt=first[Claim]).values_list("pk", flat=True),
                              using=DB)
            say("evidence synthesis computed")
            # COPY and bulk inserts send no signals: retire cached reads once this commits.
            transaction.on_commit(data_version.bump, using=DB)
            say("committing (the database checks every foreign key now)")
    except IntegrityError as exc:
        raise CorpusRefused(f"Generated rows collide with existing ones ({exc}); "
                            "nothing was written.") from exc
    if use_copy:
        # Until autovacuum gets to them, the planner would plan for the empty tables it last
        # saw, and index-only scans would still visit every heap page.
        # VACUUM cannot run inside a caller's transaction; ANALYZE can.
        command = "ANALYZE " if connection.in_atomic_block else "VACUUM ANALYZE "
        with connection.cursor() as cursor:
            cursor.execute(command + ", ".join(table(m) for m in Sink.MODELS))
        say(command.strip().lower())
    return counts


# --- generating ---


def _weighted(pairs):
    values, weights = zip(*pairs, strict=True)
    return values, list(accumulate(weights))


def _quota(rng: random.Random, n: int, shares) -> list:
    """n values in exactly these shares (the largest share takes the rounding), shuffled."""
    counts = [round(n * share) for _, share in shares[1:]]
    values = [shares[0][0]] * max(0, n - sum(counts))
    for (value, _), count in zip(shares[1:], counts, strict=True):
        values += [value] * count
    values = values[:n]
    rng.shuffle(values)
    return values


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


class _Clock:
    """Timestamps counted back from ANCHOR: the same seed gives the same times."""

    def __init__(self, rng: random.Random):
        self.rng = rng

    def spread(self, index: int, total: int, margin_days: int = 0) -> datetime:
        """The index-th of total moments spread over the span, in order, with jitter."""
        seconds = (SPAN_DAYS - margin_days) * 86400
        offset = int(seconds * (index + self.rng.random()) / max(total, 1))
        return ANCHOR - timedelta(days=SPAN_DAYS) + timedelta(seconds=offset)

    def after(self, moment: datetime, low_days: float, high_days: float) -> datetime:
        later = moment + timedelta(seconds=self.rng.randint(int(low_days * 86400),
                                                            int(high_days * 86400)))
        return min(later, ANCHOR)


@dataclass
class _Statement:
    subject: Subject
    relation: str
    outcome: Outcome
    context: Context
    text: str
    topics: list[str]


class _Corpus:
    def __init__(self, seed: int, sink: Sink, say: Progress):
        self.seed, self.sink, self.say = seed, sink, say
        self.counts: dict[str, int] = {}

    def _rng(self, stream: str) -> random.Random:
        # One stream per concern, seeded by the seed and the first ids (see generate()).
        return random.Random(f"corpus:{self.seed}:{self.start}:{stream}")

    def _uid(self) -> uuid.UUID:
        return uuid.UUID(int=self.rng.getrandbits(128), version=4)

    def write(self, papers: int, claims: int, evidence: int) -> dict[str, int]:
        self.ids = {model: self.sink.first_id(model) for model in self.sink.MODELS}
        self.start = ":".join(str(self.ids[m]) for m in (Paper, Claim, Evidence))
        self._vocabulary()
        self._papers(papers)
        self._claims(claims, evidence)
        self.sink.finish()
        written = self.sink.written
        return {**self.counts, "papers": written[Paper], "claims": written[Claim],
                "evidence": written[Evidence], "claim topics": written[Claim.topics.through],
                "paper topics": written[Paper.topics.through],
                "reviews": written[CuratorReview], "versions": written[ClaimVersion]}

    def _next_id(self, model) -> int:
        value = self.ids[model]
        self.ids[model] += 1
        return value

    # vocabulary rows: users, topics, evidence types

    def _vocabulary(self):
        rng = self._rng("users")
        self.curators = self._users(rng, Role.CURATOR, CURATORS)
        self.reviewers = self._users(rng, Role.REVIEWER, max(4, required_approvals() + 1))
        self.topic_ids = {}
        for slug, name in TOPICS:
            topic, created = on(Topic).get_or_create(slug=slug, defaults={"name": name})
            self.topic_ids[slug] = topic.pk
            self.counts["topics created"] = self.counts.get("topics created", 0) + created
        if not on(EvidenceType).exists():
            call_command("loaddata", "evidence_types", database=DB, verbosity=0)
        self.types = list(on(EvidenceType).select_related("parent").order_by("code"))
        self.type_codes = {t.pk: t.code for t in self.types}
        self.approvals = required_approvals()
        self.kinds = {t.pk: _type_kind(t) for t in self.types}
        self.type_choices = {}  # per context kind: types, cumulative weights
        for kind in ALL_KINDS:
            weights = []
            for t in self.types:
                weight = TYPE_WEIGHTS.get(t.code, 1)
                type_kind = self.kinds[t.pk]
                weights.append(weight * (6 if type_kind == kind else 1 if type_kind == STATEMENT
                                         else 0.3))
            self.type_choices[kind] = (self.types, list(accumulate(weights)))

    def _users(self, rng: random.Random, role: str, count: int) -> list[int]:
        group = on(Group).filter(name=role).first()
        if group is None:
            raise CorpusRefused(f"The {role} group is missing (run migrate): nothing was written.")
        ids = []
        for n in range(1, count + 1):
            password = UNUSABLE_PASSWORD_PREFIX + f"{rng.getrandbits(160):040x}"
            user, created = on(User).get_or_create(
                username=f"corpus-{role}-{n}",
                defaults={"first_name": "Corpus", "last_name": f"{_cap(role)} {n}",
                          "password": password,
                          "date_joined": ANCHOR - timedelta(days=SPAN_DAYS + 30)})
            user.groups.add(group)
            self.counts["users created"] = self.counts.get("users created", 0) + created
            ids.append(user.pk)
        return ids

    # papers

    def _papers(self, total: int):
        self.rng = rng = self._rng("papers")
        clock = _Clock(rng)
        kinds, kind_weights = _weighted(PUBLICATION_TYPES)
        self.paper_cards = []  # what a version cites of each paper: doi, pmid, url, title, year
        self.papers_by_subject: dict[str, list[int]] = {}
        self.first_paper = self.ids[Paper]
        uids = self._rng("paper uids")  # its own stream: the papers' other values stay as they were
        for index in range(total):
            pk = self._next_id(Paper)
            kind = rng.choices(kinds, cum_weights=kind_weights)[0]
            statement = self._statement(rng)
            year = 2025 - int(36 * rng.random() ** 1.7)
            doi = f"10.5555/corpus.{pk}"
            pmid = "" if kind == PublicationType.PREPRINT else str(PMID_BASE + pk)
            url = f"https://preprints.example.org/corpus.{pk}" if not pmid else ""
            retracted = kind != PublicationType.PREPRINT and rng.random() < 0.015
            title = self._title(rng, kind, statement)
            created = clock.spread(index, total)
            self.sink.add(Paper, {
                "id": pk, "uid": uuid.UUID(int=uids.getrandbits(128), version=4),
                "created_at": created, "updated_at": clock.after(created, 0, 30), "doi": doi,
                "pmid": pmid, "title": title, "authors_complete": True,
                "authors": [f"{rng.choice(SURNAMES)} {''.join(rng.sample(INITIALS, rng.choice((1, 2))))}"
                            for _ in range(rng.choice((1, 2, 3, 4, 5, 5, 6, 6, 7, 8, 9, 12)))],
                "journal": self._journal(rng, kind, statement, year),
                "year": year,
                "volume": "" if kind == PublicationType.PREPRINT else str(rng.randint(1, 320)),
                "pages": self._pages(rng, kind, year),
                "abstract": self._abstract(rng, statement),
                "publication_type": kind, "url": url, "is_retracted": retracted,
                "retraction_date": _retraction_date(rng, year) if retracted else None,
                "retraction_url": f"https://doi.org/10.5555/corpus.{pk}.retraction"
                                  if retracted else "",
                "published_version_id": None,
            })
            for slug in rng.sample(statement.topics, min(len(statement.topics), rng.choice((1, 2)))):
                self.sink.add(Paper.topics.through, {"id": self._next_id(Paper.topics.through),
                                                     "paper_id": pk, "topic_id": self.topic_ids[slug]})
            self.paper_cards.append({"doi": doi, "pmid": pmid, "url": url, "title": title,
                                     "year": year})
            self.papers_by_subject.setdefault(statement.subject.short, []).append(pk)
            if self.sink.full():
                self.sink.flush()
        self.sink.flush()
        self.say(f"papers: {total}")

    def _title(self, rng, kind, s: _Statement) -> str:
        short, outcome, phrase = s.subject.short, s.outcome.label, s.context.phrase
        if kind == PublicationType.REVIEW:
            return rng.choice((
                f"The sigma-1 receptor in amyotrophic lateral sclerosis: focus on {outcome}",
                f"Targeting {outcome} in ALS: {short} and related compounds",
                "Sigma-1 receptor ligands as candidate therapies for motor neuron disease",
                f"{_cap(outcome)} in neurodegeneration: a review"))
        if kind == PublicationType.BOOK_CHAPTER:
            return f"{_cap(outcome)} and the sigma-1 receptor in motor neuron disease"
        if kind == PublicationType.OTHER:
            return rng.choice((f"Comment on {short} and {outcome} in {phrase}",
                               f"Correspondence: {outcome} as an outcome in ALS research"))
        if s.context.kind == CLINICAL and s.subject.clinical_dose:
            return (f"Safety and efficacy of {short} in amyotrophic lateral sclerosis: "
                    "a randomised, placebo-controlled phase 2 trial")
        verb = {Relation.INCREASES: "increases", Relation.DECREASES: "reduces",
                Relation.PREVENTS: "prevents", Relation.CAUSES: "causes",
                Relation.NO_EFFECT: "does not alter"}.get(s.relation, "and")
        return rng.choice((f"{_cap(short)} {verb} {outcome} in {phrase}",
                           f"{_cap(outcome)} in {phrase}: effects of {short}",
                           f"Sigma-1 receptor signalling, {short} and {outcome} in {phrase}"))

    def _journal(self, rng, kind, s: _Statement, year: int) -> str:
        if kind == PublicationType.PREPRINT:
            return "medRxiv" if s.context.kind == CLINICAL else "bioRxiv"
        if kind == PublicationType.BOOK_CHAPTER:
            return rng.choice(BOOK_SERIES)
        return rng.choice(CLINICAL_JOURNALS if s.context.kind == CLINICAL else JOURNALS)

    def _pages(self, rng, kind, year: int) -> str:
        if kind == PublicationType.PREPRINT:
            return ""
        if year >= 2012 and rng.random() < 0.4:
            return f"e{rng.randint(10000, 99999)}"
        first = rng.randint(1, 2400)
        return f"{first}-{first + rng.randint(4, 24)}"

    def _abstract(self, rng, s: _Statement) -> str:
        short, outcome, phrase = s.subject.short, s.outcome.label, s.context.phrase
        finding = "increased" if s.subject.protective == s.outcome.good else "reduced"
        return " ".join((
            rng.choice(("Amyotrophic lateral sclerosis (ALS) is a fatal neurodegenerative disease "
                        "of upper and lower motor neurons.",
                        "The sigma-1 receptor is an ER chaperone enriched at mitochondria-"
                        "associated membranes of motor neurons.",
                        "Mutations in SIGMAR1 cause juvenile ALS, and sigma-1 receptor ligands are "
                        "neuroprotective in several models.")),
            f"We examined whether {short} modifies {outcome} in {phrase}.",
            f"{_cap(short)} {finding} {outcome} ({s.outcome.measure}).",
            rng.choice(("These findings support the sigma-1 receptor as a therapeutic target "
                        "in ALS.", "Larger, blinded studies are needed to confirm the effect.",
                        f"{_cap(outcome)} may serve as an outcome in future trials.")),
        ))

    # claims and what hangs from them

    def _statement(self, rng) -> _Statement:
        if rng.random() < 0.04:
            subject, outcome = rng.choice(EXPRESSED), rng.choice(LOCATIONS)
            context = rng.choice([c for c in CONTEXTS if c.kind == IN_VIVO])
            relation = Relation.EXPRESSED_IN
        else:
            subject = rng.choice(SUBJECTS)
            outcome = rng.choice(_outcomes_for(subject))
            context = rng.choice(_contexts_for(subject, outcome))
            relation = _relation(rng, subject, outcome)
        qualifiers = QUALIFIERS[context.kind]
        if subject.intervention:
            qualifiers += TREATMENT_QUALIFIERS[context.kind]
        qualifier = rng.choice(qualifiers)
        copula = "is " if relation in (Relation.ASSOCIATED_WITH, Relation.EXPRESSED_IN) else ""
        words = copula + Relation(relation).label
        text = _cap(f"{subject.label} {words} {outcome.label} in {context.phrase}{qualifier}.")
        topics = sorted({*subject.topics, *outcome.topics, *context.topics})
        return _Statement(subject, relation, outcome, context, text, topics)

    def _claims(self, total: int, evidence: int):
        self.rng = rng = self._rng("claims")
        # A stream of its own: the study-quality items leave every other value as it was.
        self.quality_rng = self._rng("quality")
        self.clock = _Clock(rng)
        states = _quota(rng, total, CLAIM_STATES)
        per_claim = _evidence_per_claim(rng, total, evidence)
        self.evidence_made = 0
        self.directions = _weighted(DIRECTIONS)
        self.first_claim = self.ids[Claim]
        for index in range(total):
            self._claim(index, total, states, per_claim[index])
            if self.sink.full():
                self.sink.flush()
                self.say(f"claims: {index + 1}/{total}, evidence: {self.evidence_made}/{evidence}")
        self.say(f"claims: {total}/{total}, evidence: {self.evidence_made}/{evidence}")

    def _claim(self, index: int, total: int, states: list, evidence_count: int):
        rng, clock = self.rng, self.clock
        pk, status = self._next_id(Claim), states[index]
        uid = self._uid()
        s = self._statement(rng)
        curator = rng.choice(self.curators)
        editor = curator if rng.random() < 0.9 else rng.choice(self.curators)
        created = clock.spread(index, total, margin_days=150)
        rounds = _rounds(rng, status)
        timeline = _Timeline(clock, created, status, rounds)
        superseded_by = None
        if status == Status.RETRACTED and rng.random() < 0.5:
            later = next((j for j in range(index + 1, total) if states[j] == Status.ACCEPTED), None)
            superseded_by = None if later is None else self.first_claim + later
        self.sink.add(Claim, {
            "id": pk, "uid": uid, "created_at": created, "updated_at": timeline.last,
            "text": s.text, "subject": s.subject.label, "relation": s.relation,
            "object": s.outcome.label, "context": s.context.label, "status": status,
            "review_round": rounds,
            "retraction_reason": rng.choice(RETRACTIONS) if status == Status.RETRACTED else "",
            "superseded_by_id": superseded_by, "created_by_id": curator, "updated_by_id": editor,
            # Computed once every row is in (generate()); until then, that of no evidence.
            "synthesis": no_synthesis(), "synthesis_level": SynthesisLevel.NONE, "contested": False,
            "needs_rereview": False, "rereview_reason": "",
            "assigned_reviewer_id": None, "assigned_at": None,
        })
        topics = sorted(rng.sample(s.topics, min(len(s.topics), rng.choice((1, 2, 2, 3, 3)))))
        for slug in topics:
            self.sink.add(Claim.topics.through, {"id": self._next_id(Claim.topics.through),
                                                 "claim_id": pk, "topic_id": self.topic_ids[slug]})
        self._claim_reviews(pk, status, rounds, timeline)
        accepted = []
        cited = set()
        for position in range(evidence_count):
            row = self._evidence(pk, s, status, rounds, position, curator, timeline, cited)
            if row["status"] == Status.ACCEPTED:
                accepted.append(row)
        if status in (Status.ACCEPTED, Status.RETRACTED):
            content = {"uid": str(uid), "text": s.text, "subject": s.subject.label,
                       "relation": s.relation, "object": s.outcome.label,
                       "context": s.context.label, "topics": topics,
                       "evidence": sorted((self._cited(row) for row in accepted),
                                          key=lambda e: e["uid"])}
            self.sink.add(ClaimVersion, {"id": self._next_id(ClaimVersion), "claim_id": pk,
                                         "number": 1, "content": content,
                                         "content_hash": content_hash(content),
                                         "accepted_at": timeline.decided})

    def _cited(self, row: dict) -> dict:
        """An evidence item as claims.versions cites it."""
        return {"uid": str(row["uid"]),
                "paper": self.paper_cards[row["paper_id"] - self.first_paper],
                "evidence_type": self.type_codes[row["evidence_type_id"]],
                "direction": row["direction"], "excerpt": row["excerpt"],
                "location": row["location"], **{f: row[f] for f in STUDY_FIELDS}}

    def _review(self, when, reviewer, round_, verdict, comment="", claim=None, evidence=None):
        self.sink.add(CuratorReview, {
            "id": self._next_id(CuratorReview), "uid": self._uid(), "claim_id": claim,
            "evidence_id": evidence, "review_round": round_, "verdict": verdict,
            "comment": comment, "reviewer_id": reviewer, "created_at": when})

    def _claim_reviews(self, pk: int, status: str, rounds: int, timeline: "_Timeline"):
        rng = self.rng
        for round_, when in enumerate(timeline.returned, start=1):
            self._review(when, rng.choice(self.reviewers), round_, Verdict.REQUEST_CHANGES,
                         rng.choice(REQUEST_CHANGES), claim=pk)
        if status in (Status.ACCEPTED, Status.RETRACTED):
            for reviewer in rng.sample(self.reviewers, self.approvals):
                note = rng.choice(APPROVAL_NOTES) if rng.random() < 0.2 else ""
                self._review(timeline.decided, reviewer, rounds, Verdict.APPROVE, note, claim=pk)
        elif status == Status.REJECTED:
            self._review(timeline.decided, rng.choice(self.reviewers), rounds, Verdict.REJECT,
                         rng.choice(REJECTIONS), claim=pk)

    def _evidence(self, claim: int, s: _Statement, claim_status: str, rounds: int,
                  position: int, curator: int, timeline: "_Timeline", cited: set) -> dict:
        rng = self.rng
        made = self.evidence_made
        self.evidence_made += 1
        pk, uid = self._next_id(Evidence), self._uid()
        # The first rows take every type and every direction in turn, so that all occur.
        if made < len(self.types):
            etype = self.types[made]
        else:
            types, weights = self.type_choices[s.context.kind]
            etype = rng.choices(types, cum_weights=weights)[0]
        if made < len(Direction.values):
            direction = Direction.values[made]
        else:
            direction = rng.choices(self.directions[0], cum_weights=self.directions[1])[0]
        paper, location = self._citation(rng, s, etype.pk, cited)
        status, round_, created, updated = self._evidence_state(claim_status, rounds, position,
                                                                timeline)
        author = curator if rng.random() < 0.85 else rng.choice(self.curators)
        kind = self.kinds[etype.pk]
        where = _study_context(rng, kind, s)
        row = {"id": pk, "uid": uid, "created_at": created, "updated_at": updated,
               "claim_id": claim, "paper_id": paper, "evidence_type_id": etype.pk,
               "direction": direction, "location": location, "notes": "", "status": status,
               "review_round": round_, "created_by_id": author, "updated_by_id": author,
               **_study(rng, kind, where, s, direction),
               **_quality(self.quality_rng, kind)}
        row["excerpt"] = _excerpt(rng, s, where, direction, row)
        self.sink.add(Evidence, row)
        if status == Status.REJECTED and claim_status == Status.ACCEPTED:
            self._review(updated, rng.choice(self.reviewers), round_, Verdict.REJECT,
                         rng.choice(REJECTIONS), evidence=pk)
        return row

    def _citation(self, rng, s: _Statement, type_id: int, cited: set) -> tuple[int, str]:
        """A paper and a place in it that this claim does not cite with this type yet."""
        pool = self.papers_by_subject.get(s.subject.short)
        count = len(self.paper_cards)
        for attempt in range(41):
            if pool and rng.random() < 0.6:
                paper = rng.choice(pool)
            else:
                paper = self.first_paper + int(count * rng.random() ** 1.6)
            location = rng.choice(LOCATIONS_IN_PAPER)
            if attempt == 40:  # a crowded claim: a numbered item no other citation of it has
                location = f"{location}, item {len(cited) + 1}"
            if (paper, type_id, location) not in cited:
                break
        cited.add((paper, type_id, location))
        return paper, location

    def _evidence_state(self, claim_status, rounds, position, timeline):
        """Evidence travels with its claim; some was added after the decision."""
        rng, clock = self.rng, self.clock
        # Within a day of the claim, so before its first submission (a day or more later).
        travelled = clock.after(timeline.created, 0, 1)
        if claim_status in (Status.ACCEPTED, Status.RETRACTED) and position > 0:
            roll = rng.random()
            later = clock.after(timeline.decided, 1, 60)
            if roll < 0.03:
                return Status.DRAFT, 0, later, later
            if roll < 0.06 and claim_status == Status.ACCEPTED:
                return Status.SUBMITTED, 1, later, clock.after(later, 0, 3)
            if roll < 0.08 and claim_status == Status.ACCEPTED:
                return Status.REJECTED, 1, later, clock.after(later, 1, 10)
        if claim_status == Status.SUBMITTED and position > 0 and rng.random() < 0.05:
            return Status.DRAFT, 0, timeline.last, timeline.last
        status = Status.ACCEPTED if claim_status == Status.RETRACTED else claim_status
        return status, rounds, travelled, max(travelled, timeline.decided or timeline.last)


class _Timeline:
    """When a claim was created, returned for changes, submitted, decided and last changed."""

    def __init__(self, clock: _Clock, created: datetime, status: str, rounds: int):
        self.created = created
        self.returned: list[datetime] = []
        self.submitted = None
        self.decided = None
        moment = created
        for round_ in range(1, rounds + 1):
            self.submitted = moment = clock.after(moment, 1, 20)
            if round_ < rounds or status == Status.DRAFT:
                moment = clock.after(moment, 1, 14)
                self.returned.append(moment)
        if status in (Status.ACCEPTED, Status.RETRACTED, Status.REJECTED):
            self.decided = moment = clock.after(moment, 1, 30)
        if status == Status.RETRACTED:
            moment = clock.after(moment, 30, 400)
        self.last = moment


def _rounds(rng, status: str) -> int:
    """How many times the claim was submitted: once mostly, twice after a request for changes."""
    if status == Status.DRAFT:
        return 0 if rng.random() < 0.6 else 1
    second = {Status.ACCEPTED: 0.15, Status.RETRACTED: 0.15, Status.SUBMITTED: 0.2,
              Status.REJECTED: 0.3}[status]
    return 2 if rng.random() < second else 1


def _evidence_per_claim(rng, claims: int, evidence: int) -> list[int]:
    """How many evidence items each claim has: at least one when there are enough, a few
    claims many."""
    if not claims:
        return []
    if evidence < claims:
        counts = [0] * claims
        for index in rng.sample(range(claims), evidence):
            counts[index] = 1
        return counts
    counts = [1] * claims
    weights = list(accumulate(min(rng.paretovariate(1.3), 25) for _ in range(claims)))
    for index in rng.choices(range(claims), cum_weights=weights, k=evidence - claims):
        counts[index] += 1
    return counts


def _type_kind(etype: EvidenceType) -> str:
    seen, current = set(), etype
    while current is not None and current.pk not in seen:
        if current.code in TYPE_KINDS:
            return TYPE_KINDS[current.code]
        seen.add(current.pk)
        current = current.parent
    return STATEMENT


_OUTCOMES_FOR: dict[str, tuple[Outcome, ...]] = {}
_CONTEXTS_FOR: dict[tuple[str, str], tuple[Context, ...]] = {}


def _outcomes_for(subject: Subject) -> tuple[Outcome, ...]:
    if subject.label not in _OUTCOMES_FOR:
        _OUTCOMES_FOR[subject.label] = tuple(o for o in OUTCOMES
                                             if set(o.kinds) & set(subject.kinds))
    return _OUTCOMES_FOR[subject.label]


def _contexts_for(subject: Subject, outcome: Outcome) -> tuple[Context, ...]:
    key = (subject.label, outcome.label)
    if key not in _CONTEXTS_FOR:
        kinds = set(subject.kinds) & set(outcome.kinds)
        _CONTEXTS_FOR[key] = tuple(c for c in CONTEXTS if c.kind in kinds and c.studies(outcome))
    return _CONTEXTS_FOR[key]


def _relation(rng, subject: Subject, outcome: Outcome) -> str:
    roll = rng.random()
    if roll < 0.06:
        return Relation.NO_EFFECT
    if roll < 0.12:
        return Relation.ASSOCIATED_WITH
    if subject.protective == outcome.good:
        return Relation.CAUSES if not outcome.good and roll < 0.3 else Relation.INCREASES
    return Relation.PREVENTS if not outcome.good and roll < 0.3 else Relation.DECREASES


def _retraction_date(rng, year: int) -> date:
    first = date(min(year + 1, ANCHOR.year), 1, 1)
    return min(first + timedelta(days=rng.randint(0, 3 * 365)), ANCHOR.date())


_SIGN = {Relation.INCREASES: 1, Relation.CAUSES: 1, Relation.ASSOCIATED_WITH: 1,
         Relation.DECREASES: -1, Relation.PREVENTS: -1}


def _study_context(rng, kind: str, s: _Statement) -> Context | None:
    """Where the evidence was observed: the claim's context if the evidence is of its kind."""
    if kind == STATEMENT:
        return None
    if s.context.kind == kind:
        return s.context
    of_kind = [c for c in CONTEXTS if c.kind == kind]
    return rng.choice([c for c in of_kind if c.studies(s.outcome)] or of_kind)


def _study(rng, kind: str, context: Context | None, s: _Statement, direction: str) -> dict:
    """The study fields as a preclinical or clinical reviewer records them."""
    study = {"species": "", "model": "", "sex": "", "intervention": "", "dose": "",
             "route": "", "outcome": "", "effect": "", "effect_value": None,
             "effect_unit": "", "sample_size": None}
    if context is None:
        return study
    subject, outcome = s.subject, s.outcome
    study.update(species=context.species, model=context.model,
                 intervention=subject.intervention,
                 outcome=outcome.measure if kind in outcome.kinds else outcome.label)
    if kind == IN_VIVO:
        study.update(sex=rng.choices((Sex.BOTH, Sex.MALE, Sex.FEMALE, Sex.NOT_REPORTED),
                                     cum_weights=(40, 70, 85, 100))[0],
                     dose=rng.choice(subject.doses) if subject.doses else "",
                     route=subject.route, sample_size=rng.randint(8, 40))
    elif kind == IN_VITRO:
        study.update(dose=subject.cell_dose, route="bath application" if subject.cell_dose else "",
                     sample_size=rng.randint(3, 12))
    else:
        study.update(sex=Sex.BOTH, dose=subject.clinical_dose,
                     route="oral" if subject.clinical_dose else "",
                     sample_size=rng.randint(20, 600))
        if not subject.clinical_dose:
            study["intervention"] = ""
    if outcome.magnitude is None:
        study["effect"] = "detected" if direction == Direction.SUPPORTS else "not detected"
        return study
    low, high = outcome.magnitude
    sign = _SIGN.get(s.relation, 0)
    if direction == Direction.SUPPORTS and sign:
        value, p = rng.uniform(low, high) * sign, rng.choice(SIGNIFICANT_P_VALUES)
    elif direction == Direction.INCONCLUSIVE:
        value, p = rng.uniform(low / 3, low) * (sign or 1), f"p = {rng.uniform(0.06, 0.2):.2f}"
    elif direction == Direction.CONTRADICTS and not sign:  # a no-effect claim, contradicted
        value, p = rng.uniform(low, high), rng.choice(SIGNIFICANT_P_VALUES)
    else:
        value, p = rng.uniform(-low / 2, low / 2), f"p = {rng.uniform(0.2, 0.9):.2f}"
    value = round(value, 2 if high < 1 else 1)
    control = "placebo" if kind == CLINICAL else "controls"
    study.update(effect=f"{value:+g} {outcome.unit} vs {control}, {p}", effect_value=value,
                 effect_unit=outcome.unit)
    return study


# How often an animal study reports each study-quality item, done or not done: few report all.
QUALITY_REPORTING = {"randomised": (0.45, 0.10), "blinded_assessment": (0.35, 0.10),
                     "sample_size_calculation": (0.15, 0.05), "both_sexes": (0.40, 0.30),
                     "litter_matched_controls": (0.25, 0.10)}


def _quality(rng, kind: str) -> dict:
    """The study-quality items of an in vivo study as its paper reports them (None: not reported)."""
    if kind != IN_VIVO:
        return dict.fromkeys(QUALITY_FIELDS)
    quality = {}
    for name in QUALITY_FIELDS:
        done, not_done = QUALITY_REPORTING[name]
        roll = rng.random()
        quality[name] = True if roll < done else False if roll < done + not_done else None
    return quality


def _excerpt(rng, s: _Statement, where: Context | None, direction: str, study: dict) -> str:
    """One to three sentences in the claim's own words, so searches find them."""
    short, outcome = _cap(s.subject.short), s.outcome.label
    phrase = (where or s.context).phrase
    stat = f" ({study['effect']})" if study["effect"] else ""
    if s.relation == Relation.EXPRESSED_IN:
        found = "was found" if direction == Direction.SUPPORTS else "was not consistently found"
        first = f"{short} immunoreactivity {found} in {outcome} in {phrase}."
    elif direction == Direction.INCONCLUSIVE:
        first = rng.choice((
            f"A non-significant trend in {outcome} was seen with {s.subject.short} in {phrase}{stat}.",
            f"The effect of {s.subject.short} on {outcome} in {phrase} differed between cohorts "
            "and remains uncertain."))
    elif (direction == Direction.SUPPORTS) == (s.relation == Relation.NO_EFFECT):
        # Supporting "no effect", or contradicting an effect.
        first = f"{short} did not significantly change {outcome} in {phrase}{stat}."
    else:
        first = f"{short} {RELATION_PAST_TENSE.get(s.relation, 'changed')} {outcome} in {phrase}{stat}."
    sentences = [first]
    for _ in range(rng.choice((0, 1, 1, 2))):
        other = rng.choice(SECONDARY_OUTCOMES)
        methods = {
            IN_VIVO: f"Animals were randomised, and {other} was scored blind to treatment.",
            IN_VITRO: f"Data are mean ± SEM from {rng.randint(3, 6)} independent experiments.",
            CLINICAL: f"Participants were randomised 2:1; {other} was an exploratory endpoint.",
        }.get(where.kind if where else STATEMENT, f"{_cap(other)} was discussed as a caveat.")
        sentences.append(rng.choice((f"{_cap(other)} was assessed as a secondary outcome.",
                                     f"{_cap(other)} did not differ between groups.", methods)))
    return " ".join(sentences)
