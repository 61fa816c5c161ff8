"""Failed sign-ins to the token endpoint and the admin are limited per account and per address
(django-axes): past the limit sign-in is refused, the right password too, with 429 and
Retry-After, until the cool-off after the last failure has passed."""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import F
from rest_framework.test import APIClient

from tests.factories import make_user

pytestmark = pytest.mark.django_db

TOKEN = "/api/v1/auth/token/"
ADMIN_LOGIN = "/admin/login/"
ATTACKER = "198.51.100.7"
ELSEWHERE = "203.0.113.9"
LIMIT = settings.AXES_FAILURE_LIMIT
COOL_OFF = settings.AXES_COOLOFF_TIME


@pytest.fixture
def people(db):
    class People:
        curator = make_user("curator", "curator")
        reviewer = make_user("reviewer", "reviewer")

    return People


def ask_token(username, password, address=ATTACKER):
    return APIClient(REMOTE_ADDR=address).post(TOKEN, {"username": username, "password": password},
                                               format="json")


def sign_in_to_admin(client, username, password, address=ATTACKER):
    return client.post(ADMIN_LOGIN, {"username": username, "password": password,
                                     "next": "/admin/"}, REMOTE_ADDR=address)


def let_time_pass(delta):
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - delta)


def retry_after(response) -> int:
    return int(response["Retry-After"])


def test_thirty_wrong_passwords_to_the_token_endpoint_lock_the_account(people):
    answers = [ask_token("curator", f"guess-{n}") for n in range(30)]

    assert [a.status_code for a in answers[:LIMIT - 1]] == [400] * (LIMIT - 1)
    locked = answers[LIMIT - 1:]
    assert {a.status_code for a in locked} == {429}
    assert all(a["Content-Type"] == "application/json" for a in locked)
    assert "Too many failed sign-ins" in locked[-1].json()["detail"]
    assert 0 < retry_after(locked[-1]) <= COOL_OFF.total_seconds()

    right = ask_token("curator", "pw")
    assert right.status_code == 429
    assert "token" not in right.json()


def test_refused_sign_ins_do_not_prolong_the_lockout(people):
    for n in range(LIMIT):
        ask_token("curator", f"guess-{n}")
    let_time_pass(timedelta(minutes=10))

    for n in range(10):
        ask_token("curator", f"again-{n}")
    refused = ask_token("curator", "pw")

    left = COOL_OFF - timedelta(minutes=10)
    assert refused.status_code == 429
    assert left.total_seconds() - 5 <= retry_after(refused) <= left.total_seconds()


def test_the_lock_holds_the_account_everywhere_and_the_address_for_every_account(people):
    for n in range(LIMIT):
        ask_token("curator", f"guess-{n}")

    assert ask_token("curator", "pw", address=ELSEWHERE).status_code == 429
    assert ask_token("reviewer", "pw", address=ATTACKER).status_code == 429
    another = ask_token("reviewer", "pw", address=ELSEWHERE)
    assert another.status_code == 200 and another.json()["token"]


def test_after_the_cool_off_the_right_password_works_again(people):
    for n in range(30):
        ask_token("curator", f"guess-{n}")

    let_time_pass(COOL_OFF - timedelta(seconds=30))
    assert ask_token("curator", "pw").status_code == 429
    let_time_pass(timedelta(seconds=31))
    answer = ask_token("curator", "pw")

    assert answer.status_code == 200 and answer.json()["token"]


def test_a_locked_account_keeps_the_tokens_it_already_holds(people):
    token = ask_token("curator", "pw").json()["token"]
    for n in range(LIMIT):
        ask_token("curator", f"guess-{n}")

    reads = APIClient(REMOTE_ADDR=ATTACKER).get("/api/v1/claims/", HTTP_AUTHORIZATION=f"Token {token}")

    assert ask_token("curator", "pw").status_code == 429
    assert reads.status_code == 200


def test_thirty_wrong_passwords_to_the_admin_lock_it_with_a_page_that_says_so(client, people):
    answers = [sign_in_to_admin(client, "curator", f"guess-{n}") for n in range(30)]

    assert [a.status_code for a in answers[:LIMIT - 1]] == [200] * (LIMIT - 1)  # the form again
    assert {a.status_code for a in answers[LIMIT - 1:]} == {429}
    page = answers[-1]
    assert page["Content-Type"].startswith("text/html")
    assert "Too many failed sign-ins" in page.content.decode()
    assert 0 < retry_after(page) <= COOL_OFF.total_seconds()

    right = sign_in_to_admin(client, "curator", "pw")
    assert right.status_code == 429
    assert client.get("/admin/").status_code == 302  # still signed out


def test_the_admin_lets_another_account_from_another_address_in(client, people):
    for n in range(LIMIT):
        sign_in_to_admin(client, "curator", f"guess-{n}")

    assert sign_in_to_admin(client, "reviewer", "pw", address=ATTACKER).status_code == 429
    signed_in = sign_in_to_admin(client, "reviewer", "pw", address=ELSEWHERE)
    assert signed_in.status_code == 302 and signed_in["Location"] == "/admin/"


def test_the_admin_signs_in_again_after_the_cool_off(client, people):
    for n in range(LIMIT):
        sign_in_to_admin(client, "curator", f"guess-{n}")

    let_time_pass(COOL_OFF + timedelta(seconds=1))
    signed_in = sign_in_to_admin(client, "curator", "pw")

    assert signed_in.status_code == 302 and signed_in["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_failures_at_the_admin_and_the_token_endpoint_count_together(client, people):
    for n in range(LIMIT - 1):
        sign_in_to_admin(client, "curator", f"guess-{n}")

    assert ask_token("curator", "last-guess", address=ELSEWHERE).status_code == 429
    assert sign_in_to_admin(client, "curator", "pw", address=ELSEWHERE).status_code == 429


def test_x_forwarded_for_is_not_believed_without_a_trusted_proxy(people):
    for n in range(LIMIT):
        APIClient(REMOTE_ADDR=ATTACKER, HTTP_X_FORWARDED_FOR=f"192.0.2.{n}").post(
            TOKEN, {"username": f"nobody-{n}", "password": "x"}, format="json")

    assert ask_token("reviewer", "pw", address=ATTACKER).status_code == 429


def test_behind_a_trusted_proxy_the_forwarded_address_is_the_clients(settings, people):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
    proxy = "10.0.0.2"
    for n in range(LIMIT):
        APIClient(REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR=ATTACKER).post(
            TOKEN, {"username": f"nobody-{n}", "password": "x"}, format="json")

    from_attacker = APIClient(REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR=ATTACKER).post(
        TOKEN, {"username": "reviewer", "password": "pw"}, format="json")
    from_elsewhere = APIClient(REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR=ELSEWHERE).post(
        TOKEN, {"username": "reviewer", "password": "pw"}, format="json")

    assert from_attacker.status_code == 429
    assert from_elsewhere.status_code == 200
