"""A list page costs the same number of queries whatever its size."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from claims import workflow
from tests.factories import make_claim, make_evidence, make_paper, make_topic

pytestmark = pytest.mark.django_db


def populate(personas, n):
    topic = make_topic()
    for _ in range(n):
        claim = make_claim(created_by=personas.curator)
        claim.topics.add(topic)
        make_evidence(claim, paper=make_paper(), direction="supports")
        make_evidence(claim, direction="contradicts")
        workflow.submit(claim, personas.curator)
        workflow.review(claim, personas.reviewer, "approve")
        extra = make_evidence(claim, created_by=personas.other_curator)
        workflow.submit(extra, personas.other_curator)
        workflow.review(extra, personas.second_reviewer, "request_changes", "Add the dose.")


URLS = ["/api/v1/claims/", "/api/v1/evidence/", "/api/v1/papers/", "/api/v1/reviews/",
        "/api/v1/evidence-types/", "/api/v1/topics/",
        "/api/v1/claims/?search=survival&topic=als&direction=supports",
        "/api/v1/claims/?status=submitted&reviewable=true", "/api/v1/claims/?cursor=",
        "/api/v1/claims/?fields=id,uid,text,evidence_counts"]
PERSONAS = ["anonymous", "outsider", "curator", "reviewer", "staff"]


def measure(api, personas, page_size):
    """Queries per (url, persona), each request as a freshly loaded user, as in production."""
    from django.contrib.auth.models import User

    counts, sizes = {}, {}
    for persona in PERSONAS:
        for url in URLS:
            user = None if persona == "anonymous" else User.objects.get(username=getattr(
                personas, persona).username)
            sep = "&" if "?" in url else "?"
            with CaptureQueriesContext(connection) as queries:
                response = api.as_(user).get(f"{url}{sep}page_size={page_size}")
            assert response.status_code == 200, (url, response.content[:300])
            counts[persona, url] = len(queries)
            sizes[persona, url] = len(response.json()["results"])
    return counts, sizes


def test_list_pages_cost_the_same_queries_at_page_size_1_and_100(api, personas):
    populate(personas, 2)
    small, _ = measure(api, personas, 1)
    populate(personas, 100)
    large, sizes = measure(api, personas, 100)
    assert sizes["anonymous", "/api/v1/claims/"] == 100
    assert sizes["staff", "/api/v1/evidence/"] == 100
    grown = {key: (small[key], large[key]) for key in small if small[key] != large[key]}
    assert not grown, f"query counts grew with the page size: {grown}"
