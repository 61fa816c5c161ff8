"""The review workflow as a service: who may move a claim or evidence item where, and what it leaves behind.

The API and the admin are faces over these functions; here they are called directly.
"""

import pytest
from django.contrib.auth.models import Permission

from claims import workflow, writes
from claims.choices import Status
from claims.models import Claim, ClaimVersion, CuratorReview, Evidence
from claims.versions import content_hash
from claims.workflow import TransitionNotAllowed
from tests.factories import make_claim, make_evidence, make_user
from tests.matrix import (
    ACCEPTED,
    COMMENT,
    DRAFT,
    REJECTED,
    RETRACTED,
    RETRACTION_REASON,
    ROLES,
    STATES,
    SUBMITTED,
    TRANSITIONS,
    VERDICTS,
    claim_in,
    expected_outcome,
    perform,
    persona,
    trace,
)

pytestmark = pytest.mark.django_db

def refresh(*objs):
    for obj in objs:
        obj.refresh_from_db()


def accepted_claim(people, **fields) -> Claim:
    claim = make_claim(created_by=people.curator, **fields)
    make_evidence(claim)
    workflow.submit(claim, people.curator)
    workflow.review(claim, people.reviewer, "approve")
    return claim


# --- the matrix: every transition x every role x every source state ---


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", list(TRANSITIONS))
def test_transition_matrix(personas, action, role, state):
    claim = claim_in(state, personas)
    actor = persona(personas, role)
    before = trace(claim)
    expected = expected_outcome(action, role, state)

    if expected == "allowed":
        perform(action, claim, actor)
        assert Claim.objects.get(pk=claim.pk).status == TRANSITIONS[action][1]
        assert claim.status == TRANSITIONS[action][1], "the caller's object is refreshed"
        return

    with pytest.raises(TransitionNotAllowed) as refused:
        perform(action, claim, actor)
    assert refused.value.forbidden is (expected == "forbidden")
    if expected == "conflict":
        assert f"the claim is {state}" in refused.value.message
    assert trace(claim) == before


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("role", ROLES)
def test_allowed_actions_agree_with_the_matrix(personas, role, state):
    claim = claim_in(state, personas)
    expected = {action for action in TRANSITIONS if expected_outcome(action, role, state) == "allowed"}
    assert set(workflow.allowed_actions(claim, persona(personas, role))) == expected


def test_state_conflict_message_names_the_state_and_what_is_possible(personas):
    claim = claim_in(REJECTED, personas)
    with pytest.raises(TransitionNotAllowed) as refused:
        workflow.withdraw(claim, personas.curator)
    assert refused.value.message == "Cannot withdraw: the claim is rejected. From rejected it may be: reopen."
    assert not refused.value.forbidden


def test_a_retracted_claim_is_final(personas):
    claim = claim_in(RETRACTED, personas)
    with pytest.raises(TransitionNotAllowed, match="nothing \\(final state\\)"):
        workflow.retract(claim, personas.staff, "Again.")


# --- staff powers ---


@pytest.fixture
def retractor(personas):
    """Neither curator nor reviewer nor superuser: only granted "Can retract claims"."""
    user = make_user("retractor")
    user.user_permissions.add(Permission.objects.get(codename="retract_claim"))
    return type(user).objects.get(pk=user.pk)  # a fresh object: permissions are cached per instance


def test_holder_of_the_retract_permission_retracts_an_accepted_claim(personas, retractor):
    claim = accepted_claim(personas)
    workflow.retract(claim, retractor, RETRACTION_REASON)
    assert claim.status == RETRACTED


@pytest.mark.parametrize("action, state", [("submit", DRAFT), ("withdraw", SUBMITTED),
                                           ("reopen", REJECTED)])
def test_holder_of_the_retract_permission_acts_for_the_author(personas, retractor, action, state):
    claim = claim_in(state, personas)
    perform(action, claim, retractor)
    assert claim.status == TRANSITIONS[action][1]
    assert claim.history.latest().history_user == retractor


