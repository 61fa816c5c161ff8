"""Conditional requests: ETags, 304 for a current copy, and no lost updates with If-Match."""

import pytest
import yaml

from claims.models import Claim, Paper
from tests.factories import make_claim, make_evidence, make_paper

pytestmark = pytest.mark.django_db

CLAIMS = "/api/v1/claims/"


def history(obj):
    return type(obj).history.filter(id=obj.pk).count()


def test_a_detail_has_an_etag_and_a_current_copy_is_not_sent_again(api, personas):
    claim = make_claim(created_by=personas.curator)
    reader = api.as_(personas.curator)
    first = reader.get(f"{CLAIMS}{claim.pk}/")
    tag = first["ETag"]
    assert tag.startswith('"') and first["Last-Modified"]

    again = reader.get(f"{CLAIMS}{claim.pk}/", HTTP_IF_NONE_MATCH=tag)
    assert again.status_code == 304 and again.content == b"" and again["ETag"] == tag

    reader.patch(f"{CLAIMS}{claim.pk}/", {"context": "NSC-34 cells"}, format="json")
    changed = reader.get(f"{CLAIMS}{claim.pk}/", HTTP_IF_NONE_MATCH=tag)
    assert changed.status_code == 200 and changed["ETag"] != tag


def test_anonymous_readers_get_304_from_the_response_cache_too(api, settings, personas):
    settings.API_CACHE = True
    paper = make_paper()
    tag = api.get(f"/api/v1/papers/{paper.pk}/")["ETag"]
    cached = api.get(f"/api/v1/papers/{paper.pk}/", HTTP_IF_NONE_MATCH=tag)
    assert cached.status_code == 304 and cached["X-Cache"] == "hit"


def test_a_stale_copy_cannot_undo_another_curators_fix(api, personas):
    claim = make_claim(created_by=personas.curator)
    url = f"{CLAIMS}{claim.pk}/"
    mine = api.as_(personas.curator).get(url)["ETag"]
    theirs = api.as_(personas.other_curator).get(url)["ETag"]
    assert mine == theirs

    fixed = api.as_(personas.other_curator).patch(url, {"context": "SOD1-G93A mouse, n=12"},
                                                  format="json", HTTP_IF_MATCH=theirs)
    assert fixed.status_code == 200
    before = history(claim)

    stale = api.as_(personas.curator).put(url, {"text": claim.text, "context": "SOD1 mouse"},
                                          format="json", HTTP_IF_MATCH=mine)

    assert stale.status_code == 412
    assert "changed since you read it" in stale.json()["detail"]
    claim.refresh_from_db()
    assert claim.context == "SOD1-G93A mouse, n=12" and claim.updated_by == personas.other_curator
    assert history(claim) == before


def test_a_stale_delete_and_a_stale_transition_change_nothing(api, personas):
    claim = make_claim(created_by=personas.curator)
    make_evidence(claim)
    url = f"{CLAIMS}{claim.pk}/"
    client = api.as_(personas.curator)
    old = client.get(url)["ETag"]
    client.patch(url, {"context": "NSC-34 cells"}, format="json")

    assert client.delete(url, HTTP_IF_MATCH=old).status_code == 412
    assert client.post(f"{url}submit/", HTTP_IF_MATCH=old).status_code == 412
    assert Claim.objects.get(pk=claim.pk).status == "draft"

    current = client.get(url)["ETag"]
    assert client.post(f"{url}submit/", HTTP_IF_MATCH=current).status_code == 200


@pytest.mark.parametrize("header", ['W/"abc"', '"abc", "def"'])
def test_weak_and_listed_tags_are_understood(api, personas, header):
    paper = make_paper()
    response = api.as_(personas.curator).patch(f"/api/v1/papers/{paper.pk}/", {"year": 2013},
                                               format="json", HTTP_IF_MATCH=header)
    assert response.status_code == 412
    assert Paper.objects.get(pk=paper.pk).year == 2012


@pytest.mark.parametrize("header", ["abc", '"abc" junk', '"abc",,'])
def test_a_malformed_if_match_is_a_400(api, personas, header):
    paper = make_paper()
    response = api.as_(personas.curator).patch(f"/api/v1/papers/{paper.pk}/", {"year": 2013},
                                               format="json", HTTP_IF_MATCH=header)
    assert response.status_code == 400 and "If-Match" in response.json()
    assert Paper.objects.get(pk=paper.pk).year == 2012


def test_if_match_can_be_required(api, personas, settings):
    settings.API_REQUIRE_IF_MATCH = True
    paper = make_paper()
    url = f"/api/v1/papers/{paper.pk}/"
    client = api.as_(personas.curator)

    refused = client.patch(url, {"year": 2013}, format="json")
    assert refused.status_code == 428
    assert Paper.objects.get(pk=paper.pk).year == 2012

    tag = client.get(url)["ETag"]
    assert client.patch(url, {"year": 2013}, format="json", HTTP_IF_MATCH=tag).status_code == 200
    assert client.patch(url, {"year": 2014}, format="json", HTTP_IF_MATCH="*").status_code == 200


def test_the_schema_documents_the_conditional_answers(api):
    schema = yaml.safe_load(api.get("/api/v1/schema/").content)
    detail = schema["paths"]["/api/v1/claims/{id}/"]
    assert "304" in detail["get"]["responses"]
    for method in ("put", "patch", "delete"):
        assert {"412", "428", "409", "404"} <= set(detail[method]["responses"])
    assert "412" in schema["paths"]["/api/v1/claims/{id}/submit/"]["post"]["responses"]
