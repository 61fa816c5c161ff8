"""Readers for bibliography files: RIS, BibTeX, MEDLINE text and PubMed XML.

Each reader takes a file's bytes and yields one plain dict of Paper fields per record, in file
order, holding only what the record gives: doi, pmid, title, authors, authors_complete,
journal, year, volume, pages, abstract, publication_type, url. Values are as the record writes
them (a year may still be text); Paper.full_clean() judges them. Names follow the house form,
"Family Initials" as PubMed writes them ("Navarro X", "Kwok JBJ"). A file that cannot be read
raises BibliographyError saying where.
"""

import io
import os
import re
from collections.abc import Iterable, Iterator
from pathlib import PurePath

import bibtexparser
import rispy
from bibtexparser.bparser import BibTexParser
from bibtexparser.customization import splitname
from bibtexparser.latexenc import latex_to_unicode
from Bio import Entrez, Medline
from Bio import __version__ as BIOPYTHON_VERSION
from Bio.Entrez.Parser import DataHandler

from claims.choices import PublicationType

FORMATS = ("ris", "bibtex", "medline", "pubmed-xml")
_EXTENSIONS = {".ris": "ris", ".bib": "bibtex", ".bibtex": "bibtex", ".nbib": "medline",
               ".medline": "medline", ".xml": "pubmed-xml"}
_MAX_LISTED = 20  # problems listed for a malformed file; the rest are counted


class BibliographyError(ValueError):
    """The file cannot be read in the format asked for; the message says where."""


def read(data: bytes, fmt: str) -> list[dict]:
    """Every record of a file in one of FORMATS, as dicts of Paper fields."""
    _require_content(data)
    records = list(_READERS[fmt](data))
    if not records:
        raise BibliographyError(f"The file holds no {fmt} records.")
    return records


def detect_format(name: str, data: bytes) -> str:
    """The format named by the file's extension, else recognised from its first lines."""
    by_extension = _EXTENSIONS.get(PurePath(name).suffix.lower())
    if by_extension:
        return by_extension
    _require_content(data)
    head = _text(data)[:4000]
    first = head.lstrip().partition("\n")[0]
    if first.startswith("<"):
        return "pubmed-xml"
    if first.startswith("TY  -"):
        return "ris"
    if first.startswith("PMID-"):
        return "medline"
    if re.search(r"^\s*@\w+\s*[{(]", head, re.MULTILINE):
        return "bibtex"
    raise BibliographyError("Cannot tell the format from the file's name or content: give "
                            f"--format ({', '.join(FORMATS)}).")


def _require_content(data: bytes):
    if not data.strip():
        raise BibliographyError("The file is empty.")


def house_name(family: str, given: str = "", suffix: str = "") -> str:
    """A name as PubMed writes it: ("Navarro", "Xavier") -> "Navarro X"."""
    parts = (" ".join(family.split()), _initials(given), " ".join(suffix.split()))
    return " ".join(part for part in parts if part)


def _initials(given: str) -> str:
    letters = []
    for part in re.split(r"[\s.\-\u2010\u2013]+", given.strip()):
        if part.isupper() and len(part) <= 3:
            letters.append(part)  # already initials, as in "JBJ"
        elif part[:1].isupper():
            letters.append(part[0])
    if not letters and given.strip():
        letters.append(given.strip()[0].upper())
    return "".join(letters)


_ET_AL = {"et al", "et al.", "others", "..."}


def _authors(names: Iterable[str], house=lambda name: name) -> dict:
    """authors in the house form and authors_complete, which "et al." or "others" turns off."""
    authors, complete = [], True
    for name in names:
        if " ".join(name.split()).lower() in _ET_AL:
            complete = False
        elif name.strip():
            authors.append(house(name))
    return {"authors": authors, "authors_complete": complete}


def _free_name(text: str) -> str:
    """A name as reference managers write it: "Family, Given", "Family GB" or "Given Family"."""
    text = " ".join(text.split())
    if "," in text:
        family, _, rest = text.partition(",")
        given, _, suffix = rest.partition(",")
        return house_name(family, given, suffix)
    if re.fullmatch(r".+ [A-Z]{1,4}", text):
        return text
    parts = splitname(text, strict_mode=False)
    return house_name(" ".join(parts["von"] + parts["last"]), " ".join(parts["first"]),
                      " ".join(parts["jr"]))


