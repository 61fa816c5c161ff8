"""The evidence transition matrix through the service, the API and the admin.

Evidence on an accepted claim is submitted and reviewed on its own; evidence on any other
claim travels with its claim and refuses transitions of its own. The tables are in
tests/matrix.py, written independently of the workflow; every face is held to them, and a
refused transition changes nothing.
"""

import pytest
from django.urls import reverse

from claims import workflow
from claims.models import ClaimVersion, CuratorReview, Evidence
from claims.workflow import TransitionNotAllowed
from tests.matrix import (
    ACCEPTED,
    COMMENT,
    EVIDENCE_STATES,
    EVIDENCE_TRANSITIONS,
    EVIDENCE_WITH_ITS_CLAIM,
    FOUR_EYES,
    ROLES,
    SUBMITTED,
    VERDICTS,
    evidence_in,
    evidence_is_public,
    evidence_on_claim_in,
    evidence_trace,
    expected_evidence_outcome,
    perform,
    persona,
)

pytestmark = pytest.mark.django_db

ON_ITS_OWN = [(action, role, state)
              for action in EVIDENCE_TRANSITIONS for role in ROLES for state in EVIDENCE_STATES]
WITH_ITS_CLAIM = [(action, role, claim_state, state)
                  for action in EVIDENCE_TRANSITIONS for role in ROLES
                  for claim_state, state in EVIDENCE_WITH_ITS_CLAIM]
ADMIN_ROLES = ("author", "other_curator", "reviewer", "staff")


def assert_applied(evidence, action, actor, before):
    """The evidence moved as the matrix says, and nothing else did, except that the claim
    gets its next version exactly when the evidence is accepted."""
    after = evidence_trace(evidence)
    target = EVIDENCE_TRANSITIONS[action][1]
    assert after["status"] == target
    assert after["review_round"] == before["review_round"] + (action == "submit")
    added = CuratorReview.objects.filter(evidence=evidence).exclude(pk__in=before["reviews"])
    expected_reviews = [(actor.pk, action, before["review_round"], None)] if action in VERDICTS else []
    assert list(added.values_list("reviewer", "verdict", "review_round", "claim")) == expected_reviews
    assert after["history"] > before["history"]
    assert (after["claim"], after["other_evidence"]) == (before["claim"], before["other_evidence"])
    if target != ACCEPTED:
        assert after["versions"] == before["versions"]
        return
    assert after["versions"][:-1] == before["versions"]
    number = after["versions"][-1][0]
    assert number == before["versions"][-1][0] + 1
    minted = ClaimVersion.objects.get(claim=evidence.claim_id, number=number)
    assert str(evidence.uid) in {e["uid"] for e in minted.content["evidence"]}


def assert_refused(evidence, before):
    assert evidence_trace(evidence) == before


# --- the service ---


def service_call(action, evidence, user) -> str:
    try:
        perform(action, evidence, user)
    except TransitionNotAllowed as refused:
        return "forbidden" if refused.forbidden else "conflict"
    return "allowed"


@pytest.mark.parametrize("action, role, state", ON_ITS_OWN)
def test_service_moves_evidence_on_an_accepted_claim_as_the_matrix_says(personas, action, role, state):
    evidence = evidence_in(state, personas)
    user = persona(personas, role)
    expected = expected_evidence_outcome(action, role, state)
    assert (action in workflow.allowed_actions(evidence, user)) == (expected == "allowed")
    before = evidence_trace(evidence)
    assert service_call(action, evidence, user) == expected
    if expected == "allowed":
        assert evidence.status == EVIDENCE_TRANSITIONS[action][1]  # the caller's copy too
        assert_applied(evidence, action, user, before)
    else:
        assert_refused(evidence, before)


@pytest.mark.parametrize("action, role, claim_state, state", WITH_ITS_CLAIM)
def test_service_refuses_evidence_transitions_of_its_own_while_the_claim_is_not_accepted(
        personas, action, role, claim_state, state):
    evidence = evidence_on_claim_in(claim_state, state, personas)
    user = persona(personas, role)
    assert action not in workflow.allowed_actions(evidence, user)
    before = evidence_trace(evidence)
    assert service_call(action, evidence, user) == expected_evidence_outcome(
        action, role, state, claim_state)
    assert_refused(evidence, before)


