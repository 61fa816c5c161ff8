import pytest
import yaml
from openapi_spec_validator import validate

pytestmark = pytest.mark.django_db


def test_schema_is_valid_openapi_3_and_names_every_endpoint(api):
    response = api.get("/api/v1/schema/")
    assert response.status_code == 200
    schema = yaml.safe_load(response.content)
    validate(schema)
    assert schema["openapi"].startswith("3.")
    paths = set(schema["paths"])
    for path in ["/api/v1/papers/", "/api/v1/claims/", "/api/v1/evidence/", "/api/v1/evidence-types/",
                 "/api/v1/topics/", "/api/v1/reviews/", "/api/v1/claims/{id}/submit/",
                 "/api/v1/claims/{id}/reviews/", "/api/v1/claims/{id}/versions/{number}/",
                 "/api/v1/claims/{id}/history/", "/api/v1/evidence/{id}/reviews/"]:
        assert path in paths
    history = schema["paths"]["/api/v1/claims/{id}/history/"]["get"]["responses"]["200"]
    assert history["content"]["application/json"]["schema"]["type"] == "array"
    claim_filters = {p["name"] for p in schema["paths"]["/api/v1/claims/"]["get"]["parameters"]}
    assert {"status", "topic", "evidence_type", "paper", "direction", "updated_since", "search",
            "ordering", "page", "page_size", "reviewable", "fields", "cursor"} <= claim_filters
    detail = schema["paths"]["/api/v1/claims/{id}/"]["get"]["parameters"]
    assert "fields" in {p["name"] for p in detail}


def test_request_bodies_that_refuse_unknown_fields_say_so(api, personas):
    schema = yaml.safe_load(api.get("/api/v1/schema/").content)["components"]["schemas"]
    for name in ("ClaimRequest", "PatchedClaimRequest", "EvidenceRequest", "PaperRequest",
                 "ReviewTargetRequest", "RetractRequest"):
        assert schema[name]["additionalProperties"] is False, name
    assert "additionalProperties" not in schema["Claim"]  # answers may grow fields
    # As the schema says, so the API does.
    refused = api.as_(personas.curator).post("/api/v1/claims/", {"text": "A claim", "txet": "x"},
                                             format="json")
    assert refused.status_code == 400 and "txet" in refused.json()


def test_swagger_ui_is_served_without_internet(api):
    response = api.get("/api/v1/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "swagger-ui" in html
    assert "cdn.jsdelivr" not in html and "unpkg.com" not in html


def test_browsable_api_for_people_who_are_logged_in_json_for_others(api, personas):
    anonymous = api.get("/api/v1/claims/", HTTP_ACCEPT="text/html")
    assert anonymous["Content-Type"].startswith("application/json")
    api.force_login(personas.curator)
    logged_in = api.get("/api/v1/claims/", HTTP_ACCEPT="text/html")
    assert logged_in["Content-Type"].startswith("text/html")


def test_a_token_signs_in_a_downstream_tool(api, personas):
    response = api.post("/api/v1/auth/token/", {"username": "curator", "password": "pw"})
    assert response.status_code == 200
    token = response.json()["token"]
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    created = api.post("/api/v1/topics/", {"slug": "als", "name": "ALS"}, format="json")
    assert created.status_code == 201
    api.credentials(HTTP_AUTHORIZATION="Token wrong")
    assert api.get("/api/v1/claims/").status_code == 401
