"""The claims and evidence lists show which way evidence points at a glance, and filter by
what curators ask: state, synthesis level, contested, direction, evidence type with its tree."""

import pytest
from django.urls import reverse
from django.utils import timezone

from claims import workflow
from claims.models import Claim, Evidence
from tests.factories import make_claim, make_evidence, make_evidence_type, make_paper

pytestmark = pytest.mark.django_db

CLAIMS = reverse("admin:claims_claim_changelist")
EVIDENCE = reverse("admin:claims_evidence_changelist")


@pytest.fixture
def tree():
    """experimental evidence > direct assay evidence > in vitro assay evidence, and an unused
    type beside them (codes and ECO ids of fixtures/evidence_types.json)."""
    experimental = make_evidence_type("experimental", "experimental evidence", "ECO:0000006")
    direct = make_evidence_type("direct-assay", "direct assay evidence", "ECO:0000002")
    in_vitro = make_evidence_type("in-vitro", "in vitro assay evidence", "ECO:0000181")
    direct.parent, in_vitro.parent = experimental, direct
    direct.save()
    in_vitro.save()
    make_evidence_type("clinical-study", "clinical study evidence", "ECO:0000180")
    return experimental, direct, in_vitro


@pytest.fixture
def claims(personas, tree):
    """contested: accepted with supporting and contradicting in vitro evidence;
    supported: accepted with direct-assay support, plus a rejected contradicting item;
    draft: an inconclusive in vitro item only."""
    experimental, direct, in_vitro = tree
    contested = make_claim(created_by=personas.curator, text="Sigma-1R loss causes motor neuron death")
    make_evidence(contested, evidence_type=in_vitro)
    make_evidence(contested, evidence_type=in_vitro, direction="contradicts")
    supported = make_claim(created_by=personas.curator, text="PRE-084 extends survival of SOD1 mice")
    make_evidence(supported, evidence_type=direct)
    for claim in (contested, supported):
        workflow.submit(claim, personas.curator)
        workflow.review(claim, personas.reviewer, "approve")
    refused = make_evidence(supported, evidence_type=direct, direction="contradicts")
    workflow.submit(refused, personas.curator)
    workflow.review(refused, personas.reviewer, "reject", "Not what the figure shows.")
    draft = make_claim(created_by=personas.curator, text="Sigma-1R agonists reduce microglial reactivity")
    make_evidence(draft, evidence_type=in_vitro, direction="inconclusive")
    return {
        name: Claim.objects.get(pk=claim.pk)
        for name, claim in (("contested", contested), ("supported", supported), ("draft", draft))
    }


def listed(client, url, **params):
    response = client.get(url, params)
    assert response.status_code == 200
    return response, [obj.pk for obj in response.context["cl"].result_list]


def row_of(response, claim) -> str:
    """The HTML of the claim's row in the list."""
    text = response.text
    start = text.index(f'value="{claim.pk}"', text.index('id="result_list"'))
    return text[start : text.index("</tr>", start)]


def test_each_claim_shows_its_evidence_by_direction_its_state_and_its_synthesis(client, personas, claims):
    client.force_login(personas.curator)
    response, _ = listed(client, CLAIMS)
    contested = row_of(response, claims["contested"])
    assert 'title="1 supporting (evidence items, rejected ones not counted)"' in contested
    assert 'title="1 contradicting (evidence items, rejected ones not counted)"' in contested
    assert 'class="badge direction-inconclusive zero"' in contested
    assert 'class="badge state-accepted">Accepted<' in contested
    assert 'class="badge level-contested"' in contested
    # The rejected contradicting item does not count: supported shows one supporting item only.
    supported = row_of(response, claims["supported"])
    assert 'title="1 supporting (evidence items, rejected ones not counted)"' in supported
    assert 'class="badge direction-contradicts zero"' in supported
    assert 'class="badge level-moderate"' in supported  # one item of weight 1
    draft = row_of(response, claims["draft"])
    assert 'title="1 inconclusive (evidence items, rejected ones not counted)"' in draft
    assert 'class="badge state-draft">Draft<' in draft
    assert 'class="badge level-none"' in draft