def test_holder_of_the_retract_permission_does_not_review(personas, retractor):
    claim = claim_in(SUBMITTED, personas)
    with pytest.raises(TransitionNotAllowed) as refused:
        workflow.review(claim, retractor, "approve")
    assert refused.value.forbidden


def test_an_inactive_curator_cannot_submit_even_their_own_claim(personas):
    claim = claim_in(DRAFT, personas)
    personas.curator.is_active = False
    personas.curator.save()
    with pytest.raises(TransitionNotAllowed) as refused:
        workflow.submit(claim, personas.curator)
    assert refused.value.forbidden


# --- four eyes ---


@pytest.fixture
def curator_reviewer(personas):
    """One person holding both roles: the four-eyes rule is what stops them."""
    return make_user("curator-reviewer", "curator", "reviewer")


@pytest.mark.parametrize("verdict", VERDICTS)
def test_reviewer_cannot_review_own_claim(personas, curator_reviewer, verdict):
    claim = make_claim(created_by=curator_reviewer)
    workflow.submit(claim, curator_reviewer)
    before = trace(claim)
    with pytest.raises(TransitionNotAllowed, match="Four-eyes") as refused:
        workflow.review(claim, curator_reviewer, verdict, COMMENT)
    assert refused.value.forbidden
    assert trace(claim) == before
    assert workflow.allowed_actions(claim, curator_reviewer) == ["withdraw"]


def test_staff_cannot_review_a_claim_they_wrote(personas):
    claim = make_claim(created_by=personas.staff)
    workflow.submit(claim, personas.staff)
    with pytest.raises(TransitionNotAllowed) as refused:
        workflow.review(claim, personas.staff, "approve")
    assert refused.value.forbidden


def test_reviewer_who_last_edited_a_claim_cannot_review_it(personas):
    claim = make_claim(created_by=personas.curator)
    writes.update(claim, actor=personas.reviewer, data={"context": "SOD1-G93A mouse, n=12 per group"})
    workflow.submit(claim, personas.curator)

    with pytest.raises(TransitionNotAllowed, match="last edited") as refused:
        workflow.review(claim, personas.reviewer, "approve")
    assert refused.value.forbidden
    assert "approve" not in workflow.allowed_actions(claim, personas.reviewer)
    assert workflow.review(claim, personas.second_reviewer, "approve").status == ACCEPTED


def test_reviewer_who_wrote_evidence_submitted_with_the_claim_cannot_review_the_claim(
        personas, curator_reviewer):
    claim = make_claim(created_by=personas.curator)
    make_evidence(claim, created_by=curator_reviewer)
    workflow.submit(claim, personas.curator)

    with pytest.raises(TransitionNotAllowed) as refused:
        workflow.review(claim, curator_reviewer, "approve")
    assert refused.value.forbidden
    assert not CuratorReview.objects.exists()
    assert workflow.review(claim, personas.reviewer, "approve").status == ACCEPTED


def test_reviewer_who_last_edited_evidence_submitted_with_the_claim_cannot_review_the_claim(personas):
    claim = make_claim(created_by=personas.curator)
    evidence = make_evidence(claim)
    writes.update(evidence, actor=personas.reviewer, data={"location": "Fig. 3B"})
    workflow.submit(claim, personas.curator)

    with pytest.raises(TransitionNotAllowed) as refused:
        workflow.review(claim, personas.reviewer, "reject", COMMENT)
    assert refused.value.forbidden


def test_reviewer_cannot_review_evidence_they_added_to_an_accepted_claim(personas, curator_reviewer):
    claim = accepted_claim(personas)
    evidence = make_evidence(claim, created_by=curator_reviewer)
    workflow.submit(evidence, curator_reviewer)

    with pytest.raises(TransitionNotAllowed) as refused:
        workflow.review(evidence, curator_reviewer, "approve")
    assert refused.value.forbidden
    assert workflow.review(evidence, personas.second_reviewer, "approve").status == ACCEPTED


# --- required approvals and review rounds ---


