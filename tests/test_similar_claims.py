"""Similar claims: what a curator is about to state, found among the claims already stored, so
that a duplicate is caught before it is written."""

import pytest
from django.db import connection
from django.urls import reverse

from claims import workflow
from tests.factories import make_claim

pytestmark = pytest.mark.django_db

SAID = "Sigma-1R agonist PRE-084 extends survival of SOD1-G93A mice"


@pytest.fixture
def stored(personas):
    """An accepted claim, a near duplicate in draft, and an unrelated accepted claim."""
    def accepted(text):
        claim = make_claim(created_by=personas.curator, text=text)
        workflow.submit(claim, personas.curator)
        workflow.review(claim, personas.reviewer, "approve")
        return claim

    class Stored:
        same = accepted(SAID)
        draft = make_claim(created_by=personas.curator,
                           text="The Sigma-1R agonist PRE-084 extends the survival of SOD1-G93A mice")
        other = accepted("Riluzole lowers glutamate release in cortical slices")
    return Stored


def similar(api, text, user=None, **params):
    response = api.as_(user).get("/api/v1/claims/similar/", {"text": text, **params})
    assert response.status_code == 200, response.content
    return response.json()["results"]


def test_a_near_duplicate_is_found_best_first_with_its_similarity(api, stored, personas):
    results = similar(api, "Sigma-1R agonist PRE-084 extends survival in SOD1-G93A mice",
                      personas.curator)
    assert [r["id"] for r in results] == [stored.same.pk, stored.draft.pk]
    assert results[0]["similarity"] > results[1]["similarity"] > 0.3
    assert results[0]["similarity"] <= 1
    assert set(results[0]) == {"id", "uid", "text", "status", "similarity"}
    assert results[0]["uid"] == str(stored.same.uid)


def test_the_same_text_is_as_similar_as_can_be(api, stored):
    assert similar(api, SAID)[0] == {"id": stored.same.pk, "uid": str(stored.same.uid),
                                      "text": SAID, "status": "accepted", "similarity": 1.0}


def test_only_claims_the_caller_may_see_are_listed(api, stored, personas):
    assert [r["id"] for r in similar(api, SAID)] == [stored.same.pk]
    assert stored.draft.pk in {r["id"] for r in similar(api, SAID, personas.reviewer)}


def test_an_unrelated_text_finds_nothing(api, stored):
    assert similar(api, "Edaravone scavenges free radicals in patients") == []


def test_the_count_is_bounded(api, stored, personas):
    for n in range(5):
        make_claim(created_by=personas.curator, text=f"{SAID} ({n})")
    assert len(similar(api, SAID, personas.curator)) == 7
    assert len(similar(api, SAID, personas.curator, limit=2)) == 2


@pytest.mark.parametrize("params, parameter", [
    ({}, "text"), ({"text": ""}, "text"), ({"text": "x" * 2001}, "text"),
    ({"text": SAID, "limit": "0"}, "limit"), ({"text": SAID, "limit": "51"}, "limit"),
    ({"text": SAID, "limit": "ten"}, "limit"),
])
def test_a_missing_text_or_a_bad_limit_is_a_400_naming_it(api, params, parameter):
    response = api.get("/api/v1/claims/similar/", params)
    assert response.status_code == 400, response.content
    assert parameter in response.json()


def test_the_admin_add_page_asks_for_similar_claims_as_the_curator_types(client, stored, personas):
    client.force_login(personas.curator)
    add = client.get(reverse("admin:claims_claim_add")).content.decode()
    assert "claims/similar_claims.js" in add
    assert f'data-similar-url="{reverse("claim-similar")}"' in add
    change = client.get(reverse("admin:claims_claim_change", args=[stored.draft.pk])).content.decode()
    assert "claims/similar_claims.js" not in change
    # The script asks with the curator's session, and sees what the curator sees.
    answer = client.get(reverse("claim-similar"), {"text": SAID}).json()["results"]
    assert {r["id"] for r in answer} == {stored.same.pk, stored.draft.pk}


def test_the_admin_script_is_found_by_the_static_files_and_asks_the_url_the_page_gives():
    from django.contrib.staticfiles import finders

    script = finders.find("claims/similar_claims.js")
    assert script, "claims/static/claims/similar_claims.js is missing"
    with open(script, encoding="utf-8") as file:
        assert "field.dataset.similarUrl" in file.read()


@pytest.mark.postgres
def test_on_postgresql_similarity_is_pg_trgms_and_uses_the_trigram_index(api, stored):
    results = similar(api, "Sigma-1R agonist PRE-084 extends survival in SOD1-G93A mice")
    with connection.cursor() as cursor:
        cursor.execute("SELECT similarity(text, %s) FROM claims_claim WHERE id = %s",
                       ["Sigma-1R agonist PRE-084 extends survival in SOD1-G93A mice",
                        stored.same.pk])
        assert results[0]["similarity"] == round(cursor.fetchone()[0], 3)
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN SELECT id FROM claims_claim WHERE text %% %s", [SAID])
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "claims_claim_text_trgm" in plan
