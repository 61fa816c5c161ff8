from django.apps import AppConfig
from django.db.models.signals import post_migrate


class ClaimsConfig(AppConfig):
    name = "claims"
    verbose_name = "Claims and evidence"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from simple_history.models import HistoricalChanges

        from claims import data_version

        # Every committed write moves the data version on, which retires cached API responses.
        # History rows are written with the rows they describe, so they need no signal of their own.
        data_version.watch(model for model in self.get_models(include_auto_created=True)
                           if not issubclass(model, HistoricalChanges))
        # A deploy migrates: responses rendered by the previous code, or before a data
        # migration, are retired with it.
        post_migrate.connect(data_version.on_migrate, sender=self,
                             dispatch_uid="data-version:migrate")
