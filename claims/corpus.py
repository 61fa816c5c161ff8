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

import io
import json
import random
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from itertools import accumulate

from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.contrib.auth.models import Group, User
from django.core.management import call_command
from django.core.management.color import no_style
from django.db import DEFAULT_DB_ALIAS, IntegrityError, connection, transaction
from django.db.models import Max

from claims import data_version
from claims.choices import Direction, PublicationType, Relation, Role, Sex, Status, Verdict
from claims.models import Claim, ClaimVersion, CuratorReview, Evidence, EvidenceType, Paper, Topic
from claims.models.claims import STUDY_FIELDS
from claims.versions import content_hash
from claims.workflow import required_approvals

ANCHOR = datetime(2025, 6, 30, 12, 0, tzinfo=UTC)  # "now" for every generated timestamp
SPAN_DAYS = 6 * 365  # the service's generated past: claims are created over these days
CHUNK_ROWS = 50_000  # rows buffered per table before they are written
CURATORS = 8
PMID_BASE = 90_000_000

DB = DEFAULT_DB_ALIAS  # django.db.connection's: the primary, where every write goes

Progress = Callable[[str], None]


class CorpusRefused(Exception):
    """The corpus was not written (the database already holds curation, or rows collide)."""


# --- vocabulary ---

TOPICS = (
    ("als", "Amyotrophic lateral sclerosis"),
    ("motoneuron-disease", "Motoneuron disease"),
    ("sigma-1-receptor", "Sigma-1 receptor"),
    ("er-stress", "Endoplasmic reticulum stress"),
    ("mitochondria", "Mitochondrial function"),
    ("calcium-signalling", "Calcium signalling"),
    ("mam", "Mitochondria-associated ER membranes"),
    ("neuroinflammation", "Neuroinflammation"),
    ("neuroprotection", "Neuroprotection"),
    ("excitotoxicity", "Glutamate excitotoxicity"),
    ("autophagy", "Autophagy and proteostasis"),
    ("neuromuscular-junction", "Neuromuscular junction"),
    ("pharmacology", "Pharmacology"),
    ("genetics", "Genetics"),
    ("clinical-trials", "Clinical trials"),
    ("animal-models", "Animal models"),
    ("ipsc-models", "iPSC models"),
    ("biomarkers", "Biomarkers"),
)

IN_VIVO, IN_VITRO, CLINICAL, STATEMENT = "in vivo", "in vitro", "clinical", "statement"
PRECLINICAL = (IN_VIVO, IN_VITRO)
ALL_KINDS = (IN_VIVO, IN_VITRO, CLINICAL)


@dataclass(frozen=True)
class Subject:
    label: str  # as a claim states it
    short: str  # as a title or an excerpt names it
    protective: bool  # expected to help motor neurons (agonists) or to harm them
    topics: tuple[str, ...]
    kinds: tuple[str, ...] = PRECLINICAL
    intervention: str = ""  # empty for a genotype
    doses: tuple[str, ...] = ()
    route: str = ""
    cell_dose: str = ""
    clinical_dose: str = ""


@dataclass(frozen=True)
class Outcome:
    label: str  # a claim's object
    good: bool  # more of it is better for the patient
    topics: tuple[str, ...]
    measure: str  # the outcome an evidence item reports
    unit: str
    magnitude: tuple[float, float] | None  # a typical significant change, in unit
    kinds: tuple[str, ...]


@dataclass(frozen=True)
class Context:
    label: str  # a claim's context
    phrase: str  # how a sentence names it
    kind: str
    species: str
    model: str
    topics: tuple[str, ...]
    suits: tuple[str, ...] = ()  # the outcomes it is used to study; empty: any of its kind

    def studies(self, outcome: Outcome) -> bool:
        return self.kind in outcome.kinds and (not self.suits or outcome.label in self.suits)


_CELL_BIOLOGY = ("mitochondrial calcium uptake", "ER-mitochondria contacts", "autophagic flux",
                 "ER stress", "oxidative stress", "TDP-43 aggregation")
