"""Who may reach what through the API: every row of tests/permission_table.py, as each role.

The objects the table names are built once for the module, inside a transaction that is
rolled back when the module ends; each request runs in a savepoint of its own that is rolled
back after it, so an allowed write never changes what the next role meets. A write that is
refused (any 4xx) must leave every claims table, its history, the change feed, the tokens and
the users as they were. A hidden object (a draft, a submission) must answer anyone who may not
see it exactly as a missing id does.

Transitions by state are tests/matrix.py's; here each action is asked of an object in the
state it starts from, so the answer depends on the role alone.
"""

import json
import re
from dataclasses import dataclass

import pytest
from django.test import Client
from drf_spectacular.generators import SchemaGenerator
from rest_framework.authtoken.models import Token

from claims.models import ApiToken
from tests.matrix import COMMENT, RETRACTION_REASON
from tests.permission_table import API, HIDDEN, METHODS, ROLES, SAFE
from tests.permission_world import MISSING_ID, difference, rolled_back, state, world_for_module

PREFIX = "/api/v1"


@dataclass
class Callers:
    ids: dict  # placeholder -> id (or version) named in the table's paths
    auth: dict  # role -> its Authorization headers ("" for anonymous)
    bodies: dict  # (path template, method) -> JSON body


def _callers(world) -> Callers:
    people, objects = world.people, world.objects
    # Each role's Authorization headers: each must get the table's status.
    auth = {
        role: (f"Token {Token.objects.create(user=people[role]).key}",)
        for role in ("no_role", "curator", "reviewer", "both", "staff")
    }
    auth["anonymous"] = ("",)
    auth["read_only"] = (f"Token {ApiToken.issue(people['staff'], 'mirror', read_only=True)[1]}",)
    # A deactivated user's token of either kind: DRF's, and a named API token.
    auth["inactive"] = (
        f"Token {Token.objects.create(user=people['inactive']).key}",
        f"Token {ApiToken.issue(people['inactive'], 'old mirror')[1]}",
    )
    claim_data = {
        "text": "PRE-084 delays motor decline in SOD1-G93A mice",
        "subject": "PRE-084",
        "relation": "decreases",
        "object": "motor decline",
        "context": "SOD1-G93A mouse",
    }
    evidence_data = {
        "claim": objects["draft"].pk,
        "paper": objects["cited_paper"].pk,
        "evidence_type": objects["cited_type"].code,
        "direction": "supports",
        "location": "Fig. 2B",
    }
    paper_data = {"title": "Sigma-1 receptor agonism in SOD1 mice", "doi": "10.1000/test.table", "year": 2014}
    topic_data = {"slug": "sigma-1r", "name": "Sigma-1 receptor"}
    type_data = {"code": "in-vitro-table", "label": "In vitro (table)", "eco_id": "ECO:0000006"}
    review = {"verdict": "approve"}
    bodies = {
        ("/claims/", "POST"): claim_data,
        ("/claims/{draft}/", "PUT"): claim_data,
        ("/claims/{draft}/", "PATCH"): {"context": "SOD1 rat"},
        ("/claims/{accepted}/", "PUT"): claim_data,
        ("/claims/{accepted}/", "PATCH"): {"context": "SOD1 rat"},
        ("/claims/{submitted}/reviews/", "POST"): review,
        ("/claims/{submitted}/reviews/#reject", "POST"): {"verdict": "reject", "comment": COMMENT},
        ("/claims/{submitted}/reviews/#request_changes", "POST"): {
            "verdict": "request_changes",
            "comment": COMMENT,
        },
        ("/claims/{accepted}/retract/", "POST"): {"reason": RETRACTION_REASON},
        ("/claims/{flagged}/confirm/", "POST"): {"comment": "The other papers carry it."},
        ("/evidence/", "POST"): evidence_data,
        ("/evidence/{draft_evidence}/", "PUT"): evidence_data,
        ("/evidence/{draft_evidence}/", "PATCH"): {"location": "Fig. 9"},
        ("/evidence/{accepted_evidence}/", "PUT"): {**evidence_data, "claim": objects["accepted"].pk},
        ("/evidence/{accepted_evidence}/", "PATCH"): {"location": "Fig. 9"},
        ("/evidence/{submitted_evidence}/reviews/", "POST"): review,
        ("/reviews/", "POST"): {"claim": objects["submitted"].pk, **review},
        ("/papers/", "POST"): paper_data,
        ("/papers/{paper}/", "PUT"): paper_data,
        ("/papers/{paper}/", "PATCH"): {"journal": "Neurobiol Dis"},
        ("/topics/", "POST"): topic_data,
        ("/topics/{topic}/", "PUT"): topic_data,
        ("/topics/{topic}/", "PATCH"): {"name": "Sigma-1R"},
        ("/evidence-types/", "POST"): type_data,
        ("/evidence-types/{evidence_type}/", "PUT"): type_data,
        ("/evidence-types/{evidence_type}/", "PATCH"): {"label": "In vitro"},
        ("/webhooks/", "POST"): {"url": "http://127.0.0.1:9/other-hook"},
        ("/webhooks/{subscription}/", "PUT"): {"url": "http://127.0.0.1:9/moved"},
        ("/webhooks/{subscription}/", "PATCH"): {"url": "http://127.0.0.1:9/moved"},
        ("/auth/token/", "POST"): {"username": "curator", "password": "pw"},
    }
    return Callers(ids=world.ids, auth=auth, bodies=bodies)


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    with world_for_module(django_db_blocker, tmp_path_factory.mktemp("releases")) as built:
        yield _callers(built)


