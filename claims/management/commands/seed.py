from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import transaction
from django.db.models.signals import post_save
from django.test.utils import override_settings

from claims.models import Claim, Evidence, Paper

TRACKED = (Paper, Claim, Evidence)


class Command(BaseCommand):
    help = (
        "Load the given fixtures into a database that holds no curation yet, and give each "
        "seeded paper, claim and evidence item its first history entry. A database that "
        "already holds papers or claims is left as it is: reloading would "
        "silently undo curators' work on seeded rows (loaddata writes no history). Use "
        "loaddata to reload on purpose."
    )

    def add_arguments(self, parser):
        parser.add_argument("fixtures", nargs="+", help="fixture names, as for loaddata")

    def handle(self, *args, fixtures, **options):
        if Paper.objects.exists() or Claim.objects.exists():
            self.stdout.write("The database already holds curation data: the seed is not "
                              "reloaded (`manage.py loaddata` reloads it on purpose).")
            return
        with transaction.atomic():
            # loaddata's raw saves write no history, but its many-to-many writes would, as
            # "changed" rows of objects with no "created" row. Load quietly, then record
            # each row once as created, topics included (populate_history's bulk rows
            # leave many-to-many fields out).
            with override_settings(SIMPLE_HISTORY_ENABLED=False):
                call_command("loaddata", *fixtures, verbosity=options["verbosity"])
            for model in TRACKED:
                for obj in model.objects.all():
                    obj._history_date = obj.created_at  # when the fixture says it was made
                    post_save.send(sender=model, instance=obj, created=True, raw=False,
                                   using=obj._state.db, update_fields=None)
