"""Tools crawl every claim with ?cursor=: each claim once, whatever is edited meanwhile."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from claims import workflow
from tests.factories import make_claim, make_evidence

pytestmark = pytest.mark.django_db


@pytest.fixture
def accepted(personas):
    claims = []
    for n in range(7):
        claim = make_claim(created_by=personas.curator, text=f"Claim {n} on motor function")
        make_evidence(claim)
        workflow.submit(claim, personas.curator)
        workflow.review(claim, personas.reviewer, "approve")
        claims.append(claim)
    make_claim(created_by=personas.curator, text="A draft")
    return claims


def crawl(api, url, on_page=None):
    seen = []
    while url:
        response = api.get(url)
        assert response.status_code == 200, response.content
        body = response.json()
        assert set(body) == {"next", "results"}
        seen += [claim["id"] for claim in body["results"]]
        if on_page:
            on_page()
        url = body["next"]
    return seen


def test_a_crawl_visits_every_public_claim_once_in_id_order(api, accepted):
    seen = crawl(api, "/api/v1/claims/?cursor=&page_size=3")
    assert seen == sorted(claim.pk for claim in accepted)


def test_claims_edited_during_a_crawl_are_neither_repeated_nor_skipped(api, accepted, personas):
    def edit_one():
        # Accepting new evidence moves a claim to the top of the page-number order.
        claim = accepted[len(edits) % len(accepted)]
        extra = make_evidence(claim, created_by=personas.other_curator)
        workflow.submit(extra, personas.other_curator)
        workflow.review(extra, personas.reviewer, "approve")
        edits.append(claim.pk)

    edits = []
    seen = crawl(api, "/api/v1/claims/?cursor=&page_size=2", on_page=edit_one)
    assert edits
    assert seen == sorted(claim.pk for claim in accepted)


def test_filters_hold_across_a_crawl(api, accepted):
    seen = crawl(api, "/api/v1/claims/?cursor=&page_size=2&search=motor")
    assert seen == sorted(claim.pk for claim in accepted)
    assert crawl(api, "/api/v1/claims/?cursor=&search=nothingmatchesthis") == []


def test_a_deep_cursor_costs_what_the_first_costs(api, accepted):
    first = api.get("/api/v1/claims/?cursor=&page_size=2").json()
    with CaptureQueriesContext(connection) as at_start:
        api.get("/api/v1/claims/?cursor=&page_size=2")
    with CaptureQueriesContext(connection) as deep:
        api.get(first["next"])
    assert len(deep) == len(at_start)


def test_a_cursor_not_from_the_api_is_a_400_naming_it(api, accepted):
    import base64

    huge = base64.urlsafe_b64encode(b"id:" + b"9" * 5000).decode()
    for token in ("garbage", "aWQ6eA", huge):  # the second is base64 of "id:x"
        response = api.get(f"/api/v1/claims/?cursor={token}")
        assert response.status_code == 400
        assert "cursor" in response.json()
