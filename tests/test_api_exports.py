"""Exports: whole lists as CSV and JSON-LD, streamed; the accepted data set as JSON Lines;
the downloads listed at /api/v1/exports/."""

import csv
import io
import json
import socket

import pytest
import rdflib
import yaml
from django.core.management import call_command
from django.db import connection
from django.http import StreamingHttpResponse
from django.test.utils import CaptureQueriesContext
from rdflib.compare import isomorphic
from rdflib.namespace import RDF

from claims import workflow, writes
from claims.api import exports
from claims.interchange.export import iter_lines
from claims.models import Claim, Evidence
from tests.factories import make_claim, make_evidence, make_evidence_type, make_paper, make_topic

pytestmark = pytest.mark.django_db

SCHEMA = rdflib.Namespace("https://schema.org/")
VOCAB = rdflib.Namespace("http://testserver/api/v1/vocab#")


def accept(claim, reviewer):
    workflow.submit(claim, claim.created_by)
    workflow.review(claim, reviewer, "approve")
    claim.refresh_from_db()
    return claim


def download(response) -> str:
    assert response.status_code == 200, response.content[:300]
    assert isinstance(response, StreamingHttpResponse)
    return b"".join(response.streaming_content).decode("utf-8")


def csv_rows(response) -> list[dict]:
    return list(csv.DictReader(io.StringIO(download(response))))


@pytest.fixture
def curated(personas):
    """An accepted claim with two evidence items, an accepted one without any, a draft, and
    draft evidence on the accepted claim."""
    animal = make_evidence_type()
    in_vitro = make_evidence_type("in-vitro", "In vitro", "ECO:0000181")
    cited = make_paper(title="PRE-084 in SOD1-G93A mice", doi="10.1000/pre.084", pmid="20167253",
                       year=2010)
    claim = make_claim(created_by=personas.curator, text="PRE-084 extends survival")
    claim.topics.add(make_topic())
    supporting = make_evidence(claim, paper=cited, evidence_type=animal, direction="supports")
    contradicting = make_evidence(claim, evidence_type=in_vitro, direction="contradicts")
    accept(claim, personas.reviewer)
    hidden = make_evidence(claim, direction="inconclusive", created_by=personas.other_curator)
    bare = make_claim(created_by=personas.curator, text="Sigma-1R is enriched in C-terminals")
    Claim.objects.filter(pk=bare.pk).update(status="accepted")
    draft = make_claim(created_by=personas.curator, text="A draft nobody else sees")
    make_evidence(draft)

    class Data:
        pass

    data = Data()
    data.claim, data.bare, data.draft, data.paper = claim, bare, draft, cited
    data.supporting, data.contradicting, data.hidden = supporting, contradicting, hidden
    return data


def test_claims_csv_gives_a_row_per_evidence_item_and_one_for_a_claim_without_any(api, curated):
    rows = csv_rows(api.get("/api/v1/claims/?format=csv"))

    by_claim = {}
    for row in rows:
        by_claim.setdefault(row["claim_uid"], []).append(row)
    assert set(by_claim) == {str(curated.claim.uid), str(curated.bare.uid)}
    two = sorted(by_claim[str(curated.claim.uid)], key=lambda r: r["direction"])
    assert [r["evidence_uid"] for r in two] == [str(curated.contradicting.uid),
                                                str(curated.supporting.uid)]
    assert two[1] == {
        "claim_uid": str(curated.claim.uid), "claim_text": "PRE-084 extends survival",
        "claim_status": "accepted", "evidence_uid": str(curated.supporting.uid),
        "direction": "supports", "evidence_type": "in-vivo-animal-model", "eco_id": "ECO:0000179",
        "paper_doi": "10.1000/pre.084", "paper_pmid": "20167253",
        "paper_title": "PRE-084 in SOD1-G93A mice", "paper_year": "2010"}
    assert two[0]["eco_id"] == "ECO:0000181"
    [alone] = by_claim[str(curated.bare.uid)]
    assert alone["claim_text"] == "Sigma-1R is enriched in C-terminals"
    assert [alone[c] for c in exports.CLAIM_HEADER[3:]] == [""] * 8


def test_anonymous_csv_leaves_out_drafts_and_unaccepted_evidence_that_a_curator_gets(
        api, curated, personas):
    anonymous = csv_rows(api.get("/api/v1/claims/?format=csv"))
    assert str(curated.draft.uid) not in {r["claim_uid"] for r in anonymous}
    assert str(curated.hidden.uid) not in {r["evidence_uid"] for r in anonymous}

    curator = csv_rows(api.as_(personas.curator).get("/api/v1/claims/?format=csv"))
    assert {str(curated.draft.uid), str(curated.claim.uid)} <= {r["claim_uid"] for r in curator}
    assert str(curated.hidden.uid) in {r["evidence_uid"] for r in curator}