_SMALL_ANIMALS = ("survival", "motor function", "motor neuron loss",
                  "neuromuscular junction innervation", "TDP-43 aggregation")
_INJURY = ("motor neuron survival", "motor neuron loss", "microglial activation", "astrogliosis",
           "neuroprotection", "ER stress", "BDNF secretion")
_SLICES = ("motor neuron survival", "neuroprotection", "glutamate excitotoxicity",
           "BDNF secretion", "ER stress", "oxidative stress")

_SIGMA = ("sigma-1-receptor", "pharmacology")
SUBJECTS = (
    Subject("Sigma-1R agonist PRE-084", "PRE-084", True, _SIGMA, PRECLINICAL, "PRE-084",
            ("0.25 mg/kg/day", "0.5 mg/kg/day"), "i.p.", "10 µM"),
    Subject("Sigma-1R agonist SA4503 (cutamesine)", "SA4503", True, _SIGMA, PRECLINICAL,
            "SA4503", ("0.25 mg/kg/day", "1 mg/kg/day"), "p.o.", "1 µM"),
    Subject("pridopidine", "pridopidine", True, _SIGMA, ALL_KINDS, "pridopidine",
            ("3 mg/kg/day", "30 mg/kg/day"), "p.o.", "1 µM", "45 mg twice daily"),
    Subject("blarcamesine (ANAVEX2-73)", "blarcamesine", True, _SIGMA, ALL_KINDS,
            "blarcamesine", ("1 mg/kg/day",), "p.o.", "10 µM", "30 mg daily"),
    Subject("dextromethorphan/quinidine", "dextromethorphan/quinidine", True, _SIGMA, ALL_KINDS,
            "dextromethorphan/quinidine", ("20/10 mg/kg/day",), "p.o.", "5 µM",
            "20/10 mg twice daily"),
    Subject("fluvoxamine", "fluvoxamine", True, _SIGMA, PRECLINICAL, "fluvoxamine",
            ("1 mg/kg/day",), "i.p.", "1 µM"),
    Subject("N,N-dimethyltryptamine", "DMT", True, _SIGMA, PRECLINICAL, "N,N-dimethyltryptamine",
            ("2 mg/kg",), "i.p.", "100 µM"),
    Subject("Sigma-1R antagonist BD1063", "BD1063", False, _SIGMA, PRECLINICAL, "BD1063",
            ("5 mg/kg/day",), "i.p.", "10 µM"),
    Subject("Sigma-1R antagonist NE-100", "NE-100", False, _SIGMA, PRECLINICAL, "NE-100",
            ("1 mg/kg/day",), "i.p.", "1 µM"),
    Subject("SIGMAR1 overexpression", "Sigma-1R overexpression", True,
            ("sigma-1-receptor", "genetics"), PRECLINICAL, "AAV9-SIGMAR1", ("1e11 vg",),
            "intrathecal", "lentiviral SIGMAR1"),
    Subject("SIGMAR1 knockout", "Sigmar1 deletion", False, ("sigma-1-receptor", "genetics")),
    Subject("SIGMAR1 E102Q variant", "the E102Q variant", False, ("sigma-1-receptor", "genetics"),
            ALL_KINDS),
    Subject("C9orf72 repeat expansion", "the C9orf72 expansion", False, ("genetics",), ALL_KINDS),
    Subject("cytoplasmic TDP-43 mislocalisation", "TDP-43 mislocalisation", False,
            ("genetics", "autophagy")),
    Subject("riluzole", "riluzole", True, ("pharmacology", "excitotoxicity"), ALL_KINDS,
            "riluzole", ("8 mg/kg/day",), "p.o.", "5 µM", "50 mg twice daily"),
    Subject("edaravone", "edaravone", True, ("pharmacology",), ALL_KINDS, "edaravone",
            ("15 mg/kg",), "i.p.", "10 µM", "60 mg i.v. in cycles"),
)

