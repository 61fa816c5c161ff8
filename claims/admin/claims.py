"""Claims and their evidence: editing, their history, the review queues and the workflow actions."""

from django import forms
from django.contrib import admin
from django.db.models import F, Value
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import localize
from django.utils.html import format_html, format_html_join

from claims.admin import assignment, badges
from claims.admin.actions import CLAIM_ACTIONS, EVIDENCE_ACTIONS, SelectsByStoredId
from claims.admin.base import HistoryAdmin, ReadOnlyInline, SavesThroughServices, count_of, shorten
from claims.admin.claim_page import ShowsEvidenceAtAGlance
from claims.admin.imports import ClaimResource, ImportsThroughServices
from claims.admin.list_filters import COUNTED, EvidenceDirectionFilter, EvidenceTypeTreeFilter
from claims.admin.next_steps import SaysWhatComesNext
from claims.admin.queues import ClaimQueueFilter, EvidenceQueueFilter
from claims.admin.widgets import KnownChoiceAutocomplete, KnownChoicesForm
from claims.choices import Direction
from claims.history import history_of
from claims.models import Claim, ClaimVersion, CuratorReview, Evidence
from claims.models.claims import (
    FROZEN_CLAIM_FIELDS,
    FROZEN_EVIDENCE_FIELDS,
    FROZEN_STATUSES,
    QUALITY_FIELDS,
    STUDY_FIELDS,
)

# Set by the workflow only: shown, never edited here.
REVIEW_STATE_FIELDS = ("status", "review_round")
REREVIEW_FIELDS = ("needs_rereview", "rereview_reason")
RECORD_FIELDS = ("uid", "created_by", "created_at", "updated_by", "updated_at")
# The claims list sorts its evidence column by the number of items the badges count.
EVIDENCE_TOTAL = sum((F(f"evidence_{direction}") for direction in Direction.values), Value(0))
# Passes a DOI or PMID typed in a paper search to the add-paper popup (claims/admin/papers.py).
PAPER_FROM_IDENTIFIER = "claims/paper_from_identifier.js"
PAPER_HELP = ("Type a DOI, a PMID or words of the title. A paper not stored yet: type its DOI or "
              "PMID, then + adds it with that identifier filled in.")


def _frozen(obj) -> bool:
    return obj is not None and obj.pk is not None and obj.status in FROZEN_STATUSES


def _shown(value) -> str:
    return "—" if value is None or value == "" else str(value)


def _what(entry) -> str:
    if entry["kind"] == "review":
        return f"review of {entry['target']} (round {entry['review_round']})"
    return entry["kind"]


def _details(entry):
    """A review's comment, or a record's changes as "field: from → to", escaped."""
    if entry["kind"] == "review":
        return format_html("<q>{}</q>", entry["comment"]) if entry["comment"] else ""
    if not entry["changes"]:
        return ""
    return format_html("<ul>{}</ul>", format_html_join(
        "", "<li>{}: {} → {}</li>",
        ((change["field"], _shown(change["from"]), _shown(change["to"]))
         for change in entry["changes"])))


def history_table(obj):
    """The object's story (claims.history.history_of), oldest first, as an HTML table.

    Every value passes through format_html's escaping: comments and field values are
    user text. history_of costs a fixed number of queries, whatever the length.
    """
    rows = format_html_join(
        "",
        "<tr><td><time datetime=\"{}\">{}</time></td><td>{}</td><td>{}</td><td>{}</td>"
        "<td>{}</td><td>{}</td></tr>",
        ((entry["at"].isoformat(), localize(timezone.localtime(entry["at"])),
          _shown(entry["user"]), _what(entry), entry["action"], _shown(entry.get("status")),
          _details(entry))
         for entry in history_of(obj, sees_everything=True)))
    link = reverse(f"admin:claims_{obj._meta.model_name}_history", args=[obj.pk])
    return format_html(
        '<table class="history-entries"><thead><tr><th>When</th><th>Who</th><th>On</th>'
        "<th>What</th><th>Status</th><th>Details</th></tr></thead><tbody>{}</tbody></table>"
        '<p><a href="{}">Every recorded version of this {}</a></p>',
        rows, link, obj._meta.verbose_name)


