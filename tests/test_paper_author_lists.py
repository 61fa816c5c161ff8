"""A paper whose author list is only partly known says so, to API readers and in the admin."""

import pytest
from django.core.management import call_command
from django.urls import reverse

from claims.models import Paper

pytestmark = pytest.mark.django_db

LUTY_2010_DOI = "10.1002/ana.22274"  # the reference lists three authors, then "et al."
REVIEW_DOI = "10.1007/978-3-319-50174-1_16"


@pytest.fixture
def seed():
    call_command("loaddata", "evidence_types", "sigma1r_als", verbosity=0)


@pytest.mark.parametrize("reader", [None, "curator"])
def test_api_says_which_author_lists_are_incomplete(api, personas, seed, reader):
    client = api.as_(getattr(personas, reader) if reader else None)
    listed = {row["doi"]: row for row in client.get("/api/v1/papers/?page_size=100").json()["results"]}
    assert listed[LUTY_2010_DOI]["authors_complete"] is False
    assert listed[LUTY_2010_DOI]["authors"] == ["Luty AA", "Kwok JBJ", "Dobson-Stone C"]
    assert listed[REVIEW_DOI]["authors_complete"] is True
    luty = Paper.objects.get_by_natural_key(LUTY_2010_DOI)
    assert client.get(f"/api/v1/papers/{luty.pk}/").json()["authors_complete"] is False


def test_admin_paper_form_shows_the_author_list_is_incomplete(client, personas, seed):
    client.force_login(personas.staff)
    luty = Paper.objects.get_by_natural_key(LUTY_2010_DOI)
    response = client.get(reverse("admin:claims_paper_change", args=[luty.pk]))
    assert response.status_code == 200
    field = response.context["adminform"].form["authors_complete"]
    assert field.value() is False
    assert "author list complete" in response.content.decode().lower()
