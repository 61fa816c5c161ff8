"""The claim page shows its evidence at a glance, and papers and evidence are added without
leaving the flow: by DOI or PMID from the claim page, from a paper's own page, with a message
after each step that says what comes next."""

import json
import re
import xml.etree.ElementTree as ET

import pytest
from django.contrib import messages
from django.urls import reverse
from django.utils.html import escape

from claims import workflow
from claims.models import Evidence, Paper
from tests.factories import admin_form_data, make_claim, make_evidence, make_evidence_type, make_paper

pytestmark = pytest.mark.django_db

SVG = "{http://www.w3.org/2000/svg}"
# Two papers of the seed data (fixtures/sigma1r_als.json), as stored.
NEUROSCIENCE = {
    "doi": "10.1016/j.neuroscience.2010.02.022",
    "pmid": "20167253",
    "year": 2010,
    "journal": "Neuroscience",
    "title": "The sigma-1 receptor is enriched in postsynaptic sites of C-terminals in "
    "mouse motoneurons. An anatomical and behavioral study",
}
ANNALS = {
    "doi": "10.1002/ana.22534",
    "pmid": "",
    "year": 2011,
    "journal": "Annals of Neurology",
    "title": "A mutation in sigma-1 receptor causes juvenile amyotrophic lateral sclerosis",
}


def claim_url(claim):
    return reverse("admin:claims_claim_change", args=[claim.pk])


def chart_of(response) -> dict:
    """The chart's bars as {label: {direction: (items, not yet accepted)}}."""
    match = re.search(r'<svg [^>]*class="evidence-chart".*?</svg>', response.text, re.DOTALL)
    assert match, "no chart on the page"
    root = ET.fromstring(match[0])
    return {
        bar.get("data-label"): {
            segment.get("data-direction"): (int(segment.get("data-count")), int(segment.get("data-pending")))
            for segment in bar.iter(f"{SVG}g")
            if segment.get("class") == "segment"
        }
        for bar in root.iter(f"{SVG}g")
        if bar.get("class") == "bar"
    }


def shown(response) -> list[tuple[int, str]]:
    return [(m.level, str(m)) for m in response.context["messages"]]


@pytest.fixture
def types():
    animal = make_evidence_type()
    in_vitro = make_evidence_type("in-vitro", "in vitro assay evidence", "ECO:0000181")
    return animal, in_vitro


@pytest.fixture
def reviewed_claim(personas, types):
    """An accepted claim: two supporting animal studies accepted with it, then a contradicting
    in vitro item waiting as a draft and an inconclusive one that reviewers rejected."""
    animal, in_vitro = types
    claim = make_claim(created_by=personas.curator)
    neuroscience, annals = make_paper(**NEUROSCIENCE), make_paper(**ANNALS)
    make_evidence(claim, paper=neuroscience, evidence_type=animal)
    make_evidence(claim, paper=annals, evidence_type=animal)
    workflow.submit(claim, personas.curator)
    workflow.review(claim, personas.reviewer, "approve")
    make_evidence(claim, paper=annals, evidence_type=in_vitro, direction="contradicts")
    rejected = make_evidence(claim, paper=make_paper(), evidence_type=in_vitro, direction="inconclusive")
    workflow.submit(rejected, personas.curator)
    workflow.review(rejected, personas.reviewer, "reject", "The figure shows no such thing.")
    claim.refresh_from_db()
    return claim


def test_the_chart_counts_the_claims_evidence_by_type_and_direction(client, personas, reviewed_claim):
    client.force_login(personas.curator)
    response = client.get(claim_url(reviewed_claim))
    assert chart_of(response) == {
        "In vivo animal model": {"supports": (2, 0)},
        # The draft is drawn paler; the rejected item is left out.
        "in vitro assay evidence": {"contradicts": (1, 1)},
    }
    assert "3 evidence items by type and direction" in response.text


