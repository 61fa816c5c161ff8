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
                            help="the user recorded as the author of the changes (one who may "
                                 "add and change evidence types); by default the only superuser")

    def handle(self, *args, file: Path, dry_run: bool, username: str | None, **options):
        actor = _actor(username)
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
    if not user.has_perms(["claims.add_evidencetype", "claims.change_evidencetype"]):
        raise CommandError(f"--as {username}: this user may not add and change evidence types.")
    return user
