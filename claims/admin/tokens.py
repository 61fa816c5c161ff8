"""API tokens: made (the key shown once), listed with their last use, and revoked."""

from django.contrib import admin, messages

from claims.admin.base import PermissionBeforeLookup
from claims.models import ApiToken


@admin.register(ApiToken)
class ApiTokenAdmin(PermissionBeforeLookup, admin.ModelAdmin):
    list_display = ("name", "user", "prefix", "read_only", "created_at", "last_used_at", "state")
    list_filter = ("read_only", ("revoked_at", admin.EmptyFieldListFilter))
    list_select_related = ("user",)
    search_fields = ("name", "prefix", "user__username")
    autocomplete_fields = ("user",)
    fields = ("user", "name", "read_only", "prefix", "created_at", "last_used_at", "revoked_at")
    readonly_fields = ("prefix", "created_at", "last_used_at", "revoked_at")
    actions = ("revoke",)

    def get_readonly_fields(self, request, obj=None):
        # A token is what it was made as: revoke it and make another to change it.
        return (*self.readonly_fields, "user", "name", "read_only") if obj else self.readonly_fields

    @admin.display(description="state")
    def state(self, token):
        return "revoked" if token.revoked_at else "active"

    def save_model(self, request, obj, form, change):
        if change:
            return
        token, key = ApiToken.issue(obj.user, obj.name, obj.read_only)
        obj.pk = token.pk
        self.message_user(request, f"The key of {token.name}: {key} — copy it now; it is not "
                                   "stored and will not be shown again.", messages.WARNING)

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request, obj)

    @admin.action(description="Revoke the selected tokens")
    def revoke(self, request, queryset):
        for token in queryset.filter(revoked_at__isnull=True):
            token.revoke()
        self.message_user(request, "Revoked. Clients using them now get 401.", messages.SUCCESS)
