"""How much the API costs over reading the same rows raw, as ratios measured in one run.

    make bench            (SQLite)
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/curation make bench

Baseline: one raw SQL query that reads the claim rows of a page and json-encodes them.
Measured: the full API response for the same page (evidence, papers, reviews, counts,
allowed actions), through Django's test client. The ratio tells what the API's richness
costs; absolute times depend on the machine and are printed only for context.
"""

import json
import statistics
import time

import pytest
from django.db import connection

from claims import workflow
from tests.factories import make_claim, make_evidence, make_paper, make_user

ROWS = 200
PAGE = 100
REPEAT = 15


def _timed(fn):
    samples = []
    for _ in range(REPEAT):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


@pytest.mark.django_db
def test_claim_list_cost_against_a_raw_read(client):
    curator = make_user("bench-curator", "curator")
    reviewer = make_user("bench-reviewer", "reviewer")
    for i in range(ROWS):
        claim = make_claim(created_by=curator)
        for direction in ("supports", "contradicts", "inconclusive"):
            make_evidence(claim, paper=make_paper(), direction=direction, excerpt=f"passage {i}")
        workflow.submit(claim, curator)
        workflow.review(claim, reviewer, "approve")

    def raw():
        with connection.cursor() as cursor:
            cursor.execute("SELECT id, uid, text, subject, relation, object, context, status "
                           "FROM claims_claim ORDER BY updated_at DESC, id DESC LIMIT %s", [PAGE])
            json.dumps([[str(v) for v in row] for row in cursor.fetchall()])

    def api():
        response = client.get(f"/api/v1/claims/?page_size={PAGE}")
        assert response.status_code == 200
        assert len(response.json()["results"]) == PAGE

    baseline, measured = _timed(raw), _timed(api)
    print(f"\n[{connection.vendor}] claims list, {PAGE} rows with 3 evidence each: "
          f"raw {baseline * 1000:.2f} ms, API {measured * 1000:.2f} ms, "
          f"ratio {measured / baseline:.1f}x")
