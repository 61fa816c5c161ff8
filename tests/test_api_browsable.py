"""The browsable API renders for every endpoint and role, and lists only what the user may read."""

import pytest

from claims import workflow
from tests.factories import make_claim, make_evidence

pytestmark = pytest.mark.django_db

ROLES = ["outsider", "curator", "reviewer", "staff"]


@pytest.fixture
def catalogue(personas):
    public = make_claim(created_by=personas.curator, text="Accepted claim on survival")
    evidence = make_evidence(public)
    workflow.submit(public, personas.curator)
    workflow.review(public, personas.reviewer, "approve")
    draft = make_claim(created_by=personas.curator, text="Secret draft wording xyzzy")
    make_evidence(draft, excerpt="secret draft excerpt plugh")
    return public, evidence, draft


def pages(public, evidence):
    lists = ["papers", "claims", "evidence", "evidence-types", "topics", "reviews"]
    urls = [f"/api/v1/{name}/" for name in lists]
    urls += [f"/api/v1/claims/{public.pk}/", f"/api/v1/evidence/{evidence.pk}/",
             f"/api/v1/papers/{evidence.paper_id}/", f"/api/v1/claims/{public.pk}/history/",
             f"/api/v1/claims/{public.pk}/versions/", f"/api/v1/evidence/{evidence.pk}/history/"]
    for action in ("submit", "withdraw", "reopen", "reviews"):
        urls += [f"/api/v1/claims/{public.pk}/{action}/", f"/api/v1/evidence/{evidence.pk}/{action}/"]
    return urls + [f"/api/v1/claims/{public.pk}/retract/"]


@pytest.mark.parametrize("role", ROLES)
def test_every_page_renders_as_html_for_every_role(api, personas, catalogue, role):
    public, evidence, _ = catalogue
    client = api.as_(getattr(personas, role))
    for url in pages(public, evidence):
        response = client.get(url, HTTP_ACCEPT="text/html")
        assert response.status_code in (200, 405), (url, response.status_code)
        assert response["Content-Type"].startswith("text/html"), url


def test_forms_list_no_draft_to_a_user_without_a_role(api, personas, catalogue):
    public, evidence, _ = catalogue
    client = api.as_(personas.outsider)
    for url in pages(public, evidence):
        html = client.get(url, HTTP_ACCEPT="text/html").content.decode()
        assert "xyzzy" not in html and "plugh" not in html, url
