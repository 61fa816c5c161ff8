"""Bodies over Django's limits are answered in JSON, in production and under DEBUG alike: 413
for a body over DATA_UPLOAD_MAX_MEMORY_SIZE, 400 for more fields than
DATA_UPLOAD_MAX_NUMBER_FIELDS; nothing is written."""

import json

import pytest
from django.conf import settings
from django.test import override_settings
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart

from claims.models import Claim, Topic
from tests.factories import make_claim

pytestmark = [pytest.mark.django_db, pytest.mark.parametrize("debug", [False, True], indirect=True)]

FIVE_MB = 5 * 1024 * 1024
FIELDS = {f"field{n}": "x" for n in range(2000)}


@pytest.fixture
def debug(request):
    with override_settings(DEBUG=request.param):
        yield request.param


def huge_claim() -> str:
    return json.dumps({"text": "x" * FIVE_MB, "subject": "s", "relation": "increases",
                       "object": "o", "context": "c"})


def test_a_5_mb_json_body_is_a_413_in_json(debug, api, personas):
    response = api.as_(personas.curator).generic("POST", "/api/v1/claims/", huge_claim(),
                                                 content_type="application/json")

    assert response.status_code == 413
    assert response["Content-Type"] == "application/json"
    assert f"{settings.DATA_UPLOAD_MAX_MEMORY_SIZE:,} bytes" in response.json()["detail"]
    assert not Claim.objects.exists()


def test_a_5_mb_patch_changes_nothing(debug, api, personas):
    claim = make_claim(created_by=personas.curator)

    response = api.as_(personas.curator).generic("PATCH", f"/api/v1/claims/{claim.pk}/", huge_claim(),
                                                 content_type="application/json")

    assert response.status_code == 413
    claim.refresh_from_db()
    assert claim.text.startswith("Sigma-1R")


def test_2000_form_fields_are_a_400_in_json(debug, api, personas):
    response = api.as_(personas.staff).post("/api/v1/topics/", {"slug": "als", "name": "ALS", **FIELDS})

    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert f"{settings.DATA_UPLOAD_MAX_NUMBER_FIELDS:,} fields" in response.json()["detail"]
    assert not Topic.objects.exists()


def test_2000_multipart_fields_are_a_400_in_json(debug, api, personas):
    body = encode_multipart(BOUNDARY, {"slug": "als", "name": "ALS", **FIELDS})

    response = api.as_(personas.staff).generic("POST", "/api/v1/topics/", body,
                                               content_type=MULTIPART_CONTENT)

    assert response.status_code == 400
    assert "fields" in response.json()["detail"]
    assert not Topic.objects.exists()


def test_the_token_endpoint_answers_big_bodies_in_json_too(debug, api, personas):
    too_big = api.generic("POST", "/api/v1/auth/token/", json.dumps({"username": "x" * FIVE_MB}),
                          content_type="application/json")
    too_many = api.post("/api/v1/auth/token/", {"username": "curator", "password": "pw", **FIELDS})

    assert (too_big.status_code, too_many.status_code) == (413, 400)
    assert too_big.json()["detail"] and too_many.json()["detail"]


def test_a_signed_in_browser_gets_the_413_too(debug, client, personas):
    client.force_login(personas.curator)

    response = client.post("/api/v1/claims/", huge_claim(), content_type="application/json",
                           HTTP_ACCEPT="text/html")

    assert response.status_code == 413
    assert not Claim.objects.exists()