def test_the_synthesis_level_is_shown_with_its_rule_in_words(client, personas, reviewed_claim):
    client.force_login(personas.reviewer)
    response = client.get(claim_url(reviewed_claim))
    # Two in vivo items that leave study-quality items unreported weigh half each: 0.5 + 0.5.
    assert reviewed_claim.synthesis_level == "moderate"
    glance = response.text[response.text.index("evidence-glance-module") :]
    assert re.search(r"Synthesis: <span class=\"badge level-moderate\"[^>]*>Moderate</span>", glance)
    assert escape(reviewed_claim.synthesis["rule"]) in glance
    assert "Accepted evidence counted: 2 supporting, 0 contradicting" in glance
    assert escape("at half their type's weight") in glance


def test_each_cited_paper_links_to_its_doi_and_pubmed_record(client, personas, reviewed_claim):
    client.force_login(personas.curator)
    response = client.get(claim_url(reviewed_claim))
    papers = response.text[response.text.index('class="papers"') :]
    assert 'href="https://doi.org/10.1016/j.neuroscience.2010.02.022"' in papers
    assert 'href="https://pubmed.ncbi.nlm.nih.gov/20167253/"' in papers
    assert 'href="https://doi.org/10.1002/ana.22534"' in papers
    # One PubMed link: the Annals paper has no PMID stored.
    assert papers.count("https://pubmed.ncbi.nlm.nih.gov/") == 1
    neuroscience = Paper.objects.get(doi=NEUROSCIENCE["doi"])
    assert reverse("admin:claims_paper_change", args=[neuroscience.pk]) in papers
    # The rejected item's paper is not among those the claim rests on.
    assert papers.count("<li>") == 2


def test_a_claim_without_evidence_says_how_to_add_it(client, personas):
    client.force_login(personas.curator)
    response = client.get(claim_url(make_claim(created_by=personas.curator)))
    assert "No evidence yet" in response.text and 'class="evidence-chart"' not in response.text
    # The how: where to add it and how to find its paper.
    assert "Add it in the rows below: find each paper by its DOI or PMID" in response.text


def test_paper_and_type_labels_on_the_page_are_escaped(client, personas):
    claim = make_claim(created_by=personas.curator)
    kind = make_evidence_type("odd", "<b>bold</b> type", "")
    make_evidence(claim, paper=make_paper(title="<i>Italic</i> & title"), evidence_type=kind)
    client.force_login(personas.curator)
    response = client.get(claim_url(claim))
    assert "<b>bold</b>" not in response.text and "<i>Italic</i>" not in response.text
    assert "&lt;b&gt;bold&lt;/b&gt; type" in response.text
    assert chart_of(response) == {"<b>bold</b> type": {"supports": (1, 1)}}


# --- papers by DOI or PMID, evidence from a paper ---


def autocomplete(client, term):
    response = client.get(
        reverse("admin:autocomplete"),
        {"app_label": "claims", "model_name": "evidence", "field_name": "paper", "term": term},
    )
    assert response.status_code == 200
    return [row["text"] for row in response.json()["results"]]


@pytest.mark.parametrize(
    "term",
    [
        "10.1016/j.neuroscience.2010.02.022",
        "https://doi.org/10.1016/J.NEUROSCIENCE.2010.02.022",
        "doi:10.1016/j.neuroscience.2010.02.022",
        "20167253",
        "PMID:20167253",
        "pmid 20167253",
    ],
)
def test_the_evidence_rows_paper_search_finds_a_paper_by_doi_or_pmid(client, personas, term):
    paper = make_paper(**NEUROSCIENCE)
    make_paper(**ANNALS)
    client.force_login(personas.curator)
    assert autocomplete(client, term) == [str(paper)]


def test_the_claim_pages_paper_field_adds_a_missing_paper_in_a_popup(client, personas):
    client.force_login(personas.curator)
    response = client.get(claim_url(make_claim(created_by=personas.curator)))
    assert 'id="add_id_evidence-0-paper"' in response.text
    assert "claims/paper_from_identifier.js" in response.text
    assert "Type a DOI, a PMID or words of the title" in response.text


@pytest.mark.parametrize(
    "typed, field, value",
    [
        ("https://doi.org/10.1002/ANA.22534", "doi", "10.1002/ana.22534"),
        ("PMID:20167253", "pmid", "20167253"),
    ],
)
def test_the_add_paper_popup_is_prefilled_from_the_doi_or_pmid_typed(client, personas, typed, field, value):
    client.force_login(personas.curator)
    response = client.get(
        reverse("admin:claims_paper_add"), {"_to_field": "id", "_popup": "1", "identifier": typed}
    )
    form = response.context["adminform"].form
    assert form[field].value() == value
    # Nothing else is filled in: the curator types the title from the paper.
    assert not form["title"].value() and not form["journal"].value()
    assert "nothing is looked up in Crossref or PubMed" in response.text


