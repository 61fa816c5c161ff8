from django.core.management import call_command
from django.core.management.base import BaseCommand

from claims.models import Claim, EvidenceType, Paper


class Command(BaseCommand):
    help = (
        "Load the given fixtures into a database that holds no curation yet, and give the "
        "seeded rows their first history entry. A database that already holds papers, claims "
        "or evidence types is left as it is: reloading would silently undo curators' work on "
        "seeded rows (loaddata writes no history). Use loaddata to reload on purpose."
    )

    def add_arguments(self, parser):
        parser.add_argument("fixtures", nargs="+", help="fixture names, as for loaddata")

    def handle(self, *args, fixtures, **options):
        if Paper.objects.exists() or Claim.objects.exists() or EvidenceType.objects.exists():
            self.stdout.write("The database already holds curation data: the seed is not "
                              "reloaded (`manage.py loaddata` reloads it on purpose).")
            return
        call_command("loaddata", *fixtures, verbosity=options["verbosity"])
        call_command("populate_history", "--auto", verbosity=0)