def _year(value) -> str:
    """The four-digit year a date starts with ("2012/04/01/", "2010 Apr 28"); else the text
    as given, for validation to name."""
    text = str(value or "").strip()
    found = re.match(r"(\d{4})\b", text)
    return found.group(1) if found else text


def _pages(value) -> str:
    return re.sub(r"\s*(?:--?|\u2013|\u2014)\s*", "-", " ".join(str(value or "").split()))


def _publication_type(markers: Iterable[str], *, chapter=False, other=False) -> str:
    """Review or preprint when a type field says so, else the kind the record's type gives."""
    said = " ".join(markers)
    if re.search(r"(?<!peer )\breview\b", said, re.IGNORECASE):
        return PublicationType.REVIEW
    if re.search(r"\bpre-?print\b", said, re.IGNORECASE):
        return PublicationType.PREPRINT
    if chapter:
        return PublicationType.BOOK_CHAPTER
    return PublicationType.OTHER if other else PublicationType.RESEARCH_ARTICLE


def _paper(**values) -> dict:
    """The fields a record gives, tidied, without the empty ones."""
    fields = {}
    for name, value in values.items():
        if isinstance(value, str):
            value = " ".join(value.split())
        if value not in ("", None, []):
            fields[name] = value
    return fields


def _first(*values) -> str:
    return next((str(v) for v in values if v and str(v).strip()), "")


def _doi_in(text: str) -> str:
    found = re.search(r"\b(10\.\d{4,9}/\S+)", text or "")
    return found.group(1) if found else ""


def _text(data: bytes) -> str:
    """The file as UTF-8 text, or an error saying what it seems to be instead."""
    nuls = data.count(b"\x00")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) or nuls * 8 > len(data):
        raise BibliographyError("The file is not UTF-8 text (it looks like UTF-16): save it as "
                                "UTF-8 and import it again.")
    if nuls:
        # No database stores a NUL in text (PostgreSQL refuses it outright).
        line = data.count(b"\n", 0, data.index(b"\x00")) + 1
        raise BibliographyError(f"The file holds a NUL byte (0x00) on line {line}, which is not "
                                "text: remove it and import the file again.")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise BibliographyError(
            f"The file is not UTF-8 text: byte 0x{data[exc.start]:02x} on line {line} is not "
            "UTF-8 (Latin-1 or Windows-1252?): save it as UTF-8 and import it again.") from None


def _malformed(kind: str, problems: list[str]) -> BibliographyError:
    listed = problems[:_MAX_LISTED]
    if len(problems) > _MAX_LISTED:
        listed.append(f"... and {len(problems) - _MAX_LISTED} more")
    return BibliographyError(f"Not a well-formed {kind} file:\n" + "\n".join(listed))


def _line_of(text: str, fragment: str) -> int:
    position = text.find(fragment)
    return text.count("\n", 0, position) + 1 if position >= 0 else 0


# RIS ---------------------------------------------------------------------------------------

_RIS_TAG = re.compile(r"([A-Z][A-Z0-9])  -(?: |$)")
_RIS_CHAPTERS = {"CHAP", "ECHAP"}
_RIS_ARTICLES = {"JOUR", "EJOUR", "JFULL", "MGZN", "INPR", "ABST"}


def read_ris(data: bytes) -> Iterator[dict]:
    """RIS (EndNote, Zotero, Mendeley, publishers), read with rispy."""
    text = _text(data)
    _check_ris(text)
    for entry in rispy.loads(text):
        yield _ris_paper(entry)


def _check_ris(text: str):
    # rispy skips text outside records, drops a record with no ER and merges a record into
    # the one before when that one's ER is missing: say so instead.
    problems, opened = [], 0
    for number, line in enumerate(text.splitlines(), 1):
        tag = _RIS_TAG.match(line)
        tag = tag.group(1) if tag else None
        if tag == "TY":
            if opened:
                problems.append(f"line {number}: a record starts before the one from line "
                                f"{opened} has ended (ER missing)")
            opened = number
        elif tag == "ER":
            if not opened:
                problems.append(f"line {number}: ER with no record (TY) to end")
            opened = 0
        elif line.strip() and not opened:
            problems.append(f"line {number}: text outside a record: {line.strip()[:60]!r}")
    if opened:
        problems.append(f"line {opened}: the record that starts here has no ER")
    if problems:
        raise _malformed("RIS", problems)


