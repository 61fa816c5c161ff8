from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from claims import bibliography, paper_import


class Command(BaseCommand):
    help = (
        "Import papers from a RIS, BibTeX, MEDLINE (PubMed format) or PubMed XML file, read as "
        "UTF-8. Each record is matched to a stored paper by DOI or PMID: a stored paper only has "
        "its blank fields filled, a new one is created. Records without a DOI or PMID, "
        "duplicates, conflicting identifiers and invalid values are all reported, with their "
        "record number, and then nothing is written. Running the same file again changes "
        "nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--format", choices=bibliography.FORMATS,
                            help="the file's format; by default told from its extension (.ris, "
                                 ".bib, .nbib, .xml) or content")
        parser.add_argument("--dry-run", action="store_true",
                            help="check the file and report what would change; write nothing")
        parser.add_argument("--as", dest="username",
                            help="the user recorded as the author of the changes (one who may add "
                                 "and change papers); by default the only superuser")

    def handle(self, *args, file, dry_run, username, **options):
        path = Path(file)
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"Cannot read {file}: {exc.strerror}.") from None
        try:
            fmt = options["format"] or bibliography.detect_format(path.name, data)
            records = bibliography.read(data, fmt)
        except bibliography.BibliographyError as exc:
            raise CommandError(f"{path.name}: {exc}") from None
        actor = _actor(username)
        try:
            plan = paper_import.plan(records)
            if dry_run:
                self.stdout.write(
                    f"{path.name}: {len(records)} {fmt} records. Dry run, nothing written: would "
                    f"create {len(plan.create)}, update {len(plan.fill)} (blank fields filled), "
                    f"leave {len(plan.unchanged)} unchanged.")
                return
            result = paper_import.apply(plan, actor=actor, reason=f"import_papers {path.name}")
        except paper_import.ImportRefused as exc:
            count = len(exc.problems)
            raise CommandError(f"{path.name}: {count} problem{'s' if count > 1 else ''}, nothing "
                               f"written:\n{exc}") from None
        if options["verbosity"] > 1:
            for number, paper, values in plan.fill:
                self.stdout.write(f"record {number}: filled {', '.join(values)} of {paper}")
        self.stdout.write(self.style.SUCCESS(
            f"{path.name}: {len(records)} {fmt} records: created {result.created}, updated "
            f"{result.updated} (blank fields filled), unchanged {result.unchanged}."))


def _actor(username):
    """The --as user, else the only superuser: with several, the command asks which."""
    User = get_user_model()
    if username is None:
        superusers = list(User.objects.filter(is_superuser=True, is_active=True)[:2])
        if len(superusers) != 1:
            raise CommandError(f"There are {'several' if superusers else 'no'} active superusers: "
                               "name the user the changes are recorded for with --as USERNAME.")
        return superusers[0]
    user = User.objects.filter(**{User.USERNAME_FIELD: username}).first()
    if user is None or not user.is_active:
        raise CommandError(f"--as {username}: no active user of that name.")
    if not user.has_perms(["claims.add_paper", "claims.change_paper"]):
        raise CommandError(f"--as {username}: this user may not add and change papers.")
    return user
