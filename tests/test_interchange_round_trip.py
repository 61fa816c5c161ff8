"""Export, import into an empty database, export again: the same bytes; and a second import
of the same file changes nothing."""

import random

import pytest
from django.core.management import call_command

from claims import corpus
from claims.interchange import load
from claims.models import Claim, Evidence, EvidenceType, Paper
from tests.interchange import (
    chief,
    database_state,
    empty_database,
    export_text,
    import_file,
    records,
    write,
)

pytestmark = pytest.mark.django_db


def round_trip(tmp_path, status=None) -> tuple[str, str]:
    before = export_text(status)
    path = write(tmp_path / "curation.jsonl", before.splitlines(keepends=True))
    empty_database()
    chief()
    import_file(path, "--as", "chief")
    return before, export_text(status)


def test_the_seed_survives_a_round_trip_byte_for_byte(tmp_path):
    call_command("seed", "evidence_types", "sigma1r_als", verbosity=0)
    before, after = round_trip(tmp_path)
    assert len(records(before, "claim")) == 14
    assert after == before


def test_a_generated_corpus_survives_a_round_trip_byte_for_byte(tmp_path):
    corpus.generate(papers=50, claims=200, evidence=600, seed=1)
    before, after = round_trip(tmp_path)
    statuses = {r["status"] for r in records(before, "claim")}
    assert statuses == {"draft", "submitted", "accepted", "rejected", "retracted"}
    assert any(r["superseded_by"] for r in records(before, "claim"))
    assert after == before


def test_the_accepted_data_survives_a_round_trip_byte_for_byte(tmp_path):
    corpus.generate(papers=30, claims=100, evidence=300, seed=2)
    before, after = round_trip(tmp_path, status="accepted")
    assert records(before, "version")
    assert after == before
    assert set(Claim.objects.values_list("status", flat=True)) == {"accepted"}


def test_evidence_citing_a_type_withdrawn_since_survives_a_round_trip(tmp_path):
    call_command("seed", "evidence_types", "sigma1r_als", verbosity=0)
    EvidenceType.objects.filter(code="in-vivo-animal-model").update(obsolete=True)
    before, after = round_trip(tmp_path)
    assert '"code":"in-vivo-animal-model"' in before and '"obsolete":true' in before
    assert after == before
    assert EvidenceType.objects.get(code="in-vivo-animal-model").obsolete


def test_study_quality_and_a_preprint_s_published_version_survive_a_round_trip(tmp_path):
    call_command("seed", "evidence_types", "sigma1r_als", verbosity=0)
    Evidence.objects.filter(pk__in=Evidence.objects.order_by("pk")[:3].values("pk")).update(
        randomised=True, blinded_assessment=False, litter_matched_controls=True)
    published = Paper.objects.get(doi="10.1007/s13311-012-0140-y")
    for n, doi in enumerate(("10.1101/2011.01.01", "10.9999/zz-preprint")):  # before and after it
        preprint = Paper.objects.create(doi=doi, title=f"Preprint {n}", publication_type="preprint",
                                        published_version=published)
        Paper.objects.filter(pk=preprint.pk).update(created_at=published.created_at,
                                                    updated_at=published.updated_at)
    before, after = round_trip(tmp_path)
    assert '"randomised":true' in before and '"published_version":"10.1007/s13311-012-0140-y"' in before
    assert after == before
    assert Paper.objects.filter(published_version__doi="10.1007/s13311-012-0140-y").count() == 2


def test_records_in_any_order_import_as_in_dependency_order(tmp_path):
    corpus.generate(papers=20, claims=60, evidence=150, seed=3)
    before = export_text()
    lines = before.splitlines(keepends=True)
    random.Random(1).shuffle(lines)
    path = write(tmp_path / "shuffled.jsonl", lines)
    empty_database()
    chief()
    import_file(path, "--as", "chief")
    assert export_text() == before


def test_importing_the_same_file_twice_changes_nothing_the_second_time(tmp_path):
    corpus.generate(papers=20, claims=60, evidence=150, seed=4)
    path = write(tmp_path / "curation.jsonl", export_text().splitlines(keepends=True))
    empty_database()
    chief()
    import_file(path, "--as", "chief")
    state = database_state()
    report = import_file(path, "--as", "chief")
    assert database_state() == state  # no row, and no history row, written or changed
    assert "0 created         0 updated       150 unchanged" in report


def test_a_round_trip_holds_when_the_import_forgets_the_ids_it_wrote_after_every_batch(
        tmp_path, monkeypatch):
    """Each batch then finds the records it names in the database (preprints naming a later
    published version, retractions naming a later claim, evidence naming earlier claims)."""
    monkeypatch.setattr(load, "BATCH", 7)
    monkeypatch.setattr(load, "IDS_KEPT", 0)
    corpus.generate(papers=50, claims=200, evidence=600, seed=1)
    published = Paper.objects.order_by("pk").last()
    for n in range(2):
        preprint = Paper.objects.create(doi=f"10.1101/2011.01.0{n}", title=f"Preprint {n}",
                                        publication_type="preprint", published_version=published)
        Paper.objects.filter(pk=preprint.pk).update(created_at=published.created_at,
                                                    updated_at=published.updated_at)
    before, after = round_trip(tmp_path)
    assert any(r["superseded_by"] for r in records(before, "claim"))
    assert after == before
