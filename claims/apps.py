from django.apps import AppConfig
from django.db.models.signals import post_migrate


class ClaimsConfig(AppConfig):
    name = "claims"
    verbose_name = "Claims and evidence"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.db.models.signals import post_save, pre_save
        from simple_history.models import HistoricalChanges
        from simple_history.signals import post_create_historical_record, pre_create_historical_record

        from claims import changes, data_version, history, synthesis
        from claims.models import CuratorReview, EvidenceType

        # Every committed write moves the data version on, which retires cached API responses.
        # History rows are written with the rows they describe, so they need no signal of their own.
        data_version.watch(model for model in self.get_models(include_auto_created=True)
                           if not issubclass(model, HistoricalChanges))
        # A deploy migrates: responses rendered by the previous code, or before a data
        # migration, are retired with it.
        post_migrate.connect(data_version.on_migrate, sender=self,
                             dispatch_uid="data-version:migrate")
        pre_create_historical_record.connect(history.fit_reason,
                                             dispatch_uid="history:fit-reason")
        # The change feed: an entry in the transaction of every recorded write (claims/changes.py).
        post_create_historical_record.connect(changes.on_history_record,
                                              dispatch_uid="change-feed:history")
        post_save.connect(changes.on_review_saved, sender=CuratorReview,
                          dispatch_uid="change-feed:review")
        # Each claim's stored evidence synthesis, in the transaction of every write that changes
        # it: one receiver for every face and service (claims/synthesis.py); bulk writers, which
        # send no signals, refresh it themselves.
        post_create_historical_record.connect(synthesis.on_history_record,
                                              dispatch_uid="synthesis:history")
        pre_save.connect(synthesis.on_type_saving, sender=EvidenceType,
                         dispatch_uid="synthesis:type-saving")
        post_save.connect(synthesis.on_type_saved, sender=EvidenceType,
                          dispatch_uid="synthesis:type-saved")
