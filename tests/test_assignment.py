"""Assigning a claim to a reviewer: who may, to whom, what it leaves behind, when it ends, and
how the admin offers it (workflow.assign; claims/admin/assignment.py)."""

import pytest
from django.contrib import messages
from django.db import IntegrityError, transaction
from django.urls import reverse

from claims import rereview, workflow
from claims.models import Change, Claim
from claims.workflow import TransitionNotAllowed
from tests.factories import make_claim, make_evidence, make_user
from tests.matrix import ACCEPTED, COMMENT, DRAFT, REJECTED, RETRACTED, SUBMITTED, claim_in

pytestmark = pytest.mark.django_db

CLAIMS = reverse("admin:claims_claim_changelist")


def fresh(claim) -> Claim:
    return Claim.objects.get(pk=claim.pk)


def flagged_claim(people) -> Claim:
    claim = claim_in(ACCEPTED, people)
    rereview.flag([claim.pk], actor=people.staff, reason="A cited paper was retracted.", event="test")
    claim.refresh_from_db()
    return claim


# --- who may assign whom ---


def test_staff_assign_a_submitted_claim_to_a_reviewer(personas):
    claim = claim_in(SUBMITTED, personas)

    workflow.assign(claim, personas.reviewer, personas.staff)

    assert claim.assigned_reviewer == personas.reviewer, "the caller's object is refreshed"
    stored = fresh(claim)
    assert (stored.assigned_reviewer, stored.status) == (personas.reviewer, SUBMITTED)
    assert stored.assigned_at is not None


def test_a_reviewer_takes_a_claim_for_themself(personas):
    claim = claim_in(SUBMITTED, personas)
    workflow.assign(claim, personas.reviewer, personas.reviewer)
    assert fresh(claim).assigned_reviewer == personas.reviewer


def test_a_reviewer_does_not_assign_another_reviewer(personas):
    claim = claim_in(SUBMITTED, personas)
    with pytest.raises(TransitionNotAllowed, match="for themself only") as refused:
        workflow.assign(claim, personas.second_reviewer, personas.reviewer)
    assert refused.value.forbidden
    assert fresh(claim).assigned_reviewer is None


def test_a_reviewer_does_not_take_a_claim_assigned_to_someone_else(personas):
    claim = claim_in(SUBMITTED, personas)
    workflow.assign(claim, personas.second_reviewer, personas.staff)
    with pytest.raises(TransitionNotAllowed, match="only staff may reassign") as refused:
        workflow.assign(claim, personas.reviewer, personas.reviewer)
    assert refused.value.forbidden
    assert fresh(claim).assigned_reviewer == personas.second_reviewer


def test_staff_reassign_and_clear(personas):
    claim = claim_in(SUBMITTED, personas)
    workflow.assign(claim, personas.reviewer, personas.staff)
    workflow.assign(claim, personas.second_reviewer, personas.staff)
    assert fresh(claim).assigned_reviewer == personas.second_reviewer
    workflow.assign(claim, None, personas.staff)
    assert (fresh(claim).assigned_reviewer, fresh(claim).assigned_at) == (None, None)


def test_the_assignee_gives_their_claim_back(personas):
    claim = claim_in(SUBMITTED, personas)
    workflow.assign(claim, personas.reviewer, personas.reviewer)
    workflow.assign(claim, None, personas.reviewer)
    assert fresh(claim).assigned_reviewer is None


@pytest.mark.parametrize("role", ["curator", "other_curator", "outsider"])
def test_curators_and_outsiders_do_not_assign(personas, role):
    claim = claim_in(SUBMITTED, personas)
    with pytest.raises(TransitionNotAllowed, match="Only staff and reviewers") as refused:
        workflow.assign(claim, personas.reviewer, getattr(personas, role))
    assert refused.value.forbidden


@pytest.mark.parametrize("role", ["curator", "outsider"])
def test_only_a_reviewer_is_assigned(personas, role):
    claim = claim_in(SUBMITTED, personas)
    with pytest.raises(TransitionNotAllowed, match="is not a reviewer"):
        workflow.assign(claim, getattr(personas, role), personas.staff)


def test_an_inactive_reviewer_is_not_assigned(personas):
    claim = claim_in(SUBMITTED, personas)
    personas.second_reviewer.is_active = False
    personas.second_reviewer.save()
    with pytest.raises(TransitionNotAllowed, match="is not a reviewer"):
        workflow.assign(claim, personas.second_reviewer, personas.staff)


