"""The admin index as a dashboard (claims/admin/dashboard.py), and a reviewer's short path
from it to a decision on the claim page."""

import re
from html import unescape

import pytest
from django.contrib import messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from claims import rereview, workflow
from claims.admin.dashboard import LIMIT
from claims.models import Claim, CuratorReview
from tests.factories import make_claim, make_evidence, make_user
from tests.matrix import ACCEPTED, COMMENT, DRAFT, REJECTED, SUBMITTED, claim_in

pytestmark = pytest.mark.django_db

INDEX = reverse("admin:index")
CLAIMS = reverse("admin:claims_claim_changelist")


def page(client, user, url=INDEX):
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200
    return response.text


def block(html: str, key: str) -> str:
    """The HTML of one dashboard block."""
    found = re.search(rf'<section[^>]*id="dashboard-{key}".*?</section>', html, re.S)
    assert found, f"no {key} block"
    return found.group(0)


def links(html: str) -> list[str]:
    return [unescape(href) for href in re.findall(r'<a href="([^"]+)"', html)]


def claim_url(claim) -> str:
    return reverse("admin:claims_claim_change", args=[claim.pk])


def flag(claim, people):
    rereview.flag(
        [claim.pk], actor=people.staff, reason="A cited paper was retracted: Paper 1.", event="test"
    )


# --- what each block shows ---


def test_a_reviewer_sees_claims_assigned_to_them_first_then_the_rest_of_their_queue(client, personas):
    unassigned = claim_in(SUBMITTED, personas)
    mine = claim_in(SUBMITTED, personas)
    theirs = claim_in(SUBMITTED, personas)
    workflow.assign(mine, personas.reviewer, personas.staff)
    workflow.assign(theirs, personas.second_reviewer, personas.staff)
    workflow.assign(unassigned, personas.reviewer, personas.reviewer)  # touched last: newest
    workflow.assign(unassigned, None, personas.reviewer)

    waiting = block(page(client, personas.reviewer), "review")

    claims = [href for href in links(waiting) if "/change/" in href]
    assert claims == [claim_url(mine), claim_url(unassigned)], "someone else's assignment is theirs"
    assert "assigned to you" in waiting and 'class="mine"' in waiting
    assert f"{CLAIMS}?needs_my_review=yes" in links(waiting)


def test_evidence_waiting_on_accepted_claims_is_counted_with_a_link(client, personas):
    claim = claim_in(ACCEPTED, personas)
    added = make_evidence(claim, created_by=personas.other_curator)
    workflow.submit(added, personas.other_curator)

    waiting = block(page(client, personas.reviewer), "review")

    assert "and 1 evidence item added to accepted claims" in waiting
    assert reverse("admin:claims_evidence_changelist") + "?queue=review" in links(waiting)


def test_a_curator_sees_their_own_drafts(client, personas):
    mine = make_claim(created_by=personas.curator)
    others = make_claim(created_by=personas.other_curator)

    html = page(client, personas.curator)
    drafts = block(html, "drafts")

    assert claim_url(mine) in links(drafts) and claim_url(others) not in links(drafts)
    assert f"{CLAIMS}?queue=drafts" in links(drafts)
    assert 'id="dashboard-review"' not in html, "a curator has no review queue"


def test_a_reviewer_sees_what_they_decided_lately(client, personas):
    approved = claim_in(SUBMITTED, personas)
    sent_back = claim_in(SUBMITTED, personas)
    workflow.review(approved, personas.reviewer, "approve")
    workflow.review(sent_back, personas.reviewer, "request_changes", COMMENT)
    someone_elses = claim_in(REJECTED, personas)  # decided by the second reviewer

    decided = block(page(client, personas.reviewer), "decided")

    assert [h for h in links(decided) if "/change/" in h] == [claim_url(sent_back), claim_url(approved)]
    assert claim_url(someone_elses) not in links(decided)
    assert "request changes" in decided and "approve" in decided
    see_all = (
        reverse("admin:claims_curatorreview_changelist") + f"?reviewer__id__exact={personas.reviewer.pk}"
    )
    assert see_all in links(decided)


