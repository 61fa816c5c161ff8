"""Full-text search on PostgreSQL: stemmed, ranked, served by the search documents' indexes."""

import pytest
from django.db import connection

from claims import workflow
from tests.factories import make_claim, make_evidence, make_paper

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]
URL = "/api/v1/claims/"


def accepted(personas, text, excerpt="", paper_title="A paper", **fields):
    claim = make_claim(created_by=personas.curator, text=text, **fields)
    make_evidence(claim, excerpt=excerpt, paper=make_paper(title=paper_title))
    workflow.submit(claim, personas.curator)
    workflow.review(claim, personas.reviewer, "approve")
    return claim


def found(api, query):
    response = api.get(URL, {"search": query})
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


def test_search_stems_words(api, personas):
    claim = accepted(personas, "PRE-084 extends survival of SOD1-G93A mice")
    assert found(api, "survive") == [claim.pk]
    assert found(api, "extended") == [claim.pk]
    assert found(api, "mouse") == [claim.pk]


def test_a_claim_that_says_the_words_ranks_above_one_whose_evidence_does(api, personas):
    cited = accepted(personas, "Sigma-1R modulates excitability", object="excitability",
                     excerpt="motoneuron survival was prolonged")
    said = accepted(personas, "Sigma-1R agonists prolong motoneuron survival")
    titled = accepted(personas, "Sigma-1R is enriched at C-terminals",
                      paper_title="Survival of motoneurons in wobbler mice")
    accepted(personas, "Draft evidence does not count", object="nothing")
    # The evidence-matched claims are newer, so relevance, not recency, puts said first.
    cited.save()
    titled.save()
    ranked = found(api, "survival")
    assert ranked[0] == said.pk
    assert set(ranked) == {said.pk, cited.pk, titled.pk}


def test_phrases_and_exclusions(api, personas):
    motor = accepted(personas, "PRE-084 improves motor function in wobbler mice",
                     excerpt="grip function improved")
    other = accepted(personas, "Motor neurons lose function early")
    assert found(api, '"motor function"') == [motor.pk]
    # The excerpt alone would match: a -word refuses the claim if any of its parts says it.
    assert found(api, "function -wobbler") == [other.pk]
    assert found(api, '-"motor function"') == [other.pk]
    assert found(api, "-wobbler") == [other.pk]
    assert found(api, "!!!") == []


def test_documents_follow_every_write(api, personas):
    claim = make_claim(created_by=personas.curator, text="Draft wording")
    claim.text = "Fluvoxamine delays paralysis"
    claim.save()
    assert found(api.as_(personas.curator), "delayed paralysis") == [claim.pk]


def test_search_documents_are_indexed():
    with connection.cursor() as cursor:
        cursor.execute("SELECT tablename FROM pg_indexes WHERE indexdef LIKE '%%USING gin%%' "
                       "AND indexdef LIKE '%%search_document%%'")
        tables = {row[0] for row in cursor.fetchall()}
    assert tables == {"claims_claim", "claims_evidence", "claims_paper"}
