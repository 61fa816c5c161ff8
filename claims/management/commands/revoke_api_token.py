from django.core.management.base import BaseCommand, CommandError

from claims.models import ApiToken


class Command(BaseCommand):
    help = "Revoke an API token, named by the prefix list_api_tokens shows."

    def add_arguments(self, parser):
        parser.add_argument("prefix")

    def handle(self, *args, prefix, **options):
        found = list(ApiToken.objects.filter(prefix=prefix, revoked_at__isnull=True))
        if len(found) != 1:
            raise CommandError(f"{len(found)} active tokens start with {prefix!r}: "
                               "give the prefix list_api_tokens shows for exactly one.")
        found[0].revoke()
        self.stdout.write(f"Revoked {found[0]}.")
