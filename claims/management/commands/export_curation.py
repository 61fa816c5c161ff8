import sys

from django.core.management.base import BaseCommand, CommandError

from claims.choices import Status
from claims.interchange import export


class Command(BaseCommand):
    help = (
        "Write the curation data in the interchange format (JSON Lines, one record per line, "
        "everything named by natural key; schema: fixtures/schema/curation.schema.json) to FILE, "
        "or to standard output. The same data always gives the same bytes."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", nargs="?", default="-",
                            help="where to write (default: standard output)")
        parser.add_argument("--status", choices=Status.values, help=(
            "only claims in this status, with their evidence in the same status, their reviews "
            "and versions, and the papers, topics and evidence types these name"))

    def handle(self, *args, file, status, **options):
        if file == "-":
            counts = export.write(self.stdout._out, status)
            report = sys.stderr
        else:
            try:
                with open(file, "w", encoding="utf-8", newline="\n") as stream:
                    counts = export.write(stream, status)
            except OSError as exc:
                raise CommandError(f"Cannot write {file}: {exc.strerror}.") from exc
            report = self.stdout
        if options["verbosity"] >= 1:
            summary = ", ".join(f"{count} {name}" for name, count in counts.items())
            report.write(f"Exported {summary}.\n")
