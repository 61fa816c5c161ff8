"""A read replica: reads go to it, writes and the reads after them to the primary.

The settings add the `replica` alias and the router only when DATABASE_REPLICA_URL is set,
which the suite's own settings never do. So the settings are read in a subprocess with the
variable set, the router is checked on its own, and the end-to-end tests open a `replica`
connection to the test database for their duration (the same server, as TEST MIRROR does),
with the router and its middleware installed through the `settings` fixture.
"""

import contextvars
import json
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.sessions.models import Session
from django.db import connections
from django.db.utils import load_backend
from django.http import HttpResponse
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from rest_framework.authtoken.models import Token

from claims.models import Claim, Paper
from curation.db_router import PRIMARY, REPLICA, PrimaryAfterWriteMiddleware, PrimaryReplicaRouter
from tests.factories import make_claim, make_evidence, make_paper

ROOT = Path(__file__).resolve().parent.parent
REPLICA_URL = "postgres://reader:p@replica:5432/curation"


def in_a_new_context(function):
    """Run `function` as a fresh request or process would: nothing written yet."""
    return contextvars.Context().run(function)


# --- the router on its own -----------------------------------------------------------------

def test_reads_go_to_the_replica_until_a_write_then_to_the_primary():
    router = PrimaryReplicaRouter()

    def one_flow():
        return [router.db_for_read(Paper), router.db_for_write(Paper), router.db_for_read(Paper),
                router.db_for_read(Claim)]

    assert in_a_new_context(one_flow) == [REPLICA, PRIMARY, PRIMARY, PRIMARY]
    assert in_a_new_context(lambda: router.db_for_read(Paper)) == REPLICA


def test_sessions_are_read_from_the_primary():
    assert in_a_new_context(lambda: PrimaryReplicaRouter().db_for_read(Session)) == PRIMARY


def test_migrations_run_on_the_primary_only_and_relations_span_both():
    router = PrimaryReplicaRouter()
    assert router.allow_migrate(PRIMARY, "claims") is True
    assert router.allow_migrate(REPLICA, "claims") is False
    on_replica, on_primary = Paper(), Claim()
    on_replica._state.db, on_primary._state.db = REPLICA, PRIMARY
    assert router.allow_relation(on_replica, on_primary) is True


@pytest.mark.parametrize("method, starts_on", [("get", REPLICA), ("head", REPLICA),
                                               ("post", PRIMARY), ("patch", PRIMARY),
                                               ("delete", PRIMARY)])
def test_each_request_starts_afresh_and_one_that_may_write_reads_from_the_primary(method, starts_on):
    router = PrimaryReplicaRouter()
    seen = []

    def view(request):
        seen.append(router.db_for_read(Paper))
        return HttpResponse()

    def two_requests():
        router.db_for_write(Paper)  # an earlier request wrote
        PrimaryAfterWriteMiddleware(view)(getattr(RequestFactory(), method)("/api/v1/papers/"))
        return router.db_for_read(Paper)

    after = in_a_new_context(two_requests)
    assert seen == [starts_on]
    assert after == PRIMARY, "the state outside the request is left as it was"


# --- end to end, with a replica alias on the test database ---------------------------------

@pytest.fixture
def replica(role_groups, settings):
    """A `replica` connection to the test database, the router and its middleware installed.

    The connection is made here rather than declared in settings.DATABASES: the suite's
    settings have no replica, and Django's test cases allow connections made during a test."""
    settings_dict = {**connections[PRIMARY].settings_dict, "TEST": {"MIRROR": PRIMARY}}
    connections[REPLICA] = load_backend(settings_dict["ENGINE"]).DatabaseWrapper(settings_dict, REPLICA)
    settings.DATABASE_ROUTERS = ["curation.db_router.PrimaryReplicaRouter"]
    settings.MIDDLEWARE = ["curation.db_router.PrimaryAfterWriteMiddleware", *settings.MIDDLEWARE]
    yield connections[REPLICA]
    wrapper = connections[REPLICA]
    wrapper.close()
    if wrapper.connection is not None:  # SQLite keeps an in-memory database open on close()
        wrapper.connection.close()
    del connections[REPLICA]


def queries_by_alias(call):
    with (CaptureQueriesContext(connections[PRIMARY]) as primary,
          CaptureQueriesContext(connections[REPLICA]) as replica):
        result = call()
    return result, [q["sql"] for q in primary], [q["sql"] for q in replica]


def test_an_anonymous_list_is_read_from_the_replica(client, replica):
    make_paper(title="Sigma-1R agonist improves motor function")
    response, on_primary, on_replica = queries_by_alias(lambda: client.get("/api/v1/papers/"))
    assert response.status_code == 200
    assert response.json()["results"][0]["title"] == "Sigma-1R agonist improves motor function"
    assert on_replica and on_primary == []


