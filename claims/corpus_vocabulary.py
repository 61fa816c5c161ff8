"""The words a generated corpus is made of, and the shapes that hold them."""

from dataclasses import dataclass

from claims.choices import Direction, PublicationType, Relation, Status

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

SIGNIFICANT_P_VALUES = ("p < 0.001", "p < 0.01", "p = 0.02", "p = 0.03", "p < 0.05")
RELATION_PAST_TENSE = {Relation.INCREASES: "increased", Relation.DECREASES: "reduced",
                       Relation.PREVENTS: "prevented", Relation.CAUSES: "caused",
                       Relation.ASSOCIATED_WITH: "was associated with"}
SECONDARY_OUTCOMES = ("survival", "survival", "motor function", "motor function", "grip strength",
                      "body weight", "ER stress", "microglial activation", "motor neuron survival")