def test_four_eyes_the_author_is_not_assigned_their_own_claim(personas):
    author = make_user("curating-reviewer", "curator", "reviewer")
    claim = make_claim(created_by=author)
    make_evidence(claim)
    workflow.submit(claim, author)
    with pytest.raises(TransitionNotAllowed, match="Four-eyes rule: curating-reviewer"):
        workflow.assign(claim, author, personas.staff)
    with pytest.raises(TransitionNotAllowed, match="Four-eyes rule"):
        workflow.assign(claim, author, author)
    assert fresh(claim).assigned_reviewer is None


def test_four_eyes_the_author_of_evidence_submitted_with_it_is_not_assigned(personas):
    helper = make_user("curating-reviewer", "curator", "reviewer")
    claim = make_claim(created_by=personas.curator)
    make_evidence(claim, created_by=helper)
    workflow.submit(claim, personas.curator)
    with pytest.raises(TransitionNotAllowed, match="Four-eyes rule"):
        workflow.assign(claim, helper, personas.staff)


def test_a_reviewer_who_already_reviewed_this_round_is_not_assigned(personas, settings):
    settings.CURATION_REQUIRED_APPROVALS = 2
    claim = claim_in(SUBMITTED, personas)
    workflow.review(claim, personas.reviewer, "approve")
    with pytest.raises(TransitionNotAllowed, match="already reviewed this submission"):
        workflow.assign(claim, personas.reviewer, personas.staff)
    workflow.assign(claim, personas.second_reviewer, personas.staff)


@pytest.mark.parametrize("state", [DRAFT, ACCEPTED, REJECTED, RETRACTED])
def test_only_a_claim_waiting_for_a_reviewer_is_assigned(personas, state):
    claim = claim_in(state, personas)
    with pytest.raises(TransitionNotAllowed, match="Cannot assign: the claim is") as refused:
        workflow.assign(claim, personas.reviewer, personas.staff)
    assert not refused.value.forbidden
    assert fresh(claim).assigned_reviewer is None


def test_a_claim_flagged_for_re_review_is_assigned(personas):
    claim = flagged_claim(personas)
    workflow.assign(claim, personas.reviewer, personas.staff)
    assert fresh(claim).assigned_reviewer == personas.reviewer


def test_the_database_refuses_an_assignment_outside_the_review(personas):
    claim = claim_in(DRAFT, personas)
    with pytest.raises(IntegrityError), transaction.atomic():
        Claim.objects.filter(pk=claim.pk).update(assigned_reviewer=personas.reviewer)


# --- what it leaves behind ---


def test_assignment_is_recorded_in_history_with_actor_and_reason(personas):
    claim = claim_in(SUBMITTED, personas)
    workflow.assign(claim, personas.reviewer, personas.staff)
    record = claim.history.latest()
    assert (record.history_user, record.history_change_reason) == (personas.staff, "assign to reviewer")
    workflow.assign(claim, None, personas.staff)
    assert claim.history.latest().history_change_reason == "unassign reviewer"


def test_assignment_enters_the_change_feed(personas):
    claim = claim_in(SUBMITTED, personas)
    before = Change.objects.filter(kind="claim", object_id=claim.pk).count()
    workflow.assign(claim, personas.reviewer, personas.staff)
    entries = Change.objects.filter(kind="claim", object_id=claim.pk)
    assert entries.count() == before + 1
    assert entries.latest("position").public is False, "readers do not see a submitted claim"


def test_assigning_the_same_reviewer_again_changes_nothing(
    personas, mailoutbox, django_capture_on_commit_callbacks
):
    claim = claim_in(SUBMITTED, personas)
    workflow.assign(claim, personas.reviewer, personas.staff)
    records = claim.history.count()
    with django_capture_on_commit_callbacks(execute=True):
        workflow.assign(claim, personas.reviewer, personas.staff)
    assert claim.history.count() == records
    assert mailoutbox == []


def test_the_assignee_is_told_by_mail_once_committed(
    personas, mailoutbox, django_capture_on_commit_callbacks
):
    claim = claim_in(SUBMITTED, personas)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        workflow.assign(claim, personas.reviewer, personas.staff)
    assert mailoutbox == [], "no mail before the assignment commits"
    for callback in callbacks:
        callback()

    [mail] = mailoutbox
    assert mail.to == [personas.reviewer.email]
    assert mail.subject == "A claim waits for your review"
    assert claim.text in mail.body and "staff asked you" in mail.body


