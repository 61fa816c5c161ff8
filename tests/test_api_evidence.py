import pytest

from claims import workflow
from claims.models import Evidence
from tests.factories import make_claim, make_evidence, make_evidence_type, make_paper

pytestmark = pytest.mark.django_db
URL = "/api/v1/evidence/"


@pytest.fixture
def claim(personas):
    return make_claim(created_by=personas.curator)


def post(api, personas, **payload):
    return api.as_(personas.curator).post(URL, payload, format="json")


@pytest.mark.parametrize("change, field, message", [
    ({"direction": "proves"}, "direction", "not a valid choice"),
    ({"paper": "10.9999/missing"}, "paper", "No paper with DOI"),
    ({"paper": "pmid:000"}, "paper", "No paper with PMID"),
    ({"paper": "a paper"}, "paper", "Give a paper id"),
    ({"evidence_type": "telepathy"}, "evidence_type", "No evidence type"),
    ({"sample_size": 0}, "sample_size", "greater than or equal to 1"),
    ({"sex": "unknown"}, "sex", "not a valid choice"),
    ({"claim": 999999}, "claim", "does not exist"),
])
def test_bad_evidence_is_refused_with_a_field_message(api, personas, claim, change, field, message):
    payload = {"claim": claim.pk, "paper": make_paper().pk, "evidence_type": make_evidence_type().code,
               "direction": "supports", **change}
    response = post(api, personas, **payload)
    assert response.status_code == 400
    assert message in " ".join(response.json()[field])
    assert not Evidence.objects.exists()


def test_same_claim_paper_type_and_location_appear_once(api, personas, claim):
    existing = make_evidence(claim, location="Fig. 3B")
    response = post(api, personas, claim=claim.pk, paper=existing.paper.doi,
                    evidence_type=existing.evidence_type.code, direction="contradicts",
                    location="Fig. 3B")
    assert response.status_code == 400
    assert "already cites this paper" in str(response.json())
    assert Evidence.objects.count() == 1


def test_evidence_filters_by_claim_paper_type_direction_and_status(api, personas, claim):
    other = make_claim(created_by=personas.curator)
    paper = make_paper(doi="10.3389/fphar.2021.780588")
    first = make_evidence(claim, paper=paper, direction="contradicts")
    second = make_evidence(other, evidence_type=make_evidence_type("in-vitro", "In vitro", "ECO:0000181"))
    workflow.submit(other, personas.curator)
    client = api.as_(personas.curator)

    def ids(query):
        response = client.get(URL + query)
        assert response.status_code == 200, response.json()
        return {row["id"] for row in response.json()["results"]}

    assert ids(f"?claim={claim.pk}") == {first.pk}
    assert ids(f"?claim_uid={other.uid}") == {second.pk}
    assert ids("?paper=10.3389/FPHAR.2021.780588") == {first.pk}
    assert ids("?evidence_type=in-vitro") == {second.pk}
    assert ids("?direction=contradicts") == {first.pk}
    assert ids("?status=submitted") == {second.pk}
    assert ids("?status=draft&direction=supports") == set()


def test_readers_see_accepted_evidence_only(api, personas, claim):
    accepted = make_evidence(claim)
    workflow.submit(claim, personas.curator)
    workflow.review(claim, personas.reviewer, "approve")
    make_evidence(claim)  # a new draft on the accepted claim
    rows = api.as_(None).get(URL).json()["results"]
    assert [r["id"] for r in rows] == [accepted.pk]


def test_editing_evidence_records_the_editor(api, personas, claim):
    evidence = make_evidence(claim)
    response = api.as_(personas.other_curator).patch(f"{URL}{evidence.pk}/", {"notes": "dose checked"},
                                                     format="json")
    assert response.status_code == 200
    evidence.refresh_from_db()
    assert evidence.updated_by == personas.other_curator and evidence.notes == "dose checked"


def test_evidence_types_list_with_their_eco_ids_and_tree(api, personas):
    parent = make_evidence_type("in-vivo", "In vivo assay", "ECO:0000178")
    child = make_evidence_type("in-vivo-animal-model", "Animal model", "ECO:0000179")
    child.parent = parent
    child.save()
    rows = api.get("/api/v1/evidence-types/?parent=in-vivo").json()["results"]
    assert [(r["code"], r["eco_id"], r["parent"]) for r in rows] == [
        ("in-vivo-animal-model", "ECO:0000179", "in-vivo")]
    bad = api.as_(personas.staff).post("/api/v1/evidence-types/", {
        "code": "x", "label": "X", "eco_id": "ECO:12"}, format="json")
    assert bad.status_code == 400 and "eco_id" in bad.json()


def test_topics_are_listed_and_created_by_curators(api, personas):
    created = api.as_(personas.curator).post("/api/v1/topics/", {"slug": "als", "name": "ALS"},
                                             format="json")
    assert created.status_code == 201
    assert api.get("/api/v1/topics/").json()["results"][0]["slug"] == "als"
    duplicate = api.as_(personas.curator).post("/api/v1/topics/", {"slug": "als", "name": "again"},
                                               format="json")
    assert duplicate.status_code == 400 and "slug" in duplicate.json()


def test_accepted_evidence_is_frozen_but_its_notes_stay_editable(api, personas, claim):
    evidence = make_evidence(claim, direction="supports")
    workflow.submit(claim, personas.curator)
    workflow.review(claim, personas.reviewer, "approve")
    client = api.as_(personas.curator)
    flipped = client.patch(f"{URL}{evidence.pk}/", {"direction": "contradicts"}, format="json")
    assert flipped.status_code == 400
    assert "frozen" in flipped.json()["direction"][0]
    assert client.patch(f"{URL}{evidence.pk}/", {"notes": "typo fixed"}, format="json").status_code == 200
    evidence.refresh_from_db()
    assert evidence.direction == "supports" and evidence.notes == "typo fixed"


@pytest.mark.parametrize("paper", [True, False, None, [], {"doi": "10.1/x"}, 10**30, "9" * 40, 1.5,
                                   "pmid:", "pmid: x"])
def test_odd_values_for_a_paper_are_a_400_not_a_500(api, personas, claim, paper):
    response = post(api, personas, claim=claim.pk, paper=paper, evidence_type=make_evidence_type().code,
                    direction="supports")
    assert response.status_code == 400
    assert "paper" in response.json()
    assert not Evidence.objects.exists()


@pytest.mark.parametrize("query", ["?claim=1" + "0" * 30, "?claim=-1", "?claim=abc", "?claim=1.5"])
def test_out_of_range_ids_in_filters_are_a_400(api, query):
    response = api.get(URL + query)
    assert response.status_code == 400 and "claim" in response.json()


def test_evidence_types_form_a_tree_not_a_cycle(api, personas):
    parent = make_evidence_type("in-vivo", "In vivo assay", "ECO:0000178")
    child = make_evidence_type("in-vivo-animal-model", "Animal model", "ECO:0000179")
    child.parent = parent
    child.save()
    response = api.as_(personas.staff).patch(f"/api/v1/evidence-types/{parent.pk}/",
                                             {"parent": "in-vivo-animal-model"}, format="json")
    assert response.status_code == 400
    assert "cycle" in response.json()["parent"][0]
