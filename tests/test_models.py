"""The data model's rules: the error a user sees from full_clean(), and the database's own refusal
when Python validation is bypassed."""

import contextlib
import datetime

import pytest
from django.core import serializers
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, transaction

from claims import workflow
from claims.choices import Direction, Status, Verdict
from claims.models import Claim, CuratorReview, Evidence, EvidenceType, Paper
from claims.models.papers import MIN_YEAR, normalise_doi
from tests.factories import make_claim, make_evidence, make_evidence_type, make_paper, make_user

pytestmark = pytest.mark.django_db

DOI = "10.1002/ana.22534"
PMID = "20167253"


def errors_of(obj) -> dict:
    """What full_clean() tells the user, field by field ("__all__" for the whole object)."""
    with pytest.raises(ValidationError) as caught:
        obj.full_clean()
    return caught.value.message_dict


@contextlib.contextmanager
def database_refuses():
    """The database, not Python, says no: the statement fails and its savepoint rolls back."""
    with pytest.raises(IntegrityError), transaction.atomic():
        yield


@pytest.fixture
def reviewer(db):
    return make_user("reviewer", "reviewer")


# --- papers: identifiers ---


@pytest.mark.parametrize("raw", [
    "10.1002/ANA.22534",
    "https://doi.org/10.1002/ana.22534",
    "http://dx.doi.org/10.1002/Ana.22534",
    "doi:10.1002/ana.22534",
    "DOI: 10.1002/ANA.22534",
    "  https://DOI.org/10.1002/ana.22534  ",
])
def test_doi_is_stored_lower_case_without_resolver_or_doi_prefix(raw):
    paper = Paper(title="Sigma-1R agonist PRE-084 in SOD1 mice", doi=raw)
    paper.full_clean()
    assert paper.doi == DOI
    paper.save()
    assert Paper.objects.get(doi=DOI) == paper


def test_normalise_doi_leaves_a_clean_doi_alone_and_empties_blank_input():
    assert normalise_doi(DOI) == DOI
    assert normalise_doi("") == normalise_doi(None) == ""


@pytest.mark.parametrize("raw", ["not-a-doi", "10.12/abc", "10.1002/", "10.1002/has space",
                                 "https://example.org/paper/1", "11.1002/ana.22534"])
def test_a_malformed_doi_is_refused_on_the_doi_field(raw):
    errors = errors_of(Paper(title="A paper", doi=raw))
    assert list(errors) == ["doi"]
    assert "is not a DOI: expected 10.NNNN/suffix, e.g. 10.1002/ana.22534." in errors["doi"][0]


@pytest.mark.parametrize("duplicate", ["10.1002/ANA.22534", "https://doi.org/10.1002/ana.22534",
                                       DOI])
def test_a_doi_already_recorded_is_refused_whatever_its_case(duplicate):
    make_paper(doi=DOI)
    errors = errors_of(Paper(title="The same paper again", doi=duplicate))
    assert errors == {"doi": ["A paper with this DOI already exists."]}


def test_a_pmid_already_recorded_is_refused():
    make_paper(doi="", pmid=PMID)
    errors = errors_of(Paper(title="The same paper again", pmid=f"PMID: {PMID}"))
    assert errors == {"pmid": ["A paper with this PMID already exists."]}


def test_editing_a_paper_does_not_collide_with_itself():
    paper = make_paper(doi=DOI, pmid=PMID)
    paper.title = "Corrected title"
    paper.full_clean()


def test_papers_without_a_doi_do_not_collide_on_the_empty_doi():
    make_paper(doi="", pmid=PMID)
    Paper(title="Another", doi="", pmid="20167254").full_clean()
    Paper(title="A web page", url="https://example.org/report").full_clean()


def test_a_paper_needs_a_doi_pmid_or_url():
    errors = errors_of(Paper(title="Anonymous", doi="", pmid="", url=""))
    assert errors == {"doi": ["A paper needs at least one of DOI, PMID or URL."]}


@pytest.mark.parametrize("identifier", [{"doi": DOI}, {"pmid": PMID},
                                        {"url": "https://example.org/report"}])
def test_any_one_identifier_is_enough(identifier):
    Paper(title="Identified", **identifier).full_clean()


