"""The transition matrix: every transition, role and source state, with the expected outcome.

Written out independently of claims/workflow.py, and shared by the tests of each face
(the service, the API, the admin), so all three are held to one table.
"""

from django.contrib.auth.models import AnonymousUser

from claims import workflow, writes
from claims.choices import Status
from claims.models import Claim, CuratorReview, Evidence
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




# --- evidence ---
# Evidence on an accepted claim is submitted and reviewed on its own, by the claim's rules,
# with "author" meaning the evidence's creator (staff act for them) and no retraction. Evidence
# on any other claim travels with its claim and refuses transitions of its own (a conflict).

EVIDENCE_TRANSITIONS = {name: move for name, move in TRANSITIONS.items() if name != "retract"}
# Reviewers and staff review, but never evidence they created or last edited (FOUR_EYES).
EVIDENCE_MAY_ASK = {name: who for name, who in MAY_ASK.items() if name in EVIDENCE_TRANSITIONS}
EVIDENCE_STATES = (DRAFT, SUBMITTED, ACCEPTED, REJECTED)
# (claim state, evidence state) for evidence that travels with a claim that is not accepted:
# the evidence made with the claim, and a draft added later (on a retracted claim: released
# from review by the retraction).
EVIDENCE_WITH_ITS_CLAIM = (
    (DRAFT, DRAFT),
    (SUBMITTED, SUBMITTED), (SUBMITTED, DRAFT),
    (REJECTED, REJECTED), (REJECTED, DRAFT),
    (RETRACTED, ACCEPTED), (RETRACTED, DRAFT),
)
# (who, how involved) with submitted evidence: they may not review it; `other` may.
FOUR_EYES = (("staff", "created", "reviewer"), ("staff", "edited", "reviewer"),
             ("reviewer", "edited", "staff"))


def expected_evidence_outcome(action: str, role: str, state: str, claim_state: str = ACCEPTED) -> str:
    if role not in EVIDENCE_MAY_ASK[action]:
        return "forbidden"
    if claim_state != ACCEPTED:
        return "conflict"  # it travels with its claim
    if state != EVIDENCE_TRANSITIONS[action][0]:
        return "conflict"
    return "allowed"


def evidence_is_public(state: str, claim_state: str = ACCEPTED) -> bool:
    """Readers without a role see accepted evidence of accepted or retracted claims only."""
    return state == ACCEPTED and claim_state in (ACCEPTED, RETRACTED)


def evidence_in(state: str, people, created_by=None, edited_by=None) -> Evidence:
    """New evidence on an accepted claim of the curator's, brought to `state` on its own.

    The evidence is created by `created_by` (default: the curator) and, while a draft, last
    edited by `edited_by` if given; its author submits it and the second reviewer decides, so
    the reviewer persona has not reviewed it yet.
    """
    claim = claim_in(ACCEPTED, people)
    author = created_by or people.curator
    evidence = make_evidence(claim, created_by=author, excerpt="Median survival +12 d.")
    if edited_by is not None:
        writes.update(evidence, actor=edited_by, data={"notes": "Checked against the supplementary table."})
    if state != DRAFT:
        workflow.submit(evidence, author)
    if state == ACCEPTED:
        workflow.review(evidence, people.second_reviewer, "approve")
    elif state == REJECTED:
        workflow.review(evidence, people.second_reviewer, "reject", "Fig. 3 shows no such effect.")
    assert (evidence.status, evidence.claim.status) == (state, ACCEPTED)
    return evidence


def evidence_on_claim_in(claim_state: str, state: str, people) -> Evidence:
    """Evidence of the curator's on a claim in `claim_state` (not accepted), in `state`.

    The claim's own evidence when it is in `state` (it travelled with the claim); otherwise a
    draft added afterwards, or, on a retracted claim, evidence that was under review on its own
    when the claim was retracted.
    """
    if claim_state == RETRACTED and state == DRAFT:
        claim = claim_in(ACCEPTED, people)
        evidence = make_evidence(claim)
        workflow.submit(evidence, people.curator)
        workflow.retract(claim, people.staff, "Superseded by a larger study.")
    else:
        claim = claim_in(claim_state, people)
        evidence = claim.evidence.get()
        if evidence.status != state:
            evidence = make_evidence(claim)
    evidence.refresh_from_db()
    assert (evidence.status, evidence.claim.status) == (state, claim_state)
    return evidence


def evidence_trace(evidence) -> dict:
    """Everything an evidence transition may change, read fresh from the database."""
    fresh = Evidence.objects.select_related("claim").get(pk=evidence.pk)
    claim = fresh.claim
    return {
        "status": fresh.status,
        "review_round": fresh.review_round,
        "updated_by": fresh.updated_by_id,
        "reviews": list(CuratorReview.objects.filter(evidence=fresh).values_list("pk", flat=True)),
        "history": fresh.history.count(),
        "claim": {
            "status": claim.status,
            "review_round": claim.review_round,
            "updated_at": claim.updated_at,
            "reviews": list(CuratorReview.objects.filter(claim=claim).values_list("pk", flat=True)),
            "history": claim.history.count(),
        },
        "other_evidence": list(claim.evidence.exclude(pk=fresh.pk)
                               .values_list("pk", "status", "review_round", "updated_at")),
        "versions": list(claim.versions.values_list("number", "content_hash")),
    }
