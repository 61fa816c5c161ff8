"""Re-review: an accepted claim is flagged when something it rests on changes after its
acceptance, so that reviewers look at it again.

Two events flag a claim:
- a paper that its accepted evidence cites is marked retracted (claims/writes.py calls
  flag_citing() when a paper's is_retracted turns true, whichever face saves it);
- contradicting evidence on it is accepted (claims/workflow.py, at the evidence's acceptance).

A flagged claim has needs_rereview set and one line per event in rereview_reason. The flag is
saved with the actor and the reason in the claim's history, so the change feed carries it; the
claim's editor stamp is left alone (a flag is no edit, and the four-eyes rule reads the stamp).
workflow.confirm (a reviewer's re-review: the claim stands) or the claim's retraction clears
it; a paper marked no longer retracted leaves it for a reviewer to clear.
"""

from collections.abc import Iterable

from django.db import transaction

from claims import changes
from claims.choices import Status
from claims.models import Claim, Evidence, Paper


def flag(claim_ids: Iterable[int], *, actor, reason: str, event: str) -> list[int]:
    """Flag these claims, those that are accepted, for re-review with this reason; returns
    the ids of those flagged now (a claim already flagged for the same reason is left).
    event: a few words for the history entry, whose reason holds 100 characters at most."""
    flagged = []
    with transaction.atomic():
        changes.lock()  # before any row lock, as every writer
        claims = (Claim.objects.select_for_update()
                  .filter(pk__in=list(claim_ids), status=Status.ACCEPTED).order_by("pk"))
        for claim in claims:
            lines = claim.rereview_reason.splitlines()
            if reason in lines:
                continue
            claim.needs_rereview = True
            claim.rereview_reason = "\n".join([*lines, reason])
            claim._history_user = actor
            claim._change_reason = f"flag for re-review: {event}"
            claim.save(update_fields=["needs_rereview", "rereview_reason"])
            flagged.append(claim.pk)
    return flagged


def flag_citing(paper: Paper, *, actor) -> list[int]:
    """Flag the accepted claims whose accepted evidence cites this paper, just retracted."""
    claims = (Evidence.objects.filter(paper=paper, status=Status.ACCEPTED,
                                      claim__status=Status.ACCEPTED)
              .values_list("claim_id", flat=True).distinct())
    notice = f", notice {paper.retraction_url}" if paper.retraction_url else ""
    return flag(claims, actor=actor, reason=f"A cited paper was retracted: {paper}{notice}.",
                event="a cited paper was retracted")


def flag_contradicted(evidence: Evidence, *, actor) -> list[int]:
    """Flag the accepted claim that this evidence, just accepted on its own, contradicts."""
    where = f", {evidence.location}" if evidence.location else ""
    return flag([evidence.claim_id], actor=actor, event="contradicting evidence was accepted",
                reason=(f"Contradicting evidence was accepted: {evidence.evidence_type.code}, "
                        f"{evidence.paper}{where}."))