OUTCOMES = (
    Outcome("survival", True, ("als",), "Kaplan-Meier survival", "days", (6, 28), (IN_VIVO,)),
    Outcome("motor function", True, ("als",), "rotarod latency to fall", "%", (15, 60),
            (IN_VIVO,)),
    Outcome("grip strength", True, ("neuromuscular-junction",), "forelimb grip strength", "%",
            (10, 45), (IN_VIVO,)),
    Outcome("age at disease onset", True, ("als",), "age at onset of hindlimb tremor", "days",
            (5, 20), (IN_VIVO,)),
    Outcome("motor neuron survival", True, ("neuroprotection",),
            "ChAT-positive motor neuron count", "%", (15, 60), PRECLINICAL),
    Outcome("neuromuscular junction innervation", True, ("neuromuscular-junction",),
            "fully innervated endplates", "%", (10, 40), (IN_VIVO,)),
    Outcome("neuroprotection", True, ("neuroprotection",), "motor neuron viability", "%",
            (15, 50), PRECLINICAL),
    Outcome("neurite outgrowth", True, ("neuroprotection",), "neurite length", "%", (20, 80),
            (IN_VITRO,)),
    Outcome("BDNF secretion", True, ("neuroprotection",), "BDNF release", "%", (20, 90),
            PRECLINICAL),
    Outcome("mitochondrial calcium uptake", True, ("mitochondria", "calcium-signalling", "mam"),
            "mitochondrial Ca2+ uptake after IP3 stimulation", "%", (15, 50), (IN_VITRO,)),
    Outcome("ER-mitochondria contacts", True, ("mam", "mitochondria"),
            "MAM contact length (electron microscopy)", "%", (15, 45), PRECLINICAL),
    Outcome("autophagic flux", True, ("autophagy",), "LC3-II turnover", "%", (20, 60),
            (IN_VITRO,)),
    Outcome("axonal transport", True, ("neuroprotection",),
            "mitochondrial axonal transport velocity", "%", (10, 40), (IN_VITRO,)),
    Outcome("ER stress", False, ("er-stress",), "CHOP and BiP expression", "%", (20, 55),
            PRECLINICAL),
    Outcome("microglial activation", False, ("neuroinflammation",), "Iba1-positive microglia",
            "%", (15, 50), (IN_VIVO,)),
    Outcome("astrogliosis", False, ("neuroinflammation",), "GFAP immunoreactivity", "%",
            (15, 45), (IN_VIVO,)),
    Outcome("glutamate excitotoxicity", False, ("excitotoxicity",),
            "cell death after glutamate exposure", "%", (20, 60), (IN_VITRO,)),
    Outcome("oxidative stress", False, ("mitochondria",), "ROS production", "%", (15, 50),
            PRECLINICAL),
    Outcome("TDP-43 aggregation", False, ("autophagy",), "cytoplasmic TDP-43 inclusions", "%",
            (20, 60), PRECLINICAL),
    Outcome("motor neuron loss", False, ("neuroprotection",), "lumbar motor neuron loss", "%",
            (15, 50), (IN_VIVO,)),
    Outcome("ALSFRS-R decline", False, ("clinical-trials", "biomarkers"), "ALSFRS-R slope",
            "points/month", (0.1, 0.5), (CLINICAL,)),
    Outcome("plasma neurofilament light", False, ("biomarkers",), "plasma NfL", "%", (10, 35),
            (CLINICAL,)),
    Outcome("tracheostomy-free survival", True, ("clinical-trials",),
            "time to death or tracheostomy", "months", (2, 9), (CLINICAL,)),
    Outcome("slow vital capacity", True, ("clinical-trials",), "SVC, % predicted", "%",
            (3, 10), (CLINICAL,)),
)

