"""Anonymous API reads come from the cache until the next committed write, without the database.

The suite runs with the cache off (no REDIS_URL, no DEBUG); these tests turn it on with a
cache of their own. Writes retire cached responses only once they commit: the tests that
write either commit for real (transactional) or run the commit callbacks they capture.
"""

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.authtoken.models import Token

from claims import data_version, workflow
from claims.choices import Status
from claims.models import Paper
from tests.factories import make_claim, make_evidence, make_paper

ROOT = Path(__file__).resolve().parent.parent
PAPERS = "/api/v1/papers/"
CLAIMS = "/api/v1/claims/"
REDIS_TEST_URL = "redis://127.0.0.1:6379/2"


@pytest.fixture
def cached(settings):
    """The response cache on, in a memory cache no other test shares."""
    settings.API_CACHE = True
    settings.API_CACHE_SECONDS = 60
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                                   "LOCATION": f"cached-reads-{uuid.uuid4()}"}}


@pytest.fixture
def redis_cached(settings):
    """The response cache on, in Redis (database 2, keys under a prefix of this test's own)."""
    import redis

    client = redis.Redis.from_url(REDIS_TEST_URL, socket_connect_timeout=2)
    try:
        client.ping()
    except redis.RedisError as exc:
        if os.environ.get("CI") == "true":
            pytest.fail(f"Redis is not answering at {REDIS_TEST_URL}: {exc}")
        pytest.skip(f"Redis is not answering at {REDIS_TEST_URL}")
    prefix = f"test-{uuid.uuid4().hex}"
    settings.API_CACHE = True
    settings.API_CACHE_SECONDS = 60
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                                   "LOCATION": REDIS_TEST_URL, "KEY_PREFIX": prefix}}
    yield client
    keys = list(client.scan_iter(match=f"{prefix}:*"))
    if keys:
        client.delete(*keys)
    client.close()


def signed_in(user) -> dict:
    """Request headers that authenticate `user` by token."""
    return {"HTTP_AUTHORIZATION": f"Token {Token.objects.create(user=user).key}"}


def read_without_queries(client, url, **headers):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, **headers)
    return response, len(queries)


# --- hits and misses -----------------------------------------------------------------------

@pytest.mark.django_db
def test_a_second_anonymous_read_is_a_hit_that_touches_no_database(client, cached):
    make_paper(title="Sigma-1R agonist improves motor function")
    first = client.get(PAPERS)
    assert first.status_code == 200 and first["X-Cache"] == "miss"

    second, queries = read_without_queries(client, PAPERS)
    assert second.status_code == 200 and second["X-Cache"] == "hit"
    assert queries == 0
    assert second.content == first.content
    assert second["Content-Type"] == first["Content-Type"]
    assert second.json()["results"][0]["title"] == "Sigma-1R agonist improves motor function"


@pytest.mark.django_db
def test_a_hit_keeps_the_headers_of_the_response_it_was_stored_from(client, cached):
    first = client.get(PAPERS)
    second = client.get(PAPERS)
    assert second["X-Cache"] == "hit"
    for name in ("Vary", "Allow", "X-Frame-Options", "X-Content-Type-Options"):
        assert second[name] == first[name], name


@pytest.mark.django_db
def test_head_shares_the_cached_get(client, cached):
    client.get(PAPERS)
    head = client.head(PAPERS)
    assert head.status_code == 200 and head["X-Cache"] == "hit"


@pytest.mark.django_db
def test_the_query_string_and_the_accept_header_are_part_of_the_key(client, cached):
    make_paper(title="Alpha", year=2010)
    make_paper(title="Beta", year=2020)
    client.get(PAPERS)
    searched = client.get(PAPERS, {"search": "Alpha"})
    assert searched["X-Cache"] == "miss"
    assert [p["title"] for p in searched.json()["results"]] == ["Alpha"]
    assert client.get(PAPERS, {"search": "Alpha"})["X-Cache"] == "hit"

    indented = client.get(PAPERS, HTTP_ACCEPT="application/json; indent=2")
    assert indented["X-Cache"] == "miss"
    assert indented.content.startswith(b"{\n  ")