def test_no_mail_to_a_reviewer_who_took_the_claim_or_for_a_refusal(
    personas, mailoutbox, django_capture_on_commit_callbacks
):
    claim = claim_in(SUBMITTED, personas)
    with django_capture_on_commit_callbacks(execute=True):
        workflow.assign(claim, personas.reviewer, personas.reviewer)
        with pytest.raises(TransitionNotAllowed):
            workflow.assign(claim_in(DRAFT, personas), personas.reviewer, personas.staff)
    assert mailoutbox == []


# --- when it ends ---


@pytest.mark.parametrize(
    "verdict, status", [("approve", ACCEPTED), ("reject", REJECTED), ("request_changes", DRAFT)]
)
def test_assignment_ends_when_the_claim_is_decided(personas, verdict, status):
    claim = claim_in(SUBMITTED, personas)
    workflow.assign(claim, personas.reviewer, personas.staff)
    workflow.review(claim, personas.reviewer, verdict, COMMENT)
    stored = fresh(claim)
    assert (stored.status, stored.assigned_reviewer, stored.assigned_at) == (status, None, None)


def test_a_decision_by_another_reviewer_ends_it_too(personas):
    claim = claim_in(SUBMITTED, personas)
    workflow.assign(claim, personas.reviewer, personas.staff)
    workflow.review(claim, personas.second_reviewer, "reject", COMMENT)
    assert fresh(claim).assigned_reviewer is None


def test_assignment_ends_when_the_author_withdraws(personas):
    claim = claim_in(SUBMITTED, personas)
    workflow.assign(claim, personas.reviewer, personas.staff)
    workflow.withdraw(claim, personas.curator)
    assert fresh(claim).assigned_reviewer is None


def test_a_resubmitted_claim_waits_unassigned(personas):
    claim = claim_in(SUBMITTED, personas)
    workflow.assign(claim, personas.reviewer, personas.staff)
    workflow.review(claim, personas.reviewer, "request_changes", COMMENT)
    workflow.submit(claim, personas.curator)
    assert (fresh(claim).status, fresh(claim).assigned_reviewer) == (SUBMITTED, None)


def test_the_assignees_approval_ends_it_while_more_approvals_are_needed(personas, settings):
    settings.CURATION_REQUIRED_APPROVALS = 2
    claim = claim_in(SUBMITTED, personas)
    workflow.assign(claim, personas.reviewer, personas.staff)
    workflow.review(claim, personas.reviewer, "approve")
    stored = fresh(claim)
    assert (stored.status, stored.assigned_reviewer) == (SUBMITTED, None)
    assert claim.history.latest().history_change_reason == "approve: assignment done"
    # Someone else's pending approval leaves the assignment alone.
    other = claim_in(SUBMITTED, personas)
    workflow.assign(other, personas.second_reviewer, personas.staff)
    workflow.review(other, personas.reviewer, "approve")
    assert fresh(other).assigned_reviewer == personas.second_reviewer


def test_a_re_review_assignment_ends_with_the_confirmation_or_the_retraction(personas):
    confirmed = flagged_claim(personas)
    workflow.assign(confirmed, personas.reviewer, personas.staff)
    workflow.confirm(confirmed, personas.reviewer, "The other studies still hold.")
    assert fresh(confirmed).assigned_reviewer is None

    retracted = flagged_claim(personas)
    workflow.assign(retracted, personas.reviewer, personas.staff)
    workflow.retract(retracted, personas.staff, "The key study was retracted.")
    assert fresh(retracted).assigned_reviewer is None


# --- in the admin ---


def run_action(client, action, *objects, changelist=CLAIMS, **form):
    data = {"action": action, "_selected_action": [obj.pk for obj in objects]}
    if form:
        data.update(form, apply="Apply")
    else:
        data["index"] = 0
    return client.post(changelist, data, follow=True)


def reported(response):
    assert response.redirect_chain, "the action did not finish: it answered with a page"
    return [(m.level, str(m)) for m in response.context["messages"]]