CONTEXTS = (
    Context("SOD1-G93A mouse", "SOD1-G93A mice", IN_VIVO, "mouse",
            "SOD1-G93A (B6SJL-Tg(SOD1*G93A)1Gur/J)", ("animal-models", "als")),
    Context("SOD1-G93A rat", "SOD1-G93A rats", IN_VIVO, "rat", "SOD1-G93A rat",
            ("animal-models", "als")),
    Context("wobbler mouse", "wobbler mice", IN_VIVO, "mouse", "wobbler (Vps54 wr/wr)",
            ("animal-models", "motoneuron-disease")),
    Context("TDP-43 A315T mouse", "TDP-43 A315T mice", IN_VIVO, "mouse", "Prp-TDP-43 A315T",
            ("animal-models", "als")),
    Context("Sigmar1 knockout mouse", "Sigmar1 knockout mice", IN_VIVO, "mouse", "Sigmar1-/-",
            ("animal-models", "sigma-1-receptor")),
    Context("FUS P525L knock-in mouse", "FUS P525L knock-in mice", IN_VIVO, "mouse",
            "Fus P525L knock-in", ("animal-models", "als")),
    Context("ventral root avulsion rat", "rats after ventral root avulsion", IN_VIVO, "rat",
            "L4-L5 ventral root avulsion", ("animal-models", "motoneuron-disease"), _INJURY),
    Context("sod1 G93R zebrafish", "sod1 G93R zebrafish", IN_VIVO, "zebrafish", "sod1 G93R",
            ("animal-models", "als"), _SMALL_ANIMALS),
    Context("Drosophila TDP-43 model", "flies expressing human TDP-43", IN_VIVO,
            "Drosophila melanogaster", "D42>TDP-43 WT", ("animal-models",), _SMALL_ANIMALS),
    Context("NSC-34 cells", "NSC-34 motor neuron-like cells", IN_VITRO, "mouse", "NSC-34",
            ("motoneuron-disease",)),
    Context("patient iPSC motor neurons", "iPSC-derived motor neurons from ALS patients",
            IN_VITRO, "human", "iPSC-MN (SOD1, C9orf72 and TARDBP lines)", ("ipsc-models", "als")),
    Context("primary spinal motor neurons", "primary mouse spinal motor neurons", IN_VITRO,
            "mouse", "E12.5 spinal cord cultures", ("motoneuron-disease",)),
    Context("organotypic spinal cord slices", "organotypic spinal cord slice cultures",
            IN_VITRO, "rat", "organotypic lumbar slices, chronic excitotoxicity",
            ("excitotoxicity",), _SLICES),
    Context("HEK293 cells expressing SIGMAR1 E102Q", "HEK293 cells expressing SIGMAR1 E102Q",
            IN_VITRO, "human", "HEK293T, SIGMAR1 E102Q", ("sigma-1-receptor", "genetics"),
            _CELL_BIOLOGY),
    Context("ALS patient fibroblasts", "fibroblasts from ALS patients", IN_VITRO, "human",
            "primary dermal fibroblasts", ("als",), _CELL_BIOLOGY),
    Context("ALS patients", "people with ALS", CLINICAL, "human", "ALS (revised El Escorial)",
            ("als", "clinical-trials")),
    Context("SIGMAR1 variant carriers", "patients carrying SIGMAR1 variants", CLINICAL, "human",
            "juvenile ALS (ALS16)", ("als", "genetics")),
)

# Claims that a protein sits somewhere: a small share, with their own words.
EXPRESSED = (
    Subject("Sigma-1 receptor", "Sigma-1R", True, ("sigma-1-receptor",)),
    Subject("Sigma-1R E102Q protein", "Sigma-1R E102Q", False, ("sigma-1-receptor", "genetics")),
    Subject("BiP/GRP78", "BiP", True, ("er-stress",)),
)
LOCATIONS = tuple(
    Outcome(label, True, topics, "immunoreactivity", "", None, (IN_VIVO,))
    for label, topics in (
        ("C-terminal cholinergic synapses of spinal motor neurons", ("neuromuscular-junction",)),
        ("mitochondria-associated ER membranes", ("mam",)),
        ("reactive astrocytes", ("neuroinflammation",)),
        ("motor neuron nuclear envelope", ("sigma-1-receptor",)),
    ))

# How a claim narrows its statement; the second set only where something is given.
QUALIFIERS = {
    IN_VIVO: ("", "", "", " in both sexes", " at end stage", " at presymptomatic stages"),
    IN_VITRO: ("", "", " under tunicamycin-induced ER stress", " under glutamate challenge"),
    CLINICAL: ("", "", " in bulbar-onset disease", " in familial ALS"),
}
TREATMENT_QUALIFIERS = {
    IN_VIVO: (" when treatment starts at symptom onset", " when given from presymptomatic stages",
              " after chronic daily treatment"),
    IN_VITRO: (" in a dose-dependent manner", " after 48 h of treatment"),
    CLINICAL: (" over 24 weeks of treatment", " in a phase 2 trial"),
}

