"""Every row of the hostile-input table (tests/hostile_inputs.py, docs/hostile-input.md): a clear
4xx, or a non-zero exit naming line and field, and nothing written; values legitimately
accepted (HTML, SQL-looking text, mixed Unicode) are stored as sent and escaped on every page."""

import json
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from rest_framework.test import APIClient

from claims import workflow
from claims.models import ApiToken, Claim, CuratorReview, Evidence, EvidenceType, Paper, Topic
from tests.factories import make_claim, make_evidence, make_evidence_type, make_paper, make_topic
from tests.hostile_inputs import CONTROLS, MIXED, ROWS, SCRIPT, SQL, Api, Command, markdown
from tests.interchange import database_state

pytestmark = pytest.mark.django_db

DOCUMENT = Path(settings.BASE_DIR) / "docs" / "hostile-input.md"
ESCAPED = "&lt;script&gt;window.__xss=1&lt;/script&gt;"


@pytest.fixture
def world(personas):
    """The objects the rows name: a curator's draft claim with an evidence item, a submitted
    claim a reviewer may review, a paper, the evidence type, a topic, a token."""
    make_topic()
    evidence_type = make_evidence_type()
    paper = make_paper(doi="10.1007/s13311-012-0140-y")
    claim = make_claim(created_by=personas.curator)
    evidence = make_evidence(claim, paper=paper, evidence_type=evidence_type)
    submitted = workflow.submit(make_claim(created_by=personas.curator), personas.curator)
    _, key = ApiToken.issue(personas.curator, "hostile input")
    return {
        "claim": claim.pk,
        "evidence": evidence.pk,
        "paper": paper.pk,
        "submitted": submitted.pk,
        "token": key,
    }


def fill(value, ids: dict):
    """The row's placeholders ({claim}, ...) as the ids of this test's objects."""
    if isinstance(value, dict):
        return {k: fill(v, ids) for k, v in value.items()}
    if isinstance(value, list):
        return [fill(v, ids) for v in value]
    if isinstance(value, str):
        if value.strip("{}") in ids and value.startswith("{"):
            return ids[value.strip("{}")]
        for name, id_ in ids.items():
            value = value.replace("{" + name + "}", str(id_))
    return value


def client_for(row: Api, personas):
    """Signed in as the row's persona: the admin with a session, the API as DRF's tests do."""
    who = getattr(personas, row.who) if row.who else None
    if row.path.startswith("/admin/"):
        client = Client()
        client.force_login(who)
        return client
    client = APIClient()
    client.force_authenticate(who)
    return client


def send(client, row: Api, ids: dict):
    body = fill(row.body, ids)
    if isinstance(body, dict | list):
        body = json.dumps(body)
    headers = {name: fill(value, ids) for name, value in row.headers}
    return client.generic(
        row.method, fill(row.path, ids), body or "", content_type=row.content_type, **headers
    )


@pytest.mark.parametrize("row", [r for r in ROWS if isinstance(r, Api)], ids=lambda r: r.name)
def test_a_hostile_request_is_answered_clearly_and_writes_nothing(row, world, personas):
    client = client_for(row, personas)
    before = database_state()

    response = send(client, row, world)

    assert response.status_code == row.status, response.content[:500]
    assert row.says in response.content.decode(), response.content[:500]
    assert database_state() == before


@pytest.mark.parametrize("row", [r for r in ROWS if isinstance(r, Command)], ids=lambda r: r.name)
def test_a_hostile_file_is_refused_naming_where_and_writes_nothing(row, personas, tmp_path):
    path = tmp_path / row.file
    path.write_bytes(row.content)
    before = database_state()

    with pytest.raises(CommandError) as refused:
        call_command(row.command, str(path), "--as", "staff", stdout=StringIO(), stderr=StringIO())

    assert row.says in str(refused.value)
    assert database_state() == before


def test_the_document_lists_every_row_as_the_table_says():
    assert markdown() in DOCUMENT.read_text(encoding="utf-8")


# --- values legitimately accepted ---

CLAIM_TEXT = ("text", "subject", "object", "context")
EVIDENCE_TEXT = (
    "excerpt",
    "location",
    "species",
    "model",
    "intervention",
    "dose",
    "route",
    "outcome",
    "effect",
    "effect_unit",
    "notes",
)
PAPER_TEXT = ("title", "journal", "volume", "pages", "abstract")


