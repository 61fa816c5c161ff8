"""Papers and the vocabulary claims are filed under: topics and evidence types."""

import re

from django import forms
from django.contrib import admin
from django.db import models
from django.urls import reverse
from django.utils.html import format_html_join
from django.utils.http import urlencode

from claims.admin.base import HistoryAdmin, ReadOnlyInline, SavesThroughServices, count_of
from claims.admin.imports import ImportsThroughServices, PaperResource
from claims.admin.next_steps import SaysWhatComesNext
from claims.models import Claim, Evidence, EvidenceType, Paper, Topic
from claims.models.papers import DOI_PATTERN, normalise_doi

PMID_TYPED = re.compile(r"(?:pmid\s*:?\s*)?([0-9]+)", re.IGNORECASE)


def typed_identifier(text: str) -> dict:
    """A DOI (any case, with or without https://doi.org/ or doi:) or a PMID (digits, or PMID:
    and digits) as a curator types it in a search box, as {"doi": ...} or {"pmid": ...}; {} for
    anything else. Only what was typed: nothing is looked up or guessed."""
    text = (text or "").strip()
    doi = normalise_doi(text)
    if DOI_PATTERN.fullmatch(doi):
        return {"doi": doi}
    pmid = PMID_TYPED.fullmatch(text)
    return {"pmid": pmid[1]} if pmid else {}


class CitingEvidenceInline(ReadOnlyInline):
    """The evidence that cites this paper, with the claim it supports or contradicts."""

    model = Evidence
    fk_name = "paper"
    fields = ("claim", "direction", "evidence_type", "location", "status")
    verbose_name = "evidence citing this paper"
    verbose_name_plural = "evidence citing this paper"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("claim", "evidence_type")


@admin.register(Paper)
class PaperAdmin(SaysWhatComesNext, SavesThroughServices, ImportsThroughServices, HistoryAdmin):
    resource_classes = (PaperResource,)
    list_display = ("title_short", "year", "journal", "doi", "pmid", "publication_type",
                    "is_retracted", "evidence_count")
    list_filter = ("is_retracted", "publication_type", "year", "topics")
    search_fields = ("title", "doi", "=pmid", "journal", "url")
    autocomplete_fields = ("topics", "published_version")
    readonly_fields = ("preprint_links", "created_at", "updated_at")
    inlines = (CitingEvidenceInline,)
    history_list_display = ("is_retracted",)
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    fieldsets = (
        (None, {"fields": ("title", "authors", "authors_complete", "journal", "year", "volume",
                           "pages", "publication_type", "topics")}),
        ("Identifiers", {"fields": ("doi", "pmid", "url")}),
        ("Versions", {"fields": ("published_version", "preprint_links"), "description": (
            "A preprint names the paper it was published as; evidence citing both on one claim "
            "with the same direction and evidence type counts once in the synthesis.")}),
        ("Abstract", {"fields": ("abstract",), "classes": ("collapse",)}),
        ("Retraction", {"fields": ("is_retracted", "retraction_date", "retraction_url")}),
        ("Record", {"fields": ("created_at", "updated_at")}),
    )

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name in ("title", "authors"):
            kwargs["widget"] = forms.Textarea(attrs={"rows": 2, "cols": 80})
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(
            evidence_total=count_of(Evidence.objects, "paper"))

    def get_search_results(self, request, queryset, search_term):
        # A DOI pasted as https://doi.org/10.1002/ANA.22534 or a PMID as PMID:20167253 finds its
        # paper, as the bare identifier does (the autocomplete of evidence forms searches here).
        identifier = typed_identifier(search_term)
        return super().get_search_results(request, queryset, next(iter(identifier.values()),
                                                                  search_term))

    def get_changeform_initial_data(self, request):
        # ?identifier=: what the curator typed in a paper search before pressing + (the
        # evidence forms' paper_from_identifier.js passes it on).
        return {**super().get_changeform_initial_data(request),
                **typed_identifier(request.GET.get("identifier", ""))}

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        typed = typed_identifier(request.GET.get("identifier", "")) if add else {}
        if typed:
            (name, value), = typed.items()
            context["identifier_note"] = (
                f"{'DOI' if name == 'doi' else 'PMID'} {value} is filled in from what you typed. "
                "Type the title, and what else you know, from the paper itself: nothing is "
                "looked up in Crossref or PubMed.")
        if obj is not None and obj.pk:
            context["add_evidence_url"] = (f"{reverse('admin:claims_evidence_add')}?"
                                           f"{urlencode({'paper': obj.pk})}")
        return super().render_change_form(request, context, add=add, change=change,
                                          form_url=form_url, obj=obj)

    @admin.display(description="preprints")
    def preprint_links(self, paper):
        preprints = paper.preprints.order_by("pk") if paper.pk else []
        return format_html_join(
            ", ", '<a href="{}">{}</a>',
            ((reverse("admin:claims_paper_change", args=[p.pk]), str(p)) for p in preprints)) or "—"

    @admin.display(description="title", ordering="title")
    def title_short(self, paper):
        return paper.title if len(paper.title) <= 90 else f"{paper.title[:90]}…"

    @admin.display(description="evidence", ordering="evidence_total")
    def evidence_count(self, paper):
        return paper.evidence_total


@admin.register(Topic)
class TopicAdmin(SavesThroughServices, admin.ModelAdmin):
    list_display = ("name", "slug", "claim_count", "paper_count")
    search_fields = ("slug", "name")
    prepopulated_fields = {"slug": ("name",)}

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(
            claim_total=count_of(Claim.topics.through.objects, "topic"),
            paper_total=count_of(Paper.topics.through.objects, "topic"))

    @admin.display(description="claims", ordering="claim_total")
    def claim_count(self, topic):
        return topic.claim_total

    @admin.display(description="papers", ordering="paper_total")
    def paper_count(self, topic):
        return topic.paper_total


@admin.register(EvidenceType)
class EvidenceTypeAdmin(SavesThroughServices, admin.ModelAdmin):
    list_display = ("label", "code", "eco_id", "parent", "weight", "obsolete", "evidence_count")
    list_filter = ("obsolete", ("parent", admin.RelatedOnlyFieldListFilter))
    list_select_related = ("parent",)
    search_fields = ("code", "label", "eco_id", "description")
    autocomplete_fields = ("parent",)
    prepopulated_fields = {"code": ("label",)}

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(
            evidence_total=count_of(Evidence.objects, "evidence_type"))

    def get_search_results(self, request, queryset, search_term):
        queryset, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        # The evidence forms' type picker never offers an obsolete type; an item that already
        # cites one keeps showing it as its current value.
        if (request.GET.get("model_name"), request.GET.get("field_name")) == ("evidence",
                                                                                "evidence_type"):
            queryset = queryset.filter(obsolete=False)
        return queryset, may_have_duplicates

    @admin.display(description="evidence", ordering="evidence_total")
    def evidence_count(self, evidence_type):
        return evidence_type.evidence_total