# Evidence types by kind; a type not listed takes the kind of its nearest listed ancestor.
TYPE_KINDS = {
    "in-vivo": IN_VIVO, "in-vivo-animal-model": IN_VIVO, "knockout-phenotype": IN_VIVO,
    "immunohistochemistry": IN_VIVO, "expression-localisation": IN_VIVO,
    "experimental-phenotype": IN_VIVO, "experimental": IN_VIVO,
    "in-vitro": IN_VITRO, "cell-culture": IN_VITRO, "electrophysiology": IN_VITRO,
    "pharmacological-assay": IN_VITRO, "direct-assay": IN_VITRO,
    "clinical-study": CLINICAL, "patient-genetic-variant": CLINICAL,
    "author-statement": STATEMENT, "curator-inference": STATEMENT,
}
# How often each type is cited; the generic parent types are rarely the best description.
TYPE_WEIGHTS = {
    "in-vivo-animal-model": 10, "cell-culture": 7, "in-vitro": 5, "pharmacological-assay": 5,
    "immunohistochemistry": 4, "in-vivo": 4, "knockout-phenotype": 3, "clinical-study": 3,
    "expression-localisation": 2, "electrophysiology": 2, "patient-genetic-variant": 2,
    "author-statement": 2, "curator-inference": 1, "direct-assay": 0.5,
    "experimental-phenotype": 0.5, "experimental": 0.3,
}

CLAIM_STATES = ((Status.ACCEPTED, 0.89), (Status.RETRACTED, 0.03), (Status.SUBMITTED, 0.03),
                (Status.DRAFT, 0.03), (Status.REJECTED, 0.02))
DIRECTIONS = ((Direction.SUPPORTS, 0.80), (Direction.CONTRADICTS, 0.12),
              (Direction.INCONCLUSIVE, 0.08))
PUBLICATION_TYPES = ((PublicationType.RESEARCH_ARTICLE, 0.76), (PublicationType.REVIEW, 0.12),
                     (PublicationType.PREPRINT, 0.06), (PublicationType.BOOK_CHAPTER, 0.03),
                     (PublicationType.OTHER, 0.03))

JOURNALS = ("Neurobiology of Disease", "Brain", "Annals of Neurology", "Journal of Neuroscience",
            "Neuropharmacology", "Acta Neuropathologica", "Experimental Neurology",
            "Molecular Neurodegeneration", "Cell Death & Disease", "Human Molecular Genetics",
            "Amyotrophic Lateral Sclerosis and Frontotemporal Degeneration", "Neurotherapeutics",
            "Journal of Neurochemistry", "British Journal of Pharmacology",
            "Frontiers in Cellular Neuroscience", "Scientific Reports", "eLife",
            "Nature Communications")
CLINICAL_JOURNALS = ("Lancet Neurology", "Neurology", "Muscle & Nerve", "JAMA Neurology",
                     "Amyotrophic Lateral Sclerosis and Frontotemporal Degeneration")
BOOK_SERIES = ("Advances in Experimental Medicine and Biology",
               "Handbook of Experimental Pharmacology")
SURNAMES = ("Mancuso", "Navarro", "Mavlyutov", "Ruoho", "Al-Saif", "Hayashi", "Su", "Bernard-Marissal",
            "Prause", "Weng", "Gregianin", "Ionescu", "Ono", "Peviani", "Herrando-Grabulosa",
            "Couly", "Geva", "Hayden", "Maurice", "Nguyen", "Lahmy", "Watanabe", "Dreser",
            "Fukunaga", "Kourrich", "Tsai", "Pal", "Smith", "Garcia", "Müller", "Rossi", "Kim",
            "Chen", "Wang", "Li", "Dubois", "Jensen", "Novak", "Kowalski", "Silva", "Costa",
            "Okafor", "Haddad", "Yilmaz", "Petrov", "Andersson", "O'Brien", "Lindqvist",
            "Moreau", "Sato", "Kumar", "Singh", "Ferreira", "Bauer", "Schneider", "Ivanova")
