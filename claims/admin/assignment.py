"""Assigning claims to reviewers in the admin: the actions, the list filters and the order
that puts a reviewer's assigned claims first.

Who may assign whom is workflow.assign's rule; here are only its forms and messages.
"""

from django import forms
from django.contrib import admin
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.auth import get_user_model
from django.db.models import Case, IntegerField, Q, Value, When

from claims import workflow
from claims.admin.actions import ActionForm, apply_to_selected, form_action, label
from claims.admin.queues import REVIEW_QUEUE, QueueFilter, review_queue
from claims.choices import Role
from claims.models import Claim
from claims.models.base import as_id


def reviewers():
    """Active users holding the reviewer role (superusers hold every role)."""
    return (
        get_user_model()
        .objects.filter(is_active=True)
        .filter(Q(groups__name=Role.REVIEWER) | Q(is_superuser=True))
        .distinct()
        .order_by("username")
    )


class AssignForm(ActionForm):
    reviewer = forms.ModelChoiceField(
        queryset=None,
        required=False,
        empty_label="nobody (clear the assignment)",
        help_text="They see it first in their review queue and are told by mail. They must "
        "not have written or last edited the claim or evidence submitted with it.",
    )

    def __init__(self, *args, admin_site=None, **kwargs):
        super().__init__(*args, admin_site=admin_site, **kwargs)
        self.fields["reviewer"].queryset = reviewers()


def _assigned(claim, _) -> str:
    if claim.assigned_reviewer_id is None:
        return f"No reviewer is assigned to {label(claim)} now."
    return (
        f"Assigned {label(claim)} to {claim.assigned_reviewer}: it comes first in their "
        "review queue, and they are told by mail."
    )


assign = form_action(
    "assign",
    "Assign to reviewer",
    AssignForm,
    lambda obj, user, data: workflow.assign(obj, data["reviewer"], user),
    _assigned,
    button="Assign",
)


@admin.action(description="Take for my review")
def take(modeladmin, request, queryset):
    apply_to_selected(
        modeladmin,
        request,
        queryset,
        lambda obj: workflow.assign(obj, request.user, request.user),
        lambda obj, _: f"Took {label(obj)}: it is assigned to you, first in your review queue.",
    )


ASSIGNMENT_ACTIONS = [take, assign]


# --- the lists ---


def assigned_to_me_first(user):
    """An ordering term: the claims assigned to this user before all others."""
    return Case(
        When(assigned_reviewer=user.pk, then=Value(0)), default=Value(1), output_field=IntegerField()
    ).asc()


def needs_review_by(queryset, user):
    """What this user may review now (the review queue: submitted, or flagged for re-review)
    and nobody else is assigned to."""
    return review_queue(queryset, user).filter(
        Q(assigned_reviewer__isnull=True) | Q(assigned_reviewer=user.pk))


NEEDS_MY_REVIEW = "needs_my_review"


class NeedsMyReviewFilter(admin.SimpleListFilter):
    title = "needs my review"
    parameter_name = NEEDS_MY_REVIEW

    def lookups(self, request, model_admin):
        return [("yes", "Assigned to me, then unassigned"), ("assigned", "Assigned to me")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return needs_review_by(queryset, request.user)
        if self.value() == "assigned":
            return needs_review_by(queryset, request.user).filter(assigned_reviewer=request.user)
        return queryset


class AssignedReviewerFilter(admin.SimpleListFilter):
    title = "assigned reviewer"
    parameter_name = "assigned"

    def lookups(self, request, model_admin):
        # The reviewers with claims assigned now: one query, however many claims.
        assignees = (
            get_user_model().objects.filter(claims_assigned__isnull=False).distinct().order_by("username")
        )
        return [
            ("me", "Me"),
            ("anyone", "Anyone"),
            ("nobody", "Nobody"),
            *((str(user.pk), user.get_username()) for user in assignees),
        ]

    def queryset(self, request, queryset):
        value = self.value()
        if value == "me":
            return queryset.filter(assigned_reviewer=request.user)
        if value == "anyone":
            return queryset.filter(assigned_reviewer__isnull=False)
        if value == "nobody":
            return queryset.filter(assigned_reviewer__isnull=True)
        if value is None:
            return queryset
        if (reviewer := as_id(value)) is None:
            raise IncorrectLookupParameters(f"No reviewer {value!r}.")
        return queryset.filter(assigned_reviewer=reviewer)


ASSIGNMENT_FILTERS = (NeedsMyReviewFilter, AssignedReviewerFilter)


def ordering(request, default) -> list:
    """In the review queues, claims assigned to the signed-in user come first, in the list's
    order; elsewhere the list keeps its order (and its index)."""
    ordering = list(default or Claim._meta.ordering)
    if request.GET.get(NEEDS_MY_REVIEW) or request.GET.get(QueueFilter.parameter_name) == REVIEW_QUEUE:
        return [assigned_to_me_first(request.user), *ordering]
    return ordering
