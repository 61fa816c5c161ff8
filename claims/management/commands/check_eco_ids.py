import json
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from claims.eco import OboError, ancestors, read_obo

FIXTURES = Path(settings.BASE_DIR) / "fixtures"


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
            ontology = read_obo(obo)
        except OboError as exc:
            raise CommandError(str(exc)) from exc
        try:
            records = json.loads(fixture.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise CommandError(f"Cannot read {fixture}: {exc}") from exc
        terms, replaced = ontology.terms, ontology.replaced()
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
            if term.obsolete:
                problems.append(f"{code}: {eco_id} is obsolete.")
            if term.name != label:
                problems.append(f"{code}: label {label!r} differs from ECO's {term.name!r}.")
            parent = (fields.get("parent") or [None])[0]
            parent_eco = types.get(parent, {}).get("eco_id") if parent else None
            if parent_eco and parent_eco not in ancestors(terms, eco_id):
                problems.append(f"{code}: parent {parent} ({parent_eco}) is not an ECO ancestor "
                                f"of {eco_id}.")
        if problems:
            raise CommandError("\n".join(problems))
        self.stdout.write(self.style.SUCCESS(
            f"{len(types)} evidence types match ECO ({ontology.release})."))
