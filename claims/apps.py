from django.apps import AppConfig


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