def _ris_paper(entry: dict) -> dict:
    kind = entry.get("type_of_reference", "").strip().upper()
    chapter = kind in _RIS_CHAPTERS
    notes = [*entry.get("notes", []), entry.get("note", "")]
    pmid = entry.get("accession_number", "").strip()
    if not pmid.isdigit():
        found = re.search(r"\bPMID:?\s*(\d+)", " ".join(notes))
        pmid = found.group(1) if found else ""
    urls = entry.get("urls", [])
    if chapter:  # a chapter's journal is its book series, else the book
        journal = _first(entry.get("tertiary_title"), entry.get("secondary_title"))
    else:
        journal = _first(entry.get("alternate_title3"), entry.get("secondary_title"),
                         entry.get("journal_name"), entry.get("alternate_title2"),
                         entry.get("alternate_title1"))
    start, end = entry.get("start_page", "").strip(), entry.get("end_page", "").strip()
    return _paper(
        doi=_first(entry.get("doi"), *(_doi_in(url) for url in urls if "doi.org/" in url)),
        pmid=pmid,
        title=_first(entry.get("title"), entry.get("primary_title")),
        **_authors(entry.get("authors") or entry.get("first_authors") or [], _free_name),
        journal=journal,
        year=_year(_first(entry.get("year"), entry.get("publication_year"), entry.get("date"))),
        volume=entry.get("volume", ""),
        pages=_pages(f"{start}-{end}" if start and end and end != start else start or end),
        abstract=_first(entry.get("abstract"), entry.get("notes_abstract")),
        publication_type=_publication_type(
            [entry.get("type_of_work", "")], chapter=chapter,
            other=not chapter and kind not in _RIS_ARTICLES),
        url=_first(*urls),
    )


# BibTeX ------------------------------------------------------------------------------------

_BIBTEX_ENTRY = re.compile(r"\s*@(?!comment\b)\w+\s*[{(]", re.IGNORECASE)
_PREPRINT_SERVERS = re.compile(r"\b(arxiv|biorxiv|medrxiv|research square|ssrn|preprints\.org)\b",
                               re.IGNORECASE)


def read_bibtex(data: bytes) -> Iterator[dict]:
    """BibTeX or BibLaTeX, read with bibtexparser 1.x; LaTeX accents become Unicode."""
    text = _text(data)
    parser = BibTexParser(common_strings=True, ignore_nonstandard_types=False,
                          interpolate_strings=True)
    try:
        database = bibtexparser.loads(text, parser=parser)
    except Exception as exc:  # bibtexparser lets its pyparsing errors through
        raise BibliographyError(f"Not a readable BibTeX file: {exc}") from None
    # bibtexparser keeps an entry it cannot parse as a comment and goes on: say so instead.
    unread = [comment for comment in database.comments if _BIBTEX_ENTRY.match(comment)]
    if unread:
        raise _malformed("BibTeX", [
            f"line {_line_of(text, comment)}: an entry that cannot be read: "
            f"{' '.join(comment.split())[:60]!r}" for comment in unread])
    for entry in database.entries:
        yield _bibtex_paper(entry)


def _latex(value: str) -> str:
    return latex_to_unicode(value or "").strip()


def _bibtex_names(value: str) -> list[str]:
    names, depth, start = [], 0, 0
    value = " ".join(value.split())
    for position, char in enumerate(value):  # " and " separates names only outside braces
        depth += {"{": 1, "}": -1}.get(char, 0)
        if depth == 0 and value.startswith(" and ", position):
            names.append(value[start:position])
            start = position + 5
    return [*names, value[start:]]


def _bibtex_name(name: str) -> str:
    parts = splitname(name.strip(), strict_mode=False)
    family = " ".join(parts["von"] + parts["last"])
    given = " ".join(parts["first"])
    if not family:  # a single word, or a {Corporate Author}
        family, given = given, ""
    return house_name(_latex(family), _latex(given), _latex(" ".join(parts["jr"])))


