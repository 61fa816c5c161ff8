from datetime import timedelta

import pytest
from django.utils import timezone

from claims import workflow
from claims.models import Claim, Evidence
from tests.factories import make_claim, make_evidence, make_evidence_type, make_paper, make_topic

pytestmark = pytest.mark.django_db
URL = "/api/v1/claims/"


def accepted_claim(personas, **fields):
    claim = make_claim(created_by=personas.curator, **fields)
    return claim


def accept(claim, personas):
    workflow.submit(claim, personas.curator)
    workflow.review(claim, personas.reviewer, "approve")
    claim.refresh_from_db()
    return claim


def ids(api, query=""):
    response = api.get(URL + query)
    assert response.status_code == 200, response.json()
    return {row["id"] for row in response.json()["results"]}


def test_claim_rows_carry_evidence_with_paper_identifiers_counts_and_reviews(api, personas):
    claim = make_claim(created_by=personas.curator, text="PRE-084 extends survival of SOD1 mice")
    paper = make_paper(doi="10.1007/s13311-012-0140-y", title="Sigma-1R agonist improves", year=2012)
    make_evidence(claim, paper=paper, excerpt="extended survival by more than 15%")
    make_evidence(claim, direction="contradicts")
    make_evidence(claim, direction="inconclusive")
    accept(claim, personas)

    row = api.get(URL + "?search=survival").json()["results"][0]
    assert row["text"] == "PRE-084 extends survival of SOD1 mice"
    assert row["status"] == "accepted"
    assert row["evidence_counts"] == {"supports": 1, "contradicts": 1, "inconclusive": 1}
    cited = next(e for e in row["evidence"] if e["paper"]["doi"] == "10.1007/s13311-012-0140-y")
    assert cited["paper"] == {"id": paper.pk, "doi": paper.doi, "pmid": "", "title": paper.title,
                              "year": 2012}
    assert cited["evidence_type"]["code"] == "in-vivo-animal-model"
    assert [r["verdict"] for r in row["reviews"]] == ["approve"]
    assert row["versions"][0]["number"] == 1
    assert api.get(f"{URL}{claim.pk}/").json() == row


def test_readers_see_accepted_and_retracted_claims_only(api, personas):
    draft = make_claim(created_by=personas.curator)
    submitted = make_claim(created_by=personas.curator)
    workflow.submit(submitted, personas.curator)
    accepted = accept(make_claim(created_by=personas.curator), personas)
    retracted = accept(make_claim(created_by=personas.curator), personas)
    workflow.retract(retracted, personas.staff, "superseded by a better statement")

    assert ids(api) == {accepted.pk, retracted.pk}
    assert ids(api.as_(personas.outsider)) == {accepted.pk, retracted.pk}
    assert api.as_(None).get(f"{URL}{draft.pk}/").status_code == 404
    everything = {draft.pk, submitted.pk, accepted.pk, retracted.pk}
    assert ids(api.as_(personas.curator)) == everything
    assert ids(api.as_(personas.reviewer)) == everything


def test_readers_see_only_accepted_evidence_of_an_accepted_claim(api, personas):
    claim = accept(make_claim(created_by=personas.curator), personas)
    make_evidence(claim, created_by=personas.curator)  # new evidence: a draft of its own
    row = api.as_(None).get(f"{URL}{claim.pk}/").json()
    assert row["evidence"] == [] and row["evidence_counts"]["supports"] == 0
    assert len(api.as_(personas.reviewer).get(f"{URL}{claim.pk}/").json()["evidence"]) == 1


