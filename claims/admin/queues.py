"""Work queues as changelist filters: what the signed-in user should look at next."""

from django.contrib import admin
from django.db.models import Exists, OuterRef, Q

from claims import roles
from claims.choices import Status
from claims.filters import ClaimFilter
from claims.models import CuratorReview

REVIEW_QUEUE = "review"
MY_DRAFTS = "drafts"


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
        raise NotImplementedError


class ClaimQueueFilter(QueueFilter):
    """Review queue: the claims the workflow would let this user review now.

    The rule is the API's `reviewable` filter (claims/filters.py): submitted, not created or
    last edited by the user (nor any evidence submitted with it), not yet reviewed by the
    user in this round.
    """

    def review_queue(self, request, queryset):
        return ClaimFilter({"reviewable": "true"}, queryset=queryset, request=request).qs


class EvidenceQueueFilter(QueueFilter):
    """Review queue: evidence submitted on its own (its claim is accepted) that this user
    did not create or last edit and has not yet reviewed in this round."""

    def review_queue(self, request, queryset):
        user = request.user
        if not roles.is_reviewer(user):
            return queryset.none()
        reviewed = CuratorReview.objects.filter(evidence=OuterRef("pk"), reviewer=user,
                                                review_round=OuterRef("review_round"))
        return (queryset.filter(status=Status.SUBMITTED, claim__status=Status.ACCEPTED)
                .exclude(Q(created_by=user) | Q(updated_by=user) | Q(Exists(reviewed))))
