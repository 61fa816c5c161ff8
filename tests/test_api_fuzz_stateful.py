"""The API's workflows as chains of generated requests: a curator creates a paper, a claim and
its evidence, reads, edits, deletes, submits and withdraws them; a reviewer reviews what was
submitted; from a verdict the chain goes on to reopen, retract, re-review or the versions. Each
step takes the id the previous answer gave (OpenAPI links), and every answer is no server
error and one the schema documents, as in tests/test_api_fuzz.py. The test fails too if no
chain got as far as a submit and a review answered 2xx.

Bounded so it takes well under a minute, and deterministic: the same chains every run."""

import json
from collections import Counter

import jsonschema
import pytest
from django.db import transaction
from hypothesis import HealthCheck, Phase
from hypothesis import settings as hypothesis_settings
from hypothesis.stateful import RULE_MARKER
from schemathesis.checks import ignored_auth
from schemathesis.specs.openapi.checks import response_schema_conformance, use_after_free
from schemathesis.stateful import run_state_machine_as_test

pytestmark = [pytest.mark.fuzz, pytest.mark.django_db]

# 40 chains of up to 12 requests: room for create, submit, review and what follows a verdict.
# Hypothesis turns rules off at random per chain (swarm testing), so with fewer or shorter
# chains it is luck whether one gets as far as a review (8 steps: a third of the seeds tried got
# none; 30 chains of 12: each of 40 seeds got two or more). No shrinking: a chain of requests
# shrinks slowly, and the first failing chain says enough.
SETTINGS = hypothesis_settings(
    max_examples=40,
    stateful_step_count=12,
    deadline=None,
    database=None,
    derandomize=True,
    phases=[Phase.generate],
    suppress_health_check=list(HealthCheck),
)

CLAIMS, PAPERS, EVIDENCE = "/api/v1/claims/", "/api/v1/papers/", "/api/v1/evidence/"
CLAIM, PAPER, ITEM = CLAIMS + "{id}/", PAPERS + "{id}/", EVIDENCE + "{id}/"
SUBMIT, REVIEW = CLAIM + "submit/", CLAIM + "reviews/"

# Where each answer leads: (source operation, its status) -> the operations that take its id.
# Every chain starts with a claim: the state machine starts anew only while no answer has opened
# a link, so a second starting point would take half the chains away from the claim's workflow.
# Schemathesis 3 names a link's rule after its target and status alone, so two links with the
# same target and status would keep only one: each pair appears once here (checked below).
LINKS = {
    (("POST", CLAIMS), 201): [
        ("GET", CLAIM),
        ("POST", SUBMIT),
        ("POST", REVIEW),
        ("POST", EVIDENCE),
        ("POST", PAPERS),
    ],
    # Read, then edit (as a client with the ETag would).
    (("GET", CLAIM), 200): [("PATCH", CLAIM), ("PUT", CLAIM)],
    (("POST", PAPERS), 201): [("GET", PAPER), ("PATCH", PAPER), ("PUT", PAPER)],
    (("POST", EVIDENCE), 201): [("GET", ITEM), ("PATCH", ITEM), ("POST", ITEM + "submit/")],
    (("POST", SUBMIT), 200): [("POST", REVIEW), ("POST", CLAIM + "withdraw/")],
    (("POST", CLAIM + "withdraw/"), 200): [("DELETE", CLAIM)],
    # After a verdict: rejected reopens (and is submitted again), accepted is retracted or
    # re-reviewed and has a citable version; the history has it all.
    (("POST", REVIEW), 200): [
        ("GET", CLAIM),
        ("GET", CLAIM + "history/"),
        ("POST", CLAIM + "reopen/"),
        ("POST", CLAIM + "retract/"),
        ("POST", CLAIM + "confirm/"),
        ("GET", CLAIM + "versions/"),
    ],
    (("POST", CLAIM + "reopen/"), 200): [("POST", SUBMIT)],
}

# Who sends each request: the curator writes and moves their own work, a reviewer gives verdicts
# and re-reviews (never on a claim they wrote: the four-eyes rule), staff retract.
ACTING = {
    ("POST", REVIEW): "reviewer",
    ("POST", CLAIM + "confirm/"): "reviewer",
    ("POST", CLAIM + "retract/"): "staff",
}