class ShowsHistory:
    """A saved object's change page ends with its history: who did what, when, and why."""

    HISTORY_FIELDSET = ("History", {"fields": ("story",)})

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        return (*fieldsets, self.HISTORY_FIELDSET) if obj is not None and obj.pk else fieldsets

    def get_readonly_fields(self, request, obj=None):
        return (*super().get_readonly_fields(request, obj), "story")

    @admin.display(description="changes and reviews")
    def story(self, obj):
        return history_table(obj)


class ReportedSelect(forms.NullBooleanSelect):
    """A study-quality item: left blank, it was not reported."""

    def __init__(self, attrs=None):
        super().__init__(attrs)
        self.choices = [("unknown", "not reported"), ("true", "yes"), ("false", "no")]


class EvidenceInlineForm(KnownChoicesForm):
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

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        # The selected paper and type come from the rows' select_related, not a query per row.
        if db_field.name in self.autocomplete_fields:
            kwargs["widget"] = KnownChoiceAutocomplete(db_field, self.admin_site,
                                                       using=kwargs.get("using"))
        if db_field.name == "paper":
            kwargs["help_text"] = PAPER_HELP
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

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
class ClaimAdmin(SelectsByStoredId, ShowsHistory, ShowsEvidenceAtAGlance, SaysWhatComesNext,
                 SavesThroughServices, ImportsThroughServices, HistoryAdmin):
    resource_classes = (ClaimResource,)
    list_display = ("text_short", "state_badge", "evidence_badges", "level_badge", "needs_rereview",
                    "created_by", "updated_at")
    list_filter = (ClaimQueueFilter, *assignment.ASSIGNMENT_FILTERS,
                   "status", "synthesis_level", "contested",
                   EvidenceDirectionFilter, EvidenceTypeTreeFilter, "needs_rereview", "topics",
                   "relation", ("created_by", admin.RelatedOnlyFieldListFilter))
    ordering = ("-updated_at", "-id")  # what changed last comes first
    list_select_related = ("created_by", "updated_by")
    search_fields = ("text", "subject", "object", "context", "evidence__paper__title",
                     "evidence__paper__doi")
    autocomplete_fields = ("topics",)
    readonly_fields = (*REVIEW_STATE_FIELDS, *REREVIEW_FIELDS, "retraction_reason",
                       "superseded_by", *RECORD_FIELDS)
    fieldsets = (
        (None, {"fields": ("text", "subject", "relation", "object", "context", "topics")}),
        ("Review", {"fields": (*REVIEW_STATE_FIELDS, *REREVIEW_FIELDS)}),
        ("Retraction", {"fields": ("retraction_reason", "superseded_by"),
                        "classes": ("collapse",)}),
        ("Record", {"fields": RECORD_FIELDS, "classes": ("collapse",)}),
    )
    inlines = (EvidenceInline, ClaimReviewInline, ClaimVersionInline)
    actions = [*CLAIM_ACTIONS, *assignment.ASSIGNMENT_ACTIONS]
    history_list_display = ("status", "review_round")

    class Media:
        css = {"all": [badges.CSS]}
        js = [PAPER_FROM_IDENTIFIER]

    def get_queryset(self, request):
        # Counted in the list's one query, a subquery per direction (count_of).
        return super().get_queryset(request).annotate(**{
            f"evidence_{direction}": count_of(COUNTED.filter(direction=direction), "claim")
            for direction in Direction.values})

    def get_ordering(self, request):
        return assignment.ordering(request, super().get_ordering(request))

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        formfield = super().formfield_for_dbfield(db_field, request, **kwargs)
        if db_field.name == "text":
            formfield.widget.attrs["data-similar-url"] = reverse("claim-similar")
        return formfield

    def render_change_form(self, request, context, add=False, **kwargs):
        if add:  # duplicates are caught before they are written (claims/similar.py)
            context["media"] += forms.Media(js=["claims/similar_claims.js"])
        return super().render_change_form(request, context, add=add, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        fields = super().get_readonly_fields(request, obj)
        if _frozen(obj):
            # Under review or accepted, the claim's meaning is frozen (Claim.clean and
            # Claim.clean_topics): withdraw it to edit, or state a new claim that supersedes it.
            return (*FROZEN_CLAIM_FIELDS, "topics", *fields)
        return fields

    @admin.display(description="claim", ordering="text")
    def text_short(self, claim):
        return shorten(claim.text)

    @admin.display(description="state", ordering="status")
    def state_badge(self, claim):
        return badges.state(claim.status)

    @admin.display(description="evidence (+ − ?)", ordering=EVIDENCE_TOTAL.desc())
    def evidence_badges(self, claim):
        return badges.direction_counts(
            {direction: getattr(claim, f"evidence_{direction}") for direction in Direction.values},
            note="evidence items, rejected ones not counted")

    @admin.display(description="synthesis", ordering="synthesis_level")
    def level_badge(self, claim):
        return badges.level(claim.synthesis_level, contested=claim.contested,
                            score=claim.synthesis.get("score"))


@admin.register(Evidence)
class EvidenceAdmin(SelectsByStoredId, ShowsHistory, SaysWhatComesNext, SavesThroughServices,
                    HistoryAdmin):
    list_display = ("direction_badge", "claim_short", "paper", "evidence_type", "location",
                    "state_badge", "created_by", "updated_at")
    list_filter = (EvidenceQueueFilter, "status", "direction", EvidenceTypeTreeFilter, "sex")
    ordering = ("-updated_at", "-id")
    list_select_related = ("claim", "paper", "evidence_type", "created_by")
    search_fields = ("excerpt", "notes", "location", "species", "model", "claim__text",
                     "paper__title", "paper__doi")
    autocomplete_fields = ("claim", "paper", "evidence_type")
    readonly_fields = (*REVIEW_STATE_FIELDS, *RECORD_FIELDS)
    fieldsets = (
        (None, {"fields": ("claim", "paper", "evidence_type", "direction", "excerpt",
                           "location")}),
        ("Study", {"fields": STUDY_FIELDS}),
        ("Study quality", {"fields": QUALITY_FIELDS, "description": (
            "What the paper reports of each safeguard against bias (SYRCLE). The evidence "
            "synthesis weighs an in vivo item that leaves any unreported at half weight.")}),
        ("Notes", {"fields": ("notes",)}),
        ("Review", {"fields": REVIEW_STATE_FIELDS}),
        ("Record", {"fields": RECORD_FIELDS, "classes": ("collapse",)}),
    )
    inlines = (EvidenceReviewInline,)
    actions = EVIDENCE_ACTIONS
    history_list_display = ("status", "review_round")

    class Media:
        css = {"all": [badges.CSS]}
        js = [PAPER_FROM_IDENTIFIER]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        # A ?paper= that names no paper leaves the field empty (KnownChoiceAutocomplete).
        if db_field.name in self.autocomplete_fields:
            kwargs["widget"] = KnownChoiceAutocomplete(db_field, self.admin_site,
                                                       using=kwargs.get("using"))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name in QUALITY_FIELDS:
            kwargs["widget"] = ReportedSelect
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        fields = super().get_readonly_fields(request, obj)
        if _frozen(obj):
            # What reviewers accepted stays as accepted (Evidence.clean); notes stay editable.
            return (*FROZEN_EVIDENCE_FIELDS, *fields)
        return fields

    @admin.display(description="claim", ordering="claim__text")
    def claim_short(self, evidence):
        return shorten(evidence.claim.text, 60)

    @admin.display(description="direction", ordering="direction")
    def direction_badge(self, evidence):
        return badges.direction(evidence.direction)

    @admin.display(description="state", ordering="status")
    def state_badge(self, evidence):
        return badges.state(evidence.status)
