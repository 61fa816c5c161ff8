"""Readers of accepted work get claims and papers built from rows: the same JSON as the
serializers give, field for field, and less only when they ask for less."""

import json
from datetime import date

import pytest
from django.db import connection
from django.db.models import Prefetch
from django.test.utils import CaptureQueriesContext
from rest_framework.renderers import JSONRenderer

from claims import workflow
from claims.api.serializers import ClaimSerializer, PaperSerializer
from claims.models import Claim, Evidence, Paper
from tests.factories import make_claim, make_evidence, make_evidence_type, make_paper, make_topic

pytestmark = pytest.mark.django_db


def reference(serializer, queryset):
    """What the serializers render, through DRF's own JSON renderer."""
    return json.loads(JSONRenderer().render(serializer(queryset, many=True).data))


def public_claims():
    """Claims as an anonymous reader may see them, for the serializer."""
    evidence = Prefetch("evidence", queryset=Evidence.objects.visible(False))
    return Claim.objects.visible(False).prefetch_related(evidence).order_by("-updated_at", "-id")


@pytest.fixture
def curated(personas):
    """Accepted, retracted and draft claims; evidence of every status; reviews on both."""
    als, sod1 = make_topic("als"), make_topic("sod1", "SOD1")
    in_vitro = make_evidence_type("in-vitro", "In vitro", "ECO:0000181")
    retracted_paper = make_paper(title="Withdrawn", is_retracted=True,
                                 retraction_date=date(2020, 5, 1), authors=["Doe J", "Roe R"])
    retracted_paper.topics.add(als)
    claims = []
    for n in range(3):
        claim = make_claim(created_by=personas.curator, text=f"Claim {n} about survival")
        claim.topics.add(als, sod1)
        make_evidence(claim, excerpt="prolonged survival", species="mouse", sex="male",
                      effect_value=1.25, effect_unit="HR", sample_size=12)
        make_evidence(claim, paper=retracted_paper, evidence_type=in_vitro,
                      direction="contradicts")
        workflow.submit(claim, personas.curator)
        workflow.review(claim, personas.reviewer, "approve")
        late = make_evidence(claim, direction="inconclusive", created_by=personas.other_curator)
        workflow.submit(late, personas.other_curator)
        workflow.review(late, personas.reviewer, "request_changes", "Give the dose.")
        claims.append(claim)
    successor = claims[2]
    workflow.retract(claims[1], personas.staff, "Superseded", superseded_by=successor)
    make_claim(created_by=personas.curator, text="A draft nobody else sees")
    return claims


def test_anonymous_claims_list_is_the_serializers_json(api, curated):
    response = api.get("/api/v1/claims/?page_size=100")
    expected = reference(ClaimSerializer, public_claims())
    body = json.loads(response.content)
    assert body["count"] == 3
    assert body["results"] == expected
    retracted = next(c for c in body["results"] if c["status"] == "retracted")
    assert retracted["superseded_by"] == str(curated[2].uid)
    assert {e["status"] for c in body["results"] for e in c["evidence"]} == {"accepted"}


def test_anonymous_claim_detail_is_the_serializers_json(api, curated):
    claim = curated[0]
    body = api.get(f"/api/v1/claims/{claim.pk}/").json()
    assert body == reference(ClaimSerializer, public_claims().filter(pk=claim.pk))[0]
    assert body["evidence"][0]["effect_value"] == 1.25
    assert body["versions"][0]["number"] == 1


def test_papers_list_is_the_serializers_json(api, curated, personas):
    expected = reference(PaperSerializer, Paper.objects.order_by("-year", "title", "id"))
    for user in (None, personas.curator):
        assert api.as_(user).get("/api/v1/papers/?page_size=100").json()["results"] == expected


def test_a_draft_is_no_more_visible_through_rows(api, curated):
    draft = Claim.objects.get(status="draft")
    assert api.get(f"/api/v1/claims/{draft.pk}/").status_code == 404
    assert draft.pk not in {c["id"] for c in api.get("/api/v1/claims/").json()["results"]}


def test_fields_returns_only_what_was_asked(api, curated, personas):
    for user in (None, personas.reviewer):
        rows = api.as_(user).get("/api/v1/claims/?fields=id,uid,evidence_counts").json()
        assert all(set(row) == {"id", "uid", "evidence_counts"} for row in rows["results"])
        detail = api.as_(user).get(f"/api/v1/claims/{curated[0].pk}/?fields=text").json()
        assert detail == {"text": curated[0].text}


def test_fields_that_leave_out_nested_parts_save_their_queries(api, curated):
    with CaptureQueriesContext(connection) as full:
        api.get("/api/v1/claims/")
    with CaptureQueriesContext(connection) as brief:
        api.get("/api/v1/claims/?fields=id,uid,text,status")
    assert len(brief) < len(full)


def test_unknown_fields_are_a_400_naming_the_parameter(api, curated):
    response = api.get("/api/v1/claims/?fields=id,colour")
    assert response.status_code == 400
    assert "colour" in response.json()["fields"][0]
