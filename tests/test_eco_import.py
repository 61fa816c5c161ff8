"""Importing an ECO release into the evidence vocabulary (manage.py import_evidence_types),
obsolete types kept off new evidence, and filters that follow the is_a tree."""

from io import StringIO
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from claims import writes
from claims.api.serializers import EvidenceSerializer
from claims.eco import read_obo
from claims.eco_import import import_evidence_types
from claims.models import Evidence, EvidenceType
from tests.factories import make_claim, make_evidence, make_paper, make_user

pytestmark = pytest.mark.django_db

ECO_RELEASE = Path(settings.BASE_DIR) / "fixtures" / "eco" / "eco-basic.obo"
SEED_TYPES = 16
# The release's terms whose ids are typos (six digits): no type can carry them.
NOT_ECO_IDS = ["ECO:000156", "ECO:000157"]
HEADER = "format-version: 1.2\ndata-version: test/2026-01-01\nontology: eco\n\n"


@pytest.fixture(scope="module")
def release(django_db_setup, django_db_blocker):
    """The seed vocabulary with the 2024-07-19 release imported over it, once for the module
    (the import takes seconds): what the seed said before, and the import's report."""
    with django_db_blocker.unblock():
        call_command("loaddata", "evidence_types", verbosity=0)
        seed = {t.code: t for t in EvidenceType.objects.select_related("parent")}
        report = import_evidence_types(ECO_RELEASE, actor=None)
    yield seed, report
    with django_db_blocker.unblock():
        EvidenceType.objects.update(parent=None)
        EvidenceType.objects.all().delete()


def by_eco(eco_id: str) -> EvidenceType:
    return EvidenceType.objects.get(eco_id=eco_id)


def small_file_types():
    """The types made from the small files these tests write (ECO:99...), whether or not the
    module's release is loaded."""
    return EvidenceType.objects.filter(eco_id__startswith="ECO:99")


def snapshot() -> dict[str, list[dict]]:
    """Every row of every claims model, history tables included."""
    models = apps.get_app_config("claims").get_models(include_auto_created=True)
    return {model._meta.label: list(model.objects.order_by("pk").values()) for model in models}


def obo_file(tmp_path, stanzas: str, name: str = "eco-test.obo") -> Path:
    path = tmp_path / name
    path.write_text(HEADER + stanzas, encoding="utf-8")
    return path


@pytest.fixture(autouse=True)
def admin(db):
    """The command records its changes for the only superuser unless --as names another."""
    return make_user("admin", superuser=True)


def run(*args) -> str:
    out = StringIO()
    call_command("import_evidence_types", *args, stdout=out)
    return out.getvalue()


# --- the release over the seed vocabulary ---


def test_the_release_adds_its_terms_and_the_seed_types_keep_their_codes_and_weights(release):
    seed, report = release
    assert (report.created, report.updated, report.unchanged) == (2215, 5, 11)
    assert report.skipped == NOT_ECO_IDS
    assert report.renamed == [] and report.not_in_release == []
    assert EvidenceType.objects.count() == SEED_TYPES + 2215 == 2233 - len(NOT_ECO_IDS)
    for code, before in seed.items():
        after = EvidenceType.objects.get(code=code)
        assert (after.eco_id, after.weight, after.label) == (before.eco_id, before.weight,
                                                             before.label)
    assert by_eco("ECO:0000179").code == "in-vivo-animal-model"
    root = by_eco("ECO:0000000")
    assert (root.code, root.label, root.weight, root.parent) == ("eco-0000000", "evidence", 1, None)
    assert root.description == "A type of information that is used to support an assertion."


def test_types_are_filed_under_their_first_is_a_parent_in_the_file(release):
    terms = read_obo(ECO_RELEASE).terms
    assert by_eco("ECO:0000033").parent.code == "eco-0000204"  # author statement
    assert by_eco("ECO:0000006").parent.code == "eco-0000000"  # experimental -> evidence
    assert by_eco("ECO:0000178").parent.code == "direct-assay"
    assert by_eco("ECO:0001055").parent.eco_id == "ECO:0005517"  # was under experimental
    # Two is_a parents: the first the file lists.
    assert terms["ECO:0001568"].is_a == ("ECO:0001566", "ECO:0007475")
    assert by_eco("ECO:0001568").parent.eco_id == "ECO:0001566"
    parents = dict(EvidenceType.objects.values_list("eco_id", "parent__eco_id"))
    for term_id, term in terms.items():
        if term_id in NOT_ECO_IDS:
            continue
        first = next((p for p in term.is_a if p in terms), None)
        assert parents[term_id] == first, term_id


