"""A chosen related object that can name no row, from a query string or a crafted POST: the
admin's autocompletes show nothing selected (the form says what is wrong), not a server error."""

import pytest
from django.urls import reverse

from claims.choices import Status
from claims.models import Claim
from tests.matrix import ACCEPTED, SUBMITTED, claim_in

pytestmark = pytest.mark.django_db

NAMES_NO_ROW = ("abc", "99999999999999999999999")


@pytest.mark.parametrize("value", NAMES_NO_ROW)
def test_the_evidence_add_page_with_a_paper_that_names_no_row(client, personas, value):
    client.force_login(personas.curator)
    response = client.get(reverse("admin:claims_evidence_add"), {"paper": value})
    assert response.status_code == 200
    assert response.context["adminform"].form["paper"].value() == value


@pytest.mark.parametrize("value", NAMES_NO_ROW)
def test_a_retraction_superseded_by_a_claim_that_names_no_row(client, personas, value):
    claim = claim_in(ACCEPTED, personas)
    client.force_login(personas.staff)
    response = client.post(
        reverse("admin:claims_claim_changelist"),
        {
            "action": "retract",
            "_selected_action": [claim.pk],
            "apply": "Retract",
            "reason": "Superseded.",
            "superseded_by": value,
        },
    )
    assert response.status_code == 200
    assert "superseded_by" in response.context["form"].errors
    assert Claim.objects.get(pk=claim.pk).status == Status.ACCEPTED


@pytest.mark.parametrize("changelist", ["claim", "evidence"])
@pytest.mark.parametrize("value", NAMES_NO_ROW)
def test_an_action_on_a_selection_that_names_no_row_changes_nothing(client, personas, changelist, value):
    # The author may withdraw this claim: only the crafted id keeps it submitted.
    claim = claim_in(SUBMITTED, personas)
    evidence = claim.evidence.get()
    selected = claim if changelist == "claim" else evidence
    client.force_login(personas.curator)
    response = client.post(
        reverse(f"admin:claims_{changelist}_changelist"),
        {"action": "withdraw", "index": 0, "_selected_action": [selected.pk, value]},
        follow=True,
    )
    assert response.status_code == 200
    assert "nothing was changed" in " ".join(str(m) for m in response.context["messages"])
    assert Claim.objects.get(pk=claim.pk).status == Status.SUBMITTED
    assert claim.evidence.get().status == evidence.status
