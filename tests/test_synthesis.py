"""Each claim's evidence synthesis: the level and the rule for examples computed by hand, kept
current by every write that changes it, and filterable at a constant number of queries."""

from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from claims import corpus, synthesis, workflow, writes
from claims.models import Claim, Evidence, EvidenceType
from claims.models.claims import QUALITY_FIELDS, no_synthesis
from tests.factories import make_claim, make_evidence, make_evidence_type, make_paper

pytestmark = pytest.mark.django_db

REPORTED = dict.fromkeys(QUALITY_FIELDS, True)


@pytest.fixture
def types():
    """Clinical studies weigh 1, in vitro assays 0.7; animal studies weigh 1 and are in vivo."""
    class Types:
        clinical = EvidenceType.objects.create(code="clinical-study", label="clinical study evidence",
                                               eco_id="ECO:0000180")
        in_vitro = EvidenceType.objects.create(code="in-vitro", label="in vitro assay evidence",
                                               eco_id="ECO:0000181", weight=Decimal("0.70"))
        animal = make_evidence_type()  # in-vivo-animal-model, ECO:0000179
    return Types


@pytest.fixture
def accept(personas):
    """accept(*evidence): a claim accepted with these evidence items, as (type, direction,
    extra fields); returns the claim as stored afterwards."""
    def accept(*evidence):
        claim = make_claim(created_by=personas.curator)
        for evidence_type, direction, *extra in evidence:
            make_evidence(claim, evidence_type=evidence_type, direction=direction,
                          **(extra[0] if extra else {}))
        workflow.submit(claim, personas.curator)
        workflow.review(claim, personas.reviewer, "approve")
        claim.refresh_from_db()
        return claim
    return accept


def stored(claim) -> dict:
    return Claim.objects.get(pk=claim.pk).synthesis


# --- the rule, by hand ---


def test_two_full_weight_studies_in_support_are_strong(accept, types):
    claim = accept((types.clinical, "supports"), (types.clinical, "supports"))
    assert claim.synthesis == {
        "level": "strong", "score": 2.0, "contested": False,
        "counts": {"supports": 2, "contradicts": 0, "inconclusive": 0},
        "by_evidence_type": {"clinical-study": {"supports": 2, "contradicts": 0, "inconclusive": 0}},
        "rule": "Accepted evidence counted: 2 supporting, 0 contradicting, 0 inconclusive "
                "(inconclusive items weigh 0). Supporting weight 2 = 2 × 1 (clinical-study). "
                "Contradicting weight 0. Score 2 − 0 = 2. Evidence only supports the claim and "
                "the score is 2 or more: strong.",
    }
    assert (claim.synthesis_level, claim.contested) == ("strong", False)


def test_evidence_both_ways_is_contested_and_the_score_says_which_way_it_leans(accept, types):
    claim = accept((types.clinical, "supports"), (types.clinical, "supports"),
                   (types.in_vitro, "contradicts"), (types.in_vitro, "inconclusive"))
    s = claim.synthesis
    assert (s["level"], s["contested"], s["score"]) == ("contested", True, 1.3)
    assert s["counts"] == {"supports": 2, "contradicts": 1, "inconclusive": 1}
    assert s["by_evidence_type"]["in-vitro"] == {"supports": 0, "contradicts": 1, "inconclusive": 1}
    assert "Contradicting weight 0.7 = 1 × 0.7 (in-vitro)." in s["rule"]
    assert "Score 2 − 0.7 = 1.3." in s["rule"]
    assert s["rule"].endswith("Evidence both supports and contradicts the claim: contested.")
    assert (claim.synthesis_level, claim.contested) == ("contested", True)


def test_contradicting_evidence_lowers_the_score_rather_than_raising_it(accept, types):
    supported = accept((types.clinical, "supports"), (types.clinical, "supports"))
    disputed = accept((types.clinical, "supports"), (types.clinical, "supports"),
                      (types.clinical, "contradicts"))
    refuted = accept((types.clinical, "contradicts"))
    assert supported.synthesis["score"] == 2.0
    assert disputed.synthesis["score"] == 1.0  # 2 - 1, where adding the weights would give 3
    assert (refuted.synthesis["level"], refuted.synthesis["score"]) == ("contradicted", -1.0)
    assert "Score 0 − 1 = -1." in refuted.synthesis["rule"]


