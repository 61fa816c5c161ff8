"""The review workflow: the only code that changes the status of a claim or evidence item.

Every transition checks the actor's role and the current state, locks the row, saves the
change with who and why (django-simple-history records it in the same transaction), and
sends mail only once the transaction commits. The admin, the API, the importers and the
tests all call these functions; a refused transition raises TransitionNotAllowed and
changes nothing.
"""

from dataclasses import dataclass
from functools import cache

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from claims import changes, rereview, roles, writes_bulk
from claims.choices import Direction, Status, Verdict
from claims.models import Claim, ClaimVersion, CuratorReview, Evidence
from claims.models.base import as_id
from claims.models.claims import ASSIGNMENT_FIELDS
from claims.versions import claim_content, content_hash

# Claim transitions, as (action, from-state, to-state). Reviews are listed by verdict.
CLAIM_TRANSITIONS = (
    ("submit", Status.DRAFT, Status.SUBMITTED),
    ("withdraw", Status.SUBMITTED, Status.DRAFT),
    ("approve", Status.SUBMITTED, Status.ACCEPTED),
    ("reject", Status.SUBMITTED, Status.REJECTED),
    ("request_changes", Status.SUBMITTED, Status.DRAFT),
    ("reopen", Status.REJECTED, Status.DRAFT),
    ("retract", Status.ACCEPTED, Status.RETRACTED),
)
# Evidence on an accepted claim is reviewed on its own; there is no retraction of evidence.
EVIDENCE_TRANSITIONS = tuple(t for t in CLAIM_TRANSITIONS if t[0] != "retract")


class TransitionNotAllowed(Exception):
    """A refused transition. forbidden=True: the actor lacks the role or is the author."""

    def __init__(self, message: str, *, forbidden: bool = False):
        super().__init__(message)
        self.message = message
        self.forbidden = forbidden


@dataclass(frozen=True)
class Outcome:
    """What a review did: the review row and the state it left its target in."""

    review: CuratorReview
    status: str


def required_approvals() -> int:
    return max(1, int(getattr(settings, "CURATION_REQUIRED_APPROVALS", 1)))


# --- checks: each raises TransitionNotAllowed, or returns when the action is allowed ---


def _kind(obj) -> str:
    return "claim" if isinstance(obj, Claim) else "evidence"


def _check_state(obj, action: str):
    table = CLAIM_TRANSITIONS if isinstance(obj, Claim) else EVIDENCE_TRANSITIONS
    sources = [src for name, src, _ in table if name == action]
    if obj.status not in sources:
        possible = sorted({name for name, src, _ in table if src == obj.status})
        raise TransitionNotAllowed(
            f"Cannot {action.replace('_', ' ')}: the {_kind(obj)} is {obj.status}. "
            f"From {obj.status} it may be: {', '.join(possible) or 'nothing (final state)'}."
        )


def _check_author(obj, actor, action: str):
    if roles.has_staff_powers(actor):
        return  # staff act for the author
    if not roles.is_curator(actor):
        raise TransitionNotAllowed(f"Only curators may {action} a {_kind(obj)}.", forbidden=True)
    if obj.created_by_id != actor.pk:
        raise TransitionNotAllowed(
            f"Only the author of this {_kind(obj)} (or staff) may {action} it.", forbidden=True)


def _check_evidence_on_its_own(evidence: Evidence, action: str):
    status = evidence.claim.status
    if status == Status.RETRACTED:
        raise TransitionNotAllowed("The claim is retracted: its evidence is no longer reviewed.")
    if status != Status.ACCEPTED:
        raise TransitionNotAllowed(
            f"Evidence on a {status} claim travels with its claim: "
            f"{action.replace('_', ' ')} the claim instead."
        )


def _check_staff(actor):
    if not roles.has_staff_powers(actor):
        raise TransitionNotAllowed("Only staff may retract a claim.", forbidden=True)


