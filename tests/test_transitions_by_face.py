"""The transition matrix through the API and through the admin: the same table, as each face
answers it (HTTP codes; admin messages), and nothing changes when a transition is refused."""

import pytest
from django.urls import reverse

from claims.choices import PUBLIC_CLAIM_STATUSES
from claims.models import Claim
from tests.matrix import (
    COMMENT,
    RETRACTION_REASON,
    ROLES,
    STATES,
    TRANSITIONS,
    VERDICTS,
    claim_in,
    expected_outcome,
    persona,
    trace,
)

pytestmark = pytest.mark.django_db
CASES = [(action, role, state) for action in TRANSITIONS for role in ROLES for state in STATES]


def api_call(api, action, claim, user):
    client = api.as_(None if user.is_anonymous else user)
    if action in VERDICTS:
        return client.post(f"/api/v1/claims/{claim.pk}/reviews/",
                           {"verdict": action, "comment": COMMENT}, format="json")
    body = {"reason": RETRACTION_REASON} if action == "retract" else {}
    return client.post(f"/api/v1/claims/{claim.pk}/{action}/", body, format="json")


def expected_status_code(action, role, state):
    if role == "anonymous":
        return 401
    if role == "outsider" and state not in PUBLIC_CLAIM_STATUSES:
        return 404  # drafts and submissions are not shown to people without a role
    return {"allowed": 200, "forbidden": 403, "conflict": 409}[expected_outcome(action, role, state)]


@pytest.mark.parametrize("action, role, state", CASES)
def test_api_answers_every_transition_as_the_matrix_says(api, personas, action, role, state):
    claim = claim_in(state, personas)
    before = trace(claim)
    response = api_call(api, action, claim, persona(personas, role))
    assert response.status_code == expected_status_code(action, role, state), response.content
    if response.status_code == 200:
        assert response.json()["status"] == TRANSITIONS[action][1]
    else:
        assert trace(claim) == before


ADMIN_ROLES = ("author", "other_curator", "reviewer", "staff")


def admin_post(client, action, claim):
    data = {"action": action, "_selected_action": [claim.pk]}
    if action in ("reject", "request_changes"):
        data.update(apply="yes", comment=COMMENT)
    elif action == "retract":
        data.update(apply="yes", reason=RETRACTION_REASON)
    return client.post(reverse("admin:claims_claim_changelist"), data, follow=True)


@pytest.mark.parametrize("action, role, state",
                         [case for case in CASES if case[1] in ADMIN_ROLES])
def test_admin_answers_every_transition_as_the_matrix_says(client, personas, action, role, state):
    claim = claim_in(state, personas)
    before = trace(claim)
    client.force_login(persona(personas, role))
    response = admin_post(client, action, claim)
    assert response.status_code == 200
    levels = {m.level_tag for m in response.context["messages"]}
    if expected_outcome(action, role, state) == "allowed":
        assert levels == {"success"}
        assert Claim.objects.get(pk=claim.pk).status == TRANSITIONS[action][1]
    else:
        assert levels == {"error"}
        assert trace(claim) == before


@pytest.mark.parametrize("action", list(TRANSITIONS))
def test_the_admin_turns_away_people_without_a_role(client, personas, action):
    claim = claim_in("submitted", personas)
    before = trace(claim)
    client.force_login(personas.outsider)
    response = admin_post(client, action, claim)
    assert response.redirect_chain and "/admin/login/" in response.redirect_chain[-1][0]
    assert trace(claim) == before
