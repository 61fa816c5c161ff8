"""The admin index as a curator's and reviewer's dashboard, and the short path from it to a
decision.

for_user() gathers what the signed-in user should look at: their drafts, what waits for
their review (assigned to them first), what they decided lately, counts by state, the claims
flagged for re-review and, for staff, how often reviewers agree. Each block is one or two
queries whatever the size of the data, and every entry links to the claim's page, where
decisions() puts the user's possible workflow actions as buttons that post to the claims
list's own actions (claims/templates/admin/claims/claim/change_form_object_tools.html).
"""

from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import urlencode

from django.db.models import Count, Q
from django.urls import reverse

from claims import agreement, roles, workflow
from claims.admin.actions import CLAIM_ACTIONS
from claims.admin.assignment import ASSIGNMENT_ACTIONS, NEEDS_MY_REVIEW, assigned_to_me_first, needs_review_by
from claims.admin.base import shorten
from claims.admin.queues import MY_DRAFTS, REVIEW_QUEUE
from claims.choices import Status, Verdict
from claims.models import Claim, CuratorReview, Evidence

LIMIT = 8  # entries per block; "see all" leads to the rest


@dataclass(frozen=True)
class Entry:
    url: str
    text: str
    note: str = ""
    when: datetime | None = None
    mine: bool = False  # assigned to the user: shown first and marked


@dataclass(frozen=True)
class Block:
    key: str
    title: str
    total: int | None  # None: not counted (a history, not a queue)
    see_all: str
    empty: str
    entries: list[Entry] = field(default_factory=list)
    extra: str = ""  # a line under the entries, e.g. the evidence also waiting
    extra_url: str = ""


def _changelist(model: str, **params) -> str:
    url = reverse(f"admin:claims_{model}_changelist")
    return f"{url}?{urlencode(params)}" if params else url


def _claim_page(pk: int) -> str:
    return reverse("admin:claims_claim_change", args=[pk])


def _claim_entry(claim: Claim, note: str = "", mine: bool = False) -> Entry:
    return Entry(
        url=_claim_page(claim.pk), text=shorten(claim.text), note=note, when=claim.updated_at, mine=mine
    )


def _claim_counts(user) -> dict:
    """Claims per state, the user's drafts and the claims flagged for re-review: one query."""
    return Claim.objects.aggregate(
        **{state: Count("pk", filter=Q(status=state)) for state in Status.values},
        my_drafts=Count("pk", filter=Q(status=Status.DRAFT, created_by=user.pk)),
        flagged=Count("pk", filter=Q(needs_rereview=True)),
    )


def _evidence_counts() -> dict:
    return Evidence.objects.aggregate(
        **{state: Count("pk", filter=Q(status=state)) for state in Status.values}
    )


def _my_drafts(user, total: int) -> Block:
    drafts = Claim.objects.filter(status=Status.DRAFT, created_by=user.pk).order_by("-updated_at", "-id")
    return Block(
        key="drafts",
        title="My drafts",
        total=total,
        see_all=_changelist("claim", queue=MY_DRAFTS),
        empty="No drafts: every claim you wrote is submitted or decided.",
        entries=[
            _claim_entry(claim, f"round {claim.review_round}" if claim.review_round else "")
            for claim in drafts[:LIMIT]
        ],
    )


def _waiting(claim: Claim) -> str:
    if claim.status == Status.ACCEPTED:
        return "re-review"
    return f"round {claim.review_round}"


def _for_my_review(user) -> Block:
    queue = needs_review_by(Claim.objects.all(), user)
    first = queue.order_by(assigned_to_me_first(user), "-updated_at", "-id")[:LIMIT]
    evidence = workflow.reviewable(Evidence.objects.all(), user).count()
    return Block(
        key="review",
        title="Waiting for my review",
        total=queue.count(),
        see_all=_changelist("claim", **{NEEDS_MY_REVIEW: "yes"}),
        empty="Nothing waits for your review.",
        entries=[
            _claim_entry(
                claim,
                ("assigned to you · " if claim.assigned_reviewer_id == user.pk else "") + _waiting(claim),
                mine=claim.assigned_reviewer_id == user.pk,
            )
            for claim in first
        ],
        extra=f"and {evidence} evidence item{'s' if evidence != 1 else ''} added to accepted claims"
        if evidence
        else "",
        extra_url=_changelist("evidence", queue=REVIEW_QUEUE) if evidence else "",
    )


