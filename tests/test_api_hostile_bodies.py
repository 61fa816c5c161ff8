"""Bodies the API cannot read are a 400, never a server error."""

import pytest

pytestmark = pytest.mark.django_db

NESTED = "[" * 1000 + "]" * 1000


def test_deeply_nested_json_to_the_token_endpoint_is_a_400(api):
    response = api.generic("POST", "/api/v1/auth/token/", NESTED, content_type="application/json")
    assert response.status_code == 400
    assert "nested too deeply" in response.json()["detail"]


def test_deeply_nested_json_to_a_write_is_a_400(api, personas):
    response = api.as_(personas.curator).generic("POST", "/api/v1/claims/", NESTED,
                                                 content_type="application/json")
    assert response.status_code == 400


def test_the_token_endpoint_still_takes_form_and_json_bodies(api, personas):
    assert api.post("/api/v1/auth/token/", {"username": "curator", "password": "pw"}).status_code == 200
    assert api.post("/api/v1/auth/token/", {"username": "curator", "password": "pw"},
                    format="json").status_code == 200
