"""Claims and their evidence: editing, the review queues and the workflow actions."""

from django import forms
from django.contrib import admin

from claims.admin.actions import CLAIM_ACTIONS, EVIDENCE_ACTIONS
from claims.admin.base import HistoryAdmin, ReadOnlyInline, RecordsEditors, count_of
from claims.admin.queues import ClaimQueueFilter, EvidenceQueueFilter
from claims.models import Claim, ClaimVersion, CuratorReview, Evidence
from claims.models.claims import (
    FROZEN_CLAIM_FIELDS,
    FROZEN_EVIDENCE_FIELDS,
    FROZEN_STATUSES,
    STUDY_FIELDS,
)

# Set by the workflow only: shown, never edited here.
REVIEW_STATE_FIELDS = ("status", "review_round")
RECORD_FIELDS = ("uid", "created_by", "created_at", "updated_by", "updated_at")


def _short(text: str, length: int = 90) -> str:
    return text if len(text) <= length else f"{text[:length]}…"


def _frozen(obj) -> bool:
    return obj is not None and obj.pk is not None and obj.status in FROZEN_STATUSES


class EvidenceInlineForm(forms.ModelForm):
    """A row of the claim's evidence: accepted rows show what reviewers accepted, unchangeable."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if _frozen(self.instance):
            for name in FROZEN_EVIDENCE_FIELDS:
                if name in self.fields:
                    self.fields[name].disabled = True


class EvidenceInline(admin.TabularInline):
    """The claim's evidence, editable in place; study details on the evidence's own page.

    Accepted evidence is frozen (Evidence.clean): its row's inputs are disabled, while new
    draft evidence can still be added to an accepted claim.
    """

    model = Evidence
    form = EvidenceInlineForm
    fk_name = "claim"
    fields = ("paper", "evidence_type", "direction", "location", "excerpt", "status")
    readonly_fields = ("status",)
    autocomplete_fields = ("paper", "evidence_type")
    extra = 1
    show_change_link = True

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        # Narrow inputs and only the "add" icon beside paper and type, so a row fits.
        if db_field.name == "excerpt":
            kwargs["widget"] = forms.Textarea(attrs={"rows": 2, "cols": 24})
        elif db_field.name == "location":
            kwargs["widget"] = forms.TextInput(attrs={"size": 10})
        formfield = super().formfield_for_dbfield(db_field, request, **kwargs)
        if db_field.name in self.autocomplete_fields:
            widget = formfield.widget
            widget.can_change_related = widget.can_delete_related = widget.can_view_related = False
        return formfield

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("paper", "evidence_type")


class ClaimReviewInline(ReadOnlyInline):
    model = CuratorReview
    fk_name = "claim"
    fields = ("review_round", "verdict", "reviewer", "comment", "created_at")
    verbose_name_plural = "reviews"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("reviewer")


class EvidenceReviewInline(ClaimReviewInline):
    fk_name = "evidence"


class ClaimVersionInline(ReadOnlyInline):
    model = ClaimVersion
    fields = ("number", "accepted_at", "content_hash")
    verbose_name_plural = "accepted versions"


@admin.register(Claim)
class ClaimAdmin(RecordsEditors, HistoryAdmin):
    list_display = ("text_short", "status", "review_round", "evidence_count", "created_by",
                    "updated_by", "updated_at")
    list_filter = (ClaimQueueFilter, "status", "relation", "topics",
                   ("created_by", admin.RelatedOnlyFieldListFilter))
    list_select_related = ("created_by", "updated_by")
    search_fields = ("text", "subject", "object", "context", "evidence__paper__title",
                     "evidence__paper__doi")
    autocomplete_fields = ("topics",)
    readonly_fields = (*REVIEW_STATE_FIELDS, "retraction_reason", "superseded_by", *RECORD_FIELDS)
    fieldsets = (
        (None, {"fields": ("text", "subject", "relation", "object", "context", "topics")}),
        ("Review", {"fields": REVIEW_STATE_FIELDS}),
        ("Retraction", {"fields": ("retraction_reason", "superseded_by"),
                        "classes": ("collapse",)}),
        ("Record", {"fields": RECORD_FIELDS, "classes": ("collapse",)}),
    )
    inlines = (EvidenceInline, ClaimReviewInline, ClaimVersionInline)
    actions = CLAIM_ACTIONS
    history_list_display = ("status", "review_round")

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(
            evidence_total=count_of(Evidence.objects, "claim"))

    def get_readonly_fields(self, request, obj=None):
        fields = super().get_readonly_fields(request, obj)
        if _frozen(obj):
            # An accepted claim's meaning is frozen (Claim.clean): a new claim supersedes it.
            return (*FROZEN_CLAIM_FIELDS, *fields)
        return fields

    @admin.display(description="claim", ordering="text")
    def text_short(self, claim):
        return _short(claim.text)

    @admin.display(description="evidence", ordering="evidence_total")
    def evidence_count(self, claim):
        return claim.evidence_total


@admin.register(Evidence)
class EvidenceAdmin(RecordsEditors, HistoryAdmin):
    list_display = ("__str__", "claim_short", "paper", "evidence_type", "location", "status",
                    "created_by")
    list_filter = (EvidenceQueueFilter, "status", "direction", "evidence_type", "sex")
    list_select_related = ("claim", "paper", "evidence_type", "created_by")
    search_fields = ("excerpt", "notes", "location", "species", "model", "claim__text",
                     "paper__title", "paper__doi")
    autocomplete_fields = ("claim", "paper", "evidence_type")
    readonly_fields = (*REVIEW_STATE_FIELDS, *RECORD_FIELDS)
    fieldsets = (
        (None, {"fields": ("claim", "paper", "evidence_type", "direction", "excerpt",
                           "location")}),
        ("Study", {"fields": STUDY_FIELDS}),
        ("Notes", {"fields": ("notes",)}),
        ("Review", {"fields": REVIEW_STATE_FIELDS}),
        ("Record", {"fields": RECORD_FIELDS, "classes": ("collapse",)}),
    )
    inlines = (EvidenceReviewInline,)
    actions = EVIDENCE_ACTIONS
    history_list_display = ("status", "review_round")

    def get_readonly_fields(self, request, obj=None):
        fields = super().get_readonly_fields(request, obj)
        if _frozen(obj):
            # What reviewers accepted stays as accepted (Evidence.clean); notes stay editable.
            return (*FROZEN_EVIDENCE_FIELDS, *fields)
        return fields

    @admin.display(description="claim", ordering="claim__text")
    def claim_short(self, evidence):
        return _short(evidence.claim.text, 60)