def _involved(obj) -> set:
    """Who may not review obj (four-eyes): its author and last editor, and for a claim those
    of the evidence submitted with it."""
    involved = {obj.created_by_id, obj.updated_by_id}
    if isinstance(obj, Claim):
        for evidence in obj.evidence.all():
            if evidence.status == Status.SUBMITTED:
                involved |= {evidence.created_by_id, evidence.updated_by_id}
    return involved


def _check_reviewer(obj, reviewer, verdict: str):
    if not roles.is_reviewer(reviewer):
        raise TransitionNotAllowed(f"Only reviewers may review a {_kind(obj)}.", forbidden=True)
    _check_state(obj, verdict)
    if reviewer.pk in _involved(obj):
        raise TransitionNotAllowed(
            f"Four-eyes rule: you created or last edited this {_kind(obj)}, "
            "so another reviewer must review it.", forbidden=True)
    if any(r.reviewer_id == reviewer.pk and r.review_round == obj.review_round
           for r in obj.reviews.all()):
        raise TransitionNotAllowed(
            f"You have already reviewed this submission of the {_kind(obj)}; "
            "a reviewer's verdict counts once.")


def _check(obj, action: str, actor):
    if action in Verdict.values:
        _check_reviewer(obj, actor, action)
        if isinstance(obj, Evidence):
            _check_evidence_on_its_own(obj, "review")
        return
    if action == "retract":
        _check_staff(actor)
        _check_state(obj, action)
        return
    _check_author(obj, actor, action)
    _check_state(obj, action)
    if isinstance(obj, Evidence):
        _check_evidence_on_its_own(obj, action)


def reviewable(queryset, user):
    """The submitted claims or evidence items in queryset that this user may review now.

    The queryset form of _check_reviewer, for queues: submitted (evidence: on an accepted
    claim), not created or last edited by the user (for a claim: nor any evidence submitted
    with it), not yet reviewed by the user in this submission round.
    """
    if not roles.is_reviewer(user):
        return queryset.none()
    is_claim = queryset.model is Claim
    target = "claim" if is_claim else "evidence"
    reviewed = CuratorReview.objects.filter(**{target: OuterRef("pk")}, reviewer=user,
                                            review_round=OuterRef("review_round"))
    involved = Q(created_by=user) | Q(updated_by=user) | Q(Exists(reviewed))
    if is_claim:
        involved |= Q(Exists(Evidence.objects.filter(
            Q(created_by=user) | Q(updated_by=user), claim=OuterRef("pk"),
            status=Status.SUBMITTED)))
        return queryset.filter(status=Status.SUBMITTED).exclude(involved)
    return (queryset.filter(status=Status.SUBMITTED, claim__status=Status.ACCEPTED)
            .exclude(involved))


def allowed_actions(obj, user) -> list[str]:
    """The transitions this user may apply to this claim or evidence item now."""
    table = CLAIM_TRANSITIONS if isinstance(obj, Claim) else EVIDENCE_TRANSITIONS
    allowed = []
    for action, source, _ in table:
        if obj.status != source:
            continue
        try:
            _check(obj, action, user)
        except TransitionNotAllowed:
            continue
        allowed.append(action)
    if isinstance(obj, Claim) and obj.needs_rereview:
        try:
            _check_confirm(obj, user)
        except TransitionNotAllowed:
            pass
        else:
            allowed.append("confirm")
    return allowed


# --- effects ---


def _lock(obj):
    """The row as it is now, locked until the transaction ends: decisions read this copy.

    Evidence locks its claim first. Every transition takes a claim's lock before any of its
    evidence rows, so two transitions on one claim queue instead of deadlocking.
    """
    changes.lock()
    if isinstance(obj, Evidence):
        Claim.objects.select_for_update().get(pk=obj.claim_id)
    return type(obj).objects.select_for_update().get(pk=obj.pk)


def _refresh(obj):
    obj.refresh_from_db()
    obj.__dict__.pop("_prefetched_objects_cache", None)


