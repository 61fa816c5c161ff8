import json
import re
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

FIXTURES = Path(settings.BASE_DIR) / "fixtures"
STANZA = re.compile(r"^\[(\w+)\]\n(.*?)(?=^\[\w+\]\n|\Z)", re.M | re.S)


def read_obo(path: Path) -> tuple[dict[str, str], dict[str, dict]]:
    """An OBO file's header tags and its [Term] stanzas by id: name, is_a, alt_id, obsolete."""
    text = path.read_text(encoding="utf-8")
    first = STANZA.search(text)
    header_text = text[: first.start()] if first else text
    header = dict(line.split(": ", 1) for line in header_text.splitlines() if ": " in line)
    terms = {}
    for kind, body in STANZA.findall(text):
        if kind != "Term":
            continue
        tags: dict[str, list[str]] = {}
        for line in body.splitlines():
            tag, _, value = line.partition(": ")
            tags.setdefault(tag, []).append(value)
        term_id = tags["id"][0]
        terms[term_id] = {
            "name": tags.get("name", [""])[0],
            "definition": _definition(tags.get("def", [""])[0]),
            "is_a": [value.split()[0] for value in tags.get("is_a", [])],  # drops "! label", {qualifiers}
            "alt_id": tags.get("alt_id", []),
            "obsolete": tags.get("is_obsolete", ["false"])[0] == "true",
        }
    return header, terms


def _definition(value: str) -> str:
    """An OBO def: tag is the quoted text followed by its [sources]."""
    match = re.match(r'^"(.*)" \[', value)
    return match.group(1) if match else ""


def ancestors(terms: dict[str, dict], term_id: str) -> set[str]:
    found, todo = set(), list(terms[term_id]["is_a"])
    while todo:
        parent = todo.pop()
        if parent not in found and parent in terms:
            found.add(parent)
            todo.extend(terms[parent]["is_a"])
    return found


class Command(BaseCommand):
    help = (
        "Check the evidence-type vocabulary against an ECO release: every eco_id is a current "
        "term with the same label, and every parent's term is an is_a ancestor of its child's. "
        "Run it with --obo pointing at a new eco-basic.obo before moving to that release."
    )

    def add_arguments(self, parser):
        parser.add_argument("--obo", type=Path, default=FIXTURES / "eco" / "eco-terms.obo",
                            help="ECO in OBO format (default: the excerpt in fixtures/eco/)")
        parser.add_argument("--fixture", type=Path, default=FIXTURES / "evidence_types.json",
                            help="the evidence-type fixture to check")

    def handle(self, *args, obo: Path, fixture: Path, **options):
        try:
            header, terms = read_obo(obo)
            records = json.loads(fixture.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise CommandError(f"Cannot read the inputs: {exc}") from exc
        replaced = {alt: term_id for term_id, term in terms.items() for alt in term["alt_id"]}
        types = {r["fields"]["code"]: r["fields"] for r in records
                 if r.get("model") == "claims.evidencetype"}

        problems = []
        for code, fields in types.items():
            eco_id, label = fields.get("eco_id", ""), fields.get("label", "")
            if not eco_id:
                continue
            term = terms.get(eco_id)
            if term is None:
                hint = f" (now {replaced[eco_id]})" if eco_id in replaced else ""
                problems.append(f"{code}: {eco_id} is not a term in {obo.name}{hint}.")
                continue
            if term["obsolete"]:
                problems.append(f"{code}: {eco_id} is obsolete.")
            if term["name"] != label:
                problems.append(f"{code}: label {label!r} differs from ECO's {term['name']!r}.")
            parent = (fields.get("parent") or [None])[0]
            parent_eco = types.get(parent, {}).get("eco_id") if parent else None
            if parent_eco and parent_eco not in ancestors(terms, eco_id):
                problems.append(f"{code}: parent {parent} ({parent_eco}) is not an ECO ancestor "
                                f"of {eco_id}.")
        if problems:
            raise CommandError("\n".join(problems))
        release = header.get("data-version", "unknown release")
        self.stdout.write(self.style.SUCCESS(
            f"{len(types)} evidence types match ECO ({release})."))