def test_one_approval_accepts_by_default(personas):
    claim = claim_in(SUBMITTED, personas)
    outcome = workflow.review(claim, personas.reviewer, "approve")
    assert outcome.status == ACCEPTED == claim.status
    assert outcome.review.verdict == "approve" and outcome.review.review_round == 1
    assert claim.versions.count() == 1


def test_with_two_required_approvals_two_different_reviewers_accept(personas, settings):
    settings.CURATION_REQUIRED_APPROVALS = 2
    claim = claim_in(SUBMITTED, personas)

    first = workflow.review(claim, personas.reviewer, "approve")
    assert first.status == SUBMITTED == claim.status
    assert not claim.versions.exists()
    assert claim.evidence.get().status == SUBMITTED

    with pytest.raises(TransitionNotAllowed, match="counts once") as again:
        workflow.review(claim, personas.reviewer, "approve")
    assert not again.value.forbidden
    assert claim.reviews.count() == 1
    assert "approve" not in workflow.allowed_actions(claim, personas.reviewer)

    second = workflow.review(claim, personas.second_reviewer, "approve")
    assert second.status == ACCEPTED == claim.status
    assert claim.evidence.get().status == ACCEPTED
    assert claim.versions.count() == 1


def test_reviewer_cannot_change_their_mind_within_a_round(personas, settings):
    settings.CURATION_REQUIRED_APPROVALS = 2
    claim = claim_in(SUBMITTED, personas)
    workflow.review(claim, personas.reviewer, "approve")
    with pytest.raises(TransitionNotAllowed, match="counts once"):
        workflow.review(claim, personas.reviewer, "reject", COMMENT)
    assert claim.status == SUBMITTED


def test_with_two_required_approvals_one_rejection_rejects(personas, settings):
    settings.CURATION_REQUIRED_APPROVALS = 2
    claim = claim_in(SUBMITTED, personas)
    workflow.review(claim, personas.reviewer, "approve")
    assert workflow.review(claim, personas.second_reviewer, "reject", COMMENT).status == REJECTED
    assert not claim.versions.exists()


def test_approvals_from_an_earlier_round_do_not_count_after_changes_are_requested(personas, settings):
    settings.CURATION_REQUIRED_APPROVALS = 2
    claim = claim_in(SUBMITTED, personas)
    workflow.review(claim, personas.reviewer, "approve")
    workflow.review(claim, personas.second_reviewer, "request_changes", "Name the dose.")
    assert claim.status == DRAFT
    assert claim.evidence.get().status == DRAFT

    writes.update(claim, actor=personas.curator, data={"context": "SOD1-G93A mouse, 0.25 mg/kg PRE-084"})
    workflow.submit(claim, personas.curator)
    assert claim.review_round == 2
    assert claim.evidence.get().review_round == 2

    # The reviewer approved round 1; that verdict does not carry over, and they may judge round 2.
    assert workflow.review(claim, personas.reviewer, "approve").status == SUBMITTED
    assert workflow.review(claim, personas.second_reviewer, "approve").status == ACCEPTED
    assert list(claim.reviews.values_list("review_round", "verdict")) == [
        (1, "approve"), (1, "request_changes"), (2, "approve"), (2, "approve")]


def test_approvals_from_before_a_withdrawal_do_not_count(personas, settings):
    settings.CURATION_REQUIRED_APPROVALS = 2
    claim = claim_in(SUBMITTED, personas)
    workflow.review(claim, personas.reviewer, "approve")
    workflow.withdraw(claim, personas.curator)
    workflow.submit(claim, personas.curator)
    assert workflow.review(claim, personas.second_reviewer, "approve").status == SUBMITTED


def test_rejected_claim_reopened_and_resubmitted_is_a_new_round(personas):
    claim = claim_in(REJECTED, personas)
    workflow.reopen(claim, personas.curator)
    workflow.submit(claim, personas.curator)
    assert claim.review_round == 2
    # The second reviewer rejected round 1 and may now judge round 2.
    assert workflow.review(claim, personas.second_reviewer, "approve").status == ACCEPTED