def _save(obj, actor, reason: str, fields: list[str]):
    obj._history_user = actor
    obj._change_reason = reason
    obj.save(update_fields=fields)


def _move_evidence(claim: Claim, actor, source: str, target: str, reason: str):
    """Evidence submitted with a claim follows the claim's decision."""
    for evidence in claim.evidence.select_for_update().filter(status=source):
        evidence.status = target
        if target == Status.SUBMITTED:
            evidence.review_round += 1
        _save(evidence, actor, reason, ["status", "review_round"])


def _mint_version(claim: Claim) -> ClaimVersion:
    content = claim_content(claim)
    last = claim.versions.order_by("-number").values_list("number", flat=True).first() or 0
    return ClaimVersion.objects.create(claim=claim, number=last + 1, content=content,
                                       content_hash=content_hash(content))


def _notify_author(obj, review: CuratorReview, status: str):
    author = obj.created_by
    if not (author and author.email):
        return
    kind = _kind(obj)
    subject = f"Your {kind} is now {status}"
    body = (f"{review.reviewer} reviewed your {kind} ({review.get_verdict_display().lower()}).\n\n"
            f"{getattr(obj, 'text', '') or obj}\n\nComment: {review.comment or '(none)'}\n")
    transaction.on_commit(lambda: send_mail(subject, body, None, [author.email],
                                            fail_silently=True))


def _transition(obj, actor, action: str, target: str, *, reason: str, extra=None):
    with transaction.atomic():
        locked = _lock(obj)
        _check(locked, action, actor)
        locked.status = target
        fields = ["status"]
        if action == "submit":
            locked.review_round += 1
            fields.append("review_round")
        for name, value in (extra or {}).items():
            setattr(locked, name, value)
            fields.append(name)
        if isinstance(locked, Claim):
            fields += _end_assignment(locked)
        _save(locked, actor, reason, fields)
        if isinstance(locked, Claim):
            follow = {"submit": (Status.DRAFT, Status.SUBMITTED),
                      "withdraw": (Status.SUBMITTED, Status.DRAFT),
                      "reopen": (Status.REJECTED, Status.DRAFT),
                      # Evidence still under review is released when its claim is retracted.
                      "retract": (Status.SUBMITTED, Status.DRAFT)}.get(action)
            if follow:
                _move_evidence(locked, actor, *follow, reason=f"{action} with claim")
    _refresh(obj)


def submit(obj, actor):
    """draft → submitted: the author asks for review."""
    _transition(obj, actor, "submit", Status.SUBMITTED, reason="submit")
    return obj


def withdraw(obj, actor):
    """submitted → draft: the author takes it back before a decision."""
    _transition(obj, actor, "withdraw", Status.DRAFT, reason="withdraw")
    return obj


def reopen(obj, actor):
    """rejected → draft: the author reworks it."""
    _transition(obj, actor, "reopen", Status.DRAFT, reason="reopen")
    return obj


def retract(claim: Claim, actor, reason: str, superseded_by: Claim | None = None):
    """accepted → retracted (staff): stays readable, marked retracted, with its reason."""
    _check_staff(actor)  # before the input: someone without the role learns that first
    reason = (reason or "").strip()
    if not reason:
        raise TransitionNotAllowed("A retraction needs a reason.")
    if superseded_by is not None and superseded_by.pk == claim.pk:
        raise TransitionNotAllowed("A claim cannot supersede itself.")
    if superseded_by is not None and superseded_by.status != Status.ACCEPTED:
        # Readers follow superseded_by: it must lead to a claim they can read.
        raise TransitionNotAllowed(
            f"The claim that supersedes it must be accepted; that one is {superseded_by.status}.")
    # A retraction settles a re-review too.
    _transition(claim, actor, "retract", Status.RETRACTED, reason=f"retract: {reason}",
                extra={"retraction_reason": reason, "superseded_by": superseded_by,
                       "needs_rereview": False, "rereview_reason": ""})
    return claim


# --- re-review: outside the transition table, as the claim stays accepted ---