@pytest.mark.parametrize("query", ["direction=contradicts", "topic=als", "status=draft",
                                   "evidence_type=in-vitro", "search=enriched",
                                   "paper=pmid:20167253"])
def test_the_csv_follows_the_lists_filters(api, curated, personas, query):
    api.as_(personas.reviewer)
    listed = {c["uid"] for c in api.get(f"/api/v1/claims/?{query}&page_size=500").json()["results"]}
    exported = {r["claim_uid"] for r in csv_rows(api.get(f"/api/v1/claims/?{query}&format=csv"))}
    assert exported == listed
    assert listed  # every filter here finds something, so a filter left out would show


def test_a_bad_filter_on_an_export_is_a_400_in_json(api, curated):
    response = api.get("/api/v1/claims/?format=csv&updated_since=yesterday")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert "updated_since" in response.json()


def test_accept_text_csv_asks_for_the_same_csv(api, curated):
    by_header = download(api.get("/api/v1/claims/", HTTP_ACCEPT="text/csv"))
    assert by_header == download(api.get("/api/v1/claims/?format=csv"))


def test_papers_csv_gives_one_row_per_paper_with_the_lists_filters(api, curated):
    curated.paper.authors = ["Mancuso R", "Navarro X"]
    curated.paper.save()
    curated.paper.topics.add(make_topic(), make_topic("sod1", "SOD1"))
    response = api.get("/api/v1/papers/?format=csv")
    assert response["Content-Disposition"].startswith('attachment; filename="papers-')
    rows = csv_rows(response)
    assert len(rows) == 4
    [paper] = [r for r in rows if r["doi"] == "10.1000/pre.084"]
    assert paper["authors"] == "Mancuso R; Navarro X"
    assert paper["topics"] == "als; sod1"
    assert (paper["pmid"], paper["year"], paper["is_retracted"]) == ("20167253", "2010", "false")
    assert [r["doi"] for r in csv_rows(api.get("/api/v1/papers/?format=csv&year=2010"))] == [
        "10.1000/pre.084"]


def test_papers_csv_names_a_preprints_published_version_and_a_retraction_notice(api, curated):
    preprint = writes.create_paper(actor=None, data={
        "title": "PRE-084 in SOD1 mice (preprint)", "url": "https://www.biorxiv.org/content/x",
        "publication_type": "preprint", "published_version": curated.paper,
        "is_retracted": True, "retraction_url": "https://doi.org/10.1000/notice"})
    rows = {r["uid"]: r for r in csv_rows(api.get("/api/v1/papers/?format=csv"))}
    assert rows[str(preprint.uid)]["published_version"] == "10.1000/pre.084"
    assert rows[str(preprint.uid)]["retraction_url"] == "https://doi.org/10.1000/notice"
    assert rows[str(curated.paper.uid)]["published_version"] == ""


def test_an_empty_list_exports_as_a_header_and_an_empty_graph(api, curated):
    assert download(api.get("/api/v1/claims/?format=csv&subject=nothing-here")) == (
        ",".join(exports.CLAIM_HEADER) + "\r\n")
    graph = parse(download(api.get("/api/v1/claims/?format=jsonld&search=nowhere-to-be-found")))
    assert len(graph) == 0


def populate(n):
    """n accepted claims, each with two accepted evidence items on papers of their own."""
    kind = make_evidence_type()
    for _ in range(n):
        claim = make_claim()
        make_evidence(claim, evidence_type=kind)
        make_evidence(claim, evidence_type=kind, direction="contradicts")
    Claim.objects.update(status="accepted")
    Evidence.objects.update(status="accepted")


def measure(api, url):
    with CaptureQueriesContext(connection) as queries:
        response = api.get(url)
        body = download(response)
    return len(queries), body


EXPORTS = ["/api/v1/claims/?format=csv", "/api/v1/claims/?format=jsonld",
           "/api/v1/papers/?format=csv"]


def test_exports_hold_every_row_not_one_page(api, personas):
    populate(60)
    assert len(csv_rows(api.get("/api/v1/claims/?format=csv"))) == 120
    assert len(csv_rows(api.get("/api/v1/papers/?format=csv"))) == 120
    graph = json.loads(download(api.get("/api/v1/claims/?format=jsonld")))["@graph"]
    assert len(graph) == 60


