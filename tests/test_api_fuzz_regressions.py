"""What fuzzing the API against its schema found, each pinned as an ordinary request: the answer
is no server error and is one the schema documents (status, content type, body)."""

import pytest
from schemathesis.checks import ignored_auth

pytestmark = pytest.mark.django_db


def answer(schema, method, path, **parts):
    """Send one request of the operation and check its answer against the schema."""
    case = schema[path][method].make_case(**parts)
    response = case.call_wsgi()
    # Reads are public: a 200 without credentials is no "ignored auth" (tests/test_api_fuzz.py).
    case.validate_response(response, excluded_checks=(ignored_auth,))
    return response


def test_unknown_token_on_the_json_lines_export_is_a_json_401_not_a_server_error(api_schema):
    response = answer(api_schema, "GET", "/api/v1/exports/accepted.jsonl", query={"format": "jsonl"},
                      headers={"Authorization": "Token not-a-key"})
    assert response.status_code == 401
    assert response.headers["Content-Type"].startswith("application/json")
    assert "detail" in response.json


@pytest.mark.parametrize("path", ["/api/v1/claims/", "/api/v1/vocab", "/api/v1/reviews/{id}/"])
def test_unknown_token_on_a_read_is_a_documented_401(api_schema, path):
    parts = {"path_parameters": {"id": 1}} if "{id}" in path else {}
    response = answer(api_schema, "GET", path, headers={"Authorization": "Token not-a-key"}, **parts)
    assert response.status_code == 401


def test_a_crawl_page_without_a_count_matches_the_documented_list(api_schema):
    response = answer(api_schema, "GET", "/api/v1/claims/", query={"cursor": ""})
    assert response.status_code == 200
    assert "count" not in response.json


def test_field_errors_are_documented_as_messages_under_the_parameter_at_fault(api_schema):
    response = answer(api_schema, "GET", "/api/v1/claims/", query={"page_size": "many"})
    assert response.status_code == 400
    assert list(response.json) == ["page_size"]


def test_an_error_from_a_linked_data_view_is_documented_in_json(api_schema):
    response = answer(api_schema, "GET", "/api/v1/vocab", query={"format": "json"},
                      headers={"Authorization": "Token not-a-key"})
    assert response.status_code == 401
    assert response.headers["Content-Type"].startswith("application/json")


def test_sign_in_lockout_is_a_documented_429(api_schema, personas, settings):
    settings.AXES_FAILURE_LIMIT = 2
    for _ in range(2):
        answer(api_schema, "POST", "/api/v1/auth/token/", media_type="application/json",
               body={"username": "curator", "password": "wrong"})
    response = answer(api_schema, "POST", "/api/v1/auth/token/", media_type="application/json",
                      body={"username": "curator", "password": "pw"})
    assert response.status_code == 429


def test_a_claims_review_has_no_evidence_and_the_schema_says_it_may_be_null(api_schema, personas):
    """Found by the stateful fuzz (create, submit, review): the review in the claim's answer
    has evidence null, which the schema said must be an integer."""
    from claims.models import ApiToken
    from tests.factories import make_claim

    claim = make_claim(created_by=personas.curator, status="submitted")
    _, key = ApiToken.issue(personas.reviewer, "fuzz")
    response = answer(api_schema, "POST", "/api/v1/claims/{id}/reviews/", media_type="application/json",
                      path_parameters={"id": claim.pk}, headers={"Authorization": f"Token {key}"},
                      body={"verdict": "request_changes", "comment": "Which mice?"})
    assert response.status_code == 200
    assert response.json["reviews"][0]["evidence"] is None
    review_id = response.json["reviews"][0]["id"]
    review = answer(api_schema, "GET", "/api/v1/reviews/{id}/", path_parameters={"id": review_id},
                    headers={"Authorization": f"Token {key}"})
    assert review.json["claim"] == claim.pk
    assert review.json["evidence"] is None


def test_evidence_reads_give_the_paper_and_evidence_type_as_the_documented_summaries(api_schema, personas):
    """Found by the stateful fuzz (create a claim, add evidence to it): writes name the paper
    and the evidence type by a string, reads give a summary of each, which the schema said
    was a string too."""
    from claims.models import ApiToken
    from tests.factories import make_claim, make_evidence_type, make_paper

    claim, paper = make_claim(created_by=personas.curator), make_paper()
    _, key = ApiToken.issue(personas.curator, "fuzz")
    auth = {"Authorization": f"Token {key}"}
    response = answer(api_schema, "POST", "/api/v1/evidence/", media_type="application/json", headers=auth,
                      body={"claim": claim.pk, "paper": paper.doi, "direction": "supports",
                            "evidence_type": make_evidence_type().code})
    assert response.status_code == 201
    assert response.json["paper"]["doi"] == paper.doi
    assert response.json["evidence_type"]["code"] == "in-vivo-animal-model"
    read = answer(api_schema, "GET", "/api/v1/claims/{id}/", path_parameters={"id": claim.pk}, headers=auth)
    assert read.json["evidence"][0]["paper"]["id"] == paper.pk
