"""Credentials the API does not understand are refused, never taken for anonymity; browser
tools on configured origins may call it (CORS)."""

import pytest
from rest_framework.authtoken.models import Token

from tests.factories import make_claim

pytestmark = pytest.mark.django_db

CLAIMS = "/api/v1/claims/"


@pytest.mark.parametrize("header", ["Bearer abc123", "Token", "Token a b", "Token not-a-key",
                                    "Basic dXNlcjpwYXNz", "token"])
def test_an_authorization_header_not_understood_is_a_401(client, header):
    response = client.get(CLAIMS, HTTP_AUTHORIZATION=header)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert "detail" in response.json()


def test_a_valid_token_signs_in_and_no_header_is_anonymous(client, personas):
    draft = make_claim(created_by=personas.curator)
    key = Token.objects.create(user=personas.curator).key

    signed_in = client.get(CLAIMS, HTTP_AUTHORIZATION=f"Token {key}").json()
    anonymous = client.get(CLAIMS).json()

    assert [c["uid"] for c in signed_in["results"]] == [str(draft.uid)]
    assert anonymous["results"] == []


def test_configured_origins_may_call_the_api(client, settings):
    settings.CORS_ALLOWED_ORIGINS = ["https://tool.example.org"]
    allowed = client.get(CLAIMS, HTTP_ORIGIN="https://tool.example.org")
    other = client.get(CLAIMS, HTTP_ORIGIN="https://elsewhere.example.org")
    preflight = client.options(CLAIMS, HTTP_ORIGIN="https://tool.example.org",
                               HTTP_ACCESS_CONTROL_REQUEST_METHOD="PATCH",
                               HTTP_ACCESS_CONTROL_REQUEST_HEADERS="authorization, if-match")

    assert allowed["Access-Control-Allow-Origin"] == "https://tool.example.org"
    assert "ETag" in allowed["Access-Control-Expose-Headers"]
    assert "Access-Control-Allow-Origin" not in other
    assert preflight.status_code == 200
    assert "if-match" in preflight["Access-Control-Allow-Headers"]


def test_no_origin_is_allowed_by_default(client):
    response = client.get(CLAIMS, HTTP_ORIGIN="https://tool.example.org")
    assert "Access-Control-Allow-Origin" not in response