@pytest.mark.django_db
def test_only_json_200s_are_stored(client, cached):
    assert client.get(f"{PAPERS}999999/").status_code == 404
    again = client.get(f"{PAPERS}999999/")
    assert again.status_code == 404 and again["X-Cache"] == "miss"
    # The schema is OpenAPI, not application/json.
    client.get("/api/v1/schema/")
    assert client.get("/api/v1/schema/")["X-Cache"] == "miss"


@pytest.mark.django_db
def test_pages_outside_the_api_are_not_cached(client, cached):
    assert "X-Cache" not in client.get("/healthz")


@pytest.mark.django_db
def test_with_api_cache_off_every_read_is_rendered_afresh(client, cached, settings):
    settings.API_CACHE = False
    client.get(PAPERS)
    response, queries = read_without_queries(client, PAPERS)
    assert "X-Cache" not in response and queries > 0


# --- signed-in readers ---------------------------------------------------------------------

@pytest.mark.django_db
def test_a_reader_signed_in_by_token_is_never_served_from_the_cache(client, cached, personas):
    client.get(PAPERS)
    assert client.get(PAPERS)["X-Cache"] == "hit"
    response, queries = read_without_queries(client, PAPERS, **signed_in(personas.reviewer))
    assert response.status_code == 200
    assert "X-Cache" not in response and queries > 0


