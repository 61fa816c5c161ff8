"""import_curation writes in batches: its query count does not grow with the records."""

import uuid

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from claims import corpus, synthesis
from claims.interchange import load
from claims.models import ClaimVersion
from claims.versions import claim_content, content_hash
from tests.interchange import chief, empty_database, export_text, import_file, write

pytestmark = pytest.mark.django_db


def accepted_claims(count: int, start: int) -> list[dict]:
    """count accepted claims, each with a paper, accepted evidence, a review and a version."""
    lines = []
    for n in range(start, start + count):
        doi = f"10.5555/queries.{n}"
        claim, item = str(uuid.uuid4()), str(uuid.uuid4())
        content = {"uid": claim, "text": f"Finding {n}", "evidence": []}
        lines += [
            {"kind": "paper", "doi": doi, "title": f"Study {n}", "year": 2020, "topics": ["als"]},
            {"kind": "claim", "uid": claim, "text": f"Finding {n}", "topics": ["als"],
             "status": "accepted", "review_round": 1, "created_by": f"curator-{n % 3}"},
            {"kind": "evidence", "uid": item, "claim": claim, "paper": doi,
             "evidence_type": "in-vivo-animal-model", "direction": "supports",
             "status": "accepted", "review_round": 1},
            {"kind": "review", "uid": str(uuid.uuid4()), "claim": claim, "review_round": 1,
             "verdict": "approve", "reviewer": "demo-reviewer"},
            {"kind": "version", "claim": claim, "number": 1, "content": content,
             "content_hash": content_hash(content)},
        ]
    return sorted(lines, key=lambda r: ["paper", "claim", "evidence", "review", "version"]
                  .index(r["kind"]))


def queries_to_import(path) -> int:
    with CaptureQueriesContext(connection) as queries:
        import_file(path, "--as", "chief")
    return len(queries)


def test_importing_a_hundred_claims_costs_about_the_queries_ten_cost(tmp_path):
    call_command("seed", "evidence_types", "sigma1r_als", verbosity=0)
    chief()
    few, many = accepted_claims(10, 0), accepted_claims(100, 10)
    few_path, many_path = write(tmp_path / "few.jsonl", few), write(tmp_path / "many.jsonl", many)
    first = queries_to_import(few_path), queries_to_import(many_path)
    # PostgreSQL takes a batch of 1000 rows per INSERT; SQLite at most 999 parameters per
    # statement, so a few rows of a wide table each: a query per 20 records is far above either.
    assert first[1] - first[0] <= (len(many) - len(few)) // 20
    # Again, when nothing changes: reads only, a few per batch.
    assert queries_to_import(few_path) == queries_to_import(many_path)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's planner statistics")
def test_a_large_import_refreshes_the_statistics_of_the_tables_it_filled(tmp_path, monkeypatch):
    """Before the refresh PostgreSQL plans as if the tables held what they held before the
    import (nothing, on a first load); the import's later queries would be planned for that."""
    monkeypatch.setattr(load, "ANALYZE_AFTER", 50)  # evidence passes it, claims do not
    corpus.generate(papers=10, claims=30, evidence=90, seed=3)
    path = write(tmp_path / "corpus.jsonl", export_text().splitlines(keepends=True))
    empty_database()
    chief()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE claims_evidence, claims_claim")
    import_file(path, "--as", "chief")
    with connection.cursor() as cursor:
        cursor.execute("SELECT relname, reltuples FROM pg_class "
                       "WHERE relname IN ('claims_evidence', 'claims_claim')")
        planned = dict(cursor.fetchall())
    assert planned == {"claims_evidence": 90, "claims_claim": 0}


def test_syntheses_are_computed_only_for_an_import_that_is_kept(tmp_path, monkeypatch):
    call_command("seed", "evidence_types", "sigma1r_als", verbosity=0)
    chief()
    computed = []
    tallies = synthesis._tallies
    monkeypatch.setattr(synthesis, "_tallies", lambda ids, *a: computed.extend(ids) or tallies(ids, *a))
    lines = accepted_claims(5, 0)
    path = write(tmp_path / "claims.jsonl", lines)
    import_file(path, "--as", "chief", "--dry-run")
    broken = write(tmp_path / "broken.jsonl", [*lines, {"kind": "paper", "doi": "not a DOI"}])
    with pytest.raises(CommandError):
        import_file(broken, "--as", "chief")
    assert computed == []
    import_file(path, "--as", "chief")
    assert len(computed) == 5


def test_minting_the_versions_a_file_leaves_out_costs_the_same_queries_for_ten_or_a_hundred(
        tmp_path):
    call_command("seed", "evidence_types", "sigma1r_als", verbosity=0)
    chief()
    without = [[r for r in accepted_claims(n, start) if r["kind"] != "version"]
               for n, start in ((10, 0), (100, 10))]
    few, many = (queries_to_import(write(tmp_path / f"{i}.jsonl", lines))
                 for i, lines in enumerate(without))
    assert many - few <= (len(without[1]) - len(without[0])) // 20
    minted = ClaimVersion.objects.filter(claim__text__startswith="Finding ")
    assert minted.count() == 110
    for version in minted.select_related("claim"):
        assert version.number == 1
        assert version.content == claim_content(version.claim)
        assert version.content_hash == content_hash(version.content)
