import argparse
import time

from django.core.management.base import BaseCommand, CommandError

from claims import corpus


def _size(value: str) -> int:
    number = int(value)
    if number < 0:
        raise argparse.ArgumentTypeError("a size is 0 or more")
    return number


class Command(BaseCommand):
    help = (
        "Fill an empty database with a large, realistic and reproducible corpus (papers, "
        "claims, evidence, reviews, versions) for benchmarks and demonstrations: the same seed "
        "gives the same rows. Everything is marked fictitious (DOIs 10.5555/corpus.N, PMIDs "
        "from 90000000, users corpus-curator-N and corpus-reviewer-N who cannot log in), and "
        "no history rows are written. A database that already holds papers, claims or evidence "
        "is refused and left as it is."
    )

    def add_arguments(self, parser):
        parser.add_argument("--papers", type=_size, required=True)
        parser.add_argument("--claims", type=_size, required=True)
        parser.add_argument("--evidence", type=_size, required=True,
                            help="evidence items, spread over the claims")
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--force", action="store_true", help=(
            "add the corpus to a database that already holds curation: existing rows are "
            "never changed or deleted, new rows take ids after the existing ones, and the seed "
            "then reproduces the corpus only from those same ids. If a generated row collides "
            "with an existing one, nothing is written."))

    def handle(self, *args, papers, claims, evidence, seed, force, **options):
        started = time.monotonic()

        def progress(message):
            self.stdout.write(f"[{time.monotonic() - started:6.1f} s] {message}")

        try:
            counts = corpus.generate(papers=papers, claims=claims, evidence=evidence, seed=seed,
                                     append=force,
                                     progress=progress if options["verbosity"] >= 2 else None)
        except (corpus.CorpusRefused, ValueError) as exc:
            raise CommandError(str(exc)) from exc
        elapsed = time.monotonic() - started
        if options["verbosity"] < 1:
            return
        self.stdout.write(", ".join(f"{count} {name}" for name, count in counts.items()))
        self.stdout.write(self.style.SUCCESS(f"Corpus written in {elapsed:.1f} s (seed {seed})."))