@pytest.mark.parametrize("raw", ["2016a253", "PMC2816343", "-1", "20 167 253"])
def test_a_pmid_has_digits_only(raw):
    errors = errors_of(Paper(title="A paper", pmid=raw))
    assert errors == {"pmid": ["A PMID has digits only, e.g. 20167253."]}


def test_a_pmid_prefix_is_stripped():
    paper = Paper(title="A paper", pmid="PMID:20167253")
    paper.full_clean()
    assert paper.pmid == PMID


@pytest.mark.parametrize("year", [MIN_YEAR - 1, 1066, datetime.date.today().year + 2, 9999])
def test_a_publication_year_out_of_range_is_refused(year):
    errors = errors_of(Paper(title="A paper", doi=DOI, year=year))
    assert errors == {"year": [f"The year must be between {MIN_YEAR} and next year."]}


@pytest.mark.parametrize("year", [MIN_YEAR, 2012, datetime.date.today().year + 1, None])
def test_a_plausible_publication_year_is_accepted(year):
    Paper(title="A paper", doi=DOI, year=year).full_clean()


def test_a_retraction_notice_needs_the_retracted_flag():
    errors = errors_of(Paper(title="A paper", doi=DOI, retraction_url="https://example.org/notice"))
    assert errors == {NON_FIELD_ERRORS: ["A retraction date or notice needs the retracted flag."]}


# --- claims and evidence ---


@pytest.fixture
def claim(db):
    return make_claim()


def evidence_for(claim, **fields):
    fields.setdefault("paper", make_paper())
    fields.setdefault("evidence_type", make_evidence_type())
    fields.setdefault("direction", Direction.SUPPORTS)
    return Evidence(claim=claim, **fields)


@pytest.mark.parametrize("direction", ["maybe", "SUPPORTS", "refutes"])
def test_an_unknown_evidence_direction_is_refused(claim, direction):
    errors = errors_of(evidence_for(claim, direction=direction))
    assert errors == {"direction": [f"Value '{direction}' is not a valid choice."]}


def test_every_known_direction_is_accepted(claim):
    for direction in Direction.values:
        evidence_for(claim, direction=direction).full_clean()


@pytest.mark.parametrize("model", [Claim, Evidence])
def test_an_unknown_status_is_refused(claim, model):
    if model is Claim:
        obj = Claim(text="A claim", status="approved")
    else:
        obj = evidence_for(claim, status="approved")
    assert errors_of(obj) == {NON_FIELD_ERRORS: [
        "Unknown status: it is one of draft, submitted, accepted, rejected or retracted."]}


def test_a_claim_needs_its_text():
    assert list(errors_of(Claim(text=""))) == ["text"]


def test_the_same_evidence_twice_is_refused(claim):
    first = make_evidence(claim, location="Fig. 3B")
    twin = evidence_for(claim, paper=first.paper, evidence_type=first.evidence_type,
                        location="Fig. 3B", direction=Direction.CONTRADICTS)
    errors = errors_of(twin)
    assert errors == {NON_FIELD_ERRORS: [
        "This claim already cites this paper with this evidence type at this location."]}


def test_the_same_paper_at_another_location_is_other_evidence(claim):
    first = make_evidence(claim, location="Fig. 3B")
    evidence_for(claim, paper=first.paper, evidence_type=first.evidence_type,
                 location="Fig. 4").full_clean()


def test_a_sample_size_is_at_least_one(claim):
    assert list(errors_of(evidence_for(claim, sample_size=0))) == ["sample_size"]


@pytest.mark.parametrize("field, value", [("text", "PRE-084 shortens survival of SOD1 mice"),
                                          ("subject", "Another agonist"), ("relation", "decreases"),
                                          ("object", "lifespan"), ("context", "TDP-43 mouse")])
def test_an_accepted_claims_meaning_is_frozen(field, value):
    people = type("People", (), {"curator": make_user("curator", "curator"),
                                 "reviewer": make_user("reviewer", "reviewer")})
    claim = make_claim(created_by=people.curator)
    workflow.submit(claim, people.curator)
    workflow.review(claim, people.reviewer, Verdict.APPROVE)
    setattr(claim, field, value)
    errors = errors_of(claim)
    assert list(errors) == [field]
    assert "frozen" in errors[field][0] and "supersedes" in errors[field][0]


def test_a_draft_claims_meaning_may_change(claim):
    claim.text = "PRE-084 extends survival of SOD1-G93A mice by 12 days"
    claim.full_clean()


