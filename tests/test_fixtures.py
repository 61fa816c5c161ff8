"""The seed fixtures: they load into a fresh database, loading them again changes nothing, and
what they say matches the ECO release and the checked references they come from."""

import json
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.auth.models import User
from django.core.management import call_command
from django.core.management.base import CommandError

from claims import roles
from claims.choices import Direction, PublicationType, Status, Verdict
from claims.eco import ancestors, read_obo
from claims.models import Claim, ClaimVersion, CuratorReview, Evidence, EvidenceType, Paper, Topic
from claims.versions import claim_content, content_hash

pytestmark = pytest.mark.django_db

FIXTURES_DIR = Path(settings.BASE_DIR) / "fixtures"
ECO_EXCERPT = FIXTURES_DIR / "eco" / "eco-terms.obo"
FIXTURE_NAMES = ("evidence_types", "sigma1r_als")

REVIEW_DOI = "10.1007/978-3-319-50174-1_16"
MANCUSO_2012_DOI = "10.1007/s13311-012-0140-y"
LUTY_2010_DOI = "10.1002/ana.22274"
GAJA_CAPDEVILA_2021_DOI = "10.3389/fphar.2021.780588"
MANCUSO_2014_DOI = "10.1186/1750-1172-9-78"
BERNARD_MARISSAL_2015_DOI = "10.1093/brain/awv008"
# Every identifier the seed may carry: each was checked against a public bibliographic record.
# A paper whose DOI or PMID was not found stays out of the fixture; nothing is filled from memory.
CHECKED_IDENTIFIERS = {
    REVIEW_DOI: "",
    MANCUSO_2012_DOI: "",
    "10.1002/ana.22534": "",
    LUTY_2010_DOI: "",
    "10.1016/j.neuroscience.2010.02.022": "20167253",
    BERNARD_MARISSAL_2015_DOI: "25678561",
    MANCUSO_2014_DOI: "",
    GAJA_CAPDEVILA_2021_DOI: "34955848",
}
# The references give these author lists only in part ("et al.", or a first author inferred).
PARTIAL_AUTHOR_LISTS = {LUTY_2010_DOI, "10.1016/j.neuroscience.2010.02.022", BERNARD_MARISSAL_2015_DOI,
                        MANCUSO_2014_DOI}
SEED_CLAIMS = 14


@pytest.fixture
def seed():
    call_command("loaddata", *FIXTURE_NAMES, verbosity=0)


def records(name: str) -> list[dict]:
    return json.loads((FIXTURES_DIR / f"{name}.json").read_text(encoding="utf-8"))


def eco_terms():
    return read_obo(ECO_EXCERPT).terms


def snapshot() -> dict[str, list[dict]]:
    """Every row of every claims model (history and many-to-many tables included) and of the
    users and groups, in primary-key order."""
    models = [*apps.get_app_config("claims").get_models(include_auto_created=True),
              *apps.get_app_config("auth").get_models(include_auto_created=True)]
    return {model._meta.label: list(model.objects.order_by("pk").values()) for model in models}


def claim_with(text_fragment: str) -> Claim:
    return Claim.objects.get(text__icontains=text_fragment)


# --- loading ---


def test_fixtures_load_into_a_fresh_database(seed):
    expected = {}
    for name in FIXTURE_NAMES:
        for record in records(name):
            expected[record["model"]] = expected.get(record["model"], 0) + 1
    loaded = {label: apps.get_model(label).objects.count() for label in expected}
    assert loaded == expected
    assert loaded == {
        "auth.user": 2, "claims.topic": 3, "claims.evidencetype": 16, "claims.paper": 8,
        "claims.claim": SEED_CLAIMS, "claims.evidence": 30, "claims.curatorreview": SEED_CLAIMS,
        "claims.claimversion": SEED_CLAIMS,
    }


def test_loading_fixtures_twice_changes_nothing(seed):
    before = snapshot()
    call_command("loaddata", *FIXTURE_NAMES, verbosity=0)
    assert snapshot() == before