def _decided(user) -> Block:
    reviews = (
        CuratorReview.objects.filter(reviewer=user.pk)
        .select_related("claim", "evidence__claim")
        .order_by("-created_at", "-id")[:LIMIT]
    )
    entries = []
    for review in reviews:
        claim = review.claim or review.evidence.claim
        target = "" if review.claim_id else "evidence on: "
        entries.append(
            Entry(
                url=_claim_page(claim.pk),
                text=f"{target}{shorten(claim.text)}",
                note=review.get_verdict_display().lower(),
                when=review.created_at,
            )
        )
    return Block(
        key="decided",
        title="Recently decided by me",
        total=None,
        see_all=_changelist("curatorreview", reviewer__id__exact=user.pk),
        empty="You have not reviewed anything yet.",
        entries=entries,
    )


def _flagged(total: int) -> Block:
    flagged = Claim.objects.filter(needs_rereview=True).order_by("-updated_at", "-id")[:LIMIT]
    return Block(
        key="rereview",
        title="Flagged for re-review",
        total=total,
        see_all=_changelist("claim", needs_rereview__exact=1),
        empty="No accepted claim is flagged: nothing they rest on has changed.",
        entries=[_claim_entry(claim, claim.rereview_reason.splitlines()[-1]) for claim in flagged],
    )


@dataclass(frozen=True)
class StateRow:
    state: str
    label: str
    claims: int
    evidence: int
    claims_url: str
    evidence_url: str


VERDICT_LABELS = dict(Verdict.choices)


def _agreement_rows() -> list[dict]:
    rows = []
    for pair in agreement.reviewer_agreement():
        rows.append(
            {
                "pair": pair,
                "matrix": [
                    (VERDICT_LABELS[first], [pair.counts[(first, second)] for second in agreement.VERDICTS])
                    for first in agreement.VERDICTS
                ],
            }
        )
    return rows


def for_user(user) -> dict | None:
    """The dashboard of the signed-in user; None for someone without a curation role."""
    if not roles.sees_everything(user):
        return None
    claims = _claim_counts(user)
    evidence = _evidence_counts()
    blocks = []
    if roles.is_reviewer(user):
        blocks.append(_for_my_review(user))
    if roles.is_curator(user) or roles.has_staff_powers(user):
        blocks.append(_my_drafts(user, claims["my_drafts"]))
    if roles.is_reviewer(user):
        blocks.append(_decided(user))
    blocks.append(_flagged(claims["flagged"]))
    states = [
        StateRow(
            state=state,
            label=label,
            claims=claims[state],
            evidence=evidence[state],
            claims_url=_changelist("claim", status__exact=state),
            evidence_url=_changelist("evidence", status__exact=state),
        )
        for state, label in Status.choices
    ]
    staff = roles.has_staff_powers(user)
    return {
        "blocks": blocks,
        "states": states,
        "agreement": _agreement_rows() if staff else None,
        "agreement_min_items": agreement.MIN_ITEMS,
        "verdicts": [VERDICT_LABELS[verdict] for verdict in agreement.VERDICTS],
        "reviews_url": _changelist("curatorreview"),
    }


# --- the claim page: decide in one click ---

ACTION_LABELS = {
    action.__name__: action.short_description for action in (*CLAIM_ACTIONS, *ASSIGNMENT_ACTIONS)
}
# The reviewer's decisions first: they are what a reviewer comes to the page for.
ORDER = (
    "approve",
    "request_changes",
    "reject",
    "confirm",
    "take",
    "assign",
    "submit",
    "withdraw",
    "reopen",
    "retract",
)


def decisions(claim: Claim, user) -> dict:
    """What the claim page offers this user: the workflow actions they may apply now, as
    (action name, label) in ORDER, and who the claim is assigned to."""
    # The checks read the claim's evidence and reviews: read once here.
    claim = (
        Claim.objects.select_related("assigned_reviewer")
        .prefetch_related("evidence", "reviews")
        .get(pk=claim.pk)
    )
    names = set(workflow.allowed_actions(claim, user))
    if claim.assigned_reviewer_id != user.pk and workflow.can_assign(claim, user, user):
        names.add("take")
    if roles.has_staff_powers(user) and workflow.can_assign(claim, None, user):
        names.add("assign")
    return {
        "actions": [(name, ACTION_LABELS[name]) for name in ORDER if name in names],
        "assigned_to": claim.assigned_reviewer,
        "assigned_at": claim.assigned_at,
    }