@pytest.mark.parametrize("url", EXPORTS)
def test_the_query_count_grows_with_batches_not_with_rows(api, personas, monkeypatch, url):
    populate(10)
    small, _ = measure(api, url)
    populate(50)
    large, _ = measure(api, url)
    assert large == small  # 10 and 60 claims both fit in one batch

    monkeypatch.setattr(exports, "BATCH", 25)
    batched, body = measure(api, url)
    # 60 claims (120 papers) in batches of 25 are 2 (4) batches more than one, and a batch
    # costs at most three queries.
    assert 0 < batched - small <= (4 if "papers" in url else 2) * 3
    response = api.get(url)
    assert len(list(response.streaming_content)) > 2  # written out batch by batch


def parse(document: str) -> rdflib.Graph:
    """The document in a graph, with no network: the context must be in the document."""
    def refuse(*args, **kwargs):
        raise AssertionError("the JSON-LD parser tried to fetch something")

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(socket.socket, "connect", refuse)
        return rdflib.Graph().parse(data=document, format="json-ld")


def test_claims_jsonld_loads_into_a_knowledge_graph_as_it_is(api, curated):
    response = api.get("/api/v1/claims/?format=jsonld")
    assert response["Content-Type"] == "application/ld+json"
    graph = parse(download(response))

    claim = rdflib.URIRef(f"urn:uuid:{curated.claim.uid}")
    assert (claim, RDF.type, SCHEMA.Claim) in graph
    assert (rdflib.URIRef(f"urn:uuid:{curated.draft.uid}"), None, None) not in graph
    assert graph.value(claim, SCHEMA.text).toPython() == "PRE-084 extends survival"
    found = graph.query("""
        SELECT ?direction ?type ?paper ?title WHERE {
            ?claim curation:evidence ?evidence .
            ?evidence curation:direction ?direction ; curation:evidenceType ?type ;
                      curation:paper ?paper .
            ?paper a schema:ScholarlyArticle ; schema:name ?title .
        } ORDER BY ?direction""", initNs={"curation": VOCAB, "schema": SCHEMA},
        initBindings={"claim": claim})
    assert [tuple(str(v) for v in row) for row in found] == [
        (str(VOCAB.contradicts), "http://purl.obolibrary.org/obo/ECO_0000181",
         f"https://doi.org/{curated.contradicting.paper.doi}", curated.contradicting.paper.title),
        (str(VOCAB.supports), "http://purl.obolibrary.org/obo/ECO_0000179",
         "https://doi.org/10.1000/pre.084", "PRE-084 in SOD1-G93A mice"),
    ]
    paper = rdflib.URIRef("https://doi.org/10.1000/pre.084")
    assert (paper, SCHEMA.sameAs, rdflib.URIRef("https://pubmed.ncbi.nlm.nih.gov/20167253/")) in graph
    eco = rdflib.URIRef("http://purl.obolibrary.org/obo/ECO_0000179")
    assert str(graph.value(eco, rdflib.RDFS.label)) == "In vivo animal model"


def test_a_claim_in_jsonld_is_the_same_node_as_in_the_list(api, curated):
    response = api.get(f"/api/v1/claims/{curated.claim.pk}/?format=jsonld")
    assert response.status_code == 200
    one = parse(response.content.decode())
    listed = parse(download(api.get("/api/v1/claims/?format=jsonld&search=extends")))
    assert isomorphic(one, listed)
    assert api.get(f"/api/v1/claims/{curated.draft.pk}/?format=jsonld").status_code == 404


def test_a_paper_without_doi_is_named_by_its_pubmed_page(api, personas):
    claim = make_claim()
    make_evidence(claim, paper=make_paper(doi="", pmid="12345"))
    make_evidence(claim, paper=make_paper(doi="10.1002/(sici)1097<13::aid>3.0.co;2-r#x"))
    Claim.objects.update(status="accepted")
    Evidence.objects.update(status="accepted")
    graph = parse(download(api.get("/api/v1/claims/?format=jsonld")))
    papers = set(graph.subjects(RDF.type, SCHEMA.ScholarlyArticle))
    assert papers == {rdflib.URIRef("https://pubmed.ncbi.nlm.nih.gov/12345/"),
                      rdflib.URIRef("https://doi.org/10.1002/(sici)1097%3C13::aid%3E3.0.co;2-r%23x")}


