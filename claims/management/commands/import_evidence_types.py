from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from claims.eco import OboError
from claims.eco_import import ImportRefused, import_evidence_types


class Command(BaseCommand):
    help = (
        "Import an ECO release (eco-basic.obo) into the evidence vocabulary: new terms become "
        "evidence types (code eco-NNNNNNN), existing types (matched by eco_id) keep their code "
        "and weight and take the release's label, definition, parent (the first is_a parent "
        "in the file) and obsolete flag. All or nothing; running it again changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="ECO in OBO format, e.g. "
                            "fixtures/eco/eco-basic.obo")
        parser.add_argument("--dry-run", action="store_true",
                            help="check and count everything, keep nothing")
        parser.add_argument("--as", dest="username", metavar="USERNAME",
                            help="the user the change is recorded for")

    def handle(self, *args, file: Path, dry_run: bool, username: str | None, **options):
        actor = None
        if username:
            try:
                actor = get_user_model().objects.get_by_natural_key(username)
            except get_user_model().DoesNotExist:
                raise CommandError(f"No user {username!r} (--as).") from None
        try:
            report = import_evidence_types(file, actor=actor, dry_run=dry_run)
        except (OboError, ImportRefused) as exc:
            raise CommandError(str(exc)) from exc
        for line in report.renamed:
            self.stdout.write(f"renamed {line}")
        if report.skipped:
            self.stdout.write(f"Skipped, not ECO ids: {', '.join(report.skipped)}")
        if report.not_in_release:
            self.stdout.write(f"Not in {report.release}, left as they are: "
                              f"{', '.join(report.not_in_release)}")
        summary = (f"{report.created} created, {report.updated} updated, {report.unchanged} "
                   f"unchanged from {file.name} ({report.release})")
        if dry_run:
            self.stdout.write(f"Dry run, nothing kept: {summary}.")
        else:
            self.stdout.write(self.style.SUCCESS(f"{summary}."))
