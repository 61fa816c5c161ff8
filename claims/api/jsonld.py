"""Linked data: the JSON-LD context of the exports, the project's vocabulary, and the IRIs.

Claims are schema.org Claims named urn:uuid:<uid>; papers are ScholarlyArticles named by
their DOI (https://doi.org/<doi>), else their PubMed page, else their URL; evidence types are
the ECO terms they are aligned with (http://purl.obolibrary.org/obo/ECO_NNNNNNN). What
schema.org has no word for (an evidence item, its direction, its evidence type, its paper) is
said in the project's vocabulary, whose namespace is this service's /api/v1/vocab# (the
vocabulary document, served there, describes each term).
"""

from urllib.parse import quote

from claims.choices import Direction

SCHEMA = "https://schema.org/"
XSD = "http://www.w3.org/2001/XMLSchema#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
ECO = "http://purl.obolibrary.org/obo/ECO_"

# Characters of a DOI or a URL that an IRI may hold as they are; the rest is percent-encoded
# (a DOI may contain <, >, # or ?, which would break the IRI or cut it short).
_IRI_SAFE = "/:;()!$&'*+,=@-._~"


def claim_iri(uid) -> str:
    return f"urn:uuid:{uid}"


def eco_iri(eco_id: str) -> str:
    """ECO:0000179 → http://purl.obolibrary.org/obo/ECO_0000179."""
    return ECO + eco_id.removeprefix("ECO:")


def doi_iri(doi: str) -> str:
    return "https://doi.org/" + quote(doi, safe=_IRI_SAFE)


def pubmed_iri(pmid: str) -> str:
    return f"https://pubmed.ncbi.nlm.nih.gov/{pmid}/"


def paper_iris(doi: str, pmid: str, url: str) -> tuple[str, list[str]]:
    """The paper's IRI and the other IRIs that name it too (schema:sameAs)."""
    names = [doi_iri(doi) if doi else "", pubmed_iri(pmid) if pmid else "",
             quote(url, safe=_IRI_SAFE + "?#%") if url else ""]
    names = [name for name in names if name]
    return names[0], names[1:]


def context(vocab: str) -> dict:
    """The @context of every JSON-LD document this service gives; vocab is the absolute URL of
    the vocabulary document, whose terms are vocab#term."""
    return {
        "schema": SCHEMA,
        "xsd": XSD,
        "rdfs": RDFS,
        "curation": f"{vocab}#",
        "Claim": "schema:Claim",
        "ScholarlyArticle": "schema:ScholarlyArticle",
        "Evidence": "curation:Evidence",
        "identifier": "schema:identifier",
        "url": {"@id": "schema:url", "@type": "@id"},
        "sameAs": {"@id": "schema:sameAs", "@type": "@id"},
        "name": "schema:name",
        "text": "schema:text",
        "status": "schema:creativeWorkStatus",
        "keywords": "schema:keywords",
        "dateCreated": {"@id": "schema:dateCreated", "@type": "xsd:dateTime"},
        "dateModified": {"@id": "schema:dateModified", "@type": "xsd:dateTime"},
        "datePublished": {"@id": "schema:datePublished", "@type": "xsd:gYear"},
        "subject": "curation:subject",
        "relation": "curation:relation",
        "object": "curation:object",
        "context": "curation:context",
        "supersededBy": {"@id": "curation:supersededBy", "@type": "@id"},
        "evidence": {"@id": "curation:evidence", "@type": "@id", "@container": "@set"},
        "direction": {"@id": "curation:direction", "@type": "@vocab"},
        **{direction: f"curation:{direction}" for direction in Direction.values},
        "evidenceType": {"@id": "curation:evidenceType", "@type": "@id"},
        "paper": {"@id": "curation:paper", "@type": "@id"},
        "excerpt": "curation:excerpt",
        "location": "curation:location",
        "code": "curation:code",
        "label": "rdfs:label",
        "doi": "curation:doi",
        "pmid": "curation:pmid",
    }


_TERMS = [
    ("Evidence", "rdfs:Class", "An evidence item: one paper's finding cited for or against a claim."),
    ("evidence", "rdf:Property", "From a claim to an evidence item cited for or against it."),
    ("direction", "rdf:Property", "Whether the evidence item supports the claim, contradicts it "
                                  "or leaves it open: curation:supports, curation:contradicts "
                                  "or curation:inconclusive."),
    ("supports", "curation:Direction", "The evidence supports the claim."),
    ("contradicts", "curation:Direction", "The evidence contradicts the claim."),
    ("inconclusive", "curation:Direction", "The evidence neither supports nor contradicts the claim."),
    ("evidenceType", "rdf:Property", "The kind of evidence: an ECO term, or this service's "
                                     "evidence type where it names none."),
    ("paper", "rdf:Property", "The paper (a schema:ScholarlyArticle) the evidence item cites."),
    ("excerpt", "rdf:Property", "The passage of the paper that states the finding."),
    ("location", "rdf:Property", "Where in the paper, e.g. Fig. 3B."),
    ("subject", "rdf:Property", "What the claim is about, e.g. Sigma-1R agonist PRE-084."),
    ("relation", "rdf:Property", "How the subject bears on the object, e.g. increases."),
    ("object", "rdf:Property", "What the subject acts on, e.g. survival."),
    ("context", "rdf:Property", "Where the claim holds: organism, model or system."),
    ("supersededBy", "rdf:Property", "The claim that replaces a retracted one."),
    ("code", "rdf:Property", "This service's code for an evidence type."),
    ("doi", "rdf:Property", "The paper's DOI, lower case."),
    ("pmid", "rdf:Property", "The paper's PubMed id."),
]


def vocabulary(vocab: str) -> dict:
    """The vocabulary's terms described: the document served at vocab, so its IRIs resolve."""
    return {
        "@context": {**context(vocab), "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
                     "comment": "rdfs:comment"},
        "@graph": [{"@id": f"curation:{term}", "@type": kind, "label": term, "comment": comment}
                   for term, kind, comment in _TERMS],
    }