def test_the_context_is_published_and_is_the_one_documents_embed(api, curated):
    response = api.get("/api/v1/context.jsonld")
    assert response.status_code == 200 and response["Content-Type"] == "application/ld+json"
    document = json.loads(download(api.get("/api/v1/claims/?format=jsonld")))
    assert document["@context"] == response.json()["@context"]
    assert response.json()["@context"]["curation"] == str(VOCAB)
    vocabulary = parse(api.get("/api/v1/vocab").content.decode())
    for term in ("supports", "contradicts", "inconclusive", "evidenceType", "paper"):
        assert (VOCAB[term], rdflib.RDFS.comment, None) in vocabulary


def test_an_unknown_format_is_a_400_naming_the_parameter_and_changes_nothing(api, curated,
                                                                             personas):
    response = api.get("/api/v1/claims/?format=xml")
    assert response.status_code == 400
    assert "xml" in response.json()["format"][0]
    assert api.get(f"/api/v1/claims/{curated.claim.pk}/?format=csv").status_code == 400
    assert api.get("/api/v1/evidence/?format=jsonld").status_code == 400

    submit = api.as_(personas.curator).post(f"/api/v1/claims/{curated.draft.pk}/submit/?format=xml")
    assert submit.status_code == 400 and "format" in submit.json()
    curated.draft.refresh_from_db()
    assert curated.draft.status == "draft"


def test_page_parameters_do_not_apply_to_an_export(api, curated):
    response = api.get("/api/v1/claims/?format=csv&page=2&page_size=10")
    assert response.status_code == 400
    assert set(response.json()) == {"page", "page_size"}


def test_nested_evidence_types_carry_their_eco_id_in_json(api, curated, personas):
    for user in (None, personas.reviewer):  # built from rows, and by the serializers
        claim = api.as_(user).get(f"/api/v1/claims/{curated.claim.pk}/").json()
        types = {e["evidence_type"]["code"]: e["evidence_type"] for e in claim["evidence"]}
        assert types["in-vitro"] == {"id": curated.contradicting.evidence_type_id,
                                     "code": "in-vitro", "label": "In vitro",
                                     "eco_id": "ECO:0000181"}
    evidence = api.get(f"/api/v1/evidence/{curated.supporting.pk}/").json()
    assert evidence["evidence_type"]["eco_id"] == "ECO:0000179"


def test_the_accepted_data_set_streams_as_the_interchange_export(api, curated):
    response = api.get("/api/v1/exports/accepted.jsonl")
    assert response["Content-Type"].startswith("application/x-ndjson")
    assert response["Content-Disposition"].startswith('attachment; filename="curation-accepted-')
    body = download(response)
    assert body == "".join(iter_lines(status="accepted"))
    claims = [json.loads(line)["uid"] for line in body.splitlines() if '"kind":"claim"' in line]
    assert sorted(claims) == sorted([str(curated.claim.uid), str(curated.bare.uid)])


def test_the_exports_index_lists_the_live_downloads_and_the_releases(api, curated, settings,
                                                                     tmp_path):
    settings.RELEASES_ROOT = tmp_path
    call_command("release_curation", "2026.11", stdout=io.StringIO())
    body = api.get("/api/v1/exports/").json()
    live = {item["name"]: item["url"] for item in body["live"]}
    assert live["accepted.jsonl"] == "http://testserver/api/v1/exports/accepted.jsonl"
    assert live["claims.csv"] == "http://testserver/api/v1/claims/?format=csv"
    for url in live.values():
        assert api.get(url).status_code == 200
    [release] = body["releases"]
    assert release["version"] == "2026.11"
    assert api.get(release["download"]).status_code == 200


def test_the_schema_documents_the_formats(api):
    schema = yaml.safe_load(api.get("/api/v1/schema/").content)
    paths = schema["paths"]

    def media(path):
        return set(paths[path]["get"]["responses"]["200"]["content"])

    assert media("/api/v1/claims/") == {"application/json", "text/csv", "application/ld+json"}
    assert media("/api/v1/claims/{id}/") == {"application/json", "application/ld+json"}
    assert media("/api/v1/papers/") == {"application/json", "text/csv"}
    assert media("/api/v1/exports/accepted.jsonl") == {"application/x-ndjson"}
    claims_json = paths["/api/v1/claims/"]["get"]["responses"]["200"]["content"]["application/json"]
    assert "Paginated" in claims_json["schema"]["$ref"]
    formats = {p["name"]: p for p in paths["/api/v1/claims/"]["get"]["parameters"]}
    assert set(formats["format"]["schema"]["enum"]) == {"json", "csv", "jsonld"}
    assert "fields" in formats  # the list's own parameters stay
    assert "/api/v1/exports/" in paths and "/api/v1/context.jsonld" in paths