@pytest.fixture
def tokens(personas):
    """An Authorization header per acting role, from a fresh API token of that persona."""
    from claims.models import ApiToken

    headers = {}
    for role in ("curator", "reviewer", "staff"):
        _, key = ApiToken.issue(getattr(personas, role), "fuzz")
        headers[role] = {"Authorization": f"Token {key}"}
    return headers


def other_media_type(case, response) -> dict | None:
    """The documented schema of the answer's media type when it is not the first one listed (a
    claim as JSON-LD, ?format=jsonld): schemathesis 3 checks every JSON-like answer against the
    first (application/json, the Claim), so such an answer is checked here against its own."""
    media = response.headers.get("Content-Type", "").partition(";")[0].strip()
    content = case.operation.definition.raw["responses"].get(str(response.status_code), {}).get("content", {})
    if media in content and media != next(iter(content)):
        return content[media]["schema"]
    return None


def add_links(schema, paper_id: int, evidence_type: str) -> int:
    """LINKS into the schema; returns how many. Some targets get part of their body from the
    link, merged into the generated rest: evidence on the new claim (a link sees one answer, the
    claim's: the paper is one stored), and what the schema states only in words (a paper needs
    a DOI, a PMID or a URL; a verdict other than approve needs a comment)."""
    bodies = {
        EVIDENCE: {"claim": "$response.body#/id", "paper": str(paper_id), "evidence_type": evidence_type},
        PAPERS: {"url": "https://example.org/fuzz"},
        REVIEW: {"comment": "Checked against the figures."},
    }
    added = 0
    for ((method, path), status), targets in LINKS.items():
        for target_method, target_path in targets:
            schema.add_link(
                source=schema[path][method],
                target=schema[target_path][target_method],
                status_code=status,
                parameters={"id": "$response.body#/id"} if "{id}" in target_path else None,
                request_body=bodies.get(target_path),
            )
            added += 1
    return added


def test_workflow_chains_are_answered_as_documented(api_schema, tokens):
    from tests.factories import make_evidence_type, make_paper

    links = add_links(api_schema, make_paper().pk, make_evidence_type().code)
    answered, followed = Counter(), Counter()

    class Workflow(api_schema.as_state_machine()):
        # Each chain starts from the same database (a savepoint rolled back at its end), so that
        # hypothesis can replay a failing chain and get the same answers.
        def setup(self):
            self.chain = transaction.atomic()
            self.chain.__enter__()

        def teardown(self):
            transaction.set_rollback(True)
            self.chain.__exit__(None, None, None)

        def _add_results_to_targets(self, targets, results):
            # Schemathesis 3 files an answer under the links it opens by overriding
            # _add_result_to_targets, which hypothesis has since renamed to this: without the
            # bridge every answer lands in one catch-all bundle and no link is ever followed.
            for result in results:
                if result is not None:
                    self._add_result_to_targets(targets, result)

        def _add_result_to_targets(self, targets, result):
            target = self._get_target_for_result(result)
            if target is not None:
                super()._add_results_to_targets((target,), [result])

        def get_call_kwargs(self, case):
            return {"headers": tokens[ACTING.get((case.method, case.path), "curator")]}

        def step(self, case, previous=None):
            if previous is not None:
                followed[(case.method, case.path)] += 1
            return super().step(case, previous)

        def after_call(self, response, case):
            answered[(case.method, case.path, f"{response.status_code // 100}xx")] += 1

        def validate_response(self, response, case, additional_checks=()):
            # ignored_auth: see tests/test_api_fuzz.py (reads are public by design).
            excluded = (ignored_auth,)
            own_schema = other_media_type(case, response)
            if own_schema is not None:
                excluded += (response_schema_conformance,)
                jsonschema.validate(json.loads(response.get_data()), own_schema)
            case.validate_response(
                response,
                excluded_checks=excluded,
                additional_checks=(use_after_free,),
                transport_kwargs=self.get_call_kwargs(case),
            )

    rules = [
        name
        for name, value in vars(Workflow.__mro__[1]).items()
        if hasattr(value, RULE_MARKER) and not name.endswith("X")
    ]
    assert len(rules) == links, "two links share a target and a status: one of them is lost"

    run_state_machine_as_test(Workflow, settings=SETTINGS)

    print(f"{sum(followed.values())} linked steps:", dict(sorted(followed.items())))
    print("answers:", dict(sorted(answered.items())))
    assert answered[("POST", SUBMIT, "2xx")] >= 1, "no claim was submitted"
    assert answered[("POST", REVIEW, "2xx")] >= 1, "no submitted claim was reviewed"
