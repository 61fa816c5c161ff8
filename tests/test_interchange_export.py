"""export_curation: the interchange format as written, checked against its schema."""

import copy
import io
import json

import pytest
from django.core.management import call_command
from jsonschema import Draft202012Validator

from claims import corpus
from claims.choices import Direction, PublicationType, Relation, Sex, Status, Verdict
from claims.interchange import export, schema
from claims.interchange.records import KINDS, paper_lookup
from claims.models import Claim, Evidence, Paper

pytestmark = pytest.mark.django_db
SEED = ("evidence_types", "sigma1r_als")


def exported(tmp_path, *options) -> list[str]:
    target = tmp_path / "export.jsonl"
    call_command("export_curation", str(target), *options, verbosity=0)
    return target.read_text(encoding="utf-8").splitlines(keepends=True)


@pytest.fixture
def seeded():
    call_command("seed", *SEED, verbosity=0)


@pytest.fixture
def generated():
    corpus.generate(papers=30, claims=80, evidence=240, seed=1)


@pytest.mark.parametrize("data", ["seeded", "generated"])
def test_every_exported_record_is_valid_against_the_schema(request, tmp_path, data):
    request.getfixturevalue(data)
    validator = Draft202012Validator(schema.schema())
    lines = exported(tmp_path)
    assert lines and all(line.endswith("\n") for line in lines)
    for number, line in enumerate(lines, 1):
        errors = [e.message for e in validator.iter_errors(json.loads(line))]
        assert not errors, f"line {number}: {errors}"


def test_the_schema_is_valid_draft_2020_12_and_lists_exactly_the_format_s_fields():
    Draft202012Validator.check_schema(schema.schema())
    definitions = schema.schema()["$defs"]
    for name, kind in KINDS.items():
        assert list(definitions[name]["properties"]) == ["kind", *kind.fields]
        assert definitions[name]["additionalProperties"] is False


# What the format leaves out, on purpose (claims/interchange/records.py says why).
LEFT_OUT = {"paper": {"uid"},
            "claim": {"synthesis", "synthesis_level", "contested", "needs_rereview",
                      "rereview_reason", "assigned_reviewer", "assigned_at"}}


@pytest.mark.parametrize("kind", KINDS.values(), ids=str)
def test_the_format_carries_every_field_of_its_models_but_those_it_leaves_out_on_purpose(kind):
    fields = {f.name for f in kind.model._meta.get_fields()
              if (f.concrete or f.many_to_many) and not f.auto_created and not f.primary_key}
    assert fields - set(kind.fields) == LEFT_OUT.get(kind.name, set())
    assert set(kind.fields) <= fields


def test_the_schema_s_enumerations_are_the_service_s_vocabulary():
    definitions = schema.schema()["$defs"]
    assert definitions["status"]["enum"] == Status.values
    assert definitions["claim"]["properties"]["relation"]["enum"] == ["", *Relation.values]
    assert definitions["evidence"]["properties"]["direction"]["enum"] == Direction.values
    assert definitions["evidence"]["properties"]["sex"]["enum"] == ["", *Sex.values]
    assert definitions["review"]["properties"]["verdict"]["enum"] == Verdict.values
    assert definitions["paper"]["properties"]["publication_type"]["enum"] == PublicationType.values


def test_records_come_kind_by_kind_in_dependency_order_each_sorted_by_natural_key(generated, tmp_path):
    records = [json.loads(line) for line in exported(tmp_path)]
    kinds = [r["kind"] for r in records]
    assert kinds == sorted(kinds, key=list(KINDS).index)
    assert set(kinds) == set(KINDS)
    claims = [r["uid"] for r in records if r["kind"] == "claim"]
    assert claims == sorted(claims) and len(claims) == 80
    versions = [(r["claim"], r["number"]) for r in records if r["kind"] == "version"]
    assert versions == sorted(versions)


def test_two_exports_of_the_same_data_are_the_same_bytes_and_stdout_matches_the_file(
        seeded, tmp_path, capsys):
    first = exported(tmp_path)
    assert exported(tmp_path) == first
    call_command("export_curation", verbosity=0)
    assert capsys.readouterr().out.splitlines(keepends=True) == first
    assert "".join(export.iter_lines()) == "".join(first)


