"""A preprint names its published version and the published version lists its preprints, in
the API, the admin and the change feed; evidence citing both on one claim, with the same
direction and evidence type, counts once in the synthesis."""

from decimal import Decimal

import pytest
from django.urls import reverse

from claims import workflow, writes
from claims.models import Claim, EvidenceType, Paper
from claims.models.claims import QUALITY_FIELDS
from tests.factories import admin_form_data, make_claim, make_evidence, make_paper

pytestmark = pytest.mark.django_db

FEED = "/api/v1/changes/"


@pytest.fixture
def pair():
    class Pair:
        preprint = make_paper(title="PRE-084 in SOD1 mice (preprint)", doi="10.1101/2011.01.01",
                              publication_type="preprint", year=2011)
        published = make_paper(title="PRE-084 in SOD1 mice", doi="10.1016/j.nbd.2012.1",
                               year=2012)
    return Pair


def link(pair, actor):
    writes.update(pair.preprint, actor=actor, data={"published_version": pair.published})


def test_a_preprint_links_to_its_published_version_by_doi_and_both_show_it(api, personas, pair):
    response = api.as_(personas.curator).patch(
        f"/api/v1/papers/{pair.preprint.pk}/",
        {"published_version": "https://doi.org/10.1016/J.NBD.2012.1"}, format="json")
    assert response.status_code == 200, response.content
    assert (response.json()["published_version"], response.json()["preprints"]) == (
        pair.published.pk, [])
    published = api.get(f"/api/v1/papers/{pair.published.pk}/").json()
    assert (published["published_version"], published["preprints"]) == (None, [pair.preprint.pk])
    listed = {p["id"]: p for p in api.get("/api/v1/papers/").json()["results"]}
    assert listed[pair.preprint.pk]["published_version"] == pair.published.pk
    assert listed[pair.published.pk]["preprints"] == [pair.preprint.pk]
    # Unlinked with null.
    api.as_(personas.curator).patch(f"/api/v1/papers/{pair.preprint.pk}/",
                                    {"published_version": None}, format="json")
    assert api.get(f"/api/v1/papers/{pair.published.pk}/").json()["preprints"] == []


@pytest.mark.parametrize("target, message", [
    ("self", "A paper is not its own published version."),
    ("a preprint", "is itself a preprint of another paper"),
    ("10.9999/nowhere", "No paper with DOI 10.9999/nowhere."),
])
def test_links_that_are_no_preprint_to_publication_step_are_a_400_naming_the_field(
        api, personas, pair, target, message):
    other = make_paper(title="Another preprint", doi="10.1101/2011.02.02")
    link(pair, personas.curator)
    subject, value = {
        "self": (pair.preprint, pair.preprint.pk),
        "a preprint": (other, pair.preprint.pk),
        "10.9999/nowhere": (other, "10.9999/nowhere"),
    }[target]
    response = api.as_(personas.curator).patch(f"/api/v1/papers/{subject.pk}/",
                                               {"published_version": value}, format="json")
    assert response.status_code == 400
    assert message in " ".join(response.json()["published_version"])
    assert Paper.objects.get(pk=other.pk).published_version is None


def test_a_published_version_with_preprints_names_none_of_its_own(api, personas, pair):
    link(pair, personas.curator)
    later = make_paper(title="PRE-084 in SOD1 mice, corrected", doi="10.1016/j.nbd.2013.1")
    response = api.as_(personas.curator).patch(f"/api/v1/papers/{pair.published.pk}/",
                                               {"published_version": later.pk}, format="json")
    assert response.status_code == 400
    assert "published version of other papers" in response.json()["published_version"][0]


def test_the_admin_links_a_preprint_and_shows_it_on_the_published_version(client, personas,
                                                                            pair):
    client.force_login(personas.curator)
    url = reverse("admin:claims_paper_change", args=[pair.preprint.pk])
    data = admin_form_data(client.get(url))
    data["published_version"] = pair.published.pk
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert Paper.objects.get(pk=pair.preprint.pk).published_version == pair.published
    page = client.get(reverse("admin:claims_paper_change", args=[pair.published.pk])).content.decode()
    assert reverse("admin:claims_paper_change", args=[pair.preprint.pk]) in page
    assert "PRE-084 in SOD1 mice (preprint)" in page


