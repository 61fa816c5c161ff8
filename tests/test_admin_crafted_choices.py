"""A chosen related object that can name no row, from a query string or a crafted POST: the
admin's autocompletes show nothing selected (the form says what is wrong), not a server error."""

import pytest
from django.urls import reverse

from claims.choices import Status
from claims.models import Claim
from tests.matrix import ACCEPTED, claim_in

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