def _fits(model, name: str, value: str) -> str:
    """The value cut to the field's length, where it has one."""
    limit = model._meta.get_field(name).max_length
    return value[:limit] if limit else value


@pytest.mark.parametrize("value", [SCRIPT, SQL, MIXED, CONTROLS], ids=["html", "sql", "unicode", "controls"])
def test_html_sql_and_mixed_unicode_are_stored_as_sent_in_every_text_field(value, world, api, personas):
    claim = {n: _fits(Claim, n, value) for n in CLAIM_TEXT}
    made = api.as_(personas.curator).post("/api/v1/claims/", claim, format="json")
    assert made.status_code == 201, made.content
    evidence = {n: _fits(Evidence, n, value) for n in EVIDENCE_TEXT}
    added = api.post(
        "/api/v1/evidence/",
        {
            "claim": made.json()["id"],
            "paper": world["paper"],
            "evidence_type": "in-vivo-animal-model",
            "direction": "supports",
            **evidence,
        },
        format="json",
    )
    assert added.status_code == 201, added.content
    paper = {n: _fits(Paper, n, value) for n in PAPER_TEXT}
    filed = api.as_(personas.staff).post(
        "/api/v1/papers/", {"doi": "10.5555/stored.1", "authors": [value], **paper}, format="json"
    )
    assert filed.status_code == 201, filed.content
    topic = api.post(
        "/api/v1/topics/", {"slug": "stored", "name": _fits(Topic, "name", value)}, format="json"
    )
    kind = api.post(
        "/api/v1/evidence-types/",
        {"code": "stored", "label": _fits(EvidenceType, "label", value), "description": value},
        format="json",
    )
    review = api.as_(personas.reviewer).post(
        "/api/v1/reviews/",
        {"claim": world["submitted"], "verdict": "reject", "comment": value},
        format="json",
    )
    assert (topic.status_code, kind.status_code, review.status_code) == (201, 201, 201)

    assert Claim.objects.filter(**claim).exists() and Evidence.objects.filter(**evidence).exists()
    assert Paper.objects.get(doi="10.5555/stored.1").authors == [value]
    assert (
        Paper.objects.filter(**paper).exists()
        and Topic.objects.get(slug="stored").name == topic.json()["name"]
    )
    assert EvidenceType.objects.get(code="stored").description == value
    assert CuratorReview.objects.get(uid=review.json()["uid"]).comment == value
    assert api.get(f"/api/v1/claims/{made.json()['id']}/").json()["text"] == claim["text"]


@pytest.fixture
def scripted(world, personas):
    """A claim, its evidence, its paper and a review whose text fields hold a script."""
    paper = make_paper(doi="10.5555/scripted.1", title=SCRIPT, journal=SCRIPT, abstract=SCRIPT)
    claim = make_claim(created_by=personas.curator, text=SCRIPT, subject=SCRIPT[:300], context=SCRIPT)
    evidence = make_evidence(claim, paper=paper, excerpt=SCRIPT, notes=SCRIPT)
    return claim, evidence, paper


def _escaped(response):
    page = response.content.decode()
    assert response.status_code == 200
    assert SCRIPT not in page and "<script>window.__xss" not in page
    assert ESCAPED in page


def test_the_browsable_api_shows_a_stored_script_as_text(scripted, client, personas):
    claim, evidence, paper = scripted
    client.force_login(personas.curator)
    for path in (
        f"/api/v1/claims/{claim.pk}/",
        "/api/v1/claims/",
        f"/api/v1/evidence/{evidence.pk}/",
        f"/api/v1/papers/{paper.pk}/",
    ):
        _escaped(client.get(path, HTTP_ACCEPT="text/html"))


def test_the_admin_shows_a_stored_script_as_text(scripted, client, personas):
    claim, evidence, paper = scripted
    client.force_login(personas.staff)
    for path in (
        "/admin/claims/claim/",
        f"/admin/claims/claim/{claim.pk}/change/",
        f"/admin/claims/evidence/{evidence.pk}/change/",
        "/admin/claims/paper/",
        f"/admin/claims/paper/{paper.pk}/change/",
        f"/admin/claims/claim/{claim.pk}/history/",
    ):
        _escaped(client.get(path))