def test_obsolete_terms_are_marked_obsolete(release):
    obsolete = set(EvidenceType.objects.filter(obsolete=True).values_list("eco_id", flat=True))
    assert len(obsolete) == 37
    assert {t.id for t in read_obo(ECO_RELEASE).terms.values() if t.obsolete} == obsolete
    assert by_eco("ECO:0000037").label == "obsolete not_recorded"


def test_a_second_import_changes_nothing(release):
    before = snapshot()
    with CaptureQueriesContext(connection) as queries:
        output = run(str(ECO_RELEASE))
    assert "0 created, 0 updated, 2231 unchanged from eco-basic.obo" in output
    writes_run = [q["sql"] for q in queries if q["sql"].split()[0] in ("INSERT", "UPDATE", "DELETE")]
    assert writes_run == []
    assert snapshot() == before


def test_a_curated_label_is_replaced_by_ecos_and_reported(release):
    EvidenceType.objects.filter(code="in-vivo").update(label="In vivo (curated)")
    output = run(str(ECO_RELEASE))
    assert "renamed in-vivo: 'In vivo (curated)' -> 'in vivo assay evidence'" in output
    assert "0 created, 1 updated, 2230 unchanged" in output
    assert EvidenceType.objects.get(code="in-vivo").label == "in vivo assay evidence"


# --- obsolete types and new evidence ---


def test_an_obsolete_type_is_refused_for_new_evidence(release, personas):
    claim = make_claim(created_by=personas.curator)
    withdrawn = by_eco("ECO:0000037")
    with pytest.raises(ValidationError) as refused:
        writes.create_evidence(actor=personas.curator, data={
            "claim": claim, "paper": make_paper(), "evidence_type": withdrawn,
            "direction": "supports"})
    assert "ECO:0000037 (obsolete not_recorded) is obsolete" in refused.value.message_dict[
        "evidence_type"][0]
    current = writes.create_evidence(actor=personas.curator, data={
        "claim": claim, "paper": make_paper(), "evidence_type": by_eco("ECO:0000179"),
        "direction": "supports"})
    current.evidence_type = withdrawn
    with pytest.raises(ValidationError):
        current.full_clean()
    assert list(Evidence.objects.all()) == [current]


def test_the_api_refuses_an_obsolete_type_for_new_evidence_with_a_field_message(api, personas,
                                                                               release):
    claim = make_claim(created_by=personas.curator)
    response = api.as_(personas.curator).post("/api/v1/evidence/", {
        "claim": claim.pk, "paper": make_paper().pk, "evidence_type": "eco-0000037",
        "direction": "supports"}, format="json")
    assert response.status_code == 400
    assert "is obsolete" in response.json()["evidence_type"][0]
    assert not Evidence.objects.exists()


def test_evidence_that_cites_a_type_made_obsolete_keeps_it(api, personas, release):
    claim = make_claim(created_by=personas.curator)
    cited = make_evidence(claim, evidence_type=by_eco("ECO:0000037"), created_by=personas.curator)
    client = api.as_(personas.curator)
    edited = client.patch(f"/api/v1/evidence/{cited.pk}/", {"notes": "checked"}, format="json")
    assert edited.status_code == 200, edited.json()
    assert edited.json()["evidence_type"]["code"] == "eco-0000037"
    moved = client.patch(f"/api/v1/evidence/{cited.pk}/", {"evidence_type": "eco-0000055"},
                         format="json")  # another obsolete term
    assert moved.status_code == 400 and "is obsolete" in moved.json()["evidence_type"][0]


def test_forms_do_not_offer_obsolete_types_except_the_one_an_item_cites(personas, release):
    withdrawn = by_eco("ECO:0000037")
    offered = EvidenceSerializer().fields["evidence_type"].get_choices()
    assert withdrawn.pk not in offered and by_eco("ECO:0000179").pk in offered
    assert not EvidenceType.objects.filter(pk__in=list(offered), obsolete=True).exists()
    cited = make_evidence(make_claim(created_by=personas.curator), evidence_type=withdrawn)
    assert withdrawn.pk in EvidenceSerializer(cited).fields["evidence_type"].get_choices()


def test_the_admin_autocomplete_for_evidence_does_not_offer_obsolete_types(client, personas,
                                                                          release):
    client.force_login(personas.staff)

    def search(model_name, field_name):
        response = client.get(reverse("admin:autocomplete"), {
            "app_label": "claims", "model_name": model_name, "field_name": field_name,
            "term": "obsolete not_recorded"})
        assert response.status_code == 200
        return [row["text"] for row in response.json()["results"]]

    assert search("evidencetype", "parent") == ["obsolete not_recorded"]
    assert search("evidence", "evidence_type") == []


