from collections import Counter

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models import Max
from rest_framework.test import APIClient

from claims import corpus
from claims.choices import Direction, Role, Status, Verdict
from claims.models import Claim, ClaimVersion, CuratorReview, Evidence, EvidenceType, Paper, Topic
from claims.versions import claim_content, content_hash
from tests.factories import make_claim, make_evidence, make_paper

pytestmark = pytest.mark.django_db
SIZES = {"papers": 30, "claims": 100, "evidence": 300}


def generate(seed=7, *flags):
    call_command("generate_corpus", "--papers", "30", "--claims", "100", "--evidence", "300",
                 "--seed", str(seed), *flags, verbosity=0)


def snapshot() -> dict:
    """What a reader of the corpus sees, in id order."""
    return {
        "papers": list(Paper.objects.order_by("id").values_list(
            "id", "doi", "pmid", "title", "authors", "journal", "year", "is_retracted",
            "retraction_date", "created_at")),
        "claims": list(Claim.objects.order_by("id").values_list(
            "id", "uid", "text", "status", "review_round", "retraction_reason",
            "superseded_by", "created_at", "updated_at", "created_by__username")),
        "topics": sorted(Claim.topics.through.objects.values_list("claim_id", "topic__slug")),
        "evidence": list(Evidence.objects.order_by("id").values_list(
            "uid", "claim_id", "paper_id", "evidence_type__code", "direction", "excerpt",
            "location", "species", "model", "sex", "dose", "effect", "effect_value",
            "sample_size", "status", "review_round", "created_at")),
        "reviews": list(CuratorReview.objects.order_by("id").values_list(
            "uid", "claim_id", "evidence_id", "review_round", "verdict", "comment",
            "reviewer__username", "created_at")),
        "versions": list(ClaimVersion.objects.order_by("id").values_list(
            "claim_id", "number", "content", "content_hash", "accepted_at")),
    }


def delete_corpus():
    CuratorReview.objects.all().delete()
    ClaimVersion.objects.all().delete()
    Claim.objects.update(superseded_by=None)
    Evidence.objects.all().delete()
    Claim.objects.all().delete()
    Paper.objects.all().delete()


def test_the_requested_counts_with_every_evidence_type_and_direction():
    generate()
    assert Paper.objects.count() == 30
    assert Claim.objects.count() == 100
    assert Evidence.objects.count() == 300
    used = set(Evidence.objects.values_list("evidence_type__code", flat=True))
    assert used == set(EvidenceType.objects.values_list("code", flat=True))
    assert len(used) == 16  # the fixture, loaded because the table was empty
    directions = Counter(Evidence.objects.values_list("direction", flat=True))
    assert set(directions) == set(Direction.values)
    assert directions[Direction.SUPPORTS] > directions[Direction.CONTRADICTS] > 0
    assert 10 <= Topic.objects.count() <= 20
    assert all(1 <= claim.topics.count() <= 3 for claim in Claim.objects.all())


def test_claims_are_mostly_accepted_with_a_few_of_every_other_state():
    generate()
    states = Counter(Claim.objects.values_list("status", flat=True))
    assert 85 <= states[Status.ACCEPTED] <= 95
    assert all(states[s] >= 1 for s in (Status.RETRACTED, Status.DRAFT, Status.SUBMITTED,
                                         Status.REJECTED))
    assert not Claim.objects.filter(status=Status.RETRACTED, retraction_reason="").exists()
    assert not Claim.objects.exclude(status=Status.DRAFT).filter(review_round=0).exists()
    assert set(Evidence.objects.filter(claim__status=Status.DRAFT)
               .values_list("status", flat=True)) == {Status.DRAFT}
    assert set(Evidence.objects.filter(claim__status=Status.REJECTED)
               .values_list("status", flat=True)) == {Status.REJECTED}
    on_accepted = Counter(Evidence.objects.filter(claim__status=Status.ACCEPTED)
                          .values_list("status", flat=True))
    assert on_accepted[Status.ACCEPTED] > 0.85 * sum(on_accepted.values())


def test_papers_carry_fictitious_identifiers_that_cannot_meet_real_ones():
    generate()
    for paper in Paper.objects.all():
        assert paper.doi == f"10.5555/corpus.{paper.pk}"
        assert paper.pmid == "" or int(paper.pmid) >= 90_000_000
        assert 1990 <= paper.year <= 2025 and paper.authors and paper.title


def test_generated_rows_pass_model_validation():
    generate()
    samples = [*Paper.objects.all()[:10], *Claim.objects.all()[:20], *Evidence.objects.all()[:40],
               *CuratorReview.objects.all()[:20], *ClaimVersion.objects.all()[:10],
               *User.objects.filter(username__startswith="corpus-")]
    for obj in samples:
        obj.full_clean()
    for evidence in Evidence.objects.filter(evidence_type__code="in-vivo-animal-model")[:10]:
        assert evidence.species and evidence.model and evidence.sample_size
        assert evidence.excerpt