def test_records_name_everything_by_natural_key_with_timestamps_and_authors(seeded, tmp_path):
    records = [json.loads(line) for line in exported(tmp_path)]
    claim = Claim.objects.get(text__icontains="survival", status=Status.ACCEPTED)
    record = next(r for r in records if r.get("uid") == str(claim.uid))
    assert record["created_by"] == "demo-curator"
    assert record["created_at"] == claim.created_at.isoformat().replace("+00:00", "Z")
    assert sorted(record["topics"]) == record["topics"] == sorted(
        claim.topics.values_list("slug", flat=True))
    evidence = next(r for r in records if r["kind"] == "evidence" and r["claim"] == record["uid"])
    paper = Evidence.objects.get(uid=evidence["uid"]).paper
    assert evidence["paper"] == paper.natural_key()[0]
    assert all("id" not in r for r in records)


def test_paper_keys_are_read_as_the_paper_manager_reads_them(seeded):
    for paper in Paper.objects.all():
        key = paper.natural_key()[0]
        name, value = paper_lookup(key)
        assert Paper.objects.get(**{name: value}) == Paper.objects.get_by_natural_key(key) == paper


def test_status_accepted_exports_accepted_claims_and_only_what_they_name(generated, tmp_path):
    records = [json.loads(line) for line in exported(tmp_path, "--status", "accepted")]
    by_kind = {kind: [r for r in records if r["kind"] == kind] for kind in KINDS}
    claims = {r["uid"] for r in by_kind["claim"]}
    assert claims == {str(u) for u in Claim.objects.filter(status=Status.ACCEPTED)
                      .values_list("uid", flat=True)}
    assert {r["status"] for r in by_kind["claim"] + by_kind["evidence"]} == {Status.ACCEPTED}
    assert {r["claim"] for r in by_kind["evidence"]} <= claims
    assert {r["claim"] for r in by_kind["version"]} <= claims
    evidence = {r["uid"] for r in by_kind["evidence"]}
    assert all(r.get("claim") in claims or r.get("evidence") in evidence for r in by_kind["review"])
    assert {r["paper"] for r in by_kind["evidence"]} == {
        paper_key(r) for r in by_kind["paper"]}
    topics = {t for r in by_kind["claim"] + by_kind["paper"] for t in r["topics"]}
    assert topics == {r["slug"] for r in by_kind["topic"]}
    types = {r["code"]: r["parent"] for r in by_kind["evidence_type"]}
    assert {r["evidence_type"] for r in by_kind["evidence"]} <= set(types)
    assert {parent for parent in types.values() if parent} <= set(types)


def paper_key(record):
    return record["doi"] or record["pmid"] or record["url"]


def test_the_fast_schema_check_agrees_with_jsonschema(seeded, tmp_path):
    """The compiled check only spares jsonschema the sound records: it must never pass a
    record jsonschema refuses, nor refuse one it passes."""
    validator = Draft202012Validator(schema.schema())
    originals = [json.loads(line) for line in exported(tmp_path)]
    variants = []
    for record in {r["kind"]: r for r in originals}.values():
        for name in record:
            for value in (None, 1, 1.5, True, "", "x", [], {}, ["a", "a"], -1):
                changed = copy.deepcopy(record)
                changed[name] = value
                variants.append(changed)
            dropped = copy.deepcopy(record)
            del dropped[name]
            variants.append(dropped)
        variants.append({**record, "surplus": 1})
    for record in originals + variants:
        kind = record.get("kind")
        if isinstance(kind, str) and kind in KINDS:
            fast, judge = schema._validators()[kind]
            assert fast(record) == judge.is_valid(record), record
        else:
            assert schema.problems(record) and not validator.is_valid(record)


def test_the_summary_goes_to_stderr_when_the_records_go_to_stdout(seeded, capsys):
    call_command("export_curation", stdout=io.StringIO())
    assert "Exported 16 evidence_type" in capsys.readouterr().err