def test_inconclusive_evidence_is_counted_and_weighs_nothing(accept, types):
    claim = accept((types.clinical, "inconclusive"), (types.clinical, "supports"))
    s = claim.synthesis
    assert (s["level"], s["score"]) == ("moderate", 1.0)
    assert s["counts"]["inconclusive"] == 1
    assert "the score is 1 or more, below 2: moderate." in s["rule"]
    only = accept((types.clinical, "inconclusive"))
    assert only.synthesis["level"] == "none"


def test_evidence_citing_a_retracted_paper_drops_out_and_the_rule_says_so(accept, types, personas):
    claim = make_claim(created_by=personas.curator)
    make_evidence(claim, evidence_type=types.clinical, direction="supports")
    make_evidence(claim, evidence_type=types.clinical, direction="contradicts",
                  paper=make_paper(is_retracted=True))
    workflow.submit(claim, personas.curator)
    workflow.review(claim, personas.reviewer, "approve")
    s = stored(claim)
    assert (s["level"], s["score"], s["contested"]) == ("moderate", 1.0, False)
    assert s["counts"] == {"supports": 1, "contradicts": 0, "inconclusive": 0}
    assert "1 item citing a retracted paper is left out." in s["rule"]


def test_an_animal_study_that_leaves_study_quality_unreported_weighs_half(accept, types):
    unreported = accept((types.animal, "supports"))
    assert (unreported.synthesis["score"], unreported.synthesis["level"]) == (0.5, "weak")
    assert ("1 item of in vivo evidence does not report all of randomisation, blinded outcome "
            "assessment, sample-size calculation, both sexes and litter-matched controls, so it "
            "counts at half its type's weight.") in unreported.synthesis["rule"]
    assert "1 × 0.5 (in-vivo-animal-model, half weight)" in unreported.synthesis["rule"]
    partly = accept((types.animal, "supports", {**REPORTED, "litter_matched_controls": None}))
    assert partly.synthesis["score"] == 0.5
    # Reported, even as not done, it weighs in full: only silence lowers the weight.
    reported = accept((types.animal, "supports", {**REPORTED, "randomised": False}))
    assert reported.synthesis["score"] == 1.0
    assert "half" not in reported.synthesis["rule"]


def test_study_quality_applies_to_in_vivo_types_and_those_below_them_only(accept, types):
    strain = EvidenceType.objects.create(code="sod1-mouse-study", label="SOD1 mouse study",
                                         parent=types.animal)
    below = accept((strain, "supports"))
    clinical = accept((types.clinical, "supports"))
    assert below.synthesis["score"] == 0.5
    assert clinical.synthesis["score"] == 1.0


def test_a_claim_without_accepted_evidence_has_the_empty_synthesis(personas):
    claim = make_claim(created_by=personas.curator)
    make_evidence(claim)  # a draft: not counted
    assert synthesis.synthesise([]) == no_synthesis() == stored(claim)
    assert Claim.objects.get(pk=claim.pk).synthesis_level == "none"


# --- kept current by every write ---


def test_evidence_accepted_on_its_own_updates_the_stored_synthesis(accept, types, personas):
    claim = accept((types.clinical, "supports"))
    late = make_evidence(claim, evidence_type=types.clinical, direction="contradicts",
                         created_by=personas.other_curator)
    workflow.submit(late, personas.other_curator)
    assert stored(claim)["level"] == "moderate"  # submitted evidence does not count yet
    workflow.review(late, personas.reviewer, "approve")
    fresh = Claim.objects.get(pk=claim.pk)
    assert (fresh.synthesis_level, fresh.contested, fresh.synthesis["score"]) == ("contested", True, 0.0)


def test_a_draft_edited_or_deleted_changes_nothing(accept, types, personas):
    claim = accept((types.clinical, "supports"))
    before = stored(claim)
    draft = make_evidence(claim, evidence_type=types.clinical, direction="contradicts",
                          created_by=personas.other_curator)
    writes.update(draft, actor=personas.other_curator, data={"direction": "inconclusive"})
    writes.delete(draft, actor=personas.other_curator)
    assert stored(claim) == before


def test_an_accepted_item_edited_or_deleted_by_any_means_updates_it(accept, types):
    claim = accept((types.clinical, "supports"), (types.clinical, "supports"))
    item = claim.evidence.first()
    # What a staff correction in the shell, or a loader, might do: no service refuses it here.
    item.direction = "contradicts"
    item.save()
    assert stored(claim)["level"] == "contested"
    item.delete()
    assert (stored(claim)["level"], stored(claim)["score"]) == ("moderate", 1.0)


