from django.core.management.base import BaseCommand

from claims import data_version, synthesis


class Command(BaseCommand):
    help = (
        "Recompute the stored evidence synthesis of every claim (claims/synthesis.py), a batch "
        "of claims per transaction, and report how many changed. Writes keep it current by "
        "themselves; run this after changing the rule, or after loading rows by other means."
    )

    def handle(self, *args, **options):
        def progress(done, total):
            if options["verbosity"] > 1:
                self.stdout.write(f"{done}/{total} claims")

        total, changed = synthesis.refresh_all(progress=progress)
        if changed:
            # Written with UPDATE, which sends no signals: retire cached API responses.
            data_version.bump()
        self.stdout.write(f"{total} claims synthesised, {changed} changed.")