# --- reviews ---


def test_a_review_of_both_a_claim_and_evidence_is_refused(claim, reviewer):
    evidence = make_evidence(claim)
    errors = errors_of(CuratorReview(claim=claim, evidence=evidence, verdict=Verdict.APPROVE,
                                     reviewer=reviewer))
    assert errors == {NON_FIELD_ERRORS: [
        "A review is of a claim or of an evidence item, exactly one of the two."]}


def test_a_review_of_nothing_is_refused(reviewer):
    errors = errors_of(CuratorReview(verdict=Verdict.APPROVE, reviewer=reviewer))
    assert errors == {NON_FIELD_ERRORS: [
        "A review is of a claim or of an evidence item, exactly one of the two."]}


@pytest.mark.parametrize("verdict", [Verdict.REJECT, Verdict.REQUEST_CHANGES])
def test_reject_or_request_changes_without_a_comment_is_refused(claim, reviewer, verdict):
    errors = errors_of(CuratorReview(claim=claim, verdict=verdict, reviewer=reviewer))
    assert errors == {NON_FIELD_ERRORS: ["A comment is required to reject or request changes."]}


def test_an_approval_needs_no_comment(claim, reviewer):
    CuratorReview(claim=claim, verdict=Verdict.APPROVE, reviewer=reviewer).full_clean()


def test_an_unknown_verdict_is_refused(claim, reviewer):
    errors = errors_of(CuratorReview(claim=claim, verdict="maybe", comment="?", reviewer=reviewer))
    assert errors == {"verdict": ["Value 'maybe' is not a valid choice."]}


# --- vocabulary ---


@pytest.mark.parametrize("eco_id", ["ECO:123", "eco:0000179", "ECO_0000179", "0000179", "ECO:000017x"])
def test_an_eco_id_is_eco_colon_and_seven_digits(eco_id):
    errors = errors_of(EvidenceType(code="western-blot", label="Western blot", eco_id=eco_id))
    assert errors == {"eco_id": ["An ECO id is ECO: and 7 digits, e.g. ECO:0000179."]}


@pytest.mark.parametrize("eco_id", ["ECO:0000179", ""])
def test_a_well_formed_or_missing_eco_id_is_accepted(eco_id):
    EvidenceType(code="western-blot", label="Western blot", eco_id=eco_id).full_clean()


# --- the database refuses bad rows on its own ---


def test_database_refuses_a_paper_without_identifier():
    with database_refuses():
        Paper.objects.bulk_create([Paper(title="Anonymous", doi="", pmid="", url="")])
    assert not Paper.objects.exists()


def test_database_refuses_a_duplicate_doi():
    make_paper(doi=DOI)
    with database_refuses():
        Paper.objects.bulk_create([Paper(title="Again", doi=DOI)])
    assert Paper.objects.count() == 1


def test_database_refuses_a_doi_that_differs_only_in_case():
    """Case-insensitive uniqueness holds in the database: only lower-case DOIs may be stored."""
    make_paper(doi=DOI)
    with database_refuses():
        Paper.objects.bulk_create([Paper(title="Again", doi=DOI.upper())])
    with database_refuses():
        Paper.objects.bulk_create([Paper(title="Prefixed", doi=f"https://doi.org/{DOI}")])
    assert Paper.objects.count() == 1


def test_database_refuses_a_duplicate_pmid():
    make_paper(doi="", pmid=PMID)
    with database_refuses():
        Paper.objects.bulk_create([Paper(title="Again", pmid=PMID)])


def test_database_refuses_a_pmid_with_letters_and_an_implausible_year():
    paper = make_paper()
    with database_refuses():
        Paper.objects.filter(pk=paper.pk).update(pmid="PMC123")
    with database_refuses():
        Paper.objects.filter(pk=paper.pk).update(year=1700)
    paper.refresh_from_db()
    assert (paper.pmid, paper.year) == ("", 2012)


def test_database_refuses_an_unknown_direction(claim):
    evidence = make_evidence(claim)
    with database_refuses():
        Evidence.objects.filter(pk=evidence.pk).update(direction="maybe")
    evidence.refresh_from_db()
    assert evidence.direction == Direction.SUPPORTS


@pytest.mark.parametrize("model", [Claim, Evidence])
def test_database_refuses_an_unknown_status(claim, model):
    obj = claim if model is Claim else make_evidence(claim)
    with database_refuses():
        model.objects.filter(pk=obj.pk).update(status="approved")
    obj.refresh_from_db()
    assert obj.status == Status.DRAFT