def test_a_paper_marked_retracted_takes_its_evidence_out(accept, types, personas):
    claim = accept((types.clinical, "supports"), (types.clinical, "supports"))
    paper = claim.evidence.first().paper
    writes.update(paper, actor=personas.curator, data={"is_retracted": True})
    s = stored(claim)
    assert (s["level"], s["score"]) == ("moderate", 1.0)
    assert "1 item citing a retracted paper is left out." in s["rule"]
    writes.update(paper, actor=personas.curator, data={"is_retracted": False})
    assert stored(claim)["level"] == "strong"


def test_a_new_type_weight_is_weighed_at_once(accept, types, personas):
    claim = accept((types.in_vitro, "supports"))
    assert stored(claim)["score"] == 0.7
    writes.update(types.in_vitro, actor=personas.staff, data={"weight": Decimal("1.50")})
    assert stored(claim)["score"] == 1.5
    # Filed under an in vivo type, its unreported study quality now halves it.
    writes.update(types.in_vitro, actor=personas.staff, data={"parent": types.animal})
    assert stored(claim)["score"] == 0.75


def test_an_import_stores_the_synthesis_of_what_it_writes(tmp_path):
    from tests.interchange import chief, empty_database, export_text, import_file, write

    call_command("seed", "evidence_types", "sigma1r_als", verbosity=0)
    before = dict(Claim.objects.values_list("uid", "synthesis"))
    assert {s["level"] for s in before.values()} - {"none"}
    path = write(tmp_path / "seed.jsonl", export_text().splitlines(keepends=True))
    empty_database()
    assert not Claim.objects.exists()
    chief()
    import_file(path, "--as", "chief")
    assert dict(Claim.objects.values_list("uid", "synthesis")) == before


def test_a_generated_corpus_stores_every_claims_synthesis():
    corpus.generate(papers=30, claims=120, evidence=400, seed=3)
    levels = set(Claim.objects.values_list("synthesis_level", flat=True))
    assert {"strong", "contested", "none"} <= levels
    total, changed = synthesis.refresh_all()
    assert (total, changed) == (120, 0)
    assert Evidence.objects.filter(randomised__isnull=False).exists()


def test_refresh_synthesis_recomputes_what_was_stored_by_other_means(accept, types):
    claim = accept((types.clinical, "supports"), (types.clinical, "supports"))
    right = stored(claim)
    Claim.objects.filter(pk=claim.pk).update(synthesis=no_synthesis(), synthesis_level="none")
    out = StringIO()
    call_command("refresh_synthesis", stdout=out)
    assert "1 claims synthesised, 1 changed." in out.getvalue()
    fresh = Claim.objects.get(pk=claim.pk)
    assert (fresh.synthesis, fresh.synthesis_level) == (right, "strong")


# --- the API ---


def test_claims_list_and_detail_carry_the_synthesis_for_everyone(api, accept, types, personas):
    claim = accept((types.clinical, "supports"), (types.in_vitro, "contradicts"))
    for user in (None, personas.reviewer):
        listed = api.as_(user).get("/api/v1/claims/").json()["results"][0]
        detail = api.as_(user).get(f"/api/v1/claims/{claim.pk}/").json()
        assert listed["synthesis"] == detail["synthesis"] == stored(claim)
        assert set(detail["synthesis"]) == {"level", "score", "contested", "counts",
                                            "by_evidence_type", "rule"}


def test_claims_filter_by_level_and_contested(api, accept, types):
    strong = accept((types.clinical, "supports"), (types.clinical, "supports"))
    contested = accept((types.clinical, "supports"), (types.clinical, "contradicts"))
    weak = accept((types.in_vitro, "supports"))

    def ids(query):
        response = api.get(f"/api/v1/claims/?{query}")
        assert response.status_code == 200, response.content
        return {c["id"] for c in response.json()["results"]}

    assert ids("level=strong") == {strong.pk}
    assert ids("level=strong&level=weak") == {strong.pk, weak.pk}
    assert ids("contested=true") == {contested.pk}
    assert ids("contested=false") == {strong.pk, weak.pk}
    assert ids("level=contested&contested=true") == {contested.pk}


@pytest.mark.parametrize("url, parameter", [
    ("/api/v1/claims/?level=great", "level"),
    ("/api/v1/claims/?contested=maybe", "contested"),
    ("/api/v1/evidence/?randomised=perhaps", "randomised"),
    ("/api/v1/evidence/?both_sexes=2", "both_sexes"),
])
def test_unreadable_synthesis_and_quality_filters_are_a_400_naming_them(api, url, parameter):
    response = api.get(url)
    assert response.status_code == 400, response.content
    assert parameter in response.json()