# --- filters follow the tree ---


def test_claims_filtered_by_an_ancestor_type_find_evidence_of_its_descendants(api, personas,
                                                                            release):
    animal = make_claim(created_by=personas.curator)  # ECO:0000179, under experimental
    make_evidence(animal, evidence_type=by_eco("ECO:0000179"), direction="supports")
    make_evidence(animal, evidence_type=by_eco("ECO:0000033"), direction="contradicts")
    assay = make_claim(created_by=personas.curator)  # in vivo assay, two levels below
    make_evidence(assay, evidence_type=by_eco("ECO:0000178"), direction="contradicts")
    statement = make_claim(created_by=personas.curator)  # author statement: not experimental
    make_evidence(statement, evidence_type=by_eco("ECO:0000033"))
    client = api.as_(personas.curator)

    def ids(query):
        response = client.get(f"/api/v1/claims/{query}")
        assert response.status_code == 200, response.json()
        return {row["id"] for row in response.json()["results"]}

    experimental = by_eco("ECO:0000006")
    assert ids("?evidence_type=experimental") == {animal.pk, assay.pk}
    assert ids(f"?evidence_type={experimental.pk}") == {animal.pk, assay.pk}
    assert ids("?evidence_type=ECO:0000006") == {animal.pk, assay.pk}  # as the ontology names it
    assert ids("?evidence_type=eco:0000006") == {animal.pk, assay.pk}
    assert ids("?evidence_type=eco-0000000") == {animal.pk, assay.pk, statement.pk}
    assert ids("?evidence_type=in-vivo") == {assay.pk}
    # One evidence item meets the type and the direction together.
    assert ids("?evidence_type=experimental&direction=contradicts") == {assay.pk}
    assert ids("?evidence_type=no-such-type") == set()


def test_evidence_filtered_by_an_ancestor_type_includes_its_descendants(api, personas, release):
    claim = make_claim(created_by=personas.curator)
    animal = make_evidence(claim, evidence_type=by_eco("ECO:0000179"))
    assay = make_evidence(claim, evidence_type=by_eco("ECO:0000178"))
    make_evidence(claim, evidence_type=by_eco("ECO:0000033"))
    for term in ("experimental", "ECO:0000006"):
        response = api.as_(personas.curator).get(f"/api/v1/evidence/?evidence_type={term}")
        assert {row["id"] for row in response.json()["results"]} == {animal.pk, assay.pk}


def test_an_ancestor_filter_costs_the_queries_a_leaf_filter_costs(api, personas, release):
    claim = make_claim(created_by=personas.curator)
    make_evidence(claim, evidence_type=by_eco("ECO:0000179"))
    client = api.as_(personas.curator)
    client.get("/api/v1/claims/")  # the user's permissions are cached by the first request
    counts = []
    for code in ("in-vivo-animal-model", "eco-0000000"):  # no descendant; all 2,231 types
        with CaptureQueriesContext(connection) as queries:
            assert client.get(f"/api/v1/claims/?evidence_type={code}").json()["count"] == 1
        counts.append(len(queries))
    assert counts[0] == counts[1]


# --- files that cannot be imported ---


@pytest.mark.parametrize(("name", "content", "message"), [
    ("eco.json", '{\n  "graphs": []\n}\n', "eco.json is not an OBO file: line 1, '{'"),
    ("eco.obo", "hello world\n", "eco.obo is not an OBO file: line 1, 'hello world'"),
    ("eco.obo", '{"graphs": []}', "eco.obo is not an OBO file: it has no format-version"),
    ("eco.obo", b"\x89PNG\r\n\x1a\n\x00\xff", "eco.obo is not an OBO file: it is not UTF-8"),
    ("eco.obo", HEADER, "eco.obo holds no [Term] stanza"),
])
def test_a_file_that_is_not_obo_is_refused_naming_it_and_nothing_changes(tmp_path, name, content,
                                                                         message):
    call_command("loaddata", "evidence_types", verbosity=0)
    path = tmp_path / name
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    before = snapshot()
    with pytest.raises(CommandError) as refused:
        run(str(path))
    assert message in str(refused.value)
    assert str(refused.value).count("\n") == 0  # one error
    assert snapshot() == before


def test_a_missing_file_is_refused_naming_it(tmp_path):
    with pytest.raises(CommandError, match="Cannot read .*missing.obo: No such file"):
        run(str(tmp_path / "missing.obo"))