def test_database_refuses_a_review_with_no_target(reviewer):
    with database_refuses():
        CuratorReview.objects.bulk_create([CuratorReview(verdict=Verdict.APPROVE, reviewer=reviewer)])
    assert not CuratorReview.objects.exists()


def test_database_refuses_a_review_with_both_targets(claim, reviewer):
    evidence = make_evidence(claim)
    with database_refuses():
        CuratorReview.objects.bulk_create([CuratorReview(claim=claim, evidence=evidence,
                                                         verdict=Verdict.APPROVE, reviewer=reviewer)])


def test_database_refuses_a_rejection_without_comment(claim, reviewer):
    with database_refuses():
        CuratorReview.objects.bulk_create([CuratorReview(claim=claim, verdict=Verdict.REJECT,
                                                         reviewer=reviewer)])


def test_database_counts_a_reviewers_verdict_once_per_round(claim, reviewer):
    CuratorReview.objects.create(claim=claim, review_round=1, verdict=Verdict.APPROVE, reviewer=reviewer)
    with database_refuses():
        CuratorReview.objects.bulk_create([CuratorReview(claim=claim, review_round=1,
                                                         verdict=Verdict.APPROVE, reviewer=reviewer)])
    CuratorReview.objects.create(claim=claim, review_round=2, verdict=Verdict.APPROVE, reviewer=reviewer)


def test_database_refuses_duplicate_evidence(claim):
    first = make_evidence(claim, location="Fig. 3B")
    with database_refuses():
        Evidence.objects.bulk_create([evidence_for(claim, paper=first.paper,
                                                   evidence_type=first.evidence_type,
                                                   location="Fig. 3B")])


def test_database_refuses_a_malformed_eco_id():
    with database_refuses():
        EvidenceType.objects.bulk_create([EvidenceType(code="x", label="X", eco_id="ECO:1")])


def test_database_refuses_retraction_details_on_a_claim_that_is_not_retracted(claim):
    with database_refuses():
        Claim.objects.filter(pk=claim.pk).update(retraction_reason="Because.")


# --- natural keys ---


def test_paper_natural_key_is_its_doi():
    paper = make_paper(doi=DOI, pmid=PMID)
    assert paper.natural_key() == (DOI,)
    assert Paper.objects.get_by_natural_key(DOI) == paper
    assert Paper.objects.get_by_natural_key(DOI.upper()) == paper


def test_paper_without_doi_is_known_by_its_pmid_else_its_url():
    by_pmid = make_paper(doi="", pmid=PMID)
    by_url = make_paper(doi="", url="https://example.org/report")
    assert by_pmid.natural_key() == (PMID,)
    assert Paper.objects.get_by_natural_key(PMID) == by_pmid
    assert by_url.natural_key() == ("https://example.org/report",)
    assert Paper.objects.get_by_natural_key("https://example.org/report") == by_url


def test_unknown_natural_key_is_does_not_exist():
    with pytest.raises(Paper.DoesNotExist):
        Paper.objects.get_by_natural_key("10.9999/missing")


def test_claim_and_evidence_natural_key_is_their_uid(claim):
    evidence = make_evidence(claim)
    assert claim.natural_key() == (str(claim.uid),)
    assert Claim.objects.get_by_natural_key(str(claim.uid)) == claim
    assert Evidence.objects.get_by_natural_key(str(evidence.uid)) == evidence


def test_evidence_serialises_with_natural_keys_and_loads_back(claim):
    evidence = make_evidence(claim, paper=make_paper(doi=DOI), location="Fig. 3B")
    dumped = serializers.serialize("json", [evidence], use_natural_foreign_keys=True,
                                   use_natural_primary_keys=True)
    assert f'"paper": ["{DOI}"]' in dumped and f'"claim": ["{claim.uid}"]' in dumped
    assert '"evidence_type": ["in-vivo-animal-model"]' in dumped

    Evidence.objects.all().delete()
    for obj in serializers.deserialize("json", dumped):
        obj.save()
    loaded = Evidence.objects.get()
    assert (loaded.uid, loaded.claim, loaded.paper.doi, loaded.location) == (
        evidence.uid, claim, DOI, "Fig. 3B")