def test_fixture_records_use_natural_keys_and_fixed_timestamps():
    for name in FIXTURE_NAMES:
        for record in records(name):
            assert "pk" not in record, record
            model = apps.get_model(record["model"])
            for field in ("created_at", "updated_at", "accepted_at", "date_joined"):
                if any(f.name == field for f in model._meta.get_fields()):
                    assert record["fields"].get(field), (record["model"], field)


# --- the evidence vocabulary and ECO ---


def test_eco_excerpt_names_its_release_and_licence():
    header = ECO_EXCERPT.read_text(encoding="utf-8").split("\n[Term]\n")[0]
    assert "data-version: eco/releases/2024-07-19/eco-basic.owl" in header
    assert "CC0 1.0" in header


def test_every_evidence_type_is_an_eco_term_with_its_label(seed):
    terms = eco_terms()
    for evidence_type in EvidenceType.objects.all():
        term = terms.get(evidence_type.eco_id)
        assert term is not None, f"{evidence_type.code}: {evidence_type.eco_id} not in the excerpt"
        assert not term.obsolete
        assert evidence_type.label == term.name
        assert evidence_type.description == term.definition
        evidence_type.full_clean()


def test_eco_excerpt_carries_the_is_a_ancestors_of_every_term_it_holds():
    terms = eco_terms()
    for term in terms.values():
        assert set(term.is_a) <= set(terms)


def test_evidence_type_parents_come_first_and_are_eco_ancestors(seed):
    seen = set()
    for record in records("evidence_types"):
        parent = record["fields"]["parent"]
        assert parent is None or parent[0] in seen, record["fields"]["code"]
        seen.add(record["fields"]["code"])

    terms = eco_terms()
    for child in EvidenceType.objects.exclude(parent=None).select_related("parent"):
        assert child.parent.eco_id in ancestors(terms, child.eco_id), child.code


def test_check_eco_ids_accepts_the_shipped_vocabulary():
    call_command("check_eco_ids", verbosity=0)


def test_check_eco_ids_reports_an_unknown_id_and_a_changed_label(tmp_path):
    changed = records("evidence_types")
    by_code = {record["fields"]["code"]: record["fields"] for record in changed}
    by_code["in-vitro"]["eco_id"] = "ECO:9999999"
    by_code["in-vivo"]["label"] = "in vivo"
    fixture = tmp_path / "evidence_types.json"
    fixture.write_text(json.dumps(changed))
    with pytest.raises(CommandError) as refused:
        call_command("check_eco_ids", fixture=fixture)
    assert "in-vitro: ECO:9999999 is not a term" in str(refused.value)
    assert "in-vivo: label 'in vivo' differs" in str(refused.value)


# --- papers ---


def test_every_paper_passes_full_clean(seed):
    for paper in Paper.objects.all():
        paper.full_clean()


def test_papers_carry_only_checked_identifiers(seed):
    assert dict(Paper.objects.values_list("doi", "pmid")) == CHECKED_IDENTIFIERS
    assert not Paper.objects.exclude(url="").exists()


def test_seed_review_is_the_mancuso_navarro_2017_chapter(seed):
    review = Paper.objects.get_by_natural_key(REVIEW_DOI)
    assert review.title == "Sigma-1 Receptor in Motoneuron Disease"
    assert review.authors == ["Mancuso R", "Navarro X"]
    assert (review.journal, review.year, review.volume, review.pages) == (
        "Advances in Experimental Medicine and Biology", 2017, "964", "235-254")
    assert review.publication_type == PublicationType.BOOK_CHAPTER
    assert set(Paper.objects.exclude(pk=review.pk).values_list("publication_type", flat=True)) == {
        PublicationType.RESEARCH_ARTICLE}


def test_partial_author_lists_are_marked_incomplete(seed):
    incomplete = set(Paper.objects.filter(authors_complete=False).values_list("doi", flat=True))
    assert incomplete == PARTIAL_AUTHOR_LISTS
    assert Paper.objects.get_by_natural_key(REVIEW_DOI).authors_complete


