"""With API_COUNT_CACHE, a list is counted once per write: exact, and shared by its pages."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from claims import workflow
from tests.factories import make_claim, make_evidence

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def count_cache(settings):
    from django.core.cache import cache

    # Each test's database is rolled back without a write to move the data version.
    cache.clear()
    settings.API_COUNT_CACHE = True
    settings.API_CACHE_SECONDS = 60


def accepted(personas, text="PRE-084 extends survival"):
    claim = make_claim(created_by=personas.curator, text=text)
    make_evidence(claim)
    workflow.submit(claim, personas.curator)
    workflow.review(claim, personas.reviewer, "approve")
    return claim


def queries(api, url):
    with CaptureQueriesContext(connection) as captured:
        response = api.get(url)
    return response.json()["count"], len(captured)


def test_the_pages_of_a_list_share_one_count(api, personas):
    for _ in range(3):
        accepted(personas)
    first = queries(api, "/api/v1/claims/?page_size=2")
    second = queries(api, "/api/v1/claims/?page_size=2&page=2")
    assert first[0] == second[0] == 3
    assert second[1] == first[1] - 1


def test_a_write_is_counted_by_the_very_next_read(api, personas, django_capture_on_commit_callbacks):
    accepted(personas)
    assert queries(api, "/api/v1/claims/")[0] == 1
    with django_capture_on_commit_callbacks(execute=True):
        accepted(personas)
    assert queries(api, "/api/v1/claims/")[0] == 2


def test_filters_and_readers_have_counts_of_their_own(api, personas):
    accepted(personas, "Fluvoxamine delays paralysis")
    accepted(personas)
    make_claim(created_by=personas.curator, text="A draft")
    assert queries(api, "/api/v1/claims/")[0] == 2
    assert queries(api, "/api/v1/claims/?search=fluvoxamine")[0] == 1
    assert queries(api.as_(personas.curator), "/api/v1/claims/")[0] == 3


def test_a_filter_that_can_match_nothing_counts_nothing(api, personas):
    accepted(personas)
    response = api.get("/api/v1/evidence/?paper=not-a-paper")
    assert response.status_code == 200
    assert response.json()["count"] == 0
