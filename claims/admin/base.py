"""Pieces shared by the model admins."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce
from simple_history.admin import SimpleHistoryAdmin

from claims import workflow


def count_of(queryset, field: str):
    """The number of rows of queryset whose `field` points at the outer row, as a subquery.

    A subquery per column keeps changelists at a fixed number of queries and, unlike
    Count() over joins, is not multiplied by filters or searches across relations.
    """
    rows = (queryset.filter(**{field: OuterRef("pk")}).order_by().values(field)
            .annotate(n=Count("pk")).values("n"))
    return Coalesce(Subquery(rows, output_field=IntegerField()), 0)


class HistoryAdmin(SimpleHistoryAdmin):
    """Every change is listed on the object's history page; no version is ever restored.

    Restoring a historical row would write its status, review round and authors straight
    back, behind the workflow's back (and django-simple-history accepts that POST from
    users with view permission alone), so history is for reading only.
    """

    def revert_disabled(self, request, obj=None):
        return True

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method == "POST":
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)


class RecordsEditors:
    """Stamps created_by on creation and updated_by (through workflow.record_edit) on edits.

    The four-eyes rule reads these stamps, so an inline edit counts like any other. A save
    that changes nothing leaves updated_by alone.
    """

    def get_object(self, request, object_id, from_field=None):
        # The admin saves inside a transaction; lock the row first, as the workflow does, so a
        # decision cannot land between the form's checks and the save that writes it back.
        if request.method == "POST":
            workflow.lock_row(self.model, object_id)
        return super().get_object(request, object_id, from_field)

    def _stamp(self, request, obj, created: bool):
        if created:
            obj.created_by = request.user
        workflow.record_edit(obj, request.user)

    def save_model(self, request, obj, form, change):
        if not change or form.has_changed():
            self._stamp(request, obj, created=not change)
        super().save_model(request, obj, form, change)

    def has_delete_permission(self, request, obj=None):
        allowed = super().has_delete_permission(request, obj)
        return allowed and (obj is None or obj.status in workflow.DELETABLE_STATUSES)

    def delete_queryset(self, request, queryset):
        """Bulk delete skips what the workflow keeps, and says so.

        has_delete_permission already refuses a selection holding such rows; this covers a
        transition that lands between that check and the delete."""
        with transaction.atomic():
            kept = []
            # Lock by primary key: the changelist's queryset may be DISTINCT (searches across
            # relations), which PostgreSQL will not lock.
            for obj in self.model.objects.select_for_update().filter(pk__in=queryset.values("pk")):
                try:
                    workflow.ensure_deletable(obj)
                except workflow.TransitionNotAllowed as refused:
                    kept.append(obj.pk)
                    self.message_user(request, f"{obj}: {refused.message}", messages.ERROR)
            super().delete_queryset(request, queryset.exclude(pk__in=kept))

    def save_formset(self, request, form, formset, change):
        if not hasattr(formset.model, "updated_by"):
            return super().save_formset(request, form, formset, change)
        for obj in formset.save(commit=False):
            self._stamp(request, obj, created=obj._state.adding)
            obj.save()
        for obj in formset.deleted_objects:
            try:
                workflow.ensure_deletable(obj)
            except workflow.TransitionNotAllowed as refused:
                self.message_user(request, f"{obj}: {refused.message}", messages.ERROR)
                continue
            obj.delete()
        formset.save_m2m()


class NoWrites:
    """Shown to whoever may view; never added, changed or deleted in the admin."""

    def get_readonly_fields(self, request, obj=None):
        return self.fields or ()

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyAdmin(NoWrites, admin.ModelAdmin):
    pass


class ReadOnlyInline(NoWrites, admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = True
