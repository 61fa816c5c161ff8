"""import_curation refuses a bad file whole: every problem named by line and field, a non-zero
exit, and the database exactly as it was."""

import json
import uuid

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from claims.models import EvidenceType
from tests.interchange import chief, database_state, export_text, import_file, records, write

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def seeded():
    call_command("seed", "evidence_types", "sigma1r_als", verbosity=0)
    chief()


def claim(**fields) -> dict:
    return {"kind": "claim", "uid": str(uuid.uuid4()), "text": "PRE-084 preserves neuromuscular "
            "junctions in SOD1-G93A mice.", "topics": ["als"], **fields}


def evidence(of: dict, **fields) -> dict:
    return {"kind": "evidence", "uid": str(uuid.uuid4()), "claim": of["uid"],
            "paper": "10.1007/s13311-012-0140-y", "evidence_type": "in-vivo-animal-model",
            "direction": "supports", "location": "Fig. 5", **fields}


def refused(path, *options) -> list[str]:
    """The problems the import lists, the database left as it was."""
    before = database_state()
    with pytest.raises(CommandError) as caught:
        import_file(path, "--as", "chief", *options)
    assert database_state() == before
    message = str(caught.value)
    assert "nothing was imported" in message.splitlines()[0]
    return message.splitlines()[1:]


def test_malformed_json_names_its_line_and_column(tmp_path):
    c = claim()
    path = write(tmp_path / "f.jsonl", [c, '{"kind": "evidence", "uid": \n', evidence(c)])
    assert refused(path) == ["line 2: not valid JSON at column 29: Expecting value"]


def test_a_doi_that_is_not_a_doi_is_refused_by_the_paper_s_own_rule(tmp_path):
    path = write(tmp_path / "f.jsonl", [{"kind": "paper", "doi": "doi-10.1000/1", "title": "T"}])
    assert refused(path) == [
        "line 1: doi: doi-10.1000/1 is not a DOI: expected 10.NNNN/suffix, e.g. 10.1002/ana.22534."]


def test_an_unknown_evidence_type_is_named(tmp_path):
    c = claim()
    path = write(tmp_path / "f.jsonl", [c, evidence(c, evidence_type="mouse-study")])
    assert refused(path) == ["line 2: evidence_type: unknown evidence type mouse-study: neither in "
                             "the database nor in this file (an evidence type is named by its code)"]


def test_evidence_naming_an_unknown_paper_is_refused(tmp_path):
    c = claim()
    path = write(tmp_path / "f.jsonl", [c, evidence(c, paper="10.9999/nowhere.1")])
    assert refused(path) == [
        "line 2: paper: unknown paper 10.9999/nowhere.1: neither in the database nor in this file "
        "(a paper is named by its DOI, its PMID as digits, or its URL)"]


def test_evidence_of_a_claim_neither_stored_nor_in_the_file_is_refused(tmp_path):
    ghost = str(uuid.uuid4())
    path = write(tmp_path / "f.jsonl", [evidence({"uid": ghost})])
    assert refused(path) == [f"line 1: claim: unknown claim {ghost}: neither in the database nor "
                             "in this file"]


def test_an_unknown_topic_is_named(tmp_path):
    path = write(tmp_path / "f.jsonl", [claim(topics=["als", "parkinsons"])])
    assert refused(path) == ["line 1: topics: unknown topic parkinsons: neither in the database "
                             "nor in this file (a topic is named by its slug)"]


def test_a_file_in_another_encoding_gets_one_clear_message(tmp_path):
    path = tmp_path / "latin1.jsonl"
    path.write_bytes(json.dumps(claim(text="Effet du PRE-084 chez la souris mâle"),
                                ensure_ascii=False).encode("latin-1") + b"\n")
    (problem,) = refused(path)
    assert problem.startswith("line 1: the file is not UTF-8: byte 0xe2 at column ")
    assert "convert the file (e.g. iconv -t UTF-8)" in problem
    utf16 = tmp_path / "utf16.jsonl"
    utf16.write_text(json.dumps(claim()) + "\n", encoding="utf-16")
    (problem,) = refused(utf16)
    assert problem.startswith("line 1: the file is not UTF-8 (it looks like UTF-16)")


def test_an_empty_file_is_refused(tmp_path):
    for content in ("", "\n\n"):
        path = tmp_path / "empty.jsonl"
        path.write_text(content)
        assert refused(path) == ["empty.jsonl: the file is empty: no records to import"]


def test_a_record_given_twice_in_one_file_is_refused(tmp_path):
    c = claim()
    path = write(tmp_path / "f.jsonl", [c, evidence(c), {**c, "text": "Another wording."}])
    assert refused(path) == ["line 3: uid: the same claim as on line 1: a file holds each record once"]