def _check_confirm(claim: Claim, reviewer):
    if not roles.is_reviewer(reviewer):
        raise TransitionNotAllowed("Only reviewers may re-review a claim.", forbidden=True)
    if claim.status != Status.ACCEPTED or not claim.needs_rereview:
        state = claim.status if claim.status != Status.ACCEPTED else "not flagged for re-review"
        raise TransitionNotAllowed(
            f"Cannot confirm: the claim is {state}. Only an accepted claim flagged for "
            "re-review is confirmed.")
    if reviewer.pk in (claim.created_by_id, claim.updated_by_id):
        raise TransitionNotAllowed(
            "Four-eyes rule: you created or last edited this claim, so another reviewer must "
            "re-review it.", forbidden=True)


def rereviewable(queryset, user):
    """The claims in queryset flagged for re-review that this user may confirm now (the
    queryset form of _check_confirm, for queues); no evidence is ever flagged."""
    if queryset.model is not Claim or not roles.is_reviewer(user):
        return queryset.none()
    return (queryset.filter(status=Status.ACCEPTED, needs_rereview=True)
            .exclude(Q(created_by=user) | Q(updated_by=user)))


def confirm(claim: Claim, reviewer, comment: str) -> CuratorReview:
    """Re-review of an accepted claim flagged for it (claims/rereview.py): it stands.

    A reviewer who neither created nor last edited it clears the flag with a comment saying
    why. The re-review is a review round of its own: review_round moves on and the reviewer's
    approval, with the comment, is recorded in it. The claim stays accepted and its content,
    so no version is minted. Staff who find that it does not stand retract it instead."""
    comment = (comment or "").strip()
    with transaction.atomic():
        locked = _lock(claim)
        _check_confirm(locked, reviewer)
        if not comment:
            raise TransitionNotAllowed("A re-review needs a comment: say why the claim stands.")
        locked.review_round += 1
        locked.needs_rereview, locked.rereview_reason = False, ""
        # The comment is kept whole in the review; a history reason holds 100 characters.
        _save(locked, reviewer, "confirm after re-review",
              ["review_round", "needs_rereview", "rereview_reason", *_end_assignment(locked)])
        record = CuratorReview.objects.create(claim=locked, review_round=locked.review_round,
                                              verdict=Verdict.APPROVE, comment=comment,
                                              reviewer=reviewer)
    _refresh(claim)
    return record


def review(obj, reviewer, verdict: str, comment: str = "") -> Outcome:
    """Record a reviewer's verdict on a submitted claim or evidence item and apply it.

    approve: accepted once it has the required approvals from distinct reviewers in this
    submission round (accepting a claim accepts the evidence submitted with it, and every
    acceptance mints a citable version). reject: rejected. request_changes: back to draft.
    """
    comment = (comment or "").strip()
    if verdict not in Verdict.values:
        raise TransitionNotAllowed(
            f"Unknown verdict {verdict!r}: choose one of {', '.join(Verdict.values)}.")
    is_claim = isinstance(obj, Claim)
    with transaction.atomic():
        locked = _lock(obj)
        _check(locked, verdict, reviewer)
        # After the role, four-eyes and state checks: those answers come first.
        if verdict != Verdict.APPROVE and not comment:
            raise TransitionNotAllowed("A comment is required to reject or request changes.")
        target = {"claim": locked} if is_claim else {"evidence": locked}
        record = CuratorReview.objects.create(**target, review_round=locked.review_round,
                                              verdict=verdict, comment=comment,
                                              reviewer=reviewer)
        status = _apply_verdict(locked, reviewer, verdict)
        if status != Status.SUBMITTED:
            _notify_author(locked, record, status)
    _refresh(obj)
    return Outcome(review=record, status=status)


