import sys

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from claims.interchange import load, progress


class Command(BaseCommand):
    help = (
        "Import a file in the curation interchange format (as export_curation writes it). Every "
        "record is checked first (JSON, the schema, references, duplicates, the models' rules) "
        "and every problem is reported as 'line N: field: message'; then everything is written "
        "in one transaction, or nothing. Records are matched by natural key: new ones are "
        "created, changed ones updated (history: the --as user, reason 'import_curation <file>'), "
        "the rest left alone, so importing a file twice changes nothing. New claims and evidence "
        "take the status their record gives through the workflow, which needs a --as user with "
        "staff powers. Users the file names but this database lacks are created inactive, "
        "without a usable password."
    )

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--dry-run", action="store_true",
                            help="check everything and report what would change; write nothing")
        parser.add_argument("--as", dest="username", metavar="USERNAME",
                            help="the user the import acts as (history, authorship left out of "
                                 "the file, and adopting statuses: staff powers needed)")

    def handle(self, *args, file, dry_run, username, **options):
        actor = None
        if username:
            actor = get_user_model().objects.filter(username=username).first()
            if actor is None:
                raise CommandError(f"--as {username}: no such user.")
        shown = progress.Bar(sys.stderr) if sys.stderr.isatty() else progress.Lines(self.stderr)
        if options["verbosity"] < 1:
            shown = None
        try:
            report = load.load(file, actor=actor, dry_run=dry_run, progress=shown)
        except load.ImportRefused as exc:
            count = len(exc.problems)
            raise CommandError(f"{file}: {count} problem{'s' if count != 1 else ''}, nothing was "
                               f"imported:\n" + "\n".join(str(p) for p in exc.problems)) from None
        if options["verbosity"] >= 1:
            self._report(file, report)

    def _report(self, file, report):
        verb = "would be" if report.dry_run else "were"
        self.stdout.write(f"{file}: {report.records} records.")
        width = max(len(kind) for kind in report.counts)
        for kind, counts in report.counts.items():
            if any(counts.values()):
                self.stdout.write(f"  {kind:<{width}}  {counts['created']:>8} created  "
                                  f"{counts['updated']:>8} updated  {counts['unchanged']:>8} unchanged")
        if report.users_created:
            names = ", ".join(report.users_created[:10])
            more = f" and {len(report.users_created) - 10} more" if len(report.users_created) > 10 else ""
            self.stdout.write(f"  {len(report.users_created)} users {verb} created, inactive and "
                              f"without a usable password: {names}{more}")
        if report.versions_minted:
            self.stdout.write(f"  {report.versions_minted} versions {verb} minted for accepted "
                              "claims the file gave none")
        if report.dry_run:
            self.stdout.write(self.style.WARNING("Dry run: nothing was written."))
        else:
            self.stdout.write(self.style.SUCCESS("Imported."))
