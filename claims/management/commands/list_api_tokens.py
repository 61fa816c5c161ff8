from django.core.management.base import BaseCommand

from claims.models import ApiToken


class Command(BaseCommand):
    help = "List API tokens (never their keys): prefix, user, name, access, last use, state."

    def add_arguments(self, parser):
        parser.add_argument("username", nargs="?", help="only this user's tokens")

    def handle(self, *args, username=None, **options):
        tokens = ApiToken.objects.select_related("user").order_by("user__username", "created_at")
        if username:
            tokens = tokens.filter(user__username=username)
        for token in tokens:
            used = token.last_used_at.isoformat(timespec="seconds") if token.last_used_at else "never"
            self.stdout.write("\t".join([
                token.prefix, token.user.username, token.name,
                "read-only" if token.read_only else "read-write", f"last used {used}",
                "revoked" if token.revoked_at else "active"]))