# --- evidence follows its claim ---


ACTOR_OF = {"submit": "curator", "withdraw": "curator", "reopen": "curator",
            "approve": "reviewer", "reject": "reviewer", "request_changes": "reviewer",
            "retract": "staff"}


@pytest.mark.parametrize("steps, claim_status, evidence_status", [
    (["submit"], SUBMITTED, SUBMITTED),
    (["submit", "withdraw"], DRAFT, DRAFT),
    (["submit", "approve"], ACCEPTED, ACCEPTED),
    (["submit", "reject"], REJECTED, REJECTED),
    (["submit", "reject", "reopen"], DRAFT, DRAFT),
    (["submit", "request_changes"], DRAFT, DRAFT),
    (["submit", "approve", "retract"], RETRACTED, ACCEPTED),
])
def test_evidence_follows_its_claim(personas, steps, claim_status, evidence_status):
    claim = make_claim(created_by=personas.curator)
    evidence = [make_evidence(claim), make_evidence(claim)]
    for step in steps:
        perform(step, claim, getattr(personas, ACTOR_OF[step]))
    assert claim.status == claim_status
    assert [e.status for e in Evidence.objects.filter(claim=claim)] == [evidence_status] * 2
    refresh(*evidence)
    assert all(e.history.latest().history_user == getattr(personas, ACTOR_OF[steps[-1]])
               for e in evidence if steps[-1] != "retract")


def test_evidence_drafted_while_the_claim_is_under_review_stays_a_draft(personas):
    claim = claim_in(SUBMITTED, personas)
    late = make_evidence(claim)
    workflow.review(claim, personas.reviewer, "approve")
    late.refresh_from_db()
    assert late.status == DRAFT
    assert [e["uid"] for e in claim.versions.get().content["evidence"]] == [
        str(e.uid) for e in claim.evidence.filter(status=ACCEPTED)]


def test_evidence_on_a_draft_claim_cannot_be_submitted_on_its_own(personas):
    claim = claim_in(DRAFT, personas)
    evidence = claim.evidence.get()
    with pytest.raises(TransitionNotAllowed, match="draft claim travels with its claim") as refused:
        workflow.submit(evidence, personas.curator)
    assert not refused.value.forbidden
    evidence.refresh_from_db()
    assert evidence.status == DRAFT and evidence.review_round == 0
    assert workflow.allowed_actions(evidence, personas.curator) == []


def test_evidence_on_a_submitted_claim_is_reviewed_with_the_claim_not_on_its_own(personas):
    claim = claim_in(SUBMITTED, personas)
    evidence = claim.evidence.get()
    with pytest.raises(TransitionNotAllowed, match="submitted claim travels with its claim"):
        workflow.review(evidence, personas.reviewer, "approve")
    with pytest.raises(TransitionNotAllowed):
        workflow.withdraw(evidence, personas.curator)
    assert not CuratorReview.objects.exists()
    evidence.refresh_from_db()
    assert evidence.status == SUBMITTED


# --- evidence added to an accepted claim ---


def test_evidence_added_to_an_accepted_claim_is_reviewed_on_its_own_and_mints_version_2(personas):
    claim = accepted_claim(personas)
    first = claim.versions.get()
    first_content, first_hash = first.content, first.content_hash
    original = claim.evidence.get()

    added = make_evidence(claim, created_by=personas.other_curator, excerpt="Median survival +12 d.")
    assert added.status == DRAFT
    assert workflow.allowed_actions(added, personas.other_curator) == ["submit"]

    workflow.submit(added, personas.other_curator)
    assert (added.status, added.review_round) == (SUBMITTED, 1)
    claim.refresh_from_db()
    assert claim.status == ACCEPTED
    assert claim.versions.count() == 1

    outcome = workflow.review(added, personas.second_reviewer, "approve")
    assert outcome.status == ACCEPTED == added.status
    assert outcome.review.evidence == added and outcome.review.claim is None
    claim.refresh_from_db()
    assert claim.status == ACCEPTED

    first_again, second = claim.versions.order_by("number")
    assert (first_again.number, second.number) == (1, 2)
    assert (first_again.content, first_again.content_hash) == (first_content, first_hash)
    assert [e["uid"] for e in first_again.content["evidence"]] == [str(original.uid)]
    assert {e["uid"] for e in second.content["evidence"]} == {str(original.uid), str(added.uid)}
    assert [e["excerpt"] for e in second.content["evidence"] if e["uid"] == str(added.uid)] == [
        "Median survival +12 d."]
    assert second.content_hash == content_hash(second.content) != first_hash


