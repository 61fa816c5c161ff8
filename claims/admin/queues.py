"""Work queues as changelist filters: what the signed-in user should look at next."""

from django.contrib import admin

from claims import workflow
from claims.choices import Status

REVIEW_QUEUE = "review"
MY_DRAFTS = "drafts"


def review_queue(queryset, user):
    """Submissions this user may review, and accepted claims flagged for re-review."""
    return workflow.reviewable(queryset, user) | workflow.rereviewable(queryset, user)


class QueueFilter(admin.SimpleListFilter):
    title = "queue"
    parameter_name = "queue"

    def lookups(self, request, model_admin):
        return [(REVIEW_QUEUE, "Review queue"), (MY_DRAFTS, "My drafts")]

    def queryset(self, request, queryset):
        if self.value() == REVIEW_QUEUE:
            return self.review_queue(request, queryset)
        if self.value() == MY_DRAFTS:
            return queryset.filter(status=Status.DRAFT, created_by=request.user)
        return queryset

    def review_queue(self, request, queryset):
        # Claims assigned to the user come first: a filter cannot order a list,
        # ClaimAdmin.get_ordering does (claims/admin/assignment.py, ordering).
        return review_queue(queryset, request.user)


# The same queues serve claims and evidence: the workflow knows which is which.
ClaimQueueFilter = EvidenceQueueFilter = QueueFilter
