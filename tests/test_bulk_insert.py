"""claims/bulk_insert.py writes the rows bulk_create writes (on PostgreSQL through COPY)."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction
from django.forms.models import model_to_dict
from django.test.utils import CaptureQueriesContext

from claims import bulk_insert, corpus
from claims.models import Evidence, EvidenceType, Paper
from tests.interchange import chief, empty_database, export_text, import_file, write

pytestmark = pytest.mark.django_db

# Every character COPY's text format gives a meaning to, and text that looks like its NULL.
AWKWARD = "tab\there, new\nline, return\r, back\\slash, \\N, \\t, quote \" ' ünï 中文 🧬"


WHEN = datetime(2024, 5, 6, 7, 8, 9, 123456, tzinfo=UTC)


def papers(prefix: str) -> list[Paper]:
    objs = [
        Paper(doi=f"10.5555/{prefix}.1", title=AWKWARD, abstract="", journal="\\N",
              authors=["Smith\tJ", "O'Brien \\ K", "Ünal \"Ö\"", AWKWARD],
              authors_complete=False, year=2021, is_retracted=True,
              retraction_date=date(2022, 2, 3), pages="1\n2"),
        Paper(pmid=f"{len(prefix)}0001", title="Plain", authors=[], year=None,
              url=f"https://example.org/{prefix}"),
        Paper(url=f"https://example.org/{prefix}/x", title="\\", authors={"not": ["a list"]}),
    ]
    for obj in objs:
        obj.created_at = obj.updated_at = WHEN
    return objs


def stored(objs) -> list[dict]:
    skip = {"id", "uid", "doi", "pmid", "url", "topics"}
    rows = [Paper.objects.get(pk=o.pk) for o in objs]
    return [{k: v for k, v in model_to_dict(row).items() if k not in skip}
            | {"created_at": row.created_at, "updated_at": row.updated_at} for row in rows]


def test_rows_equal_bulk_create_s_value_for_value():
    by_django, by_insert = papers("a"), papers("bb")
    Paper.objects.bulk_create(by_django)
    bulk_insert.insert(Paper, by_insert)
    assert stored(by_insert) == stored(by_django)
    assert Paper.objects.get(pk=by_insert[0].pk).title == AWKWARD
    assert Paper.objects.get(pk=by_insert[0].pk).authors[3] == AWKWARD


def test_objects_get_their_ids_in_order_and_are_marked_saved():
    objs = papers("c")
    bulk_insert.insert(Paper, objs)
    assert [o.pk for o in objs] == sorted(o.pk for o in objs)
    assert [Paper.objects.get(pk=o.pk).title for o in objs] == [o.title for o in objs]
    assert not any(o._state.adding for o in objs)


def test_decimals_and_foreign_keys_are_written():
    parent = EvidenceType.objects.create(code="parent-type", label="Parent", weight=Decimal("0.5"))
    child = EvidenceType(code="child-type", label="Child", weight=Decimal("1.25"), parent=parent)
    with CaptureQueriesContext(connection) as queries:
        bulk_insert.insert(EvidenceType, [child])
    if connection.vendor == "postgresql":  # written by COPY, not by bulk_create's fallback
        assert not [q for q in queries.captured_queries if q["sql"].startswith("INSERT")]
    stored_child = EvidenceType.objects.get(code="child-type")
    assert (stored_child.weight, stored_child.parent_id) == (Decimal("1.25"), parent.pk)


def test_a_refused_row_raises_django_s_integrity_error_and_writes_nothing():
    Paper.objects.create(doi="10.5555/taken", title="First")
    before = Paper.objects.count()
    with pytest.raises(IntegrityError), transaction.atomic():
        bulk_insert.insert(Paper, [Paper(doi="10.5555/free", title="New"),
                                   Paper(doi="10.5555/taken", title="Again")])
    assert Paper.objects.count() == before


@pytest.mark.skipif(connection.vendor != "postgresql", reason="COPY is PostgreSQL's")
def test_an_import_writes_every_new_row_of_its_records_with_copy(tmp_path):
    """The values of every model an import writes are ones COPY carries: no fallback to
    INSERT ... VALUES goes unnoticed."""
    corpus.generate(papers=10, claims=30, evidence=90, seed=3)
    path = write(tmp_path / "corpus.jsonl", export_text().splitlines(keepends=True))
    empty_database()
    chief()
    with CaptureQueriesContext(connection) as queries:
        import_file(path, "--as", "chief")
    assert Evidence.objects.count() == 90
    inserts = {q["sql"].split()[2] for q in queries.captured_queries
               if q["sql"].startswith("INSERT") and " VALUES " in q["sql"]}
    assert inserts <= {'"auth_user"'}