def test_reviews_and_versions_are_what_the_workflow_would_have_left():
    generate()
    curators = set(User.objects.filter(groups__name=Role.CURATOR).values_list("pk", flat=True))
    reviewers = set(User.objects.filter(groups__name=Role.REVIEWER).values_list("pk", flat=True))
    for claim in Claim.objects.prefetch_related("reviews", "versions"):
        assert claim.created_by_id in curators
        final = [r for r in claim.reviews.all() if r.review_round == claim.review_round]
        assert all(r.reviewer_id in reviewers and r.reviewer_id != claim.created_by_id
                   for r in claim.reviews.all())
        if claim.status in (Status.ACCEPTED, Status.RETRACTED):
            assert [r.verdict for r in final] == [Verdict.APPROVE]
            (version,) = claim.versions.all()
            assert version.number == 1
            assert version.content == claim_content(claim)
            assert version.content_hash == content_hash(claim_content(claim))
        else:
            assert not claim.versions.all()
        if claim.status == Status.REJECTED:
            assert [r.verdict for r in final] == [Verdict.REJECT] and final[0].comment


def test_the_same_seed_gives_the_same_corpus_and_another_seed_another():
    generate(seed=7)
    first = snapshot()
    delete_corpus()
    generate(seed=7)
    assert snapshot() == first
    delete_corpus()
    generate(seed=8)
    other = snapshot()
    assert [c[1] for c in other["claims"]] != [c[1] for c in first["claims"]]
    assert [c[2] for c in other["claims"]] != [c[2] for c in first["claims"]]


def test_a_database_with_curation_is_refused_and_left_as_it_was():
    paper = make_paper()
    with pytest.raises(CommandError, match="already holds"):
        generate()
    assert list(Paper.objects.all()) == [paper]
    assert not Claim.objects.exists() and not Topic.objects.exists()
    assert not User.objects.filter(username__startswith="corpus-").exists()


def test_force_adds_the_corpus_after_existing_rows_without_touching_them():
    claim = make_claim(text="An existing claim about survival")
    evidence = make_evidence(claim)
    generate(7, "--force")
    assert Claim.objects.count() == 101 and Evidence.objects.count() == 301
    assert Paper.objects.count() == 31
    assert Claim.objects.get(pk=claim.pk).text == "An existing claim about survival"
    assert Evidence.objects.get(pk=evidence.pk).excerpt == evidence.excerpt
    assert Claim.objects.exclude(pk=claim.pk).order_by("id").first().pk == claim.pk + 1


def test_new_rows_after_the_corpus_take_the_next_ids():
    generate()
    last = Claim.objects.aggregate(last=Max("pk"))["last"]
    assert make_claim().pk == last + 1
    assert make_paper().pk == Paper.objects.filter(doi__startswith="10.5555/").count() + 1


def test_sizes_that_make_no_corpus_are_refused():
    with pytest.raises(CommandError, match="at least one claim"):
        call_command("generate_corpus", "--papers", "5", "--claims", "0", "--evidence", "3",
                     verbosity=0)
    assert not Paper.objects.exists()


def test_readers_see_the_accepted_claims_with_their_accepted_evidence():
    generate()
    response = APIClient().get("/api/v1/claims/?page_size=500")
    assert response.status_code == 200
    rows = response.json()["results"]
    public = Claim.objects.filter(status__in=(Status.ACCEPTED, Status.RETRACTED))
    assert {row["uid"] for row in rows} == {str(uid) for uid in public.values_list("uid", flat=True)}
    accepted = {str(uid) for uid in Evidence.objects.filter(status=Status.ACCEPTED)
                .values_list("uid", flat=True)}
    shown = [e["uid"] for row in rows for e in row["evidence"]]
    assert shown and set(shown) <= accepted
    assert all(row["evidence"] for row in rows if row["status"] == Status.ACCEPTED)


def test_a_search_finds_claims_by_their_words_and_by_their_excerpts():
    generate()
    rows = APIClient().get("/api/v1/claims/?search=survival&page_size=500").json()["results"]
    said = [row for row in rows if "survival" in row["text"]]
    quoted = [row for row in rows if "survival" not in row["text"]
              and any("survival" in e["excerpt"].lower() for e in row["evidence"])]
    assert said and quoted
    assert rows.index(said[-1]) < rows.index(quoted[0])  # the claims that say it come first


@pytest.mark.postgres
def test_copy_and_bulk_inserts_write_the_same_rows():
    assert connection.vendor == "postgresql"
    corpus.generate(**SIZES, seed=3, copy=True)
    copied = snapshot()
    delete_corpus()
    corpus.generate(**SIZES, seed=3, copy=False)
    assert snapshot() == copied


def test_a_loaded_corpus_retires_cached_reads(django_capture_on_commit_callbacks):
    from claims import data_version

    corpus.generate(papers=3, claims=5, evidence=6, seed=1)
    with django_capture_on_commit_callbacks(execute=True):
        before = data_version.current()
        # Appended: its topics, users and evidence types exist, so no save signals anything.
        corpus.generate(papers=3, claims=5, evidence=6, seed=2, append=True)
    assert data_version.current() > before