def test_evidence_filters_by_each_study_quality_item(api, accept, types):
    claim = accept((types.animal, "supports", {"randomised": True}),
                   (types.animal, "supports", {"randomised": False}),
                   (types.animal, "supports"))
    by_value = {}
    for value in ("true", "false", "unreported"):
        results = api.get(f"/api/v1/evidence/?claim={claim.pk}&randomised={value}").json()["results"]
        by_value[value] = [e["randomised"] for e in results]
    assert by_value == {"true": [True], "false": [False], "unreported": [None]}


def test_study_quality_is_written_and_read_through_the_api(api, personas, types):
    claim = make_claim(created_by=personas.curator)
    body = {"claim": claim.pk, "paper": make_paper().doi, "evidence_type": "in-vivo-animal-model",
            "direction": "supports", "location": "Fig. 1", "randomised": True, "both_sexes": False}
    response = api.as_(personas.curator).post("/api/v1/evidence/", body, format="json")
    assert response.status_code == 201, response.content
    item = response.json()
    assert (item["randomised"], item["both_sexes"], item["blinded_assessment"]) == (True, False, None)


def _populate(accept, types, n):
    for index in range(n):
        accept((types.clinical, "supports"), (types.in_vitro, "contradicts" if index % 2 else "supports"))


@pytest.mark.parametrize("query", ["level=contested", "contested=true", "level=moderate&contested=false"])
def test_filtered_lists_cost_the_same_queries_at_any_size(api, accept, types, personas, query):
    from django.contrib.auth.models import User

    def count(page_size):
        counts = []
        for username in (None, personas.reviewer.username):
            user = User.objects.get(username=username) if username else None
            with CaptureQueriesContext(connection) as queries:
                response = api.as_(user).get(f"/api/v1/claims/?{query}&page_size={page_size}")
            assert response.status_code == 200
            counts.append(len(queries))
        return counts, len(response.json()["results"])

    _populate(accept, types, 2)
    small, _ = count(1)
    _populate(accept, types, 30)
    large, size = count(100)
    assert size >= 15
    assert small == large


# --- the admin ---


def test_the_admin_shows_study_quality_with_the_evidence(client, accept, types, personas):
    claim = accept((types.animal, "supports", {"randomised": True}))
    item = claim.evidence.get()
    client.force_login(personas.staff)
    page = client.get(reverse("admin:claims_evidence_change", args=[item.pk])).content.decode()
    assert "Study quality" in page and "Blinded outcome assessment" in page
    draft = make_evidence(claim, evidence_type=types.animal, created_by=personas.curator)
    page = client.get(reverse("admin:claims_evidence_change", args=[draft.pk])).content.decode()
    assert 'name="randomised"' in page and ">not reported</option>" in page


# --- the migration ---


@pytest.mark.django_db(transaction=True)
def test_migration_0008_synthesises_the_claims_that_exist(role_groups):
    from django.db.migrations.executor import MigrationExecutor

    def migrate(targets):
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(targets)
        return executor.loader.project_state(targets).apps

    old = migrate([("claims", "0007_webhooks")])
    try:
        kinds = old.get_model("claims", "EvidenceType").objects
        animal = kinds.create(code="in-vivo-animal-model", label="animal", eco_id="ECO:0000179")
        clinical = kinds.create(code="clinical-study", label="clinical", eco_id="ECO:0000180")
        paper = old.get_model("claims", "Paper").objects.create(title="P", doi="10.5555/m.1")
        claim = old.get_model("claims", "Claim").objects.create(text="Accepted", status="accepted")
        for kind, direction in ((animal, "supports"), (clinical, "supports"), (clinical, "contradicts")):
            old.get_model("claims", "Evidence").objects.create(
                claim=claim, paper=paper, evidence_type=kind, direction=direction,
                status="accepted", location=f"{kind.code} {direction}")

        new = migrate([("claims", "0008_synthesis")])

        migrated = new.get_model("claims", "Claim").objects.get(pk=claim.pk)
        assert (migrated.synthesis_level, migrated.contested) == ("contested", True)
        assert migrated.synthesis["score"] == 0.5  # 0.5 (animal, unreported) + 1 - 1
    finally:
        migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
