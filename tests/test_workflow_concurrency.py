"""Reviewers deciding at the same moment end in one consistent state.

Each decision runs in its own thread, so on its own database connection and in its own
transaction; a barrier releases them together. The workflow's row lock is held a little
longer than usual (HOLD) so the second decision surely arrives while the first holds the row:
without select_for_update both would read "submitted" and both would be applied.
"""

import threading
import time

import pytest
from django.db import connection

from claims import workflow
from claims.choices import Status
from claims.models import Claim, ClaimVersion, CuratorReview, Evidence
from claims.workflow import Outcome, TransitionNotAllowed
from tests.factories import make_claim, make_evidence

# Transactional: each thread commits on its own connection. role_groups: the flush empties them.
pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True),
              pytest.mark.usefixtures("role_groups")]

HOLD = 0.3  # seconds each transition keeps its lock before deciding
DECIDES = {"approve": Status.ACCEPTED, "reject": Status.REJECTED, "request_changes": Status.DRAFT}


@pytest.fixture(autouse=True)
def slow_locks(monkeypatch):
    lock = workflow._lock

    def lock_and_hold(obj):
        locked = lock(obj)
        time.sleep(HOLD)
        return locked

    monkeypatch.setattr(workflow, "_lock", lock_and_hold)


def at_once(*calls):
    """Run each call in its own thread, all released by one barrier; return results or exceptions."""
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait(timeout=10)
            results[index] = call()
        except Exception as exc:  # the test inspects what each thread ended with
            results[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "a decision never finished"
    return results


def decide(model, pk, reviewer, verdict):
    """A reviewer's decision as a face would make it: its own fresh copy of the object."""
    return lambda: workflow.review(model.objects.get(pk=pk), reviewer, verdict,
                                   "" if verdict == "approve" else "Fig. 3 does not show this.")


def submitted_claim(personas):
    claim = make_claim(created_by=personas.curator)
    make_evidence(claim)
    workflow.submit(claim, personas.curator)
    return claim


@pytest.mark.parametrize("first, second", [("approve", "reject"), ("approve", "approve"),
                                           ("reject", "request_changes"),
                                           ("request_changes", "approve")])
def test_two_reviewers_deciding_at_once_one_decision_wins(personas, first, second):
    claim = submitted_claim(personas)

    results = at_once(decide(Claim, claim.pk, personas.reviewer, first),
                      decide(Claim, claim.pk, personas.second_reviewer, second))

    wins = [r for r in results if isinstance(r, Outcome)]
    refusals = [r for r in results if isinstance(r, TransitionNotAllowed)]
    assert (len(wins), len(refusals)) == (1, 1), results
    won = wins[0]
    assert not refusals[0].forbidden
    assert f"the claim is {won.status}" in refusals[0].message

    claim.refresh_from_db()
    review = CuratorReview.objects.get()
    assert review.pk == won.review.pk
    assert claim.status == DECIDES[review.verdict] == won.status
    assert claim.evidence.get().status == claim.status
    assert ClaimVersion.objects.filter(claim=claim).count() == (1 if claim.status == Status.ACCEPTED else 0)
    assert [h.status for h in claim.history.order_by("history_date", "history_id")] == [
        Status.DRAFT, Status.SUBMITTED, claim.status]


def test_two_required_approvals_given_at_once_accept_once(personas, settings):
    settings.CURATION_REQUIRED_APPROVALS = 2
    claim = submitted_claim(personas)

    results = at_once(decide(Claim, claim.pk, personas.reviewer, "approve"),
                      decide(Claim, claim.pk, personas.second_reviewer, "approve"))

    assert all(isinstance(r, Outcome) for r in results), results
    assert sorted(r.status for r in results) == [Status.ACCEPTED, Status.SUBMITTED]
    claim.refresh_from_db()
    assert claim.status == Status.ACCEPTED
    assert claim.evidence.get().status == Status.ACCEPTED
    assert sorted(claim.reviews.values_list("reviewer__username", flat=True)) == [
        "reviewer", "second-reviewer"]
    assert list(ClaimVersion.objects.filter(claim=claim).values_list("number", flat=True)) == [1]


def test_reviewing_evidence_while_its_claim_is_decided_does_not_deadlock(personas):
    """Claim first, then its evidence: every transition takes the locks in that order."""
    claim = submitted_claim(personas)
    evidence = claim.evidence.get()

    on_evidence, on_claim = at_once(decide(Evidence, evidence.pk, personas.reviewer, "approve"),
                                    decide(Claim, claim.pk, personas.second_reviewer, "approve"))

    assert isinstance(on_claim, Outcome) and on_claim.status == Status.ACCEPTED, on_claim
    assert isinstance(on_evidence, TransitionNotAllowed), on_evidence
    claim.refresh_from_db()
    evidence.refresh_from_db()
    assert (claim.status, evidence.status) == (Status.ACCEPTED, Status.ACCEPTED)
    assert list(CuratorReview.objects.values_list("claim", "evidence")) == [(claim.pk, None)]


def test_evidence_items_accepted_at_once_mint_one_version_each(personas):
    claim = submitted_claim(personas)
    workflow.review(claim, personas.reviewer, "approve")
    added = [make_evidence(claim), make_evidence(claim)]
    for evidence in added:
        workflow.submit(evidence, personas.curator)

    results = at_once(decide(Evidence, added[0].pk, personas.reviewer, "approve"),
                      decide(Evidence, added[1].pk, personas.second_reviewer, "approve"))

    assert [r.status for r in results] == [Status.ACCEPTED, Status.ACCEPTED], results
    versions = list(ClaimVersion.objects.filter(claim=claim).order_by("number"))
    assert [v.number for v in versions] == [1, 2, 3]
    assert [len(v.content["evidence"]) for v in versions] == [1, 2, 3]
    claim.refresh_from_db()
    assert claim.status == Status.ACCEPTED
