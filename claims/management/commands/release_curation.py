from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from claims import releases


class Command(BaseCommand):
    help = ("Publish a data release: the accepted data in the interchange format, its SHA-256 "
            "and the claims added, changed and retracted since the previous release, as files "
            "in RELEASES_ROOT that are never overwritten. Listed at /api/v1/releases/.")

    def add_arguments(self, parser):
        parser.add_argument("version", help="e.g. 2026.11 or v1.2.0 (letters, digits, . _ -)")
        parser.add_argument("--as", dest="username", help="the user publishing it (recorded)")

    def handle(self, *args, version, username=None, **options):
        actor = None
        if username:
            actor = get_user_model().objects.filter(username=username).first()
            if actor is None:
                raise CommandError(f"--as: no user {username!r}.")
        try:
            release = releases.make(version, actor=actor)
        except ValidationError as exc:
            problems = (exc.message_dict.items() if hasattr(exc, "error_dict")
                        else [("release", exc.messages)])
            raise CommandError("; ".join(f"{field}: {' '.join(messages)}"
                                         for field, messages in problems)) from None
        diff = release.diff
        self.stdout.write(
            f"Release {release.version}: {releases.path_of(release)}\n"
            f"  sha256 {release.sha256}, {release.size} bytes, "
            + ", ".join(f"{n} {kind}" for kind, n in release.counts.items()) + "\n"
            f"  since {diff['previous'] or 'nothing'}: {len(diff['added'])} claims added, "
            f"{len(diff['changed'])} changed, {len(diff['retracted'])} retracted")
