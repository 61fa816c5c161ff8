"""What comes next, in the words of the messages the admin shows after an action or a save:
each message says what happened (its caller) and then what the user or someone else does next
(here), so nobody has to guess where the work went."""

from django.contrib import messages
from django.contrib.admin.options import IS_POPUP_VAR

from claims.choices import Status
from claims.models import Claim, Evidence, Paper

CLAIMS_SUBMIT = "“Submit for review” among the claims list's actions"
EVIDENCE_SUBMIT = "“Submit for review” among the evidence list's actions"

# After a transition, by the state it left the object in: (for claims, for evidence).
AFTER_TRANSITION = {
    Status.SUBMITTED: (
        "Reviewers find it in their review queue; withdraw it to edit it meanwhile.",
        "Reviewers find it in the evidence review queue; withdraw it to edit it meanwhile.",
    ),
    Status.ACCEPTED: (
        "It is public now, with its evidence synthesis; evidence added to it later is reviewed item by item.",
        "It counts in its claim's evidence synthesis now.",
    ),
    Status.REJECTED: (
        "Its author may reopen it to rework it.",
        "It does not count; its author may reopen it to rework it.",
    ),
    Status.RETRACTED: ("Readers still find it, marked retracted, with the reason.", ""),
}
AUTHOR_REWORKS = "Edit it, then submit it for review again."
REVIEWER_SENT_BACK = "Its author sees your comment among its reviews, edits it and submits it again."


def after_transition(obj, *, sent_back: bool = False) -> str:
    """The next step once a transition left obj in its current state; sent_back: a reviewer
    requested changes (the author acts next, not the one who clicked)."""
    if obj.status == Status.DRAFT:
        return REVIEWER_SENT_BACK if sent_back else AUTHOR_REWORKS
    words = AFTER_TRANSITION.get(obj.status, ("", ""))
    return words[0 if isinstance(obj, Claim) else 1]


def after_save(obj, *, added: bool) -> str:
    """The next step once obj was added or saved in its form; "" when there is none to tell."""
    if isinstance(obj, Claim) and obj.status == Status.DRAFT:
        if added:
            return (
                "Next: add its evidence in the rows of its page (find each paper by DOI or "
                f"PMID, or add a missing one with +), then submit it for review: {CLAIMS_SUBMIT}."
            )
        return f"When its evidence is complete, submit it for review: {CLAIMS_SUBMIT}."
    if isinstance(obj, Evidence) and added and obj.status == Status.DRAFT:
        if obj.claim.status == Status.DRAFT:
            return "It goes to review with its claim, when the claim is submitted."
        return f"Next: submit it for review on its own: {EVIDENCE_SUBMIT}; it counts once accepted."
    if isinstance(obj, Paper) and added:
        return "Next: cite it as evidence with “Add evidence from this paper” on its page."
    return ""


class SaysWhatComesNext:
    """After the admin's own "was added / was changed" message, the next step (after_save);
    not in the add-paper popup, which closes back into the form it came from."""

    def response_add(self, request, obj, post_url_continue=None):
        response = super().response_add(request, obj, post_url_continue)
        self._next(request, obj, added=True)
        return response

    def response_change(self, request, obj):
        response = super().response_change(request, obj)
        self._next(request, obj, added=False)
        return response

    def _next(self, request, obj, *, added: bool):
        if IS_POPUP_VAR in request.POST:
            return
        words = after_save(obj, added=added)
        if words:
            self.message_user(request, words, messages.INFO)
