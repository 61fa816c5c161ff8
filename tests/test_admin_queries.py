"""Every admin page the curators live in costs the same number of queries with one row as
with fifty: lists, the claim page with its evidence rows, the paper page with the evidence
citing it."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from claims import workflow
from claims.choices import Direction
from claims.models import Evidence
from tests.factories import make_claim, make_evidence, make_evidence_type, make_paper, make_topic

pytestmark = pytest.mark.django_db

DIRECTIONS = list(Direction.values)


def page_queries(client, url, params=None, warm=True) -> int:
    if warm:  # the first request fills caches (content types, permissions)
        client.get(url, params or {})
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params or {})
    assert response.status_code == 200, url
    return len(queries)


@pytest.fixture
def vocabulary():
    """A root evidence type, a child under it, and a second root: the type filter's tree."""
    root = make_evidence_type()
    child = make_evidence_type("in-vivo-child", "Child of in vivo", eco_id="")
    child.parent = root
    child.save()
    other = make_evidence_type("review", "Review", eco_id="")
    return [root, child, other]


def add_claim(personas, vocabulary, n: int):
    """A claim with evidence of every direction, accepted every other time, under a topic:
    every column and badge the lists draw."""
    claim = make_claim(created_by=personas.curator)
    claim.topics.add(make_topic(slug=f"topic-{n}", name=f"Topic {n}"))
    for index, direction in enumerate(DIRECTIONS):
        make_evidence(
            claim,
            paper=make_paper(),
            evidence_type=vocabulary[index],
            direction=direction,
        )
    if n % 2:
        workflow.submit(claim, personas.curator)
        workflow.review(claim, personas.reviewer, "approve")
    return claim


def test_claim_evidence_and_paper_lists_cost_the_same_for_1_and_12_claims(client, personas, vocabulary):
    client.force_login(personas.curator)
    add_claim(personas, vocabulary, 0)
    claims = reverse("admin:claims_claim_changelist")
    evidence = reverse("admin:claims_evidence_changelist")
    lists = [
        (claims, {}),
        (claims, {"direction": "contradicts", "contested__exact": "1"}),
        (claims, {"evidence_type": vocabulary[0].pk, "synthesis_level__exact": "contested"}),
        (claims, {"q": "SOD1", "o": "3"}),
        (evidence, {}),
        (evidence, {"evidence_type": vocabulary[0].pk}),
        (reverse("admin:claims_paper_changelist"), {}),
    ]
    few = [page_queries(client, url, params) for url, params in lists]
    for n in range(1, 12):
        add_claim(personas, vocabulary, n)
    many = [page_queries(client, url, params, warm=False) for url, params in lists]
    assert many == few


@pytest.fixture
def claim_page(client, personas, vocabulary):
    """The claim page's query count with `rows` evidence items on distinct papers."""
    claim = make_claim(created_by=personas.curator)
    client.force_login(personas.curator)
    url = reverse("admin:claims_claim_change", args=[claim.pk])

    def measure(rows: int) -> int:
        for index in range(claim.evidence.count(), rows):
            make_evidence(
                claim,
                paper=make_paper(),
                evidence_type=vocabulary[index % 3],
                direction=DIRECTIONS[index % 3],
            )
        return page_queries(client, url)

    return measure


def test_the_claim_page_costs_the_same_with_1_and_50_evidence_rows(claim_page):
    assert claim_page(1) == claim_page(50)


def test_an_accepted_claims_page_costs_the_same_with_1_and_50_evidence_rows(personas, claim_page):
    claim_page(1)
    claim = Evidence.objects.get().claim
    workflow.submit(claim, personas.curator)
    workflow.review(claim, personas.reviewer, "approve")
    # Accepted rows are frozen (their inputs disabled); the 49 added after are drafts.
    assert claim_page(1) == claim_page(50)


def test_the_paper_page_costs_the_same_with_1_and_50_citing_items(client, personas, vocabulary):
    paper = make_paper(doi="10.1016/j.neuroscience.2010.02.022", pmid="20167253")
    client.force_login(personas.curator)
    url = reverse("admin:claims_paper_change", args=[paper.pk])
    make_evidence(make_claim(created_by=personas.curator), paper=paper)
    one = page_queries(client, url)
    for _ in range(49):
        make_evidence(
            make_claim(created_by=personas.curator),
            paper=paper,
            evidence_type=vocabulary[1],
            direction=Direction.CONTRADICTS,
        )
    assert page_queries(client, url) == one


def test_the_evidence_add_page_with_a_paper_chosen_costs_a_fixed_number(client, personas):
    paper = make_paper()
    client.force_login(personas.curator)
    url = reverse("admin:claims_evidence_add")
    empty = page_queries(client, url)
    # Django's autocomplete reads the chosen paper to show it: one query, whatever the data.
    assert page_queries(client, url, {"paper": paper.pk}) == empty + 1