def test_curator_creates_a_draft_claim_and_is_recorded_as_author(api, personas):
    make_topic()
    response = api.as_(personas.curator).post(URL, {
        "text": "Sigma-1R agonists extend survival of SOD1 ALS mice",
        "subject": "Sigma-1R agonist", "relation": "increases", "object": "survival",
        "context": "SOD1-G93A mouse", "topics": ["als"]}, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == "draft" and body["created_by"] == "curator"
    assert body["allowed_actions"] == ["submit"]
    assert Claim.objects.get(uid=body["uid"]).topics.get().slug == "als"


def test_status_cannot_be_written_through_the_api(api, personas):
    claim = make_claim(created_by=personas.curator)
    response = api.as_(personas.curator).patch(f"{URL}{claim.pk}/", {"status": "accepted"},
                                               format="json")
    assert response.status_code == 200
    claim.refresh_from_db()
    assert claim.status == "draft"


@pytest.mark.parametrize("payload, field", [
    ({"text": ""}, "text"),
    ({"text": "x", "relation": "cures"}, "relation"),
    ({"text": "x", "topics": ["unknown-topic"]}, "topics"),
])
def test_bad_claim_is_refused_with_a_field_message(api, personas, payload, field):
    response = api.as_(personas.curator).post(URL, payload, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert not Claim.objects.exists()


def test_accepted_claim_text_is_frozen(api, personas):
    claim = accept(make_claim(created_by=personas.curator), personas)
    response = api.as_(personas.curator).patch(f"{URL}{claim.pk}/", {"text": "changed meaning"},
                                               format="json")
    assert response.status_code == 400
    assert "frozen" in response.json()["text"][0]
    claim.refresh_from_db()
    assert claim.text != "changed meaning"


def test_claims_filter_by_status_relation_parts_topic_and_author(api, personas):
    als = make_topic()
    one = make_claim(created_by=personas.curator, relation="increases", subject="PRE-084",
                     object="survival", context="SOD1-G93A mouse")
    one.topics.add(als)
    two = make_claim(created_by=personas.other_curator, relation="decreases",
                     subject="Sigma-1R knockout", object="motoneuron number", context="mouse")
    workflow.submit(two, personas.other_curator)
    client = api.as_(personas.curator)
    assert ids(client, "?status=draft") == {one.pk}
    assert ids(client, "?status=draft&status=submitted") == {one.pk, two.pk}
    assert ids(client, "?relation=decreases") == {two.pk}
    assert ids(client, "?subject=pre-084") == {one.pk}
    assert ids(client, "?object=motoneuron") == {two.pk}
    assert ids(client, "?context=SOD1") == {one.pk}
    assert ids(client, "?topic=als") == {one.pk}
    assert ids(client, "?created_by=other-curator") == {two.pk}
    assert ids(client, "?status=submitted&relation=increases") == set()


def test_claims_filter_by_evidence_type_paper_and_direction(api, personas):
    review_type = make_evidence_type("author-statement", "Author statement", "ECO:0000033")
    paper = make_paper(doi="10.1002/ana.22274", pmid="12345")
    one = make_claim(created_by=personas.curator)
    make_evidence(one, paper=paper, direction="inconclusive")
    two = make_claim(created_by=personas.curator)
    make_evidence(two, evidence_type=review_type)
    client = api.as_(personas.curator)
    assert ids(client, "?evidence_type=author-statement") == {two.pk}
    assert ids(client, f"?paper={paper.pk}") == {one.pk}
    assert ids(client, "?paper=10.1002/ANA.22274") == {one.pk}
    assert ids(client, "?paper=pmid:12345") == {one.pk}
    assert ids(client, "?direction=inconclusive") == {one.pk}
    assert ids(client, "?direction=supports&evidence_type=author-statement") == {two.pk}


def test_updated_since_lists_what_changed_after_a_moment(api, personas):
    old = make_claim(created_by=personas.curator)
    Claim.objects.filter(pk=old.pk).update(updated_at=timezone.now() - timedelta(days=3))
    new = make_claim(created_by=personas.curator)
    since = (timezone.now() - timedelta(days=1)).isoformat().replace("+00:00", "Z")
    assert ids(api.as_(personas.curator), f"?updated_since={since}") == {new.pk}
    bad = api.as_(personas.curator).get(URL + "?updated_since=yesterday")
    assert bad.status_code == 400 and "updated_since" in bad.json()


def test_search_covers_claim_text_evidence_excerpts_and_paper_titles(api, personas):
    by_text = make_claim(created_by=personas.curator, text="Sigma-1R KO mice show weakness")
    by_excerpt = make_claim(created_by=personas.curator, text="claim two")
    make_evidence(by_excerpt, excerpt="rotarod latency was shorter")
    by_title = make_claim(created_by=personas.curator, text="claim three")
    make_evidence(by_title, paper=make_paper(title="Enriched in postsynaptic C-terminals"))
    client = api.as_(personas.curator)
    assert ids(client, "?search=weakness") == {by_text.pk}
    assert ids(client, "?search=rotarod") == {by_excerpt.pk}
    assert ids(client, "?search=c-terminals") == {by_title.pk}


def test_ordering_by_text_and_timestamps(api, personas):
    b = make_claim(created_by=personas.curator, text="B claim")
    a = make_claim(created_by=personas.curator, text="A claim")
    client = api.as_(personas.curator)
    assert [r["id"] for r in client.get(URL + "?ordering=text").json()["results"]] == [a.pk, b.pk]
    assert [r["id"] for r in client.get(URL + "?ordering=created_at").json()["results"]] == [b.pk, a.pk]
    assert [r["id"] for r in client.get(URL + "?ordering=-updated_at").json()["results"]] == [a.pk, b.pk]


def test_pagination_defaults_to_50_and_caps_page_size_at_500(api, personas):
    Claim.objects.bulk_create(Claim(text=f"claim {i}", created_by=personas.curator) for i in range(60))
    client = api.as_(personas.curator)
    first = client.get(URL).json()
    assert first["count"] == 60 and len(first["results"]) == 50 and first["next"]
    assert len(client.get(first["next"]).json()["results"]) == 10
    assert len(client.get(URL + "?page_size=5").json()["results"]) == 5
    assert len(client.get(URL + "?page_size=100000").json()["results"]) == 60
    assert client.get(URL + "?page=99").status_code == 404


def test_curator_deletes_a_draft_claim_but_not_an_accepted_one(api, personas):
    draft = make_claim(created_by=personas.curator)
    accepted = accept(make_claim(created_by=personas.curator), personas)
    client = api.as_(personas.curator)
    assert client.delete(f"{URL}{draft.pk}/").status_code == 204
    response = client.delete(f"{URL}{accepted.pk}/")
    assert response.status_code == 409
    assert Claim.objects.filter(pk=accepted.pk).exists()


def test_evidence_endpoint_accepts_papers_by_doi_and_types_by_code(api, personas):
    claim = make_claim(created_by=personas.curator)
    paper = make_paper(doi="10.1093/brain/awv008")
    make_evidence_type("knockout-phenotype", "Knockout phenotype", "ECO:0001091")
    response = api.as_(personas.curator).post("/api/v1/evidence/", {
        "claim": claim.pk, "paper": "https://doi.org/10.1093/BRAIN/AWV008",
        "evidence_type": "knockout-phenotype", "direction": "supports", "location": "Fig. 2",
        "species": "mouse", "sample_size": 12}, format="json")
    assert response.status_code == 201, response.json()
    evidence = Evidence.objects.get()
    assert evidence.paper == paper and evidence.created_by == personas.curator
    assert response.json()["paper"]["doi"] == "10.1093/brain/awv008"


def test_a_reviewed_draft_cannot_be_deleted_because_reviews_are_kept(api, personas):
    claim = make_claim(created_by=personas.curator)
    workflow.submit(claim, personas.curator)
    workflow.review(claim, personas.reviewer, "request_changes", "Name the strain.")
    response = api.as_(personas.curator).delete(f"{URL}{claim.pk}/")
    assert response.status_code == 409
    assert "curator review" in response.json()["detail"]
    assert claim.reviews.count() == 1


def test_submitted_claims_and_accepted_evidence_are_not_deleted(api, personas):
    submitted = make_claim(created_by=personas.curator)
    workflow.submit(submitted, personas.curator)
    refused = api.as_(personas.curator).delete(f"{URL}{submitted.pk}/")
    assert refused.status_code == 409 and "the claim is submitted" in refused.json()["detail"]
    accepted = make_claim(created_by=personas.curator)
    evidence = make_evidence(accepted)
    accept(accepted, personas)
    gone = api.as_(personas.curator).delete(f"/api/v1/evidence/{evidence.pk}/")
    assert gone.status_code == 409 and "the evidence is accepted" in gone.json()["detail"]
    assert Evidence.objects.filter(pk=evidence.pk).exists()


def test_search_does_not_look_into_evidence_a_reader_may_not_see(api, personas):
    claim = make_claim(created_by=personas.curator, text="PRE-084 preserves motoneurons")
    make_evidence(claim, excerpt="published passage")
    accept(claim, personas)
    make_evidence(claim, excerpt="unpublishedword in a draft excerpt")
    assert ids(api.as_(None), "?search=published") == {claim.pk}
    assert ids(api.as_(None), "?search=unpublishedword") == set()
    assert ids(api.as_(personas.reviewer), "?search=unpublishedword") == {claim.pk}


def test_every_search_word_must_match(api, personas):
    one = make_claim(created_by=personas.curator, text="Sigma-1R agonists extend survival")
    make_claim(created_by=personas.curator, text="Sigma-1R knockout mice are weak")
    assert ids(api.as_(personas.curator), "?search=sigma-1r extend") == {one.pk}


def test_claims_that_say_the_search_words_come_first(api, personas):
    said = make_claim(created_by=personas.curator, text="PRE-084 extends survival of SOD1 mice")
    cited = make_claim(created_by=personas.curator, text="Sigma-1R modulates excitability",
                       object="excitability")
    make_evidence(cited, paper=make_paper(title="Agonist improves motoneuron survival"))
    rows = api.as_(personas.curator).get(URL + "?search=survival").json()["results"]
    assert [r["id"] for r in rows] == [said.pk, cited.pk]
    by_text = api.as_(personas.curator).get(URL + "?search=survival&ordering=-text").json()["results"]
    assert [r["id"] for r in by_text] == [cited.pk, said.pk]


def test_evidence_filters_given_together_apply_to_one_evidence_item(api, personas):
    in_vivo = make_evidence_type()
    in_vitro = make_evidence_type("in-vitro", "In vitro", "ECO:0000181")
    mixed = make_claim(created_by=personas.curator)
    make_evidence(mixed, evidence_type=in_vivo, direction="supports")
    make_evidence(mixed, evidence_type=in_vitro, direction="contradicts")
    contested = make_claim(created_by=personas.curator)
    make_evidence(contested, evidence_type=in_vivo, direction="contradicts")
    client = api.as_(personas.curator)
    assert ids(client, "?evidence_type=in-vivo-animal-model&direction=contradicts") == {
        contested.pk}
    assert ids(client, "?direction=contradicts") == {mixed.pk, contested.pk}