INITIALS = "ABCDEFGHIJKLMNOPRSTVWY"
LOCATIONS_IN_PAPER = (
    *(f"Fig. {n}{p}" for n in range(1, 8) for p in "ABCDEF"),
    *(f"Table {n}" for n in range(1, 5)), *(f"Supplementary Fig. S{n}" for n in range(1, 9)),
    "abstract", "Results", "Discussion")
REQUEST_CHANGES = (
    "Please cite the figure panel that shows the effect.",
    "The context should name the strain and the sex of the animals.",
    "The excerpt overstates the result; quote the statistics.",
    "Split this into two claims: the outcomes are measured separately.",
    "Add the dose and the route to the evidence.",
)
REJECTIONS = (
    "The cited study does not test this claim.",
    "Duplicate of an accepted claim.",
    "The effect was not significant; the evidence does not support the claim as stated.",
    "The excerpt reports a different model from the claim's context.",
)
RETRACTIONS = (
    "Superseded by a larger, blinded study.",
    "The main supporting paper was retracted.",
    "The effect was not reproduced in an independent cohort.",
    "Curation error: the evidence reports a different model.",
)
APPROVAL_NOTES = ("Well supported.", "Consistent with the cited figures.")


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
            _lock_tables()
            if not append and any(_on(m).exists() for m in (Paper, Claim, Evidence)):
                raise CorpusRefused("The database already holds papers, claims or evidence: "
                                    "nothing was written.")
            counts = _Corpus(seed, _Sink(use_copy), say).write(papers, claims, evidence)
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
            cursor.execute(command + ", ".join(_table(m) for m in _Sink.MODELS))
        say(command.strip().lower())
    return counts


# --- writing ---


def _on(model):
    """The model's rows on the connection the corpus is written on, whatever the routers say:
    a replica may lag behind the checks and the ids the writes depend on."""
    return model._default_manager.using(DB)


def _table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _lock_tables():
    """Keep other writers out until the corpus is written: the ids it takes stay free.

    SQLite's transactions already take the database's write lock up front."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"LOCK TABLE {', '.join(_table(m) for m in _Sink.MODELS)} "
                           "IN EXCLUSIVE MODE")


_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _escaped(text: str) -> str:
    # Tabs and line breaks are not printable: most values need no new string at all.
    return text if text.isprintable() and "\\" not in text else text.translate(_COPY_ESCAPES)


def _copy_text(value) -> str:
    """One value in COPY's text format."""
    if isinstance(value, str):
        return _escaped(value)
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, dict | list):
        return _escaped(json.dumps(value, ensure_ascii=False))
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)  # int, float, UUID


