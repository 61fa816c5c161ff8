"""The review workflow driven through the admin's actions: each selected object goes through
claims.workflow, and the admin reports what was done and what was refused, object by object."""

import pytest
from django.contrib import messages
from django.urls import reverse

from claims import workflow
from claims.models import Claim, ClaimVersion, CuratorReview, Evidence
from tests.factories import (
    admin_form_data,
    make_claim,
    make_evidence,
    make_evidence_type,
    make_paper,
    make_user,
)

pytestmark = pytest.mark.django_db

CLAIMS = reverse("admin:claims_claim_changelist")
EVIDENCE = reverse("admin:claims_evidence_changelist")


def run_action(client, action, *objects, changelist=CLAIMS, **form):
    """POST an action from the changelist, as its action bar does, and follow it back to the
    changelist. With form fields, the intermediate page is confirmed as its "apply" button
    does."""
    data = {"action": action, "_selected_action": [obj.pk for obj in objects]}
    if form:
        data.update(form, apply="Apply")
    else:
        data["index"] = 0
    return client.post(changelist, data, follow=True)


def save_form(client, url, data):
    response = client.post(url, data, follow=True)
    assert response.redirect_chain, response.context["adminform"].form.errors
    return response


def reported(response):
    """The messages shown on the page the action led back to, as (level, text)."""
    assert response.redirect_chain, "the action did not finish: it answered with a page"
    return [(m.level, str(m)) for m in response.context["messages"]]


def status_of(obj):
    return type(obj).objects.get(pk=obj.pk).status


@pytest.fixture
def curating_reviewer(personas):
    """A curator who also reviews: the four-eyes rule, not the role, stops them."""
    return make_user("curating-reviewer", "curator", "reviewer")


def add_claim_in_admin(client, text):
    data = admin_form_data(client.get(reverse("admin:claims_claim_add")))
    data.update({"text": text, "relation": "increases", "subject": "PRE-084",
                 "object": "survival", "context": "SOD1-G93A mouse",
                 "evidence-0-paper": make_paper().pk,
                 "evidence-0-evidence_type": make_evidence_type().pk,
                 "evidence-0-direction": "supports", "evidence-0-location": "Fig. 3B"})
    save_form(client, reverse("admin:claims_claim_add"), data)
    return Claim.objects.get(text=text)


def test_full_review_round_trip_in_the_admin(client, personas, curating_reviewer):
    author = curating_reviewer
    client.force_login(author)
    claim = add_claim_in_admin(client, "PRE-084 extends survival of SOD1-G93A mice")
    assert claim.evidence.get().created_by == author
    assert (claim.created_by, claim.updated_by) == (author, author)

    response = run_action(client, "submit", claim)
    assert reported(response) == [(messages.SUCCESS, f"Submitted claim {claim.pk} “{claim}”: "
                                                     "now submitted. Reviewers find it in their "
                                                     "review queue; withdraw it to edit it meanwhile.")]
    assert status_of(claim) == "submitted"
    assert claim.evidence.get().status == "submitted"

    own = run_action(client, "approve", claim)
    [(level, text)] = reported(own)
    assert level == messages.ERROR
    assert "Four-eyes rule" in text
    assert status_of(claim) == "submitted"
    assert not CuratorReview.objects.exists()

    client.force_login(personas.reviewer)
    form_page = run_action(client, "reject", claim)
    assert form_page.status_code == 200
    assert "admin/claims/workflow_action_form.html" in [t.name for t in form_page.templates]
    assert 'name="comment"' in form_page.text
    assert f'name="_selected_action" value="{claim.pk}"' in form_page.text
    assert status_of(claim) == "submitted"
    rejected = run_action(client, "reject", claim, comment="Report the number of mice.")
    assert reported(rejected)[0][0] == messages.SUCCESS
    assert status_of(claim) == "rejected"
    assert claim.reviews.get().comment == "Report the number of mice."

    client.force_login(author)
    assert reported(run_action(client, "reopen", claim))[0][0] == messages.SUCCESS
    assert status_of(claim) == "draft"
    change = reverse("admin:claims_claim_change", args=[claim.pk])
    data = admin_form_data(client.get(change))
    data["context"] = "SOD1-G93A mouse, n=12 per group"
    save_form(client, change, data)
    assert reported(run_action(client, "submit", claim))[0][0] == messages.SUCCESS
    claim.refresh_from_db()
    assert (claim.status, claim.review_round) == ("submitted", 2)

    client.force_login(personas.second_reviewer)
    approved = run_action(client, "approve", claim)
    assert reported(approved) == [(messages.SUCCESS, f"Approved claim {claim.pk} “{claim}”: "
                                                     "now accepted. It is public now, with its "
                                                     "evidence synthesis; evidence added to it later "
                                                     "is reviewed item by item.")]
    claim.refresh_from_db()
    assert claim.status == "accepted"
    assert claim.evidence.get().status == "accepted"
    version = ClaimVersion.objects.get(claim=claim)
    assert (version.number, version.content["context"]) == (1, "SOD1-G93A mouse, n=12 per group")


