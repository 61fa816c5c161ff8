"""What a caller may not see is answered as if it did not exist: hidden ids cannot be probed."""

import pytest

from claims import workflow
from tests.factories import make_claim, make_evidence

pytestmark = pytest.mark.django_db

MISSING = 987654


def test_a_review_of_a_hidden_draft_reads_like_a_review_of_nothing(api, personas):
    draft = make_claim(created_by=personas.curator)
    client = api.as_(personas.outsider)
    body = {"verdict": "reject", "comment": "No."}
    hidden = client.post("/api/v1/reviews/", {**body, "claim": draft.pk}, format="json")
    missing = client.post("/api/v1/reviews/", {**body, "claim": MISSING}, format="json")
    assert hidden.status_code == missing.status_code == 400
    assert str(hidden.json()).replace(str(draft.pk), "ID") == str(missing.json()).replace(
        str(MISSING), "ID")


def test_a_hidden_successor_reads_like_a_missing_one(api, personas):
    accepted = make_claim(created_by=personas.curator)
    make_evidence(accepted)
    workflow.submit(accepted, personas.curator)
    workflow.review(accepted, personas.reviewer, "approve")
    draft = make_claim(created_by=personas.curator)
    client = api.as_(personas.outsider)
    url = f"/api/v1/claims/{accepted.pk}/retract/"
    hidden = client.post(url, {"reason": "x", "superseded_by": str(draft.uid)}, format="json")
    missing = client.post(url, {"reason": "x",
                                "superseded_by": "00000000-0000-4000-8000-000000000000"},
                          format="json")
    assert hidden.status_code == missing.status_code == 400
    assert set(hidden.json()) == set(missing.json()) == {"superseded_by"}


def test_reviewers_still_review_what_they_see(api, personas):
    claim = make_claim(created_by=personas.curator)
    make_evidence(claim)
    workflow.submit(claim, personas.curator)
    response = api.as_(personas.reviewer).post(
        "/api/v1/reviews/", {"claim": claim.pk, "verdict": "approve"}, format="json")
    assert response.status_code == 201, response.content