def test_counts_by_state_for_claims_and_evidence_link_to_their_lists(client, personas):
    claim_in(DRAFT, personas)
    claim_in(SUBMITTED, personas)
    claim_in(SUBMITTED, personas)
    claim_in(ACCEPTED, personas)

    states = block(page(client, personas.curator), "states")

    rows = dict(re.findall(r'<th scope="row">(\w+)</th>\s*<td><a[^>]*>(\d+)</a></td>', states))
    assert rows == {"Draft": "1", "Submitted": "2", "Accepted": "1", "Rejected": "0", "Retracted": "0"}
    assert f"{CLAIMS}?status__exact=submitted" in links(states)
    assert reverse("admin:claims_evidence_changelist") + "?status__exact=accepted" in links(states)
    evidence = re.search(r"<th scope=\"row\">Submitted</th>.*?</td>\s*<td><a[^>]*>(\d+)</a>", states, re.S)
    assert evidence.group(1) == "2", "each submitted claim carries its evidence"


def test_claims_flagged_for_re_review_are_listed_with_why(client, personas):
    flagged = claim_in(ACCEPTED, personas)
    flag(flagged, personas)
    claim_in(ACCEPTED, personas)

    rereviews = block(page(client, personas.curator), "rereview")

    assert [h for h in links(rereviews) if "/change/" in h] == [claim_url(flagged)]
    assert "A cited paper was retracted" in rereviews
    assert f"{CLAIMS}?needs_rereview__exact=1" in links(rereviews)


def test_reviewer_agreement_is_shown_to_staff_only(client, personas):
    for _ in range(5):
        claim = make_claim(created_by=personas.curator)
        for reviewer in (personas.reviewer, personas.second_reviewer):
            CuratorReview.objects.create(claim=claim, review_round=1, verdict="approve", reviewer=reviewer)
    CuratorReview.objects.create(
        claim=claim_in(SUBMITTED, personas),
        review_round=1,
        verdict="reject",
        comment=COMMENT,
        reviewer=personas.reviewer,
    )

    table = block(page(client, personas.staff), "agreement")

    assert "reviewer &amp; second-reviewer" in table
    assert "kappa undefined" in table, "one verdict throughout: no kappa, and why"
    assert 'id="dashboard-agreement"' not in page(client, personas.reviewer)
    assert 'id="dashboard-agreement"' not in page(client, personas.curator)


def test_the_applications_stay_below_the_dashboard(client, personas):
    html = page(client, personas.curator)
    assert html.index('id="dashboard-states"') < html.index('class="app-claims')


def test_someone_without_a_curation_role_sees_only_the_applications(client, personas):
    outsider = make_user("admin-only")
    outsider.is_staff = True
    outsider.save()
    html = page(client, outsider)
    assert "curation-dashboard" not in html


# --- constant cost ---


def index_queries(client, user) -> int:
    client.force_login(user)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(INDEX).status_code == 200
    return len(queries)


def grow(people, n: int):
    """n claims in each state the dashboard lists, assigned, decided, flagged and reviewed."""
    for _ in range(n):
        make_claim(created_by=people.curator)
        assigned = claim_in(SUBMITTED, people)
        workflow.assign(assigned, people.reviewer, people.staff)
        claim_in(SUBMITTED, people)
        decided = claim_in(SUBMITTED, people)
        workflow.review(decided, people.reviewer, "request_changes", COMMENT)
        flagged = claim_in(ACCEPTED, people)
        flag(flagged, people)


@pytest.mark.parametrize("who", ["reviewer", "curator", "staff"])
def test_the_dashboard_costs_the_same_queries_at_one_and_at_many_rows(
    client, personas, django_assert_num_queries, who
):
    user = getattr(personas, who)
    grow(personas, 1)
    once = index_queries(client, user)
    grow(personas, 5)  # more rows than a block shows
    assert Claim.objects.filter(status="draft", created_by=personas.curator).count() > LIMIT

    with django_assert_num_queries(once):
        client.get(INDEX)