def test_words_typed_in_the_search_fill_in_nothing(client, personas):
    client.force_login(personas.curator)
    response = client.get(reverse("admin:claims_paper_add"), {"identifier": "sigma receptor"})
    form = response.context["adminform"].form
    assert not (form["doi"].value() or form["pmid"].value() or form["title"].value())


def test_a_paper_added_in_the_popup_goes_back_to_the_evidence_row(client, personas):
    client.force_login(personas.curator)
    add = reverse("admin:claims_paper_add")
    data = admin_form_data(client.get(add, {"_to_field": "id", "_popup": "1", "identifier": ANNALS["doi"]}))
    data.update({"title": ANNALS["title"], "_popup": "1", "_to_field": "id"})
    response = client.post(add, data)
    assert response.status_code == 200
    paper = Paper.objects.get(doi=ANNALS["doi"])
    assert "admin/popup_response.html" in [t.name for t in response.templates]
    assert json.loads(response.context["popup_response_data"])["value"] == str(paper.pk)
    assert paper.history.get().history_user == personas.curator  # saved through the services


def test_a_papers_page_offers_to_add_evidence_with_the_paper_chosen(client, personas):
    paper = make_paper(**NEUROSCIENCE)
    client.force_login(personas.curator)
    response = client.get(reverse("admin:claims_paper_change", args=[paper.pk]))
    add = f"{reverse('admin:claims_evidence_add')}?paper={paper.pk}"
    assert response.text.count(f'href="{add}"') == 2  # among the tools, and under the citing evidence
    assert "Add evidence from this paper" in response.text
    form_page = client.get(add)
    assert form_page.context["adminform"].form["paper"].value() == str(paper.pk)
    assert f'<option value="{paper.pk}" selected>{paper}</option>' in form_page.text


def test_evidence_added_from_a_paper_says_what_comes_next(client, personas, types):
    paper = make_paper(**NEUROSCIENCE)
    claim = make_claim(created_by=personas.curator)
    client.force_login(personas.curator)
    add = reverse("admin:claims_evidence_add")
    data = admin_form_data(client.get(add, {"paper": paper.pk}))
    data.update(
        {"claim": claim.pk, "evidence_type": types[0].pk, "direction": "supports", "location": "Fig. 2"}
    )
    response = client.post(add, data, follow=True)
    evidence = Evidence.objects.get()
    assert (evidence.paper, evidence.claim, evidence.created_by) == (paper, claim, personas.curator)
    assert (messages.INFO, "It goes to review with its claim, when the claim is submitted.") in shown(
        response
    )


def test_a_new_claim_is_told_to_gather_evidence_then_submit(client, personas):
    client.force_login(personas.curator)
    add = reverse("admin:claims_claim_add")
    data = admin_form_data(client.get(add))
    data.update({"text": "Sigma-1R mutation E102Q causes juvenile ALS", "_continue": "1"})
    response = client.post(add, data, follow=True)
    levels = dict((text, level) for level, text in shown(response))
    (next_step,) = [text for text, level in levels.items() if level == messages.INFO]
    assert next_step.startswith("Next: add its evidence") and "Submit for review" in next_step


@pytest.mark.parametrize(
    "action, verdict_words",
    [
        ("request_changes", "Its author sees your comment among its reviews, edits it and submits it again."),
        ("reject", "Its author may reopen it to rework it."),
    ],
)
def test_a_reviewers_decision_says_who_acts_next(client, personas, action, verdict_words):
    claim = make_claim(created_by=personas.curator)
    make_evidence(claim)
    workflow.submit(claim, personas.curator)
    client.force_login(personas.reviewer)
    response = client.post(
        reverse("admin:claims_claim_changelist"),
        {"action": action, "_selected_action": [claim.pk], "apply": "1", "comment": "Give n."},
        follow=True,
    )
    [(level, text)] = shown(response)
    assert level == messages.SUCCESS and text.endswith(verdict_words)