@pytest.mark.parametrize("verdict, evidence_status", [("reject", REJECTED), ("request_changes", DRAFT)])
def test_evidence_turned_down_on_an_accepted_claim_leaves_the_claim_and_its_versions_alone(
        personas, verdict, evidence_status):
    claim = accepted_claim(personas)
    added = make_evidence(claim)
    workflow.submit(added, personas.curator)
    outcome = workflow.review(added, personas.second_reviewer, verdict, COMMENT)
    assert outcome.status == evidence_status == added.status
    claim.refresh_from_db()
    assert claim.status == ACCEPTED
    assert claim.versions.count() == 1


def test_evidence_on_an_accepted_claim_follows_the_evidence_rules_too(personas, settings):
    claim = accepted_claim(personas)
    added = make_evidence(claim)
    settings.CURATION_REQUIRED_APPROVALS = 2

    with pytest.raises(TransitionNotAllowed) as not_theirs:
        workflow.submit(added, personas.other_curator)
    assert not_theirs.value.forbidden

    workflow.submit(added, personas.curator)
    assert workflow.review(added, personas.reviewer, "approve").status == SUBMITTED
    with pytest.raises(TransitionNotAllowed, match="counts once"):
        workflow.review(added, personas.reviewer, "approve")
    workflow.withdraw(added, personas.curator)
    workflow.submit(added, personas.curator)
    assert added.review_round == 2
    assert workflow.review(added, personas.second_reviewer, "approve").status == SUBMITTED
    assert workflow.review(added, personas.reviewer, "approve").status == ACCEPTED
    assert claim.versions.count() == 2


def test_evidence_cannot_be_retracted(personas):
    claim = accepted_claim(personas)
    evidence = claim.evidence.get()
    assert "retract" not in workflow.allowed_actions(evidence, personas.staff)


# --- retraction ---


@pytest.mark.parametrize("reason", ["", "   ", None])
def test_retraction_needs_a_reason(personas, reason):
    claim = accepted_claim(personas)
    before = trace(claim)
    with pytest.raises(TransitionNotAllowed, match="needs a reason"):
        workflow.retract(claim, personas.staff, reason)
    assert trace(claim) == before


def test_retraction_records_reason_successor_and_keeps_versions_readable(personas):
    claim = accepted_claim(personas)
    version = claim.versions.get()
    successor = accepted_claim(personas, text="PRE-084 does not extend survival")

    workflow.retract(claim, personas.staff, f"  {RETRACTION_REASON}  ", superseded_by=successor)

    claim.refresh_from_db()
    assert claim.status == RETRACTED
    assert claim.retraction_reason == RETRACTION_REASON
    assert claim.superseded_by == successor
    assert list(successor.supersedes.all()) == [claim]
    assert set(Claim.objects.visible(sees_everything=False)) == {claim, successor}
    assert list(claim.versions.values_list("number", "content", "content_hash")) == [
        (1, version.content, version.content_hash)]
    assert ClaimVersion.objects.get_by_natural_key(str(claim.uid), 1) == version


def test_retraction_without_a_successor_leaves_superseded_by_empty(personas):
    claim = accepted_claim(personas)
    workflow.retract(claim, personas.staff, RETRACTION_REASON)
    assert claim.superseded_by is None


def test_a_claim_cannot_supersede_itself(personas):
    claim = accepted_claim(personas)
    with pytest.raises(TransitionNotAllowed, match="supersede itself"):
        workflow.retract(claim, personas.staff, RETRACTION_REASON, superseded_by=claim)
    claim.refresh_from_db()
    assert claim.status == ACCEPTED and claim.superseded_by is None