def test_two_paper_records_sharing_an_identifier_are_one_paper_given_twice(tmp_path):
    path = write(tmp_path / "f.jsonl", [
        {"kind": "paper", "doi": "10.5555/twice.1", "pmid": "99000001", "title": "A"},
        {"kind": "paper", "doi": "10.5555/twice.2", "pmid": "99000001", "title": "A, again"}])
    assert refused(path) == ["line 2: pmid: the same paper as on line 1 (99000001): a file holds "
                             "each record once"]


def test_a_misspelt_field_and_a_value_of_the_wrong_type_are_caught_by_the_schema(tmp_path):
    path = write(tmp_path / "f.jsonl", [claim(tpoics=["als"], review_round="1")])
    assert refused(path) == [
        "line 1: review_round: '1' is not of type 'integer'",
        "line 1: tpoics: unknown field in a claim record (a typo?)"]


def test_an_unknown_kind_is_named_with_the_kinds_there_are(tmp_path):
    path = write(tmp_path / "f.jsonl", [{"kind": "author", "name": "Navarro X"}])
    assert refused(path) == ['line 1: kind: unknown kind "author": one of evidence_type, topic, '
                             'paper, claim, evidence, review, version']


def test_the_models_own_rules_and_constraints_are_applied(tmp_path):
    c = claim(relation="cures")
    stored = records(export_text(), "claim")[0]
    review = {"kind": "review", "uid": str(uuid.uuid4()), "claim": stored["uid"],
              "review_round": 1, "verdict": "reject", "reviewer": "chief"}
    located = records(export_text(), "evidence")[0]
    twin = {**located, "uid": str(uuid.uuid4())}  # the same claim, paper, type and location
    path = write(tmp_path / "f.jsonl", [c, twin, review])
    problems = refused(path)
    assert problems[0] == "line 1: relation: 'cures' is not one of ['', 'increases', 'decreases', " \
                          "'causes', 'prevents', 'associated_with', 'expressed_in', 'no_effect', " \
                          "'other']"
    assert problems[1:] == [
        "line 2: record: This claim already cites this paper with this evidence type at this "
        "location.",
        "line 3: record: A comment is required to reject or request changes."]


def test_new_evidence_cannot_cite_a_type_this_database_has_withdrawn(tmp_path):
    EvidenceType.objects.filter(code="in-vivo-animal-model").update(obsolete=True)
    c = claim()
    path = write(tmp_path / "f.jsonl", [c, evidence(c)])
    assert refused(path) == ["line 2: evidence_type: ECO:0000179 (animal model system study "
                             "evidence) is obsolete, withdrawn from the Evidence & Conclusion "
                             "Ontology: choose a current evidence type."]


def test_every_problem_of_the_file_is_listed_at_once(tmp_path):
    c = claim()
    path = write(tmp_path / "f.jsonl", [
        c, "not json\n", evidence(c, paper="10.9999/none"), {"kind": "topic", "slug": "x y",
                                                             "name": "Bad slug"},
        evidence(c, direction="maybe"), c])
    problems = refused(path)
    assert [p.split(":")[0] for p in problems] == ["line 2", "line 3", "line 4", "line 5", "line 6"]
    assert problems[0] == "line 2: not valid JSON at column 1: Expecting value"
    assert problems[2].startswith("line 4: slug: Enter a valid “slug”")
    assert problems[3].startswith("line 5: direction: 'maybe' is not one of")


def test_a_dry_run_of_a_bad_file_fails_as_the_import_would(tmp_path):
    path = write(tmp_path / "f.jsonl", [claim(text="")])
    assert refused(path, "--dry-run") == ["line 1: text: This field cannot be blank."]


def test_an_unknown_as_user_is_refused_before_reading(tmp_path):
    path = write(tmp_path / "f.jsonl", [claim()])
    with pytest.raises(CommandError, match="--as nobody: no such user."):
        import_file(path, "--as", "nobody")


def _paper(name: str, published_version: str | None = None) -> dict:
    record = {"kind": "paper", "url": f"https://example.org/{name}", "title": f"Paper {name}",
              "publication_type": "preprint"}
    if published_version:
        record["published_version"] = f"https://example.org/{published_version}"
    return record


def test_preprint_links_to_papers_further_on_keep_the_one_step_rule(tmp_path):
    # Each link names a paper later in the file, so all are set together at the end: a chain
    # (a -> b -> c) or a loop (d -> e -> d) is refused there as the API and the admin refuse it.
    chain = write(tmp_path / "chain.jsonl", [_paper("a", "b"), _paper("b", "c"), _paper("c")])
    problems = refused(chain)
    assert problems and all("published_version" in p for p in problems)
    assert any(p.startswith("line 1:") and "itself a preprint" in p for p in problems)
    loop = write(tmp_path / "loop.jsonl", [_paper("d", "e"), _paper("e", "d")])
    assert any("published_version" in p for p in refused(loop))