def _apply_verdict(obj, reviewer, verdict: str) -> str:
    is_claim = isinstance(obj, Claim)
    if verdict == Verdict.APPROVE:
        approvals = (CuratorReview.objects.filter(**{_kind(obj): obj},
                                                  review_round=obj.review_round,
                                                  verdict=Verdict.APPROVE)
                     .values("reviewer").distinct().count())
        if approvals < required_approvals():
            if is_claim and obj.assigned_reviewer_id == reviewer.pk:
                # The assignee has given their verdict: another reviewer may now be asked.
                _unassign(obj)
                _save(obj, reviewer, "approve: assignment done", list(ASSIGNMENT_FIELDS))
            return obj.status
        target = Status.ACCEPTED
    elif verdict == Verdict.REJECT:
        target = Status.REJECTED
    else:
        target = Status.DRAFT
    obj.status = target
    _save(obj, reviewer, verdict, ["status", *(_end_assignment(obj) if is_claim else ())])
    if is_claim:
        _move_evidence(obj, reviewer, Status.SUBMITTED, target, reason=f"{verdict} with claim")
    if target == Status.ACCEPTED:
        _mint_version(obj if is_claim else obj.claim)
        if not is_claim and obj.direction == Direction.CONTRADICTS:
            # Evidence is accepted on its own only on an accepted claim: one to look at again.
            rereview.flag_contradicted(obj, actor=reviewer)
    return target


# --- assignment: which reviewer is asked to decide a claim that waits for one ---


def _awaits_review(claim: Claim) -> bool:
    return claim.status == Status.SUBMITTED or (claim.status == Status.ACCEPTED
                                                and claim.needs_rereview)


def _unassign(claim: Claim):
    claim.assigned_reviewer, claim.assigned_at = None, None


def _end_assignment(claim: Claim) -> list[str]:
    """An assignment lasts while the claim waits for a reviewer: when a change ends that wait
    (a decision, a withdrawal, a confirmation, a retraction), the fields to save with it."""
    if claim.assigned_reviewer_id is None or _awaits_review(claim):
        return []
    _unassign(claim)
    return list(ASSIGNMENT_FIELDS)


def _check_assign(claim: Claim, reviewer, actor):
    # Who asks comes first, then the claim's state, then who is asked.
    if not roles.has_staff_powers(actor):
        if not roles.is_reviewer(actor):
            raise TransitionNotAllowed("Only staff and reviewers may assign a claim for review.",
                                       forbidden=True)
        if reviewer is not None and reviewer.pk != actor.pk:
            raise TransitionNotAllowed(
                "A reviewer may take a claim for themself only; staff assign other reviewers.",
                forbidden=True)
        if claim.assigned_reviewer_id not in (None, actor.pk):
            raise TransitionNotAllowed(
                f"The claim is assigned to {claim.assigned_reviewer}; only staff may reassign it.",
                forbidden=True)
    if not _awaits_review(claim):
        state = "accepted and not flagged for re-review" if claim.status == Status.ACCEPTED \
            else claim.status
        raise TransitionNotAllowed(
            f"Cannot assign: the claim is {state}. Only a submitted claim, or an accepted one "
            "flagged for re-review, waits for a reviewer.")
    if reviewer is None:
        return
    name = reviewer.get_username()
    if not (reviewer.is_active and roles.is_reviewer(reviewer)):
        raise TransitionNotAllowed(f"{name} is not a reviewer: only reviewers are assigned claims.")
    if claim.status == Status.SUBMITTED:
        involved = _involved(claim)
    else:  # re-review: the four-eyes rule of _check_confirm
        involved = {claim.created_by_id, claim.updated_by_id}
    if reviewer.pk in involved:
        raise TransitionNotAllowed(
            f"Four-eyes rule: {name} created or last edited this claim or evidence submitted "
            "with it, so another reviewer must review it.")
    if claim.status == Status.SUBMITTED and claim.reviews.filter(
            reviewer=reviewer, review_round=claim.review_round).exists():
        raise TransitionNotAllowed(f"{name} has already reviewed this submission of the claim.")