def _bibtex_paper(raw: dict) -> dict:
    entry = {key.lower(): value for key, value in raw.items()}
    kind = entry.get("entrytype", "").lower()
    chapter = kind in ("incollection", "inbook")
    field = lambda name: _latex(entry.get(name, ""))  # noqa: E731
    pmid = field("pmid")
    if not pmid and field("eprinttype").lower() == "pubmed":
        pmid = field("eprint")
    preprint = kind in ("unpublished", "misc", "online") and bool(_PREPRINT_SERVERS.search(" ".join(
        field(name) for name in ("archiveprefix", "eprinttype", "journal", "publisher",
                                 "howpublished", "note"))))
    return _paper(
        doi=_first(field("doi"), _doi_in(field("url")) if "doi.org/" in field("url") else ""),
        pmid=pmid,
        title=field("title"),
        **_authors(_bibtex_names(entry.get("author", "")), _bibtex_name),
        journal=(_first(field("series"), field("booktitle")) if chapter
                 else _first(field("journal"), field("journaltitle"))),
        year=_year(_first(field("year"), field("date"))),
        volume=field("volume"),
        pages=_pages(field("pages")),
        abstract=field("abstract"),
        publication_type=_publication_type(
            [field("type"), "preprint" if preprint else ""], chapter=chapter,
            other=kind not in ("article", "incollection", "inbook", "unpublished", "misc",
                               "online")),
        url=field("url"),
    )


# MEDLINE text ------------------------------------------------------------------------------

_MEDLINE_TAG = re.compile(r"[A-Z][A-Z0-9]{1,3} *-")  # the tag, padded to four, then "-"


def read_medline(data: bytes) -> Iterator[dict]:
    """MEDLINE text as PubMed saves it ("PubMed format", .nbib), read with Bio.Medline."""
    lines = _text(data).splitlines()
    # Bio.Medline takes any line's first four characters as a tag: refuse what is not one.
    problems = [f"line {number}: not a MEDLINE field (\"XXXX- value\"): {line.strip()[:60]!r}"
                for number, line in enumerate(lines, 1)
                if line.strip() and not (_MEDLINE_TAG.fullmatch(line[:5])
                                         or line.startswith("      "))]
    if problems:
        raise _malformed("MEDLINE", problems)
    for record in Medline.parse(io.StringIO("\n".join(lines) + "\n")):
        yield _medline_paper(record)


def _pubmed_title(value: str) -> str:
    # PubMed ends every title with a full stop, one that ends in "?" or "!" with that only.
    return re.sub(r"(?<=[^.])\.$", "", " ".join(str(value).split()))


def _medline_paper(record: dict) -> dict:
    # LID is one text (its lines joined), AID a list: "10.3389/fphar.2021.780588 [doi]".
    located = " ".join([*record.get("AID", []), record.get("LID", "")])
    doi = re.search(r"(10\.\S+) \[doi\]", located)
    return _paper(
        doi=doi.group(1) if doi else "",
        pmid=record.get("PMID", ""),
        title=_pubmed_title(record.get("TI", "")),
        **_authors([*record.get("AU", []), *record.get("CN", [])]),
        journal=_first(record.get("JT"), record.get("TA")),
        year=_year(record.get("DP", "")),
        volume=record.get("VI", ""),
        pages=_pages(record.get("PG", "")),
        abstract=record.get("AB", ""),
        publication_type=_publication_type(record.get("PT", [])),
    )


# PubMed XML --------------------------------------------------------------------------------

_DOCTYPE = re.compile(rb"<!DOCTYPE\s+([\w:.-]+)\s+(?:PUBLIC\s+(?:\"[^\"]*\"|'[^']*')|SYSTEM)\s*"
                      rb"(?:\"([^\"]*)\"|'([^']*)')\s*(\[)?")