def test_the_feed_tells_of_both_papers_when_they_are_linked_and_unlinked(api, personas, pair):
    def since(cursor):
        page = api.get(FEED, {"after": cursor, "page_size": 1000}).json()
        return page["next"], {e["uid"]: e["object"] for e in page["results"] if e["kind"] == "paper"}

    cursor, _ = since("")
    link(pair, personas.curator)
    cursor, papers = since(cursor)
    assert papers[str(pair.published.uid)]["preprints"] == [pair.preprint.pk]
    assert papers[str(pair.preprint.uid)]["published_version"] == pair.published.pk
    writes.update(pair.preprint, actor=personas.curator, data={"published_version": None})
    cursor, papers = since(cursor)
    assert papers[str(pair.published.uid)]["preprints"] == []
    # A published version deleted: its preprints say so in their history, and in the feed.
    link(pair, personas.curator)
    cursor, _ = since(cursor)
    writes.delete(pair.published, actor=personas.curator)
    cursor, papers = since(cursor)
    assert papers[str(pair.preprint.uid)]["published_version"] is None
    assert Paper.objects.get(pk=pair.preprint.pk).history.first().history_user == personas.curator


# --- the synthesis ---


REPORTED = dict.fromkeys(QUALITY_FIELDS, True)  # full weight: study quality aside


@pytest.fixture
def accept(personas):
    def accept(*evidence):
        claim = make_claim(created_by=personas.curator)
        for paper, direction, *kind in evidence:
            make_evidence(claim, paper=paper, direction=direction,
                          evidence_type=kind[0] if kind else None, **REPORTED)
        workflow.submit(claim, personas.curator)
        workflow.review(claim, personas.reviewer, "approve")
        return claim
    return accept


def synthesis_of(claim) -> dict:
    return Claim.objects.get(pk=claim.pk).synthesis


def test_evidence_from_a_preprint_and_its_published_version_counts_once(accept, personas, pair):
    in_vitro = EvidenceType.objects.create(code="in-vitro", label="in vitro assay evidence",
                                           eco_id="ECO:0000181", weight=Decimal("0.70"))
    claim = accept((pair.preprint, "supports"), (pair.published, "supports"),
                   (pair.preprint, "supports", in_vitro), (pair.preprint, "contradicts"))
    before = synthesis_of(claim)
    assert before["counts"] == {"supports": 3, "contradicts": 1, "inconclusive": 0}

    link(pair, personas.curator)  # the synthesis follows the paper's write
    after = synthesis_of(claim)
    # The preprint's supporting animal study is the published one's: left out. Its in vitro
    # item and its contradicting item have no twin in the published version: they count.
    assert after["counts"] == {"supports": 2, "contradicts": 1, "inconclusive": 0}
    assert after["by_evidence_type"]["in-vivo-animal-model"] == {
        "supports": 1, "contradicts": 1, "inconclusive": 0}
    assert ("1 item citing a preprint is left out: the published version is cited with the "
            "same direction and evidence type, and one work counts once.") in after["rule"]
    assert "Supporting weight 1.7 = 1 × 0.7 (in-vitro) + 1 × 1 (in-vivo-animal-model)." in after["rule"]

    writes.update(pair.preprint, actor=personas.curator, data={"published_version": None})
    assert synthesis_of(claim) == before


def test_a_preprint_alone_counts_in_full(accept, personas, pair):
    link(pair, personas.curator)
    claim = accept((pair.preprint, "supports"))
    assert synthesis_of(claim)["counts"]["supports"] == 1
    assert "preprint" not in synthesis_of(claim)["rule"]


def test_a_published_version_accepted_later_takes_the_preprints_place(accept, personas, pair):
    link(pair, personas.curator)
    claim = accept((pair.preprint, "supports"))
    added = make_evidence(claim, paper=pair.published, location="Fig. 4")
    workflow.submit(added, personas.curator)
    assert synthesis_of(claim)["counts"]["supports"] == 1
    workflow.review(added, personas.reviewer, "approve")
    s = synthesis_of(claim)
    assert s["counts"]["supports"] == 1
    assert "1 item citing a preprint is left out" in s["rule"]


def test_a_retracted_published_version_takes_its_preprints_twin_with_it(accept, personas, pair):
    link(pair, personas.curator)
    claim = accept((pair.preprint, "supports"), (pair.published, "supports"))
    writes.update(pair.published, actor=personas.curator, data={"is_retracted": True})
    s = synthesis_of(claim)
    assert s["level"] == "none"
    assert "1 item citing a retracted paper is left out." in s["rule"]
    assert "1 item citing a preprint is left out" in s["rule"]
