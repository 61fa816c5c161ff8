"""Admin actions: each calls one workflow function per selected object and reports on each.

Nothing here decides who may do what or assigns a status: the workflow does, and a refused
transition (TransitionNotAllowed) becomes an error message naming the object, while the
other selected objects go ahead.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.shortcuts import render

from claims import workflow
from claims.admin import next_steps
from claims.admin.widgets import KnownChoiceAutocomplete
from claims.choices import Status, Verdict
from claims.models import Claim
from claims.models.base import as_id

FORM_TEMPLATE = "admin/claims/workflow_action_form.html"


class SelectsByStoredId:
    """An action applies to the rows the POST selects by id; a selection that can name no row
    (letters, a number past the id column) changes nothing and says so. Django filters by it
    as sent, and the database refuses: a server error."""

    def response_action(self, request, queryset):
        selected = request.POST.getlist(helpers.ACTION_CHECKBOX_NAME)
        if any(as_id(pk) is None for pk in selected):
            self.message_user(request, "The selection names no stored item: nothing was changed.",
                              messages.ERROR)
            return None
        return super().response_action(request, queryset)


def label(obj) -> str:
    text = str(obj)
    return f"{obj._meta.verbose_name} {obj.pk} “{text[:60]}{'…' if len(text) > 60 else ''}”"


def apply_to_selected(modeladmin, request, queryset, change, done):
    """Run change(obj) on each object; done(obj, result) words the success message."""
    for obj in queryset:
        try:
            result = change(obj)
        except workflow.TransitionNotAllowed as refused:
            modeladmin.message_user(request, f"{label(obj)}: {refused.message}", messages.ERROR)
        else:
            modeladmin.message_user(request, done(obj, result), messages.SUCCESS)


def _done(obj, what: str, *, sent_back: bool = False) -> str:
    """What happened, then what comes next (claims/admin/next_steps.py)."""
    return " ".join(filter(None, (what, next_steps.after_transition(obj, sent_back=sent_back))))


def _author_action(name: str, change, description: str, past: str):
    def action(modeladmin, request, queryset):
        apply_to_selected(modeladmin, request, queryset, lambda obj: change(obj, request.user),
               lambda obj, _: _done(obj, f"{past} {label(obj)}: now "
                                         f"{obj.get_status_display().lower()}."))

    action.__name__ = name
    return admin.action(description=description)(action)


REVIEWED = {Verdict.APPROVE: "Approved", Verdict.REJECT: "Rejected",
            Verdict.REQUEST_CHANGES: "Requested changes on"}


def _reviewed(obj, outcome) -> str:
    message = f"{REVIEWED[outcome.review.verdict]} {label(obj)}: now {obj.get_status_display().lower()}."
    if outcome.status == Status.SUBMITTED:
        return message + " It needs more approvals from other reviewers."
    return _done(obj, message, sent_back=outcome.review.verdict == Verdict.REQUEST_CHANGES)


submit = _author_action("submit", workflow.submit, "Submit for review", "Submitted")
withdraw = _author_action("withdraw", workflow.withdraw, "Withdraw from review", "Withdrew")
reopen = _author_action("reopen", workflow.reopen, "Reopen to rework", "Reopened")


@admin.action(description="Approve")
def approve(modeladmin, request, queryset):
    apply_to_selected(modeladmin, request, queryset,
           lambda obj: workflow.review(obj, request.user, Verdict.APPROVE), _reviewed)


# --- actions that ask for a comment or reason first, on an intermediate page ---


class ActionForm(forms.Form):
    """A form an action shows before it applies; admin_site serves autocomplete widgets."""

    def __init__(self, *args, admin_site=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.admin_site = admin_site


class CommentForm(ActionForm):
    comment = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 6, "cols": 80}),
        error_messages={"required": "A comment is required to reject or request changes."},
        help_text="The author reads this: say what is wrong or what should change.")


class ConfirmForm(ActionForm):
    comment = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 6, "cols": 80}),
        error_messages={"required": "A re-review needs a comment: say why the claim stands."},
        help_text="Why the claim stands, for the record (kept as your approving review).")


class RetractForm(ActionForm):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 6, "cols": 80}),
        error_messages={"required": "A retraction needs a reason."},
        help_text="Shown with the retracted claim to every reader.")

    def __init__(self, *args, admin_site=None, **kwargs):
        super().__init__(*args, admin_site=admin_site, **kwargs)
        field = Claim._meta.get_field("superseded_by")
        widget = KnownChoiceAutocomplete(field, admin_site) if admin_site else forms.NumberInput
        self.fields["superseded_by"] = forms.ModelChoiceField(
            queryset=Claim.objects.all(), required=False, widget=widget,
            help_text="Optional: the claim that replaces the retracted one.")


def form_action(name: str, description: str, form_class, change, done, button: str):
    """An action that first renders form_class for the selected objects, then applies.

    The standard Django pattern: the changelist POSTs the action, this renders the form
    with the selection as hidden inputs; the form POSTs back with "apply" and runs
    change(obj, user, cleaned_data) on each object.
    """

    def action(modeladmin, request, queryset):
        site = modeladmin.admin_site
        if "apply" in request.POST:
            form = form_class(request.POST, admin_site=site)
            if form.is_valid():
                apply_to_selected(modeladmin, request, queryset,
                       lambda obj: change(obj, request.user, form.cleaned_data), done)
                return None
        else:
            form = form_class(admin_site=site)
        opts = modeladmin.model._meta
        objects = [(obj.pk, label(obj)) for obj in queryset]
        kind = opts.verbose_name if len(objects) == 1 else opts.verbose_name_plural
        context = {
            **site.each_context(request),
            "title": f"{description}: {len(objects)} {kind}",
            "opts": opts,
            "objects": objects,
            "form": form,
            "action": name,
            "button": button,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            "media": modeladmin.media + form.media,
        }
        return render(request, FORM_TEMPLATE, context)

    action.__name__ = name
    return admin.action(description=f"{description}…")(action)


reject = form_action(
    "reject", "Reject", CommentForm,
    lambda obj, user, data: workflow.review(obj, user, Verdict.REJECT, data["comment"]),
    _reviewed, button="Reject")
request_changes = form_action(
    "request_changes", "Request changes", CommentForm,
    lambda obj, user, data: workflow.review(obj, user, Verdict.REQUEST_CHANGES, data["comment"]),
    _reviewed, button="Request changes")
retract = form_action(
    "retract", "Retract", RetractForm,
    lambda obj, user, data: workflow.retract(obj, user, data["reason"], data["superseded_by"]),
    lambda obj, _: _done(obj, f"Retracted {label(obj)}."), button="Retract")

# Re-review is no transition (the claim stays accepted): it clears the flag that
# claims/rereview.py sets.
confirm = form_action(
    "confirm", "Confirm after re-review", ConfirmForm,
    lambda obj, user, data: workflow.confirm(obj, user, data["comment"]),
    lambda obj, _: f"Confirmed {label(obj)}: it stands, no longer flagged for re-review.",
    button="Confirm")

CLAIM_ACTIONS = [submit, withdraw, reopen, approve, reject, request_changes, retract, confirm]
EVIDENCE_ACTIONS = [submit, withdraw, reopen, approve, reject, request_changes]