def test_staff_assign_through_the_intermediate_form(
    client, personas, mailoutbox, django_capture_on_commit_callbacks
):
    claim = claim_in(SUBMITTED, personas)
    client.force_login(personas.staff)

    page = run_action(client, "assign", claim)
    assert page.status_code == 200
    assert "admin/claims/workflow_action_form.html" in [t.name for t in page.templates]
    assert 'name="reviewer"' in page.text
    # The choice lists reviewers only.
    choices = {str(user) for user in page.context["form"].fields["reviewer"].queryset}
    assert {"reviewer", "second-reviewer"} <= choices and "curator" not in choices

    with django_capture_on_commit_callbacks(execute=True):
        done = run_action(client, "assign", claim, reviewer=personas.second_reviewer.pk)
    [(level, text)] = reported(done)
    assert level == messages.SUCCESS and "to second-reviewer" in text
    assert fresh(claim).assigned_reviewer == personas.second_reviewer
    assert [m.to for m in mailoutbox] == [[personas.second_reviewer.email]]


def test_an_assignment_the_workflow_refuses_is_reported_per_claim(client, personas):
    draft, submitted = claim_in(DRAFT, personas), claim_in(SUBMITTED, personas)
    client.force_login(personas.staff)
    response = run_action(client, "assign", draft, submitted, reviewer=personas.reviewer.pk)
    levels = sorted(level for level, _ in reported(response))
    assert levels == [messages.SUCCESS, messages.ERROR]
    assert (fresh(draft).assigned_reviewer, fresh(submitted).assigned_reviewer) == (None, personas.reviewer)


def test_a_reviewer_takes_a_claim_from_the_list(client, personas):
    claim = claim_in(SUBMITTED, personas)
    client.force_login(personas.reviewer)
    [(level, text)] = reported(run_action(client, "take", claim))
    assert level == messages.SUCCESS and "assigned to you" in text
    assert fresh(claim).assigned_reviewer == personas.reviewer


def listed(client, **params):
    response = client.get(CLAIMS, params)
    assert response.status_code == 200
    return [claim.pk for claim in response.context["cl"].result_list]


def test_needs_my_review_lists_mine_first_then_unassigned_never_someone_elses(client, personas):
    unassigned = claim_in(SUBMITTED, personas)
    mine = claim_in(SUBMITTED, personas)
    theirs = claim_in(SUBMITTED, personas)
    flagged = flagged_claim(personas)
    workflow.assign(mine, personas.reviewer, personas.staff)
    workflow.assign(theirs, personas.second_reviewer, personas.staff)
    claim_in(DRAFT, personas)
    # The most recently changed comes first otherwise: the unassigned claim moves to the top.
    workflow.assign(unassigned, personas.reviewer, personas.reviewer)
    workflow.assign(unassigned, None, personas.reviewer)
    client.force_login(personas.reviewer)

    assert listed(client, needs_my_review="yes") == [mine.pk, unassigned.pk, flagged.pk]
    assert listed(client, needs_my_review="assigned") == [mine.pk]
    # The review queue holds every claim the reviewer may decide, theirs first.
    queue = listed(client, queue="review")
    assert queue[0] == mine.pk and set(queue) == {mine.pk, unassigned.pk, theirs.pk, flagged.pk}


def test_the_assigned_reviewer_filter(client, personas):
    mine = claim_in(SUBMITTED, personas)
    theirs = claim_in(SUBMITTED, personas)
    nobodys = claim_in(SUBMITTED, personas)
    workflow.assign(mine, personas.reviewer, personas.staff)
    workflow.assign(theirs, personas.second_reviewer, personas.staff)
    client.force_login(personas.reviewer)

    assert listed(client, assigned="me") == [mine.pk]
    assert set(listed(client, assigned="anyone")) == {mine.pk, theirs.pk}
    assert nobodys.pk in listed(client, assigned="nobody") and mine.pk not in listed(
        client, assigned="nobody"
    )
    assert listed(client, assigned=personas.second_reviewer.pk) == [theirs.pk]
    page = client.get(CLAIMS).text
    assert "By assigned reviewer" in page and "By needs my review" in page


def test_an_assigned_reviewer_value_that_names_nobody_is_refused_not_an_error(client, personas):
    claim_in(SUBMITTED, personas)
    client.force_login(personas.reviewer)
    # "²" passes str.isdigit but is no number int() reads; the others name no user.
    for value in ("²", "not-a-number", "0", "99999999999999999999999"):
        response = client.get(CLAIMS, {"assigned": value})
        assert response.status_code == 302 and response["Location"].endswith("?e=1"), value