def can_assign(claim: Claim, reviewer, actor) -> bool:
    """Whether actor may assign this claim to reviewer (None: clear its assignment) now."""
    try:
        _check_assign(claim, reviewer, actor)
    except TransitionNotAllowed:
        return False
    return True


def _notify_assignee(claim: Claim, reviewer, actor):
    if not reviewer.email:
        return
    waiting = ("flagged for re-review" if claim.status == Status.ACCEPTED
               else f"submitted for review (round {claim.review_round})")
    subject = "A claim waits for your review"
    body = (f"{actor} asked you to review claim {claim.pk}, {waiting}:\n\n{claim.text}\n\n"
            "It comes first in your review queue and on your dashboard in the admin.\n")
    transaction.on_commit(lambda: send_mail(subject, body, None, [reviewer.email],
                                            fail_silently=True))


def assign(claim: Claim, reviewer, actor) -> Claim:
    """Ask reviewer to decide a claim that waits for review; reviewer None clears the ask.

    A claim waits for review while submitted, or while accepted and flagged for re-review.
    The assignee must be able to decide it: a reviewer, not its author or last editor nor
    those of evidence submitted with it, not yet a reviewer of this submission. Staff assign,
    reassign and clear; a reviewer may take an unassigned claim for themself and give their
    own back. The assignee is told by mail once the transaction commits (unless they took it
    themself). The assignment ends when the assignee gives their verdict, or when the claim
    stops waiting (decided, sent back, withdrawn, confirmed, retracted). Assigning the
    current assignee again changes nothing.
    """
    with transaction.atomic():
        locked = _lock(claim)
        _check_assign(locked, reviewer, actor)
        if locked.assigned_reviewer_id == (reviewer.pk if reviewer else None):
            return claim
        if reviewer is None:
            reason = f"unassign {locked.assigned_reviewer.get_username()}"
            _unassign(locked)
        else:
            reason = f"assign to {reviewer.get_username()}"
            locked.assigned_reviewer, locked.assigned_at = reviewer, timezone.now()
        _save(locked, actor, reason, list(ASSIGNMENT_FIELDS))
        if reviewer is not None and reviewer.pk != actor.pk:
            _notify_assignee(locked, reviewer, actor)
    _refresh(claim)
    return claim


def adopt(model, states: dict[int, dict], actor, reason: str) -> dict[int, str]:
    """Bring freshly imported claims or evidence items to the state their import file records.

    An import (claims/interchange/load.py) stores each new claim or evidence item as a draft
    in round 0, then hands it here with the state its file gives: states maps ids to
    {"status", "review_round"}, for claims also "retraction_reason" and "superseded_by_id".
    The file speaks for submissions, reviews and decisions made elsewhere, so the four-eyes
    rule cannot apply; the actor must hold staff powers instead, as when acting for an author.
    A state the workflow could not have reached is refused: a row that is no longer a fresh,
    unreviewed draft; a decision without a submission round; a retraction without its reason,
    or superseded by a claim that is not accepted (or since retracted); evidence in a state
    its claim's status does not allow (so claims are adopted before their evidence). No
    version is minted: the import restores the file's versions. Each adopted row gets one
    history entry with the actor and "adopt <status>: <reason>".

    Returns {id: why} for the rows refused, which stay fresh drafts: an all-or-nothing import
    reports them and rolls back. Raises TransitionNotAllowed, changing nothing, when the actor
    lacks staff powers.
    """
    _ensure_may_adopt(actor)
    is_claim = model is Claim
    refused, adopted = {}, []
    with transaction.atomic():
        changes.lock()  # before any row lock, as every writer
        mark = writes_bulk.history_mark(model)
        statuses = _statuses_for_adoption(model, states)
        rows = model.objects.select_for_update().filter(pk__in=list(states)).order_by("pk")
        kind = "claim" if is_claim else "evidence"
        reviewed = set(CuratorReview.objects.filter(**{f"{kind}__in": list(states)})
                       .values_list(f"{kind}_id", flat=True))
        for row in rows:
            if row.status != Status.DRAFT or row.review_round or row.pk in reviewed:
                why = (f"the {kind} is no longer a fresh draft: only what an import has just "
                       "created is adopted")
            else:
                why = _adoption_refused(row, states[row.pk], statuses, reason)
            if why:
                refused[row.pk] = why
            else:
                adopted.append(row)
        # One UPDATE per state, of which there are few; the rarer retractions in one more.
        groups = {}
        for row in adopted:
            groups.setdefault((row.status, row.review_round), []).append(row.pk)
        for (status, round_), pks in groups.items():
            model.objects.filter(pk__in=pks).update(status=status, review_round=round_)
        retracted = [row for row in adopted if is_claim and row.status == Status.RETRACTED]
        if retracted:
            model.objects.bulk_update(retracted, ["retraction_reason", "superseded_by"])
        _record_adoption(model, adopted, actor, mark)
    return refused