def test_version_count_grows_only_with_the_approval_that_accepts(personas, settings):
    evidence = evidence_in(SUBMITTED, personas)
    settings.CURATION_REQUIRED_APPROVALS = 2
    versions = evidence.claim.versions
    assert versions.count() == 1
    assert workflow.review(evidence, personas.reviewer, "approve").status == SUBMITTED
    assert versions.count() == 1
    assert workflow.review(evidence, personas.staff, "approve").status == ACCEPTED
    assert list(versions.values_list("number", flat=True)) == [1, 2]


# --- the API ---


def api_call(api, action, evidence, user):
    client = api.as_(None if user.is_anonymous else user)
    if action in VERDICTS:
        return client.post(f"/api/v1/evidence/{evidence.pk}/reviews/",
                           {"verdict": action, "comment": COMMENT}, format="json")
    return client.post(f"/api/v1/evidence/{evidence.pk}/{action}/", {}, format="json")


def expected_status_code(action, role, state, claim_state=ACCEPTED):
    if role == "anonymous":
        return 401
    if role == "outsider" and not evidence_is_public(state, claim_state):
        return 404  # unaccepted evidence is not shown to people without a role
    outcome = expected_evidence_outcome(action, role, state, claim_state)
    return {"allowed": 200, "forbidden": 403, "conflict": 409}[outcome]


@pytest.mark.parametrize("action, role, state", ON_ITS_OWN)
def test_api_answers_every_evidence_transition_as_the_matrix_says(api, personas, action, role, state):
    evidence = evidence_in(state, personas)
    user = persona(personas, role)
    before = evidence_trace(evidence)
    response = api_call(api, action, evidence, user)
    assert response.status_code == expected_status_code(action, role, state), response.content
    if response.status_code == 200:
        assert response.json()["status"] == EVIDENCE_TRANSITIONS[action][1]
        assert_applied(evidence, action, user, before)
    else:
        assert_refused(evidence, before)


@pytest.mark.parametrize("action, role, claim_state, state", WITH_ITS_CLAIM)
def test_api_refuses_evidence_transitions_of_its_own_while_the_claim_is_not_accepted(
        api, personas, action, role, claim_state, state):
    evidence = evidence_on_claim_in(claim_state, state, personas)
    before = evidence_trace(evidence)
    response = api_call(api, action, evidence, persona(personas, role))
    assert response.status_code == expected_status_code(action, role, state, claim_state), (
        response.content)
    assert_refused(evidence, before)


@pytest.mark.parametrize("role", ADMIN_ROLES)
@pytest.mark.parametrize("claim_state, state",
                         [(ACCEPTED, state) for state in EVIDENCE_STATES] + list(EVIDENCE_WITH_ITS_CLAIM))
def test_api_offers_the_evidence_actions_the_matrix_allows(api, personas, role, claim_state, state):
    evidence = (evidence_in(state, personas) if claim_state == ACCEPTED
                else evidence_on_claim_in(claim_state, state, personas))
    response = api.as_(persona(personas, role)).get(f"/api/v1/evidence/{evidence.pk}/")
    assert response.status_code == 200
    assert response.json()["allowed_actions"] == [
        action for action in EVIDENCE_TRANSITIONS
        if expected_evidence_outcome(action, role, state, claim_state) == "allowed"]


# --- the admin ---


def admin_post(client, action, evidence):
    data = {"action": action, "_selected_action": [evidence.pk]}
    if action in ("reject", "request_changes"):
        data.update(apply="yes", comment=COMMENT)
    return client.post(reverse("admin:claims_evidence_changelist"), data, follow=True)


def admin_call(client, action, evidence, user) -> str:
    """The admin tells success from refusal by message level; it does not say which refusal."""
    client.force_login(user)
    response = admin_post(client, action, evidence)
    assert response.status_code == 200
    levels = {m.level_tag for m in response.context["messages"]}
    assert levels in ({"success"}, {"error"}), levels
    return "allowed" if levels == {"success"} else "refused"


def as_admin_says(outcome: str) -> str:
    return outcome if outcome == "allowed" else "refused"


@pytest.mark.parametrize("action, role, state", [case for case in ON_ITS_OWN if case[1] in ADMIN_ROLES])
def test_admin_answers_every_evidence_transition_as_the_matrix_says(client, personas, action, role,
                                                                    state):
    evidence = evidence_in(state, personas)
    user = persona(personas, role)
    before = evidence_trace(evidence)
    expected = expected_evidence_outcome(action, role, state)
    assert admin_call(client, action, evidence, user) == as_admin_says(expected)
    if expected == "allowed":
        assert_applied(evidence, action, user, before)
    else:
        assert_refused(evidence, before)