def read_pubmed_xml(data: bytes) -> Iterator[dict]:
    """PubMed XML (PubmedArticleSet, as PubMed and efetch write it), read with Bio.Entrez.

    Bio.Entrez validates against the DTD the file names and fetches that DTD from NCBI when
    Biopython does not ship it; entities declared in the file are expanded, and those naming
    files are fetched too. No import touches the network, so a file is read only when its DTD
    is one Biopython holds and it declares no DTD content of its own."""
    _text(data)
    _check_pubmed_prolog(data)
    try:
        result = Entrez.read(io.BytesIO(data), validate=True)
    except Entrez.Parser.ValidationError as exc:
        raise BibliographyError(f"<{exc.name}> is not an element of PubMed XML.") from None
    except (Entrez.Parser.CorruptedXMLError, Entrez.Parser.NotXMLError) as exc:
        raise BibliographyError(f"Not well-formed XML: {exc.msg}.") from None
    books = result.get("PubmedBookArticle", [])
    if books:
        raise BibliographyError(f"{len(books)} record(s) are PubMed book records "
                                "(PubmedBookArticle), which are not read: import them as RIS "
                                "or BibTeX.")
    for article in result.get("PubmedArticle", []):
        yield _pubmed_paper(article)


def _check_pubmed_prolog(data: bytes):
    if b"<!ENTITY" in data:
        raise BibliographyError("The XML declares entities of its own; PubMed XML declares "
                                "none, and they are not expanded here.")
    doctype = _DOCTYPE.search(data[:4096])
    if doctype is None:
        raise BibliographyError(
            "No <!DOCTYPE PubmedArticleSet ...> line: PubMed XML names its DTD there, and "
            "the file is read against it. Save the records from PubMed again as XML.")
    root, system_id, internal_subset = (doctype.group(1), doctype.group(2) or doctype.group(3),
                                        doctype.group(4))
    if root != b"PubmedArticleSet":
        raise BibliographyError(f"The XML is a {root.decode(errors='replace')}, not a PubMed "
                                "export (PubmedArticleSet).")
    if internal_subset:
        raise BibliographyError("The XML's DOCTYPE carries declarations of its own; PubMed XML "
                                "carries none.")
    dtd = os.path.basename(system_id.decode(errors="replace"))
    held = [os.path.join(d, dtd) for d in (DataHandler.local_dtd_dir, DataHandler.global_dtd_dir) if d]
    if not any(os.path.isfile(path) for path in held):
        raise BibliographyError(
            f"The XML names the DTD {dtd!r}, which Biopython {BIOPYTHON_VERSION} does not hold; "
            "reading it would fetch the DTD from NCBI, and imports do not use the network. A "
            "newer Biopython holds newer PubMed DTDs.")


def _pubmed_paper(article: dict) -> dict:
    citation = article["MedlineCitation"]
    paper = citation["Article"]
    identifiers = article.get("PubmedData", {}).get("ArticleIdList", [])
    doi = _first(*(i for i in identifiers if i.attributes.get("IdType") == "doi"),
                 *(i for i in paper.get("ELocationID", []) if i.attributes.get("EIdType") == "doi"))
    author_list = paper.get("AuthorList", [])
    names = [_first(a.get("CollectiveName"))
             or house_name(a.get("LastName", ""), a.get("Initials") or a.get("ForeName", ""),
                           a.get("Suffix", "")) for a in author_list]
    issue = paper["Journal"].get("JournalIssue", {})
    date = issue.get("PubDate", {})
    pagination = paper.get("Pagination", {})
    pages = _first(pagination.get("MedlinePgn"),
                   "-".join(filter(None, (pagination.get("StartPage"), pagination.get("EndPage")))))
    abstract = " ".join(
        f"{part.attributes['Label']}: {part}" if part.attributes.get("Label") else str(part)
        for part in paper.get("Abstract", {}).get("AbstractText", []))
    return _paper(
        doi=doi,
        pmid=str(citation.get("PMID", "")),
        title=_pubmed_title(paper.get("ArticleTitle", "")),
        authors=[name for name in names if name],
        authors_complete=getattr(author_list, "attributes", {}).get("CompleteYN", "Y") != "N",
        journal=str(paper["Journal"].get("Title", "")),
        year=_year(_first(date.get("Year"), date.get("MedlineDate"))),
        volume=str(issue.get("Volume", "")),
        pages=_pages(pages),
        abstract=abstract,
        publication_type=_publication_type(str(t) for t in paper.get("PublicationTypeList", [])),
    )


_READERS = {"ris": read_ris, "bibtex": read_bibtex, "medline": read_medline,
            "pubmed-xml": read_pubmed_xml}