@pytest.fixture
def submitted(personas):
    claim = make_claim(created_by=personas.curator)
    make_evidence(claim)
    workflow.submit(claim, personas.curator)
    return claim


@pytest.mark.parametrize("comment", ["", "   "], ids=["empty", "blank"])
def test_reject_without_a_comment_is_refused_and_the_form_asks_again(client, personas, submitted,
                                                                     comment):
    client.force_login(personas.reviewer)
    response = run_action(client, "reject", submitted, comment=comment)
    assert response.status_code == 200
    assert response.context["form"].errors["comment"] == [
        "A comment is required to reject or request changes."]
    assert status_of(submitted) == "submitted"
    assert not CuratorReview.objects.exists()


def test_request_changes_sends_the_claim_back_to_draft_with_the_comment(client, personas, submitted):
    client.force_login(personas.reviewer)
    assert run_action(client, "request_changes", submitted).status_code == 200
    response = run_action(client, "request_changes", submitted, comment="Name the strain.")
    assert reported(response)[0][0] == messages.SUCCESS
    assert status_of(submitted) == "draft"
    assert submitted.reviews.get().verdict == "request_changes"


def test_an_approval_short_of_the_quorum_says_more_are_needed(client, personas, submitted, settings):
    settings.CURATION_REQUIRED_APPROVALS = 2
    client.force_login(personas.reviewer)
    [(level, text)] = reported(run_action(client, "approve", submitted))
    assert level == messages.SUCCESS
    assert text.endswith("now submitted. It needs more approvals from other reviewers.")
    client.force_login(personas.second_reviewer)
    run_action(client, "approve", submitted)
    assert status_of(submitted) == "accepted"


def test_author_withdraws_a_submission(client, personas, submitted):
    client.force_login(personas.curator)
    assert reported(run_action(client, "withdraw", submitted))[0][0] == messages.SUCCESS
    assert status_of(submitted) == "draft"


def test_each_selected_claim_is_reported_and_refusals_change_nothing(client, personas, submitted):
    draft = make_claim(created_by=personas.curator)
    someone_elses = make_claim(created_by=personas.other_curator)
    client.force_login(personas.curator)
    response = run_action(client, "submit", draft, someone_elses, submitted)
    levels = {text.split(":")[0]: level for level, text in reported(response)}
    assert levels == {f"Submitted claim {draft.pk} “{draft}”": messages.SUCCESS,
                      f"claim {someone_elses.pk} “{someone_elses}”": messages.ERROR,
                      f"claim {submitted.pk} “{submitted}”": messages.ERROR}
    errors = [text for level, text in reported(response) if level == messages.ERROR]
    assert any("Only the author" in text for text in errors)
    assert any("Cannot submit: the claim is submitted" in text for text in errors)
    assert [status_of(c) for c in (draft, someone_elses, submitted)] == [
        "submitted", "draft", "submitted"]


def test_a_reviewer_cannot_submit_and_a_curator_cannot_approve(client, personas, submitted):
    draft = make_claim(created_by=personas.curator)
    client.force_login(personas.reviewer)
    [(level, text)] = reported(run_action(client, "submit", draft))
    assert (level, "Only curators" in text) == (messages.ERROR, True)
    client.force_login(personas.other_curator)
    [(level, text)] = reported(run_action(client, "approve", submitted))
    assert (level, "Only reviewers" in text) == (messages.ERROR, True)
    assert (status_of(draft), status_of(submitted)) == ("draft", "submitted")


@pytest.fixture
def accepted(personas, submitted):
    workflow.review(submitted, personas.reviewer, "approve")
    return submitted