class _Sink:
    """Rows buffered per table and written in chunks, parents before children."""

    MODELS = (Paper, Paper.topics.through, Claim, Claim.topics.through, Evidence,
              CuratorReview, ClaimVersion)

    def __init__(self, use_copy: bool):
        self.use_copy = use_copy
        self.rows = {model: [] for model in self.MODELS}
        self.written = dict.fromkeys(self.MODELS, 0)
        self.fields = {m: [f.attname for f in m._meta.concrete_fields] for m in self.MODELS}

    def first_id(self, model) -> int:
        return (_on(model).aggregate(last=Max("pk"))["last"] or 0) + 1

    def add(self, model, row: dict):
        if self.use_copy:  # a line of text holds far less memory than a dict
            row = "\t".join([_copy_text(row[name]) for name in self.fields[model]])
        self.rows[model].append(row)

    def full(self) -> bool:
        return any(len(rows) >= CHUNK_ROWS for rows in self.rows.values())

    def flush(self):
        for model, rows in self.rows.items():
            if rows:
                (self._copy if self.use_copy else self._bulk_create)(model, rows)
                self.written[model] += len(rows)
                rows.clear()

    def finish(self):
        self.flush()
        with connection.cursor() as cursor:
            for sql in connection.ops.sequence_reset_sql(no_style(), self.MODELS):
                cursor.execute(sql)

    def _bulk_create(self, model, rows):
        _on(model).bulk_create([model(**row) for row in rows], batch_size=1000)

    def _copy(self, model, lines):
        # Bytes: a StringIO holding any non-ASCII character (µ, ±) takes four bytes a character.
        buffer = io.BytesIO(("\n".join(lines) + "\n").encode())
        columns = ", ".join(connection.ops.quote_name(f.column)
                            for f in model._meta.concrete_fields)
        with connection.cursor() as cursor, connection.wrap_database_errors:
            cursor.copy_expert(f"COPY {_table(model)} ({columns}) FROM STDIN", buffer)


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
    def __init__(self, seed: int, sink: _Sink, say: Progress):
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
            topic, created = _on(Topic).get_or_create(slug=slug, defaults={"name": name})
            self.topic_ids[slug] = topic.pk
            self.counts["topics created"] = self.counts.get("topics created", 0) + created
        if not _on(EvidenceType).exists():
            call_command("loaddata", "evidence_types", database=DB, verbosity=0)
        self.types = list(_on(EvidenceType).select_related("parent").order_by("code"))
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
        group = _on(Group).filter(name=role).first()
        if group is None:
            raise CorpusRefused(f"The {role} group is missing (run migrate): nothing was written.")
        ids = []
        for n in range(1, count + 1):
            password = UNUSABLE_PASSWORD_PREFIX + f"{rng.getrandbits(160):040x}"
            user, created = _on(User).get_or_create(
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
                "id": pk, "created_at": created, "updated_at": clock.after(created, 0, 30),
                "doi": doi, "pmid": pmid, "title": title,
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
               **_study(rng, kind, where, s, direction)}
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
_SIGNIFICANT = ("p < 0.001", "p < 0.01", "p = 0.02", "p = 0.03", "p < 0.05")


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
        value, p = rng.uniform(low, high) * sign, rng.choice(_SIGNIFICANT)
    elif direction == Direction.INCONCLUSIVE:
        value, p = rng.uniform(low / 3, low) * (sign or 1), f"p = {rng.uniform(0.06, 0.2):.2f}"
    elif direction == Direction.CONTRADICTS and not sign:  # a no-effect claim, contradicted
        value, p = rng.uniform(low, high), rng.choice(_SIGNIFICANT)
    else:
        value, p = rng.uniform(-low / 2, low / 2), f"p = {rng.uniform(0.2, 0.9):.2f}"
    value = round(value, 2 if high < 1 else 1)
    control = "placebo" if kind == CLINICAL else "controls"
    study.update(effect=f"{value:+g} {outcome.unit} vs {control}, {p}", effect_value=value,
                 effect_unit=outcome.unit)
    return study


_PAST = {Relation.INCREASES: "increased", Relation.DECREASES: "reduced",
         Relation.PREVENTS: "prevented", Relation.CAUSES: "caused",
         Relation.ASSOCIATED_WITH: "was associated with"}
_SECONDARY = ("survival", "survival", "motor function", "motor function", "grip strength",
              "body weight", "ER stress", "microglial activation", "motor neuron survival")


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
        first = f"{short} {_PAST.get(s.relation, 'changed')} {outcome} in {phrase}{stat}."
    sentences = [first]
    for _ in range(rng.choice((0, 1, 1, 2))):
        other = rng.choice(_SECONDARY)
        methods = {
            IN_VIVO: f"Animals were randomised, and {other} was scored blind to treatment.",
            IN_VITRO: f"Data are mean ± SEM from {rng.randint(3, 6)} independent experiments.",
            CLINICAL: f"Participants were randomised 2:1; {other} was an exploratory endpoint.",
        }.get(where.kind if where else STATEMENT, f"{_cap(other)} was discussed as a caveat.")
        sentences.append(rng.choice((f"{_cap(other)} was assessed as a secondary outcome.",
                                     f"{_cap(other)} did not differ between groups.", methods)))
    return " ".join(sentences)
