"""API request rates: anonymous callers per address, signed-in ones per account; past the rate a
429 in JSON with Retry-After, until the window has passed. Rates come from settings at each
request, so a test sets low ones; a clock of the test's own keeps its counts apart."""

import secrets

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from claims.api.throttles import FixedWindowThrottle
from tests.factories import make_user

pytestmark = pytest.mark.django_db

CLAIMS = "/api/v1/claims/"
HERE = "198.51.100.20"
THERE = "203.0.113.20"


class Clock:
    """time.time for the throttles: the start of a minute of the test's own, far from others'."""

    def __init__(self):
        self.now = 60.0 * (70_000_000 + secrets.randbelow(10**6))

    def __call__(self):
        return self.now


@pytest.fixture
def clock(monkeypatch):
    clock = Clock()
    monkeypatch.setattr(FixedWindowThrottle, "timer", clock)
    return clock


@pytest.fixture
def low_rates(settings, clock):
    settings.API_THROTTLE_RATES = {"anon": "3/minute", "user": "5/minute"}


def anonymous(address=HERE):
    return APIClient(REMOTE_ADDR=address)


def signed_in(user, address=HERE):
    client = APIClient(REMOTE_ADDR=address)
    client.force_authenticate(user)
    return client


def test_an_address_past_the_anonymous_rate_gets_429_with_retry_after(low_rates, clock):
    clock.now += 15
    answers = [anonymous().get(CLAIMS) for _ in range(5)]

    assert [a.status_code for a in answers] == [200, 200, 200, 429, 429]
    refused = answers[-1]
    assert refused["Content-Type"] == "application/json"
    assert "throttled" in refused.json()["detail"]
    assert int(refused["Retry-After"]) == 45


def test_another_address_is_counted_apart(low_rates):
    answers = [anonymous().get(CLAIMS) for _ in range(4)]

    # The first address is past its rate: the second one's 200 is its own count, not no limit.
    assert answers[-1].status_code == 429
    assert anonymous(THERE).get(CLAIMS).status_code == 200


def test_the_rate_comes_back_once_retry_after_has_passed(low_rates, clock):
    for _ in range(4):
        refused = anonymous().get(CLAIMS)
    assert refused.status_code == 429

    clock.now += int(refused["Retry-After"])

    assert anonymous().get(CLAIMS).status_code == 200


def test_signed_in_callers_are_counted_per_account_not_per_address(low_rates, personas):
    answers = [signed_in(personas.curator).get(CLAIMS) for _ in range(6)]

    assert [a.status_code for a in answers] == [200] * 5 + [429]
    assert "Retry-After" in answers[-1]
    assert signed_in(personas.reviewer).get(CLAIMS).status_code == 200
    assert anonymous().get(CLAIMS).status_code == 200


def test_a_token_holder_is_counted_as_its_account(low_rates, personas):
    token = APIClient().post("/api/v1/auth/token/", {"username": "curator", "password": "pw"},
                             format="json").json()["token"]
    for address in ("192.0.2.1", "192.0.2.2", "192.0.2.3", "192.0.2.4", "192.0.2.5"):
        APIClient(REMOTE_ADDR=address).get(CLAIMS, HTTP_AUTHORIZATION=f"Token {token}")

    refused = APIClient(REMOTE_ADDR=THERE).get(CLAIMS, HTTP_AUTHORIZATION=f"Token {token}")

    assert refused.status_code == 429


def test_writes_count_too_and_a_refused_one_writes_nothing(low_rates, personas):
    from claims.models import Topic

    client = signed_in(make_user("topic-keeper", superuser=True))
    answers = [client.post("/api/v1/topics/", {"slug": f"t{n}", "name": f"Topic {n}"}, format="json")
               for n in range(6)]

    assert [a.status_code for a in answers] == [201] * 5 + [429]
    assert not Topic.objects.filter(slug="t5").exists()


def test_x_forwarded_for_does_not_make_a_new_address_without_a_trusted_proxy(low_rates):
    answers = [APIClient(REMOTE_ADDR=HERE, HTTP_X_FORWARDED_FOR=f"192.0.2.{n}").get(CLAIMS)
               for n in range(4)]

    assert answers[-1].status_code == 429


def test_behind_a_trusted_proxy_each_forwarded_address_is_counted(low_rates, settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
    for _ in range(4):
        APIClient(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=HERE).get(CLAIMS)

    assert APIClient(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=HERE).get(CLAIMS).status_code == 429
    assert APIClient(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=THERE).get(CLAIMS).status_code == 200


def test_a_rate_of_none_is_no_limit(settings, clock):
    settings.API_THROTTLE_RATES = {"anon": None, "user": None}

    assert {anonymous().get(CLAIMS).status_code for _ in range(20)} == {200}


def test_a_cache_that_does_not_answer_lets_requests_through(low_rates, monkeypatch):
    def unreachable(*args, **kwargs):
        raise ConnectionError("cache down")

    monkeypatch.setattr(cache, "incr", unreachable)
    monkeypatch.setattr(cache, "add", unreachable)

    assert {anonymous().get(CLAIMS).status_code for _ in range(6)} == {200}