@pytest.mark.django_db
def test_a_reader_signed_in_by_session_is_never_served_from_the_cache(client, cached, personas):
    client.get(PAPERS)
    client.force_login(personas.reviewer)
    response, queries = read_without_queries(client, PAPERS, HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    assert "X-Cache" not in response and queries > 0


@pytest.mark.django_db
def test_what_a_signed_in_reader_sees_is_never_stored_for_anonymous_readers(client, cached, personas):
    make_claim(created_by=personas.curator, text="A draft only curators see")
    curator_view = client.get(CLAIMS, **signed_in(personas.curator))
    assert [c["text"] for c in curator_view.json()["results"]] == ["A draft only curators see"]

    anonymous = client.get(CLAIMS)
    assert anonymous["X-Cache"] == "miss"
    assert anonymous.json()["results"] == []


# --- writes --------------------------------------------------------------------------------

def test_an_api_write_is_visible_to_the_very_next_anonymous_read(client, cached, role_groups, personas):
    """Transactional: the curator's edit really commits, and its commit moves the data version on."""
    paper = make_paper(title="Before")
    client.get(f"{PAPERS}{paper.pk}/")
    assert client.get(f"{PAPERS}{paper.pk}/")["X-Cache"] == "hit"

    edit = client.patch(f"{PAPERS}{paper.pk}/", {"title": "After"}, content_type="application/json",
                        **signed_in(personas.curator))
    assert edit.status_code == 200, edit.json()

    after = client.get(f"{PAPERS}{paper.pk}/")
    assert after["X-Cache"] == "miss"
    assert after.json()["title"] == "After"
    assert client.get(PAPERS).json()["results"][0]["title"] == "After"


@pytest.mark.django_db
def test_a_claim_accepted_through_the_api_is_listed_at_the_very_next_anonymous_read(
        client, cached, personas, django_capture_on_commit_callbacks):
    claim = make_claim(created_by=personas.curator, text="PRE-084 extends survival of SOD1 mice")
    make_evidence(claim)
    workflow.submit(claim, personas.curator)
    assert client.get(CLAIMS).json()["results"] == []
    assert client.get(CLAIMS)["X-Cache"] == "hit"

    with django_capture_on_commit_callbacks(execute=True):
        approved = client.post(f"{CLAIMS}{claim.pk}/reviews/", {"verdict": "approve"},
                               content_type="application/json", **signed_in(personas.reviewer))
    assert approved.json()["status"] == Status.ACCEPTED

    listed = client.get(CLAIMS)
    assert listed["X-Cache"] == "miss"
    assert [c["text"] for c in listed.json()["results"]] == ["PRE-084 extends survival of SOD1 mice"]


@pytest.mark.django_db
def test_a_write_moves_the_data_version_only_once_it_commits(django_capture_on_commit_callbacks, cached):
    before = data_version.current()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        paper = make_paper()
        paper.topics.create(slug="als", name="ALS")
        paper.delete()
    assert data_version.current() == before
    for callback in callbacks:
        callback()
    assert data_version.current() == before + len(callbacks) and len(callbacks) >= 3


@pytest.mark.django_db
def test_history_rows_do_not_move_the_data_version_by_themselves(django_capture_on_commit_callbacks, cached):
    paper = make_paper()
    with django_capture_on_commit_callbacks() as callbacks:
        paper.history.first().save()
    assert callbacks == []


@pytest.mark.django_db
def test_a_bulk_write_without_signals_calls_bump_to_retire_cached_reads(client, cached):
    make_paper(title="Before")
    client.get(PAPERS)
    Paper.objects.update(title="After")
    assert client.get(PAPERS)["X-Cache"] == "hit"  # no signal, so nothing moved
    data_version.bump()
    fresh = client.get(PAPERS)
    assert fresh["X-Cache"] == "miss" and fresh.json()["results"][0]["title"] == "After"


def test_the_data_version_starts_once_and_moves_by_one(cached):
    from django.core.cache import cache

    assert cache.get(data_version.KEY) is None
    first = data_version.current()
    assert data_version.current() == first
    assert data_version.bump() == first + 1
    cache.delete(data_version.KEY)
    restarted = data_version.bump()
    assert restarted > first + 1, "a lost counter starts above the numbers it handed out"


# --- Redis ---------------------------------------------------------------------------------

@pytest.mark.django_db
def test_with_redis_a_hit_touches_no_database_and_a_write_retires_it(
        client, redis_cached, personas, django_capture_on_commit_callbacks):
    paper = make_paper(title="Before")
    assert client.get(PAPERS)["X-Cache"] == "miss"
    hit, queries = read_without_queries(client, PAPERS)
    assert hit["X-Cache"] == "hit" and queries == 0
    assert any(key.startswith(b"test-") for key in redis_cached.scan_iter(match="test-*"))

    with django_capture_on_commit_callbacks(execute=True):
        edit = client.patch(f"{PAPERS}{paper.pk}/", {"title": "After"},
                            content_type="application/json", **signed_in(personas.curator))
    assert edit.status_code == 200

    after = client.get(PAPERS)
    assert after["X-Cache"] == "miss" and after.json()["results"][0]["title"] == "After"
    signed = client.get(PAPERS, **signed_in(personas.reviewer))
    assert "X-Cache" not in signed


# --- settings ------------------------------------------------------------------------------

def settings_under(env: dict) -> list[str]:
    base = {"PATH": "/usr/bin:/bin", "DJANGO_SETTINGS_MODULE": "curation.settings",
            "SECRET_KEY": "0123456789abcdef" * 4}
    result = subprocess.run(
        [sys.executable, "-c", "from django.conf import settings as s; "
         "print(s.CACHES['default']['BACKEND'], s.API_CACHE, s.API_CACHE_SECONDS, s.SESSION_ENGINE)"],
        cwd=ROOT, capture_output=True, text=True, timeout=60, env={**base, **env})
    assert result.returncode == 0, result.stderr
    return result.stdout.split()


@pytest.mark.parametrize("env, backend, on", [
    ({"REDIS_URL": "redis://redis:6379/0"}, "django.core.cache.backends.redis.RedisCache", "True"),
    ({"REDIS_URL": "redis://redis:6379/0", "API_CACHE": "0"},
     "django.core.cache.backends.redis.RedisCache", "False"),
    ({}, "django.core.cache.backends.locmem.LocMemCache", "False"),
    ({"DEBUG": "1"}, "django.core.cache.backends.locmem.LocMemCache", "True"),
    ({"API_CACHE": "1"}, "django.core.cache.backends.locmem.LocMemCache", "True"),
], ids=["redis", "redis-cache-off", "private-memory", "local-work", "asked-for"])
def test_the_cache_and_the_response_cache_come_from_the_environment(env, backend, on):
    assert settings_under(env)[:2] == [backend, on]


def test_sessions_live_in_the_database_and_cached_reads_last_api_cache_seconds():
    _, _, seconds, sessions = settings_under({"API_CACHE_SECONDS": "30"})
    assert (seconds, sessions) == ("30", "django.contrib.sessions.backends.db")


@pytest.mark.django_db
def test_a_migration_retires_cached_reads():
    from django.core.management import call_command

    from claims import data_version

    before = data_version.current()
    call_command("migrate", "claims", verbosity=0)
    assert data_version.current() > before
