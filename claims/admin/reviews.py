"""Reviews and accepted versions: append-only records, read here and never edited.

Reviews are made through the review actions on claims and evidence (claims.workflow).
"""

import json

from django.contrib import admin
from django.utils.html import format_html

from claims.admin.base import ReadOnlyAdmin
from claims.models import ClaimVersion, CuratorReview


class TargetFilter(admin.SimpleListFilter):
    title = "reviewed"
    parameter_name = "target"

    def lookups(self, request, model_admin):
        return [("claim", "Claims"), ("evidence", "Evidence")]

    def queryset(self, request, queryset):
        if self.value() in ("claim", "evidence"):
            return queryset.filter(**{f"{self.value()}__isnull": False})
        return queryset


@admin.register(CuratorReview)
class CuratorReviewAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "verdict", "target", "review_round", "reviewer",
                    "comment_short")
    list_filter = ("verdict", TargetFilter, ("reviewer", admin.RelatedOnlyFieldListFilter))
    list_select_related = ("claim", "evidence", "reviewer")
    search_fields = ("comment", "claim__text", "reviewer__username")
    date_hierarchy = "created_at"
    fields = ("uid", "claim", "evidence", "review_round", "verdict", "comment", "reviewer",
              "created_at")

    @admin.display(description="of")
    def target(self, review):
        return review.claim or review.evidence

    @admin.display(description="comment")
    def comment_short(self, review):
        return review.comment if len(review.comment) <= 80 else f"{review.comment[:80]}…"


@admin.register(ClaimVersion)
class ClaimVersionAdmin(ReadOnlyAdmin):
    list_display = ("claim", "number", "accepted_at", "hash_short")
    list_select_related = ("claim",)
    search_fields = ("claim__text", "content_hash")
    date_hierarchy = "accepted_at"
    fields = ("claim", "number", "accepted_at", "content_hash", "content_pretty")

    @admin.display(description="SHA-256")
    def hash_short(self, version):
        return version.content_hash[:12]

    @admin.display(description="content")
    def content_pretty(self, version):
        return format_html("<pre>{}</pre>", json.dumps(version.content, indent=2,
                                                       ensure_ascii=False, sort_keys=True))