# --- claims, evidence, reviews, versions ---


def test_all_claims_are_accepted_with_accepted_evidence(seed):
    assert Claim.objects.count() == SEED_CLAIMS
    assert set(Claim.objects.values_list("status", "review_round")) == {(Status.ACCEPTED, 1)}
    assert set(Evidence.objects.values_list("status", "review_round")) == {(Status.ACCEPTED, 1)}
    assert set(Claim.objects.values_list("created_by__username", flat=True)) == {"demo-curator"}
    assert set(Evidence.objects.values_list("created_by__username", flat=True)) == {"demo-curator"}
    for claim in Claim.objects.all():
        claim.full_clean()
        assert claim.topics.filter(slug="sigma-1-receptor").exists()


def test_every_claim_cites_its_sentence_of_the_review_abstract(seed):
    review = Paper.objects.get_by_natural_key(REVIEW_DOI)
    for claim in Claim.objects.all():
        statement = claim.evidence.get(paper=review)
        assert statement.evidence_type.code == "author-statement"
        assert (statement.direction, statement.location) == (Direction.SUPPORTS, "abstract")
        assert statement.excerpt and statement.excerpt in review.abstract


def test_every_claim_was_approved_by_the_demo_reviewer_after_its_last_edit(seed):
    for claim in Claim.objects.all():
        (review,) = claim.reviews.all()
        assert (review.verdict, review.review_round) == (Verdict.APPROVE, 1)
        assert review.reviewer.username == "demo-reviewer"
        assert review.created_at > claim.updated_at
    assert not CuratorReview.objects.filter(evidence__isnull=False).exists()


def test_each_claim_version_hash_matches_its_content(seed):
    for claim in Claim.objects.all():
        (version,) = claim.versions.all()
        assert version.number == 1
        assert version.content == claim_content(claim)
        assert version.content_hash == content_hash(claim_content(claim))
    assert ClaimVersion.objects.count() == Claim.objects.count()


def test_survival_claim_cites_mancuso_2012_in_sod1_mice(seed):
    claim = claim_with("survival")
    assert (claim.relation, claim.object, claim.context) == ("increases", "survival",
                                                             "SOD1-G93A mouse")
    evidence = claim.evidence.get(paper__doi=MANCUSO_2012_DOI)
    assert evidence.direction == Direction.SUPPORTS
    assert evidence.evidence_type.code == "in-vivo-animal-model"
    assert (evidence.model, evidence.intervention, evidence.dose) == ("SOD1-G93A", "PRE-084",
                                                                      "0.25 mg/kg/day")


def test_luty_3utr_variant_is_inconclusive_for_the_transmembrane_mutation_claim(seed):
    claim = claim_with("transmembrane domain")
    luty = claim.evidence.get(paper__doi=LUTY_2010_DOI)
    assert luty.direction == Direction.INCONCLUSIVE
    assert luty.evidence_type.code == "patient-genetic-variant"
    assert "3' untranslated region" in luty.notes
    al_saif = claim.evidence.get(paper__doi="10.1002/ana.22534")
    assert al_saif.direction == Direction.SUPPORTS
    assert al_saif.evidence_type.code == "patient-genetic-variant"


def test_gaja_capdevila_contradicts_protein_degradation_alone(seed):
    contradicting = Evidence.objects.get(paper__doi=GAJA_CAPDEVILA_2021_DOI,
                                         direction=Direction.CONTRADICTS)
    assert contradicting.claim.text == "The Sigma-1 receptor contributes to regulating protein degradation."
    assert "autophagic flux" in contradicting.notes
    assert "BD1063 (antagonist)" in contradicting.intervention
    oxidative_stress = claim_with("oxidative stress")
    assert oxidative_stress != contradicting.claim
    assert not oxidative_stress.evidence.exclude(direction=Direction.SUPPORTS).exists()
    assert Evidence.objects.filter(direction=Direction.CONTRADICTS).count() == 1