@pytest.mark.parametrize("role", ["author", "other_curator", "reviewer", "outsider", "anonymous"])
def test_only_staff_retract_even_without_a_reason(personas, role):
    """Missing the role is answered first: the caller learns they may not, not what to fill in."""
    claim = accepted_claim(personas)
    with pytest.raises(TransitionNotAllowed) as refused:
        workflow.retract(claim, persona(personas, role), "")
    assert refused.value.forbidden


# --- comments ---


@pytest.mark.parametrize("comment", ["", "   ", None])
@pytest.mark.parametrize("verdict", ["reject", "request_changes"])
def test_reject_and_request_changes_need_a_comment(personas, verdict, comment):
    claim = claim_in(SUBMITTED, personas)
    before = trace(claim)
    with pytest.raises(TransitionNotAllowed, match="comment is required") as refused:
        workflow.review(claim, personas.reviewer, verdict, comment)
    assert not refused.value.forbidden
    assert trace(claim) == before


@pytest.mark.parametrize("role", ["author", "other_curator", "outsider", "anonymous"])
def test_someone_without_the_reviewer_role_is_forbidden_even_without_a_comment(personas, role):
    claim = claim_in(SUBMITTED, personas)
    with pytest.raises(TransitionNotAllowed) as refused:
        workflow.review(claim, persona(personas, role), "reject", "")
    assert refused.value.forbidden


def test_approval_needs_no_comment_and_keeps_one_when_given(personas):
    claim = claim_in(SUBMITTED, personas)
    outcome = workflow.review(claim, personas.reviewer, "approve", "  Well documented.  ")
    assert outcome.review.comment == "Well documented."


def test_unknown_verdict_is_refused(personas):
    claim = claim_in(SUBMITTED, personas)
    with pytest.raises(TransitionNotAllowed, match="Unknown verdict 'maybe'"):
        workflow.review(claim, personas.reviewer, "maybe", COMMENT)
    assert trace(claim)["status"] == SUBMITTED and not CuratorReview.objects.exists()


# --- every change leaves a trace ---


@pytest.mark.parametrize("action", list(TRANSITIONS))
def test_every_transition_leaves_a_history_record_with_actor_and_reason(personas, action):
    source, target = TRANSITIONS[action]
    claim = claim_in(source, personas)
    actor = getattr(personas, ACTOR_OF[action])
    count = claim.history.count()

    perform(action, claim, actor)

    assert claim.history.count() == count + 1
    record = claim.history.latest()
    assert record.status == target
    assert record.history_user == actor
    expected_reason = f"retract: {RETRACTION_REASON}" if action == "retract" else action
    assert record.history_change_reason == expected_reason
    assert record.prev_record.status == source

    if action != "retract":  # the evidence moved with the claim, in the same breath
        moved = claim.evidence.get().history.latest()
        assert (moved.history_user, moved.history_change_reason) == (actor, f"{action} with claim")


@pytest.mark.parametrize("action", ["submit", "withdraw", "approve"])
def test_evidence_transitions_on_their_own_leave_history(personas, action):
    claim = accepted_claim(personas)
    evidence = make_evidence(claim)
    if action != "submit":
        workflow.submit(evidence, personas.curator)
    actor = personas.second_reviewer if action == "approve" else personas.curator
    perform(action, evidence, actor)
    record = evidence.history.latest()
    assert (record.history_user, record.history_change_reason, record.status) == (
        actor, action, TRANSITIONS[action][1])


def test_a_first_of_two_approvals_is_recorded_as_a_review_not_a_state_change(personas, settings):
    settings.CURATION_REQUIRED_APPROVALS = 2
    claim = claim_in(SUBMITTED, personas)
    count = claim.history.count()
    workflow.review(claim, personas.reviewer, "approve")
    assert claim.history.count() == count
    assert claim.reviews.get().reviewer == personas.reviewer


# --- mail ---


