"""The transition matrix: every transition, role and source state, with the expected outcome.

Written out independently of claims/workflow.py, and shared by the tests of each face
(the service, the API, the admin), so all three are held to one table.
"""

from django.contrib.auth.models import AnonymousUser

from claims import workflow
from claims.choices import Status
from claims.models import Claim, CuratorReview
from tests.factories import make_claim, make_evidence

DRAFT, SUBMITTED, ACCEPTED, REJECTED, RETRACTED = (
    Status.DRAFT, Status.SUBMITTED, Status.ACCEPTED, Status.REJECTED, Status.RETRACTED)
VERDICTS = ("approve", "reject", "request_changes")
COMMENT = "Report the number of animals per group."
RETRACTION_REASON = "The survival data were misread from Fig. 3."

# Each transition's source and target state, and who may ask for it at all.
TRANSITIONS = {
    "submit": (DRAFT, SUBMITTED),
    "withdraw": (SUBMITTED, DRAFT),
    "reopen": (REJECTED, DRAFT),
    "approve": (SUBMITTED, ACCEPTED),
    "reject": (SUBMITTED, REJECTED),
    "request_changes": (SUBMITTED, DRAFT),
    "retract": (ACCEPTED, RETRACTED),
}
AUTHOR_OR_STAFF = {"author", "staff"}
REVIEWERS = {"reviewer", "staff"}  # staff is a superuser: every role, and not the author here
MAY_ASK = {
    "submit": AUTHOR_OR_STAFF,
    "withdraw": AUTHOR_OR_STAFF,
    "reopen": AUTHOR_OR_STAFF,
    "approve": REVIEWERS,
    "reject": REVIEWERS,
    "request_changes": REVIEWERS,
    "retract": {"staff"},
}
ROLES = ("author", "other_curator", "reviewer", "staff", "outsider", "anonymous")
STATES = (DRAFT, SUBMITTED, ACCEPTED, REJECTED, RETRACTED)


def expected_outcome(action: str, role: str, state: str) -> str:
    if role not in MAY_ASK[action]:
        return "forbidden"
    if state != TRANSITIONS[action][0]:
        return "conflict"
    return "allowed"


# --- helpers ---


def persona(people, role: str):
    if role == "anonymous":
        return AnonymousUser()
    return people.curator if role == "author" else getattr(people, role)


def perform(action: str, obj, actor, comment: str = COMMENT):
    """Apply one transition through the service, as a face would."""
    if action in VERDICTS:
        return workflow.review(obj, actor, action, comment)
    if action == "retract":
        return workflow.retract(obj, actor, RETRACTION_REASON)
    return getattr(workflow, action)(obj, actor)


def claim_in(state: str, people) -> Claim:
    """A claim by the curator, with one evidence item, brought to `state` through the workflow.

    Set-up reviews are the second reviewer's, so the reviewer persona has not reviewed yet.
    """
    claim = make_claim(created_by=people.curator)
    make_evidence(claim)
    if state == DRAFT:
        return claim
    workflow.submit(claim, people.curator)
    if state == SUBMITTED:
        return claim
    if state == REJECTED:
        workflow.review(claim, people.second_reviewer, "reject", "Not what Fig. 3 shows.")
        return claim
    workflow.review(claim, people.second_reviewer, "approve")
    if state == RETRACTED:
        workflow.retract(claim, people.staff, "Superseded by a larger study.")
    return claim


def trace(claim) -> dict:
    """Everything a transition may change, read fresh from the database."""
    fresh = Claim.objects.get(pk=claim.pk)
    return {
        "status": fresh.status,
        "review_round": fresh.review_round,
        "retraction_reason": fresh.retraction_reason,
        "reviews": list(CuratorReview.objects.filter(claim=fresh).values_list("pk", flat=True)),
        "evidence_reviews": CuratorReview.objects.filter(evidence__claim=fresh).count(),
        "versions": list(fresh.versions.values_list("number", "content_hash")),
        "history": fresh.history.count(),
        "evidence": list(fresh.evidence.values_list("status", "review_round")),
    }


