"""Webhook subscriptions: their state at a glance, paused ones with the reason, and actions to
pause and resume them. Registering and state changes go through claims/webhooks.py."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils.html import format_html

from claims import destinations, webhooks
from claims.admin.base import PermissionBeforeLookup
from claims.models import Subscription, SubscriptionState
from claims.models.changes import ChangeKind


class SubscriptionForm(forms.ModelForm):
    url = forms.URLField(label="URL", max_length=2000, assume_scheme="https",
                         help_text="Where deliveries are POSTed.")
    kinds = forms.MultipleChoiceField(choices=ChangeKind.choices, initial=ChangeKind.values,
                                      widget=forms.CheckboxSelectMultiple,
                                      help_text="Which kinds of change to deliver.")
    from_start = forms.BooleanField(required=False, label="Deliver the whole feed",
                                    help_text="From the feed's start; otherwise only what comes next.")

    class Meta:
        model = Subscription
        fields = ["owner", "url", "kinds"]

    def clean_url(self):
        url = self.cleaned_data["url"]
        try:
            destinations.check_url(url)
        except ValidationError as refused:
            raise forms.ValidationError(refused.message_dict["url"]) from refused
        return url


@admin.register(Subscription)
class SubscriptionAdmin(PermissionBeforeLookup, admin.ModelAdmin):
    form = SubscriptionForm
    list_display = ("url", "owner", "kinds_shown", "state_shown", "consecutive_failures", "cursor",
                    "last_delivery_at", "last_error")
    list_filter = ("state",)
    list_select_related = ("owner",)
    search_fields = ("url", "owner__username")
    autocomplete_fields = ("owner",)
    readonly_fields = ("state", "paused_reason", "consecutive_failures", "retry_at", "cursor",
                       "last_delivery_at", "last_error", "created_at")
    actions = ("pause_selected", "resume_selected", "rotate_secret")

    def get_fields(self, request, obj=None):
        if obj is None:
            return ("owner", "url", "kinds", "from_start")
        return ("owner", "url", "kinds", *self.readonly_fields)

    def get_readonly_fields(self, request, obj=None):
        # The owner decides what deliveries may carry: a subscription keeps the one it was made for.
        return () if obj is None else ("owner", *self.readonly_fields)

    def save_model(self, request, obj, form, change):
        if change:
            webhooks.edit(obj, url=obj.url, kinds=obj.kinds)
            return
        webhooks.register(obj, from_start=form.cleaned_data["from_start"])
        self.message_user(request, format_html(
            "The secret that signs this subscription's deliveries is <code>{}</code>. It is shown "
            "only now: give it to the receiver.", obj.secret), messages.WARNING)

    @admin.display(description="kinds")
    def kinds_shown(self, subscription):
        return ", ".join(subscription.kinds)

    @admin.display(description="state", ordering="state")
    def state_shown(self, subscription):
        if subscription.state == SubscriptionState.PAUSED:
            return f"paused: {subscription.paused_reason}" if subscription.paused_reason else "paused"
        return "active"

    @admin.action(description="Pause the selected subscriptions")
    def pause_selected(self, request, queryset):
        for subscription in queryset.filter(state=SubscriptionState.ACTIVE):
            webhooks.pause(subscription, f"Paused by {request.user.get_username()}.")
        self.message_user(request, "Paused.", messages.SUCCESS)

    @admin.action(description="Replace the signing secret of the selected subscription")
    def rotate_secret(self, request, queryset):
        if queryset.count() != 1:
            self.message_user(request, "Select one subscription: its new secret is shown once.",
                              messages.ERROR)
            return
        subscription = queryset.get()
        secret = webhooks.rotate_secret(subscription)
        self.message_user(request, format_html(
            "The new secret of {} is <code>{}</code>. It is shown only now: give it to the "
            "receiver; deliveries from now on are signed with it.", subscription.url, secret),
            messages.WARNING)

    @admin.action(description="Resume the selected subscriptions (deliver from their cursors)")
    def resume_selected(self, request, queryset):
        for subscription in queryset:
            webhooks.resume(subscription)
        self.message_user(request, "Resumed: deliveries start from each subscription's cursor.",
                          messages.SUCCESS)