# --- asking ---


def url(path: str, ids: dict) -> str:
    return PREFIX + path.partition("#")[0].format(**ids)


def ask(client, method, path, world, header, ids=None):
    body = world.bodies.get((path, method))
    credentials = {"HTTP_AUTHORIZATION": header} if header else {}
    return client.generic(
        method,
        url(path, ids or world.ids),
        json.dumps(body) if body is not None else "",
        content_type="application/json",
        **credentials,
    )


def answer(client, world, path, method, header, before):
    """The response, and what it changed if it was a refused write (None if nothing)."""
    with rolled_back():
        response = ask(client, method, path, world, header)
        refused = method not in SAFE and 400 <= response.status_code < 500
        return response, difference(before, state()) if refused else None


def ask_for_missing(client, world, path, method, header, names):
    """The same request with a missing id where `names` stand."""
    with rolled_back():
        return ask(client, method, path, world, header, {**world.ids, **dict.fromkeys(names, MISSING_ID)})


def _shape(response):
    """What a client can read from an answer besides its status: the JSON keys."""
    if response.get("Content-Type", "").startswith("application/json"):
        body = response.json()
        return sorted(body) if isinstance(body, dict) else type(body).__name__
    return response.get("Content-Type")


@pytest.fixture(scope="module")
def before(world):
    return state()


@pytest.mark.django_db
@pytest.mark.parametrize("path, method, expected", API, ids=[f"{m} {p}" for p, m, _ in API])
def test_every_role_gets_the_status_the_table_gives(world, before, path, method, expected):
    client = Client()
    wrong = []
    hidden = [name for name in HIDDEN if "{" + name + "}" in path]
    for role, status in zip(ROLES, expected, strict=True):
        for header in world.auth[role]:
            said = f"{role}: {method} {url(path, world.ids)}"
            response, changed = answer(client, world, path, method, header, before)
            if response.status_code != status:
                wrong.append(
                    f"{said} answered {response.status_code}, the table says {status} "
                    f"({response.content[:200]!r})"
                )
            if changed:
                wrong.append(f"{said} was refused ({response.status_code}) but changed {changed}")
            unseen = [name for name in hidden if role in HIDDEN[name]]
            if unseen:
                missing = ask_for_missing(client, world, path, method, header, unseen)
                if (missing.status_code, _shape(missing)) != (response.status_code, _shape(response)):
                    wrong.append(
                        f"{said} answered {response.status_code} "
                        f"{response.content[:100]!r} for what it may not see and "
                        f"{missing.status_code} {missing.content[:100]!r} for a missing id"
                    )
    assert not wrong, "\n".join(wrong)


def test_the_table_has_a_row_for_every_route_of_the_schema():
    """Every path and method of the OpenAPI schema has its row: a new endpoint needs one."""
    schema = SchemaGenerator().get_schema(request=None, public=True)
    routed = {
        (path.removeprefix(PREFIX), method.upper())
        for path, operations in schema["paths"].items()
        for method in operations
        if method.upper() in METHODS
    }
    tabled = {
        (re.sub(r"{(\w+)}", _schema_placeholder, path.partition("?")[0].partition("#")[0]), method)
        for path, method, _ in API
    }
    assert routed - tabled == set()


def _schema_placeholder(match) -> str:
    return {"release": "{version}", "number": "{number}"}.get(match.group(1), "{id}")