def test_a_file_with_a_cycle_of_parents_changes_nothing(tmp_path):
    path = obo_file(tmp_path, (
        "[Term]\nid: ECO:9900001\nname: good\n\n"
        "[Term]\nid: ECO:9900002\nname: first\nis_a: ECO:9900003 ! second\n\n"
        "[Term]\nid: ECO:9900003\nname: second\nis_a: ECO:9900002 ! first\n"))
    before = snapshot()
    with pytest.raises(CommandError) as refused:
        run(str(path))
    assert "eco-test.obo: nothing was imported" in str(refused.value)
    assert "is_a: the first is_a parents form a cycle" in str(refused.value)
    assert snapshot() == before


def test_terms_the_vocabulary_cannot_hold_are_all_reported_and_nothing_changes(tmp_path):
    call_command("loaddata", "evidence_types", verbosity=0)
    EvidenceType.objects.filter(code="in-vitro").update(code="eco-9900002")
    path = obo_file(tmp_path, (
        "[Term]\nid: ECO:9900001\nname: fine\n\n"
        "[Term]\nid: ECO:9900002\nname: taken code\n\n"
        f"[Term]\nid: ECO:9900003\nname: {'x' * 201}\n\n"
        "[Term]\nid: ECO:9900004\ndef: \"No name.\" []\n"))
    before = snapshot()
    with pytest.raises(CommandError) as refused:
        run(str(path))
    message = str(refused.value)
    assert "ECO:9900002: the code eco-9900002 it would get is taken by the evidence type " \
           "'in vitro assay evidence' (ECO:0000181)" in message
    assert "ECO:9900003: name: longer than 200 characters" in message
    assert "ECO:9900004: name: missing" in message
    assert snapshot() == before


def test_a_failure_halfway_leaves_nothing_written(tmp_path, monkeypatch):
    path = obo_file(tmp_path, "".join(f"[Term]\nid: ECO:990000{n}\nname: term {n}\n\n"
                                      for n in range(1, 6)))
    calls = []

    def create_then_fail(**kwargs):
        calls.append(kwargs["data"]["eco_id"])
        if len(calls) == 4:
            raise ValidationError({"label": "refused on purpose"})
        return original(**kwargs)

    original = writes.create_evidence_type
    monkeypatch.setattr(writes, "create_evidence_type", create_then_fail)
    with pytest.raises(CommandError, match="ECO:9900004: label: refused on purpose"):
        run(str(path))
    assert len(calls) == 4
    assert not small_file_types().exists()


# --- the command ---


def test_a_dry_run_reports_what_it_would_do_and_keeps_nothing(tmp_path):
    path = obo_file(tmp_path, (
        "[Term]\nid: ECO:9900002\nname: child\nis_a: ECO:9900001 ! parent\n\n"
        "[Term]\nid: ECO:9900001\nname: parent\ndef: \"A \\\"quoted\\\" parent.\" [ECO:X]\n\n"
        "[Term]\nid: ECO:9900003\nname: obsolete gone\nis_obsolete: true\n"))
    output = run(str(path), "--dry-run")
    assert "Dry run, nothing kept: 3 created, 0 updated, 0 unchanged from eco-test.obo " \
           "(test/2026-01-01)" in output
    assert not small_file_types().exists()

    run(str(path))
    child, parent, gone = (by_eco(f"ECO:990000{n}") for n in (2, 1, 3))
    assert (child.code, child.parent, parent.parent) == ("eco-9900002", parent, None)
    assert parent.description == 'A "quoted" parent.'
    assert gone.obsolete and not child.obsolete


def test_types_not_in_the_release_are_left_and_reported(tmp_path):
    call_command("loaddata", "evidence_types", verbosity=0)
    path = obo_file(tmp_path, "[Term]\nid: ECO:9900001\nname: only term\n")
    output = run(str(path))
    assert "Not in test/2026-01-01, left as they are: author-statement (ECO:0000033)" in output
    assert "1 created, 0 updated, 0 unchanged" in output
    assert EvidenceType.objects.get(code="in-vivo").parent.code == "direct-assay"


def test_the_user_named_by_as_must_exist_and_may_edit_the_vocabulary(tmp_path, personas):
    path = obo_file(tmp_path, "[Term]\nid: ECO:9900001\nname: term\n")
    with pytest.raises(CommandError, match="--as nobody: no active user of that name"):
        run(str(path), "--as", "nobody")
    with pytest.raises(CommandError, match="--as curator: this user may not add and change "
                                           "evidence types"):
        run(str(path), "--as", "curator")
    with pytest.raises(CommandError, match="several active superusers"):
        run(str(path))  # admin and staff
    assert not small_file_types().exists()
    assert "1 created" in run(str(path), "--as", "staff")