def test_the_lists_show_what_changed_last_first(client, personas, claims):
    Claim.objects.filter(pk=claims["supported"].pk).update(updated_at=timezone.now())
    client.force_login(personas.curator)
    _, order = listed(client, CLAIMS)
    assert order[0] == claims["supported"].pk
    assert order == list(Claim.objects.order_by("-updated_at", "-id").values_list("pk", flat=True))
    latest = Evidence.objects.order_by("pk").first()
    Evidence.objects.filter(pk=latest.pk).update(updated_at=timezone.now())
    _, evidence_order = listed(client, EVIDENCE)
    assert evidence_order[0] == latest.pk


def test_contested_claims_are_found_by_the_contested_and_level_filters(client, personas, claims):
    client.force_login(personas.reviewer)
    assert listed(client, CLAIMS, contested__exact="1")[1] == [claims["contested"].pk]
    assert listed(client, CLAIMS, synthesis_level__exact="contested")[1] == [claims["contested"].pk]
    assert listed(client, CLAIMS, synthesis_level__exact="none")[1] == [claims["draft"].pk]


@pytest.mark.parametrize(
    "direction, expected",
    [
        ("supports", {"contested", "supported"}),
        # The rejected contradicting item of "supported" does not count.
        ("contradicts", {"contested"}),
        ("inconclusive", {"draft"}),
    ],
)
def test_the_direction_filter_finds_claims_with_evidence_pointing_that_way(
    client, personas, claims, direction, expected
):
    client.force_login(personas.curator)
    _, found = listed(client, CLAIMS, direction=direction)
    assert set(found) == {claims[name].pk for name in expected}


def test_the_evidence_type_filter_follows_the_tree(client, personas, claims, tree):
    experimental, direct, in_vitro = tree
    client.force_login(personas.curator)
    everything = {claim.pk for claim in claims.values()}
    assert set(listed(client, CLAIMS, evidence_type=experimental.pk)[1]) == everything
    assert set(listed(client, CLAIMS, evidence_type=direct.pk)[1]) == everything
    assert set(listed(client, CLAIMS, evidence_type=in_vitro.pk)[1]) == {
        claims["contested"].pk,
        claims["draft"].pk,
    }
    _, evidence = listed(client, EVIDENCE, evidence_type=direct.pk)
    assert set(evidence) == set(Evidence.objects.values_list("pk", flat=True))
    _, evidence = listed(client, EVIDENCE, evidence_type=in_vitro.pk)
    assert set(evidence) == set(Evidence.objects.filter(evidence_type=in_vitro).values_list("pk", flat=True))


def test_the_evidence_type_filter_lists_the_types_in_use_under_their_ancestors(
    client, personas, claims, tree
):
    client.force_login(personas.curator)
    response, _ = listed(client, CLAIMS)
    (spec,) = [
        f for f in response.context["cl"].filter_specs if getattr(f, "parameter_name", "") == "evidence_type"
    ]
    # The unused clinical study type is left out; the ancestors of used types are kept.
    assert [label for _, label in spec.lookup_choices] == [
        "experimental evidence",
        "· direct assay evidence",
        "· · in vitro assay evidence",
    ]


def test_a_filter_value_that_names_nothing_is_refused_not_an_error(client, personas, claims):
    client.force_login(personas.curator)
    for params in ({"evidence_type": "not-a-number"}, {"direction": "sideways"}):
        response = client.get(CLAIMS, params)
        assert response.status_code == 302 and response["Location"].endswith("?e=1")


def test_the_evidence_list_shows_direction_and_state_badges(client, personas, claims):
    client.force_login(personas.curator)
    response, _ = listed(client, EVIDENCE)
    assert response.text.count('class="badge direction-contradicts"') == 2
    assert response.text.count('class="badge state-rejected">Rejected<') == 1
    assert response.text.count('class="badge state-accepted">Accepted<') == 3


def test_the_paper_list_finds_a_paper_by_its_doi_as_a_link_or_its_pmid(client, personas):
    paper = make_paper(doi="10.1016/j.neuroscience.2010.02.022", pmid="20167253")
    make_paper(doi="10.1002/ana.22534")
    client.force_login(personas.curator)
    papers = reverse("admin:claims_paper_changelist")
    for term in ("https://doi.org/10.1016/J.Neuroscience.2010.02.022", "PMID:20167253"):
        assert listed(client, papers, q=term)[1] == [paper.pk]