def test_staff_retract_an_accepted_claim_with_a_reason_and_its_successor(client, personas, accepted):
    successor = make_claim(created_by=personas.curator, text="PRE-084 extends survival in males only")
    workflow.submit(successor, personas.curator)
    workflow.review(successor, personas.second_reviewer, "approve")
    client.force_login(personas.staff)
    form_page = run_action(client, "retract", accepted)
    assert form_page.status_code == 200
    assert 'name="reason"' in form_page.text and 'name="superseded_by"' in form_page.text
    response = run_action(client, "retract", accepted, reason="Not reproduced in females.",
                          superseded_by=successor.pk)
    assert reported(response) == [(messages.SUCCESS, f"Retracted claim {accepted.pk} “{accepted}”. "
                                                     "Readers still find it, marked retracted, with "
                                                     "the reason.")]
    accepted.refresh_from_db()
    assert (accepted.status, accepted.retraction_reason, accepted.superseded_by) == (
        "retracted", "Not reproduced in females.", successor)


def test_a_retraction_needs_a_reason(client, personas, accepted):
    client.force_login(personas.staff)
    response = run_action(client, "retract", accepted, reason="")
    assert response.status_code == 200
    assert response.context["form"].errors["reason"] == ["A retraction needs a reason."]
    assert status_of(accepted) == "accepted"


def test_a_curator_cannot_retract(client, personas, accepted):
    client.force_login(personas.curator)
    response = run_action(client, "retract", accepted, reason="I changed my mind.")
    [(level, text)] = reported(response)
    assert level == messages.ERROR
    assert "Only staff may retract" in text
    accepted.refresh_from_db()
    assert (accepted.status, accepted.retraction_reason) == ("accepted", "")


def test_evidence_on_an_accepted_claim_is_submitted_and_reviewed_on_its_own(client, personas, accepted):
    later = make_evidence(accepted, created_by=personas.other_curator)
    client.force_login(personas.other_curator)
    assert reported(run_action(client, "submit", later, changelist=EVIDENCE))[0][0] == messages.SUCCESS
    assert status_of(later) == "submitted"

    client.force_login(personas.second_reviewer)
    assert run_action(client, "reject", later, changelist=EVIDENCE).status_code == 200
    response = run_action(client, "reject", later, changelist=EVIDENCE, comment="Wrong figure.")
    assert reported(response)[0][0] == messages.SUCCESS
    assert status_of(later) == "rejected"

    client.force_login(personas.other_curator)
    run_action(client, "reopen", later, changelist=EVIDENCE)
    run_action(client, "submit", later, changelist=EVIDENCE)
    client.force_login(personas.second_reviewer)
    run_action(client, "approve", later, changelist=EVIDENCE)
    assert status_of(later) == "accepted"
    assert list(accepted.versions.values_list("number", flat=True)) == [1, 2]


def test_evidence_on_an_unaccepted_claim_travels_with_its_claim(client, personas):
    evidence = make_evidence(make_claim(created_by=personas.curator))
    client.force_login(personas.curator)
    [(level, text)] = reported(run_action(client, "submit", evidence, changelist=EVIDENCE))
    assert level == messages.ERROR
    assert "travels with its claim" in text
    assert status_of(evidence) == "draft"


def test_evidence_has_no_retract_action(client, personas):
    client.force_login(personas.staff)
    actions = client.get(EVIDENCE).context["action_form"].fields["action"].choices
    names = {name for name, _ in actions}
    assert {"submit", "withdraw", "reopen", "approve", "reject", "request_changes"} <= names
    assert "retract" not in names


def test_actions_are_offered_to_every_role_and_the_workflow_decides(client, personas):
    for user in (personas.curator, personas.reviewer, personas.staff):
        client.force_login(user)
        choices = client.get(CLAIMS).context["action_form"].fields["action"].choices
        assert {"submit", "approve", "reject", "retract"} <= {name for name, _ in choices}


def test_an_inline_evidence_edit_by_a_reviewer_bars_them_from_reviewing(client, personas,
                                                                         curating_reviewer):
    claim = make_claim(created_by=personas.curator)
    evidence = make_evidence(claim)
    client.force_login(curating_reviewer)
    change = reverse("admin:claims_claim_change", args=[claim.pk])
    data = admin_form_data(client.get(change))
    data["evidence-0-excerpt"] = "Median survival rose from 128 to 146 days."
    save_form(client, change, data)
    evidence.refresh_from_db()
    assert evidence.updated_by == curating_reviewer
    workflow.submit(claim, personas.curator)
    [(level, text)] = reported(run_action(client, "approve", claim))
    assert (level, "Four-eyes rule" in text) == (messages.ERROR, True)
    assert Evidence.objects.get(pk=evidence.pk).status == "submitted"
