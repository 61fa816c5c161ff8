"""Pieces shared by the model admins."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce
from simple_history.admin import SimpleHistoryAdmin

from claims import workflow, writes


def count_of(queryset, field: str):
    """The number of rows of queryset whose `field` points at the outer row, as a subquery.

    A subquery per column keeps changelists at a fixed number of queries and, unlike
    Count() over joins, is not multiplied by filters or searches across relations.
    """
    rows = (queryset.filter(**{field: OuterRef("pk")}).order_by().values(field)
            .annotate(n=Count("pk")).values("n"))
    return Coalesce(Subquery(rows, output_field=IntegerField()), 0)


class PermissionBeforeLookup:
    """The history page asks for the permission before it looks for the object.

    Django's history view (and django-simple-history's) looks the object up first: a staff
    user who may not see these records got a 403 for an id that exists and a redirect (or a
    404) for one that does not, and so could count the API tokens or webhook subscriptions.
    Every other page already asks first.
    """

    def history_view(self, request, object_id, extra_context=None):
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        return super().history_view(request, object_id, extra_context)


class HistoryAdmin(PermissionBeforeLookup, SimpleHistoryAdmin):
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


class SavesThroughServices:
    """Every save and delete goes through the write services (claims/writes.py), which lock
    the row, validate it, stamp who created and last edited it and record history; the
    admin keeps only its forms and messages.

    The four-eyes rule reads the editor stamps, so an inline edit counts like any other, and
    a save that changes nothing leaves them alone.
    """

    def get_object(self, request, object_id, from_field=None):
        # The admin saves inside a transaction; lock the row first, as the workflow does, so a
        # decision cannot land between the form's checks and the save that writes it back.
        if request.method == "POST":
            workflow.lock_row(self.model, object_id)
        return super().get_object(request, object_id, from_field)

    def save_model(self, request, obj, form, change):
        many = {f.name for f in self.model._meta.many_to_many}
        m2m = {name: value for name, value in form.cleaned_data.items() if name in many}
        writes.save(obj, actor=request.user, m2m=m2m or None)

    def save_related(self, request, form, formsets, change):
        # Many-to-many values were saved with the object by save_model.
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    def delete_model(self, request, obj):
        writes.delete(obj, actor=request.user)

    def has_delete_permission(self, request, obj=None):
        allowed = super().has_delete_permission(request, obj)
        return allowed and (obj is None or getattr(obj, "status", None)
                            in (None, *workflow.DELETABLE_STATUSES))

    def delete_queryset(self, request, queryset):
        """Bulk delete skips what the workflow keeps, and says so.

        has_delete_permission already refuses a selection holding such rows; this covers a
        transition that lands between that check and the delete."""
        with transaction.atomic():
            # By primary key: the changelist's queryset may be DISTINCT (searches across
            # relations), which PostgreSQL will not lock.
            for obj in self.model.objects.filter(pk__in=queryset.values("pk")):
                self._delete(request, obj)

    def save_formset(self, request, form, formset, change):
        if not hasattr(formset.model, "updated_by"):
            return super().save_formset(request, form, formset, change)
        for obj in formset.save(commit=False):
            writes.save(obj, actor=request.user)
        for obj in formset.deleted_objects:
            self._delete(request, obj)

    def _delete(self, request, obj):
        try:
            writes.delete(obj, actor=request.user)
        except workflow.TransitionNotAllowed as refused:
            self.message_user(request, f"{obj}: {refused.message}", messages.ERROR)


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


def shorten(text: str, length: int = 90) -> str:
    """A claim's text cut for a list or a dashboard entry."""
    return text if len(text) <= length else f"{text[:length]}…"
