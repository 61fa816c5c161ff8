"""A claim's and an evidence item's change page ends with its history: every transition with
its user, every review with its comment, every edit with its fields' before and after, all
escaped, at a fixed number of queries."""

import html
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import strip_tags

from claims import workflow, writes
from claims.history import history_of
from claims.models import Claim, Evidence
from tests.factories import admin_form_data, make_claim, make_evidence

pytestmark = pytest.mark.django_db

TABLE = re.compile(r'<table class="history-entries">.*?</table>', re.S)
COLUMNS = ("when", "who", "on", "what", "status", "details")


def url(model, view, *args):
    return reverse(f"admin:claims_{model._meta.model_name}_{view}", args=args)


def history_html(response) -> str:
    """The history table of a change page, as served."""
    assert response.status_code == 200
    tables = TABLE.findall(response.text)
    assert len(tables) == 1, "the page has no history table"
    return tables[0]


def history_rows(response) -> list[dict]:
    """The history table's rows as plain text, one dict per row, oldest first."""
    rows = re.findall(r"<tr>(.*?)</tr>", history_html(response).split("<tbody>")[1], re.S)
    return [dict(zip(COLUMNS, (html.unescape(strip_tags(cell)).strip()
                               for cell in re.findall(r"<td>(.*?)</td>", row, re.S)),
                     strict=True))
            for row in rows]


def edit_in_admin(client, obj, **changes):
    data = admin_form_data(client.get(url(type(obj), "change", obj.pk)))
    data.update(changes)
    response = client.post(url(type(obj), "change", obj.pk), data)
    assert response.status_code == 302, response.context["adminform"].form.errors


@pytest.fixture
def reworked(client, personas):
    """Submitted by the curator, sent back by the reviewer, edited in the admin, resubmitted."""
    claim = make_claim(created_by=personas.curator, context="SOD1-G93A mouse")
    workflow.submit(claim, personas.curator)
    workflow.review(claim, personas.reviewer, "request_changes", "Say which mouse strain.")
    client.force_login(personas.curator)
    edit_in_admin(client, claim, context="SOD1-G93A mouse, B6SJL background")
    workflow.submit(claim, personas.curator)
    return claim


def test_the_claim_page_tells_each_transition_with_its_user_and_the_reviewers_comment(
        client, personas, reworked):
    client.force_login(personas.staff)
    rows = history_rows(client.get(url(Claim, "change", reworked.pk)))
    story = [(row["who"], row["on"], row["what"], row["status"]) for row in rows]
    assert story == [
        ("—", "claim", "created", "draft"),
        ("curator", "claim", "submit", "submitted"),
        ("reviewer", "review of claim (round 1)", "review: request_changes", "—"),
        ("reviewer", "claim", "request_changes", "draft"),
        ("curator", "claim", "changed", "draft"),
        ("curator", "claim", "submit", "submitted"),
    ]
    assert rows[1]["details"] == "status: draft → submittedreview_round: 0 → 1"
    assert rows[2]["details"] == "Say which mouse strain."
    assert rows[4]["details"] == "context: SOD1-G93A mouse → SOD1-G93A mouse, B6SJL background"
    assert all(row["when"] for row in rows)


def test_the_history_links_to_every_recorded_version(client, personas, reworked):
    client.force_login(personas.curator)
    response = client.get(url(Claim, "change", reworked.pk))
    assert f'href="{url(Claim, "history", reworked.pk)}"' in response.text
    assert [name for name, _ in response.context["adminform"].fieldsets][-1] == "History"


def test_user_text_in_comments_and_fields_is_shown_escaped(client, personas):
    claim = make_claim(created_by=personas.curator)
    workflow.submit(claim, personas.curator)
    workflow.review(claim, personas.reviewer, "request_changes",
                    "<script>alert('comment')</script>")
    client.force_login(personas.curator)
    edit_in_admin(client, claim, context='<img src=x onerror="alert(1)">')
    client.force_login(personas.reviewer)
    response = client.get(url(Claim, "change", claim.pk))
    table = history_html(response)
    assert "&lt;script&gt;alert(&#x27;comment&#x27;)&lt;/script&gt;" in table
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in table
    assert "<script>alert" not in response.text
    assert "<img src=x" not in response.text


def test_the_claim_page_shows_its_evidences_history_too(client, personas):
    claim = make_claim(created_by=personas.curator)
    make_evidence(claim, location="Fig. 2")
    workflow.submit(claim, personas.curator)
    client.force_login(personas.staff)
    rows = history_rows(client.get(url(Claim, "change", claim.pk)))
    assert ("curator", "evidence", "submit with claim", "submitted") in [
        (row["who"], row["on"], row["what"], row["status"]) for row in rows]


def test_the_evidence_page_shows_its_own_history_and_reviews(client, personas):
    claim = make_claim(created_by=personas.curator)
    workflow.submit(claim, personas.curator)
    workflow.review(claim, personas.reviewer, "approve")
    evidence = make_evidence(claim, created_by=personas.other_curator)
    workflow.submit(evidence, personas.other_curator)
    workflow.review(evidence, personas.second_reviewer, "request_changes", "Give the panel.")
    client.force_login(personas.other_curator)
    response = client.get(url(Evidence, "change", evidence.pk))
    rows = history_rows(response)
    assert [(row["who"], row["what"], row["details"]) for row in rows[1:]] == [
        ("other-curator", "submit", "status: draft → submittedreview_round: 0 → 1"),
        ("second-reviewer", "review: request_changes", "Give the panel."),
        ("second-reviewer", "request_changes", "status: submitted → draft"),
    ]
    assert rows[2]["on"] == f"review of evidence {evidence.pk} (round 1)"
    assert f'href="{url(Evidence, "history", evidence.pk)}"' in response.text


@pytest.mark.parametrize("model", [Claim, Evidence], ids=lambda m: m.__name__)
def test_the_add_page_has_no_history(client, personas, model):
    client.force_login(personas.curator)
    response = client.get(url(model, "add"))
    assert response.status_code == 200
    assert not TABLE.search(response.text)


def grow_history(claim, personas):
    """Nine more entries on the claim, by four users, with two reviews and an edit."""
    workflow.submit(claim, personas.curator)
    workflow.review(claim, personas.reviewer, "request_changes", "Name the strain.")
    writes.update(claim, actor=personas.other_curator, data={"context": "SOD1-G93A mouse, n=12"})
    workflow.submit(claim, personas.staff)
    workflow.withdraw(claim, personas.curator)
    workflow.submit(claim, personas.curator)
    workflow.review(claim, personas.second_reviewer, "reject", "Not what Fig. 2 shows.")


@pytest.mark.parametrize("persona", ["staff", "curator", "reviewer"])
def test_the_claim_page_costs_the_same_queries_for_1_and_10_history_entries(
        client, personas, persona):
    claim = make_claim(created_by=personas.curator)

    def page_queries():
        client.force_login(getattr(personas, persona))  # the user is loaded by the request
        with CaptureQueriesContext(connection) as queries:
            rows = history_rows(client.get(url(Claim, "change", claim.pk)))
        return len(queries), len(rows)

    few, shown = page_queries()
    assert shown == len(history_of(claim, sees_everything=True)) == 1
    grow_history(claim, personas)
    many, shown = page_queries()
    assert shown == len(history_of(claim, sees_everything=True)) == 10
    assert many == few
