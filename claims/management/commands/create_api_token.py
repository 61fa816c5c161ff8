from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from claims.models import ApiToken


class Command(BaseCommand):
    help = ("Make an API token for a user and print its key (shown this once; only its digest "
            "is stored). list_api_tokens lists tokens, revoke_api_token revokes one.")

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--name", default="", help='what uses it, e.g. "nightly mirror"')
        parser.add_argument("--read-only", action="store_true",
                            help="the token may read what the user may read, and change nothing")

    def handle(self, *args, username, name, read_only, **options):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No user {username!r}.")
        if not user.is_active:
            raise CommandError(f"User {username!r} is inactive: a token would not sign in.")
        token, key = ApiToken.issue(user, name or f"token for {username}", read_only)
        self.stderr.write(f"{token} made{' (read-only)' if read_only else ''}; the key follows, "
                          "shown only now:")
        self.stdout.write(key)