@pytest.mark.parametrize("verdict, status", [("approve", ACCEPTED), ("reject", REJECTED),
                                             ("request_changes", DRAFT)])
def test_a_decision_emails_the_author_once_committed(personas, mailoutbox,
                                                     django_capture_on_commit_callbacks, verdict, status):
    claim = claim_in(SUBMITTED, personas)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        workflow.review(claim, personas.reviewer, verdict, COMMENT)
    assert mailoutbox == [], "no mail before the decision commits"
    for callback in callbacks:
        callback()

    assert len(mailoutbox) == 1
    mail = mailoutbox[0]
    assert mail.to == [personas.curator.email]
    assert mail.subject == f"Your claim is now {status}"
    assert claim.text in mail.body and COMMENT in mail.body and "reviewer" in mail.body


def test_a_first_of_two_approvals_sends_no_mail(personas, settings, mailoutbox,
                                                django_capture_on_commit_callbacks):
    settings.CURATION_REQUIRED_APPROVALS = 2
    claim = claim_in(SUBMITTED, personas)
    with django_capture_on_commit_callbacks(execute=True):
        workflow.review(claim, personas.reviewer, "approve")
    assert mailoutbox == []
    with django_capture_on_commit_callbacks(execute=True):
        workflow.review(claim, personas.second_reviewer, "approve")
    assert [m.subject for m in mailoutbox] == ["Your claim is now accepted"]


def test_an_evidence_decision_emails_the_evidence_author(personas, mailoutbox,
                                                        django_capture_on_commit_callbacks):
    claim = accepted_claim(personas)
    added = make_evidence(claim, created_by=personas.other_curator)
    workflow.submit(added, personas.other_curator)
    with django_capture_on_commit_callbacks(execute=True):
        workflow.review(added, personas.reviewer, "reject", COMMENT)
    assert [(m.to, m.subject) for m in mailoutbox] == [
        ([personas.other_curator.email], "Your evidence is now rejected")]


def test_a_refused_review_sends_no_mail(personas, mailoutbox, django_capture_on_commit_callbacks):
    claim = claim_in(ACCEPTED, personas)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(TransitionNotAllowed):
        workflow.review(claim, personas.reviewer, "reject", COMMENT)
    assert mailoutbox == []


def test_author_transitions_send_no_mail(personas, mailoutbox, django_capture_on_commit_callbacks):
    claim = claim_in(DRAFT, personas)
    with django_capture_on_commit_callbacks(execute=True):
        workflow.submit(claim, personas.curator)
        workflow.withdraw(claim, personas.curator)
    assert mailoutbox == []


def test_retraction_releases_evidence_still_under_review(personas):
    claim = accepted_claim(personas)
    pending = make_evidence(claim, created_by=personas.other_curator)
    workflow.submit(pending, personas.other_curator)
    workflow.retract(claim, personas.staff, "Superseded by a narrower claim")
    pending.refresh_from_db()
    assert pending.status == Status.DRAFT
    with pytest.raises(TransitionNotAllowed, match="retracted: its evidence is no longer reviewed"):
        workflow.submit(pending, personas.other_curator)


def test_a_long_retraction_reason_is_kept_whole_and_history_holds_its_start(personas):
    # The history column holds 100 characters and PostgreSQL enforces it; the full reason
    # belongs to the claim.
    claim = accepted_claim(personas)
    reason = "The cohort was re-analysed after a labelling error; " * 10

    workflow.retract(claim, personas.staff, reason)

    claim.refresh_from_db()
    assert claim.retraction_reason == reason.strip()
    recorded = claim.history.latest("history_date").history_change_reason
    assert recorded.startswith("retract: The cohort was re-analysed")
    assert len(recorded) == 100 and recorded.endswith("…")


def test_a_long_edit_reason_fits_the_history(personas):
    claim = make_claim(personas.curator)

    writes.update_claim(claim, actor=personas.curator, data={"text": "Edited text"},
                        reason="x" * 300)

    assert len(claim.history.latest("history_date").history_change_reason) == 100