@pytest.mark.parametrize("action, role, claim_state, state",
                         [case for case in WITH_ITS_CLAIM if case[1] in ADMIN_ROLES])
def test_admin_refuses_evidence_transitions_of_its_own_while_the_claim_is_not_accepted(
        client, personas, action, role, claim_state, state):
    evidence = evidence_on_claim_in(claim_state, state, personas)
    before = evidence_trace(evidence)
    assert admin_call(client, action, evidence, persona(personas, role)) == "refused"
    assert_refused(evidence, before)


@pytest.mark.parametrize("action", list(EVIDENCE_TRANSITIONS))
def test_the_admin_turns_away_people_without_a_role(client, personas, action):
    evidence = evidence_in(EVIDENCE_TRANSITIONS[action][0], personas)
    before = evidence_trace(evidence)
    client.force_login(personas.outsider)
    response = admin_post(client, action, evidence)
    assert response.redirect_chain and "/admin/login/" in response.redirect_chain[-1][0]
    assert_refused(evidence, before)


@pytest.mark.parametrize("role", ADMIN_ROLES)
@pytest.mark.parametrize("claim_state, state",
                         [(ACCEPTED, state) for state in EVIDENCE_STATES] + list(EVIDENCE_WITH_ITS_CLAIM))
def test_the_admin_review_queue_holds_the_evidence_the_matrix_lets_one_review(
        client, personas, role, claim_state, state):
    evidence = (evidence_in(state, personas) if claim_state == ACCEPTED
                else evidence_on_claim_in(claim_state, state, personas))
    client.force_login(persona(personas, role))
    response = client.get(reverse("admin:claims_evidence_changelist") + "?queue=review")
    queue = [e.pk for e in response.context["cl"].result_list]
    may_review = expected_evidence_outcome("approve", role, state, claim_state) == "allowed"
    assert queue == ([evidence.pk] if may_review else [])


# --- who the author and the reviewers are, on every face ---

FACES = ("service", "api", "admin")


def attempt(face, action, evidence, user, api, client) -> str:
    if face == "service":
        return service_call(action, evidence, user)
    if face == "api":
        code = api_call(api, action, evidence, user).status_code
        return {200: "allowed", 403: "forbidden", 409: "conflict"}[code]
    return admin_call(client, action, evidence, user)


def says(face, outcome):
    return as_admin_says(outcome) if face == "admin" else outcome


@pytest.mark.parametrize("face", FACES)
@pytest.mark.parametrize("action", ["submit", "withdraw", "reopen"])
def test_the_evidence_author_is_its_creator_not_the_claim_author(api, client, personas, face,
                                                                 action):
    source = EVIDENCE_TRANSITIONS[action][0]
    evidence = evidence_in(source, personas, created_by=personas.other_curator)
    before = evidence_trace(evidence)
    assert attempt(face, action, evidence, personas.curator, api, client) == says(face, "forbidden")
    assert_refused(evidence, before)
    assert attempt(face, action, evidence, personas.other_curator, api, client) == "allowed"
    assert_applied(evidence, action, personas.other_curator, before)


@pytest.mark.parametrize("face", FACES)
@pytest.mark.parametrize("involved, how, other", FOUR_EYES)
@pytest.mark.parametrize("verdict", VERDICTS)
def test_nobody_reviews_evidence_they_created_or_last_edited(api, client, personas, face, involved,
                                                             how, other, verdict):
    by = {"created_by" if how == "created" else "edited_by": getattr(personas, involved)}
    evidence = evidence_in(SUBMITTED, personas, **by)
    before = evidence_trace(evidence)
    user = getattr(personas, involved)
    assert attempt(face, verdict, evidence, user, api, client) == says(face, "forbidden")
    assert_refused(evidence, before)
    reviewer = getattr(personas, other)
    queue = workflow.reviewable(Evidence.objects.all(), user)
    assert not queue.exists() and workflow.reviewable(Evidence.objects.all(), reviewer).exists()
    assert attempt(face, verdict, evidence, reviewer, api, client) == "allowed"
    assert_applied(evidence, verdict, reviewer, before)