def adopt_new(model, objs: list, states: list[dict | None], actor, reason: str,
              create) -> tuple[dict[int, str], dict]:
    """adopt() for claims or evidence items an import has not written yet: each is written in
    the state its file records, not written as a draft and then updated, with the history and
    change feed adopt() leaves (a "+" entry as a fresh draft, then "adopt <status>: <reason>").

    states: per object, its state as adopt() takes it, or None to leave it a fresh draft.
    create(objs): the write service that inserts them as the drafts they were (see
    writes_bulk.create's as_drafts), returning {index: why} for rows the database refuses.
    Returns ({index: why} for the states refused, whose rows are written as fresh drafts,
    what create returned). Raises TransitionNotAllowed, writing nothing, as adopt() does."""
    _ensure_may_adopt(actor)
    refused, adopting = {}, []
    with transaction.atomic():
        changes.lock()
        wanted = {i: state for i, state in enumerate(states) if state is not None}
        statuses = _statuses_for_adoption(model, wanted, [objs[i] for i in wanted])
        for index, state in wanted.items():
            why = _adoption_refused(objs[index], state, statuses, reason)
            if why:
                refused[index] = why
                _make_fresh(objs[index])
            else:
                adopting.append(index)
        failed = create(objs)
        mark = writes_bulk.history_mark(model)
        _record_adoption(model, [objs[i] for i in adopting if i not in failed], actor, mark)
    return refused, failed


def _ensure_may_adopt(actor):
    if not roles.has_staff_powers(actor):
        raise TransitionNotAllowed(
            "Only staff may adopt imported claims and evidence in the state their file records "
            "(they act for the file's curators and reviewers).", forbidden=True)


def _statuses_for_adoption(model, states: dict, new: list = ()) -> dict:
    """The statuses the rules read: for claims, those of the claims named as superseding them
    (and of the claims adopted now); for evidence, those of their claims, locked before the
    evidence as in every transition."""
    if model is Claim:
        targets = {s.get("superseded_by_id") for s in states.values()} - {None}
        statuses = dict(Claim.objects.filter(pk__in=targets).values_list("pk", "status"))
        if not new:
            statuses.update({pk: state["status"] for pk, state in states.items()})
        return statuses
    claims = ({obj.claim_id for obj in new} if new
              else Evidence.objects.filter(pk__in=list(states)).values("claim_id"))
    return dict(Claim.objects.select_for_update().filter(pk__in=claims)
                .values_list("pk", "status"))


# What evidence may be while its claim is in each status: it travels with its claim until the
# claim is accepted, and is reviewed on its own after that; a retraction releases evidence
# under review.
_EVIDENCE_WITH_CLAIM = {
    Status.DRAFT: {Status.DRAFT},
    Status.SUBMITTED: {Status.DRAFT, Status.SUBMITTED},
    Status.REJECTED: {Status.DRAFT, Status.REJECTED},
    Status.ACCEPTED: {Status.DRAFT, Status.SUBMITTED, Status.ACCEPTED, Status.REJECTED},
    Status.RETRACTED: {Status.DRAFT, Status.ACCEPTED, Status.REJECTED},
}


