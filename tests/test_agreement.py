"""How often reviewers agree (claims/agreement.py): raw counts per pair and Cohen's kappa."""

import pytest

from claims.agreement import MIN_ITEMS, cohen_kappa, reviewer_agreement
from claims.models import CuratorReview
from tests.factories import make_claim, make_evidence, make_user

APPROVE, REJECT, CHANGES = "approve", "reject", "request_changes"


# --- kappa itself, against tables worked by hand ---


def test_kappa_of_the_textbook_two_by_two_table():
    # 50 items: both yes 20, first yes second no 5, first no second yes 10, both no 15.
    # p_o = 35/50 = 0.7; p_e = (25*30 + 25*20)/50² = 0.5; kappa = 0.2/0.5 = 0.4.
    table = {("yes", "yes"): 20, ("yes", "no"): 5, ("no", "yes"): 10, ("no", "no"): 15}
    assert cohen_kappa(table, ("yes", "no")) == pytest.approx(0.4)


def test_kappa_is_one_for_perfect_agreement_over_two_verdicts():
    assert cohen_kappa({(APPROVE, APPROVE): 4, (REJECT, REJECT): 3}) == pytest.approx(1.0)


def test_kappa_is_negative_when_reviewers_disagree_more_than_chance():
    # p_o = 0, p_e = 0.5: kappa = -1.
    assert cohen_kappa({(APPROVE, REJECT): 5, (REJECT, APPROVE): 5}) == pytest.approx(-1.0)


def test_kappa_is_undefined_when_both_always_gave_the_same_single_verdict():
    # Chance agreement is certain (p_e = 1): no division by zero, no number.
    assert cohen_kappa({(APPROVE, APPROVE): 12}) is None


def test_kappa_of_no_items_is_undefined():
    assert cohen_kappa({}) is None


# --- pairs of reviewers over the stored reviews ---


def review(reviewer, verdict, *, claim=None, evidence=None, review_round=1):
    return CuratorReview.objects.create(
        claim=claim,
        evidence=evidence,
        review_round=review_round,
        verdict=verdict,
        reviewer=reviewer,
        comment="" if verdict == APPROVE else "Report the number of animals per group.",
    )


def both_review(first, second, verdicts, **target):
    review(first, verdicts[0], **target)
    review(second, verdicts[1], **target)


@pytest.fixture
def panel(personas):
    first, second = personas.reviewer, personas.second_reviewer
    assert first.pk < second.pk
    third = make_user("third-reviewer", "reviewer")
    return first, second, third


def test_a_pair_gets_its_counts_and_the_kappa_worked_by_hand(personas, panel):
    first, second, _ = panel
    for verdicts in [(APPROVE, APPROVE)] * 3 + [(REJECT, REJECT), (APPROVE, CHANGES)]:
        both_review(first, second, verdicts, claim=make_claim(personas.curator))
    # An evidence item is an item too.
    evidence = make_evidence(make_claim(personas.curator))
    both_review(first, second, (CHANGES, CHANGES), evidence=evidence)
    # Not the same submission: rounds 1 and 2 of one claim are no shared item.
    later = make_claim(personas.curator)
    review(first, REJECT, claim=later, review_round=1)
    review(second, APPROVE, claim=later, review_round=2)

    [pair] = reviewer_agreement()

    assert (pair.first, pair.second, pair.items, pair.agreed) == (first.username, second.username, 6, 5)
    assert pair.counts[(APPROVE, APPROVE)] == 3
    assert pair.counts[(REJECT, REJECT)] == 1
    assert pair.counts[(CHANGES, CHANGES)] == 1
    assert pair.counts[(APPROVE, CHANGES)] == 1
    assert pair.counts[(CHANGES, APPROVE)] == 0
    assert sum(pair.counts.values()) == 6
    # p_o = 5/6; first gave approve 4, reject 1, changes 1; second 3, 1, 2:
    # p_e = (4*3 + 1*1 + 1*2)/36 = 15/36; kappa = (30/36 - 15/36) / (21/36) = 5/7.
    assert pair.kappa == pytest.approx(5 / 7)
    assert pair.note == ""


def test_below_the_minimum_the_counts_are_shown_and_kappa_is_not(personas, panel):
    first, _, third = panel
    for _ in range(MIN_ITEMS - 1):
        both_review(first, third, (APPROVE, REJECT), claim=make_claim(personas.curator))

    [pair] = reviewer_agreement()

    assert (pair.first, pair.second) == (first.username, third.username)
    assert pair.counts[(APPROVE, REJECT)] == MIN_ITEMS - 1
    assert pair.kappa is None
    assert pair.note.startswith("too few items")


def test_one_verdict_throughout_says_kappa_is_undefined(personas, panel):
    first, second, _ = panel
    for _ in range(MIN_ITEMS):
        both_review(first, second, (APPROVE, APPROVE), claim=make_claim(personas.curator))

    [pair] = reviewer_agreement()

    assert (pair.items, pair.agreed, pair.kappa) == (MIN_ITEMS, MIN_ITEMS, None)
    assert "undefined" in pair.note


def test_each_pair_is_listed_once_most_shared_items_first(personas, panel):
    first, second, third = panel
    for _ in range(2):
        claim = make_claim(personas.curator)
        both_review(first, second, (APPROVE, APPROVE), claim=claim)
        review(third, APPROVE, claim=claim)
    claim = make_claim(personas.curator)
    both_review(second, third, (REJECT, APPROVE), claim=claim)

    pairs = [(p.first, p.second, p.items) for p in reviewer_agreement()]

    assert pairs == [
        ("second-reviewer", "third-reviewer", 3),
        ("reviewer", "second-reviewer", 2),
        ("reviewer", "third-reviewer", 2),
    ]


def test_a_reviewer_alone_on_every_item_makes_no_pair(personas, panel):
    first, _, _ = panel
    review(first, APPROVE, claim=make_claim(personas.curator))
    assert reviewer_agreement() == []


def test_pairs_cost_two_queries_whatever_the_number_of_reviews(personas, panel, django_assert_num_queries):
    first, second, third = panel
    for _ in range(7):
        claim = make_claim(personas.curator)
        both_review(first, second, (APPROVE, REJECT), claim=claim)
        review(third, CHANGES, claim=claim)
    with django_assert_num_queries(2):
        assert len(reviewer_agreement()) == 3