def test_a_write_request_reads_and_writes_on_the_primary_and_the_next_request_reads_the_replica(
        client, replica, personas):
    claim = make_claim(created_by=personas.curator)
    make_evidence(claim)
    token = Token.objects.create(user=personas.curator).key

    submitted, on_primary, on_replica = queries_by_alias(lambda: client.post(
        f"/api/v1/claims/{claim.pk}/submit/", HTTP_AUTHORIZATION=f"Token {token}"))
    assert submitted.status_code == 200 and submitted.json()["status"] == "submitted"
    assert any(sql.startswith("UPDATE") for sql in on_primary)
    assert on_replica == []

    listed, on_primary, on_replica = queries_by_alias(
        lambda: client.get("/api/v1/claims/", HTTP_AUTHORIZATION=f"Token {token}"))
    assert listed.json()["results"][0]["status"] == "submitted"
    assert on_replica and on_primary == []


def test_reads_after_a_write_in_the_same_request_go_to_the_primary(replica):
    make_paper(title="Already there")

    def view(request):
        before = Paper.objects.count()
        make_paper(title="Written now")
        return HttpResponse(f"{before} {Paper.objects.count()}")

    def one_request():
        return PrimaryAfterWriteMiddleware(view)(RequestFactory().get("/"))

    response, on_primary, on_replica = queries_by_alias(lambda: in_a_new_context(one_request))
    assert response.content == b"1 2"
    assert len(on_replica) == 1 and "COUNT(*)" in on_replica[0]
    assert any(sql.startswith("INSERT") for sql in on_primary)
    assert "COUNT(*)" in on_primary[-1], "the count after the write is read from the primary"


# --- settings ------------------------------------------------------------------------------

def database_settings(env: dict) -> dict:
    base = {"PATH": "/usr/bin:/bin", "DJANGO_SETTINGS_MODULE": "curation.settings",
            "SECRET_KEY": "0123456789abcdef" * 4,
            "DATABASE_URL": "postgres://u:p@db:5432/curation"}
    script = ("import json; from django.conf import settings as s; print(json.dumps({"
              "'databases': {alias: {k: d.get(k) for k in ('HOST', 'USER', 'CONN_MAX_AGE', "
              "'CONN_HEALTH_CHECKS', 'TEST', 'DISABLE_SERVER_SIDE_CURSORS')} "
              "for alias, d in s.DATABASES.items()}, "
              "'routers': s.DATABASE_ROUTERS, 'first_middleware': s.MIDDLEWARE[0]}))")
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True,
                            timeout=60, env={**base, **env})
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_without_a_replica_url_there_is_one_database_and_no_router():
    found = database_settings({})
    assert list(found["databases"]) == [PRIMARY]
    assert found["routers"] == []
    assert found["first_middleware"] != "curation.db_router.PrimaryAfterWriteMiddleware"


def test_a_replica_url_adds_the_replica_its_router_and_its_middleware():
    found = database_settings({"DATABASE_REPLICA_URL": REPLICA_URL})
    replica = found["databases"][REPLICA]
    assert (replica["HOST"], replica["USER"]) == ("replica", "reader")
    assert replica["TEST"] == {"MIRROR": PRIMARY}, "tests point the replica at the test database"
    assert found["routers"] == ["curation.db_router.PrimaryReplicaRouter"]
    assert found["first_middleware"] == "curation.db_router.PrimaryAfterWriteMiddleware"


def test_production_keeps_connections_for_ten_minutes_and_checks_them_before_reuse():
    found = database_settings({"DATABASE_REPLICA_URL": REPLICA_URL})
    for alias in (PRIMARY, REPLICA):
        database = found["databases"][alias]
        assert (database["CONN_MAX_AGE"], database["CONN_HEALTH_CHECKS"]) == (600, True), alias


@pytest.mark.parametrize("env, age", [({"DB_CONN_MAX_AGE": "60"}, 60), ({"DB_CONN_MAX_AGE": "0"}, 0),
                                      ({"DEBUG": "1"}, 0)], ids=["chosen", "off", "local-work"])
def test_connection_age_comes_from_the_environment(env, age):
    assert database_settings(env)["databases"][PRIMARY]["CONN_MAX_AGE"] == age


def test_server_side_cursors_can_be_turned_off_for_a_transaction_pooler():
    assert not database_settings({})["databases"][PRIMARY]["DISABLE_SERVER_SIDE_CURSORS"]
    found = database_settings({"DATABASE_REPLICA_URL": REPLICA_URL, "DB_DISABLE_SERVER_SIDE_CURSORS": "1"})
    assert all(database["DISABLE_SERVER_SIDE_CURSORS"] for database in found["databases"].values())