def test_gaja_capdevila_supports_sod1_preservation_and_names_the_antagonist_it_tested(seed):
    supporting = Evidence.objects.get(paper__doi=GAJA_CAPDEVILA_2021_DOI,
                                      direction=Direction.SUPPORTS)
    assert supporting.claim == claim_with("preserves motoneurons")
    assert "BD1063 (Sigma-1R antagonist)" in supporting.intervention
    assert "not specific to agonists" in supporting.notes


def test_mancuso_2014_combined_treatment_is_not_plain_support_for_agonist_claims(seed):
    rows = Evidence.objects.filter(paper__doi=MANCUSO_2014_DOI)
    assert {row.claim for row in rows} == {claim_with("preserves motoneurons"), claim_with("survival")}
    for row in rows:
        assert row.direction == Direction.INCONCLUSIVE
        assert row.intervention == "resveratrol plus PRE-084"
        assert "given together" in row.notes
    assert Evidence.objects.filter(direction=Direction.INCONCLUSIVE).count() == 3


def test_mechanisms_claim_keeps_the_reviews_hedge(seed):
    claim = Claim.objects.get(uid="087c0995-7d80-54c6-9ab0-377253f77c44")
    assert "seem to underlie" in claim.text
    assert not Claim.objects.filter(text__icontains="mediated by").exists()


@pytest.mark.parametrize("fragments", [
    ("reduces microglial reactivity", "glial expression of neurotrophic factors"),
    ("regulating protein degradation", "reducing oxidative stress"),
    ("in vitro", "in vivo after ventral root avulsion"),
])
def test_findings_with_different_evidence_are_separate_claims(seed, fragments):
    first, second = (claim_with(fragment) for fragment in fragments)
    assert first != second
    assert fragments[1] not in first.text and fragments[0] not in second.text


def test_microglial_claim_alone_cites_mancuso_2012(seed):
    assert claim_with("microglial reactivity").evidence.filter(paper__doi=MANCUSO_2012_DOI).exists()
    neurotrophic = claim_with("neurotrophic factors")
    assert list(neurotrophic.evidence.values_list("paper__doi", flat=True)) == [REVIEW_DOI]


def test_primary_culture_result_sits_on_a_cell_level_claim(seed):
    knockout = claim_with("knockout mice")
    assert set(knockout.evidence.values_list("evidence_type__code", flat=True)) == {
        "author-statement", "knockout-phenotype"}
    culture = Evidence.objects.get(paper__doi=BERNARD_MARISSAL_2015_DOI,
                                   model="primary motoneuron culture", outcome__contains="survival")
    assert culture.claim == claim_with("motoneuron degeneration")
    assert culture.claim.context == "motoneurons"


def test_the_reviews_conclusion_is_an_author_statement(seed):
    conclusion = claim_with("attractive target")
    (statement,) = conclusion.evidence.all()
    assert statement.paper.doi == REVIEW_DOI
    assert (statement.evidence_type.code, statement.evidence_type.eco_id) == (
        "author-statement", "ECO:0000033")
    assert statement.excerpt.startswith("Therefore, the multi-functional nature of the Sigma-1R")


def test_topics_are_the_three_seed_topics(seed):
    assert dict(Topic.objects.values_list("slug", "name")) == {
        "als": "Amyotrophic lateral sclerosis",
        "motoneuron-disease": "Motoneuron disease",
        "sigma-1-receptor": "Sigma-1 receptor",
    }


# --- demo users ---


@pytest.mark.parametrize(("username", "role"), [("demo-curator", "curator"),
                                                ("demo-reviewer", "reviewer")])
def test_demo_users_have_unusable_passwords_and_their_role(seed, username, role):
    user = User.objects.get_by_natural_key(username)
    assert not user.has_usable_password()
    assert user.password.startswith("!")
    assert list(user.groups.values_list("name", flat=True)) == [role]
    assert user.is_staff and not user.is_superuser
    assert roles.is_curator(user) == (role == "curator")
    assert roles.is_reviewer(user) == (role == "reviewer")