# --- from the index to a decision: three clicks ---


def follow_link_to(html: str, claim) -> str:
    """Click the dashboard's link to the claim: the URL it leads to."""
    [href] = [h for h in links(block(html, "review")) if h == claim_url(claim)]
    return href


DECIDE_FORM = re.compile(r'<form method="post" action="([^"]+)" class="decide">(.*?)</form>', re.S)


def decision_form(html: str, action: str) -> tuple[str, dict]:
    """The claim page's button for an action: where its form posts and what it sends."""
    for url, body in DECIDE_FORM.findall(html):
        fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', body))
        if fields.get("action") == action:
            return url, fields
    raise AssertionError(f"the claim page has no {action} button")


def test_a_reviewer_approves_an_assigned_claim_in_two_clicks_from_the_index(client, personas):
    claim = claim_in(SUBMITTED, personas)
    workflow.assign(claim, personas.reviewer, personas.staff)
    client.force_login(personas.reviewer)

    index = client.get(INDEX).text
    claim_page = client.get(follow_link_to(index, claim))  # click 1
    assert claim_page.status_code == 200
    url, fields = decision_form(claim_page.text, "approve")
    done = client.post(url, fields, follow=True)  # click 2

    assert Claim.objects.get(pk=claim.pk).status == ACCEPTED
    [(level, text)] = [(m.level, str(m)) for m in done.context["messages"]]
    assert level == messages.SUCCESS and text.startswith("Approved claim")


def test_a_reviewer_requests_changes_in_three_clicks_from_the_index(client, personas):
    claim = claim_in(SUBMITTED, personas)
    workflow.assign(claim, personas.reviewer, personas.staff)
    client.force_login(personas.reviewer)

    claim_page = client.get(follow_link_to(client.get(INDEX).text, claim))  # click 1
    url, fields = decision_form(claim_page.text, "request_changes")
    form_page = client.post(url, fields)  # click 2: the comment form
    assert form_page.status_code == 200 and 'name="comment"' in form_page.text
    client.post(url, {**fields, "comment": COMMENT, "apply": "Request changes"})  # click 3

    claim.refresh_from_db()
    assert (claim.status, claim.assigned_reviewer) == (DRAFT, None)
    assert claim.reviews.get().comment == COMMENT


def test_the_claim_page_offers_only_what_the_user_may_do(client, personas):
    claim = claim_in(SUBMITTED, personas)
    change = claim_url(claim)

    as_reviewer = page(client, personas.reviewer, change)
    offered = set(re.findall(r'name="action" value="(\w+)"', as_reviewer))
    assert offered == {"approve", "reject", "request_changes", "take"}

    as_author = page(client, personas.curator, change)
    assert set(re.findall(r'name="action" value="(\w+)"', as_author)) == {"withdraw"}

    as_staff = page(client, personas.staff, change)
    assert "assign" in re.findall(r'name="action" value="(\w+)"', as_staff)

    workflow.assign(claim, personas.second_reviewer, personas.staff)
    as_reviewer = page(client, personas.reviewer, change)
    assert "Assigned to second-reviewer" in as_reviewer
    assert "take" not in re.findall(r'name="action" value="(\w+)"', as_reviewer)


@pytest.mark.parametrize("who", ["reviewer", "curator", "staff"])
def test_every_link_on_the_dashboard_opens_its_page(client, personas, who):
    grow(personas, 1)
    user = getattr(personas, who)
    html = page(client, user)
    dashboard = re.search(r'<div class="curation-dashboard">.*?(?=<div class="app-)', html, re.S).group(0)
    targets = set(links(dashboard))
    assert len(targets) > 5
    for url in targets:
        response = client.get(url)
        # An unknown filter would send the list back to itself with ?e=1 (a redirect).
        assert response.status_code == 200, url
