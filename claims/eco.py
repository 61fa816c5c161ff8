"""The Evidence & Conclusion Ontology as its OBO releases state it: terms, their is_a tree,
alternative and obsolete ids.

Reading is obonet's; this module only turns its graph into the few things the evidence
vocabulary needs, and turns a file that is not OBO into one error that names it.
"""

import logging
import re
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import obonet

# An OBO def: the quoted text (with \-escapes), then its [sources].
_DEFINITION = re.compile(r'^"((?:[^"\\]|\\.)*)"')
_ESCAPES = {"n": "\n", "t": "\t", "W": " "}
_OBONET_DIR = str(Path(obonet.__file__).parent)


class OboError(ValueError):
    """An OBO file that cannot be read; the message names the file."""


@dataclass(frozen=True)
class Term:
    id: str
    name: str
    definition: str
    is_a: tuple[str, ...]  # parent ids in the order the file gives them
    alt_id: tuple[str, ...]
    obsolete: bool


@dataclass(frozen=True)
class Ontology:
    header: dict[str, str | list[str]]  # tag: value, or values for repeatable tags (remark)
    terms: dict[str, Term]  # by id, in file order

    @property
    def release(self) -> str:
        return str(self.header.get("data-version", "unknown release"))

    def replaced(self) -> dict[str, str]:
        """Each alternative id of the release's terms: the term that carries it now."""
        return {alt: term.id for term in self.terms.values() for alt in term.alt_id}


def read_obo(path: Path) -> Ontology:
    """The release in an OBO file. Raises OboError naming the file if it cannot be read
    or is not OBO (no format-version header, no [Term] stanza)."""
    try:
        with open(path, encoding="utf-8") as obo_file, _quiet_obonet():
            graph = obonet.read_obo(obo_file, ignore_obsolete=False)
    except OSError as exc:
        raise OboError(f"Cannot read {path}: {exc.strerror or exc}.") from exc
    except UnicodeDecodeError as exc:
        raise OboError(f"{path} is not an OBO file: it is not UTF-8 text.") from exc
    except KeyError as exc:
        raise OboError(f"{path} is not an OBO file: a [Term] stanza has no {exc} tag.") from exc
    except ValueError as exc:
        raise OboError(f"{path} is not an OBO file: {_where(path, exc)}") from exc
    header = {k: v for k, v in graph.graph.items() if k not in ("typedefs", "instances", "name")}
    if "format-version" not in header:
        raise OboError(f"{path} is not an OBO file: it has no format-version header line.")
    terms = {}
    for term_id, data in graph.nodes(data=True):
        # An id that is only the target of an is_a, with no stanza of its own, gets an empty
        # node from networkx: it is not a term of this file.
        if not data:
            continue
        terms[term_id] = Term(
            id=term_id,
            name=data.get("name", ""),
            definition=_definition(data.get("def", "")),
            is_a=tuple(target for target, relation in graph[term_id].items() if "is_a" in relation),
            alt_id=tuple(data.get("alt_id", ())),
            obsolete=data.get("is_obsolete") == "true",
        )
    if not terms:
        raise OboError(f"{path} holds no [Term] stanza.")
    return Ontology(header=header, terms=terms)


@contextmanager
def _quiet_obonet():
    """obonet logs a warning for a header without an ontology tag; the caller gets one error
    or a release, not log lines besides."""
    def from_obonet(record):
        return not record.pathname.startswith(_OBONET_DIR)

    loggers = (logging.getLogger(), logging.getLogger("obonet.read"))
    for logger in loggers:
        logger.addFilter(from_obonet)
    try:
        yield
    finally:
        for logger in loggers:
            logger.removeFilter(from_obonet)


def _where(path: Path, exc: ValueError) -> str:
    """obonet names the line it could not split into tag: value; find its number."""
    _, _, line = str(exc).partition("\n")
    if not line:
        return f"it cannot be parsed ({exc})."
    with open(path, encoding="utf-8") as obo_file:
        number = next((n for n, text in enumerate(obo_file, 1) if text == line), None)
    shown = repr(line.strip()[:80])
    return f"line {number}, {shown}, is not a tag: value line." if number else (
        f"{shown} is not a tag: value line.")


def _definition(value: str) -> str:
    match = _DEFINITION.match(value)
    if not match:
        return ""
    return re.sub(r"\\(.)", lambda m: _ESCAPES.get(m[1], m[1]), match[1])


def ancestors(terms: dict[str, Term], term_id: str) -> set[str]:
    """Every is_a ancestor of a term that the terms hold."""
    found, todo = set(), list(terms[term_id].is_a)
    while todo:
        parent = todo.pop()
        if parent not in found and parent in terms:
            found.add(parent)
            todo.extend(terms[parent].is_a)
    return found