def _adoption_refused(obj, state: dict, statuses: dict, reason: str) -> str | None:
    """Why a fresh draft cannot be adopted in this state; None when it can, and then the
    state is set on obj, with the history reason it is adopted with."""
    is_claim = isinstance(obj, Claim)
    kind = "claim" if is_claim else "evidence"
    transitions = CLAIM_TRANSITIONS if is_claim else EVIDENCE_TRANSITIONS
    status, round_ = state["status"], state["review_round"]
    reason_given = (state.get("retraction_reason") or "").strip()
    successor = state.get("superseded_by_id")
    if status not in {target for _, _, target in transitions}:
        return f"a {kind} is never {status}"
    if status != Status.DRAFT and round_ < 1:
        return f"a {kind} that is {status} was submitted: its review round is 1 or more"
    if is_claim and status == Status.RETRACTED and not reason_given:
        return "a retracted claim needs its retraction reason"
    if is_claim and status != Status.RETRACTED and (reason_given or successor):
        return "only a retracted claim has a retraction reason or a claim superseding it"
    if successor is not None and successor == obj.pk:
        return "a claim cannot supersede itself"
    if successor is not None and statuses.get(successor) not in (Status.ACCEPTED,
                                                                  Status.RETRACTED):
        return "the claim that supersedes it must be accepted"
    if not is_claim and status not in _EVIDENCE_WITH_CLAIM[statuses[obj.claim_id]]:
        allowed = _EVIDENCE_WITH_CLAIM[statuses[obj.claim_id]]
        return (f"evidence on a {statuses[obj.claim_id]} claim cannot be {status}: "
                f"it may be {', '.join(sorted(allowed))}")
    obj.status, obj.review_round = status, round_
    if is_claim:
        obj.retraction_reason, obj.superseded_by_id = reason_given, successor
    obj._change_reason = f"adopt {status}: {reason}"[:_reason_room(type(obj))]
    return None


@cache
def _reason_room(model) -> int:
    # Model.history builds a manager class on each access: read once.
    return model.history.model._meta.get_field("history_change_reason").max_length


def _make_fresh(obj):
    obj.status, obj.review_round = Status.DRAFT, 0
    if isinstance(obj, Claim):
        obj.retraction_reason, obj.superseded_by_id = "", None


def _record_adoption(model, adopted: list, actor, mark):
    """What an adoption leaves besides the rows: a history entry each, with actor and reason
    (and the many-to-many values the bulk history leaves out), and the change feed's entries,
    which bulk writes send no signal for."""
    pks = [row.pk for row in adopted]
    writes_bulk.record_history(model, pks, actor=actor,
                               reason={row.status: row._change_reason for row in adopted})
    writes_bulk.complete_history(model, pks, mark)
    changes.record_many(model, pks)
    if model is not Claim:
        changes.record_many(Claim, sorted({row.claim_id for row in adopted}))


def lock_row(model, pk):
    """Lock a row for the rest of the transaction, as transitions do; returns it fresh.

    Edits and deletions take this lock before they check anything, so a decision cannot
    land between their checks and their write. None when pk names no row."""
    pk = as_id(pk)
    if pk is None:
        return None
    changes.lock()
    return model.objects.select_for_update().filter(pk=pk).first()


DELETABLE_STATUSES = (Status.DRAFT, Status.REJECTED)


def ensure_deletable(obj):
    """Only work that was never accepted may be deleted; accepted work is retracted instead.

    Reviews are kept for ever (they protect their claim or evidence in the database), so a
    draft that has been reviewed stays too.
    """
    if obj.status not in DELETABLE_STATUSES:
        advice = "retract it instead" if isinstance(obj, Claim) else "it is part of the record"
        raise TransitionNotAllowed(
            f"Cannot delete: the {_kind(obj)} is {obj.status}; {advice}. "
            "Only drafts and rejected work are deleted.")
