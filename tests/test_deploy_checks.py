"""Production settings pass Django's deployment checklist, and do what it asks of them: HTTPS
only (behind a proxy too), secure cookies, a Content Security Policy, strong passwords; the
OpenAPI schema is generated without a warning."""

import json
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.test import override_settings
from drf_spectacular.drainage import GENERATOR_STATS

ROOT = Path(__file__).resolve().parent.parent
PRODUCTION = {"DEBUG": "0", "SECRET_KEY": secrets.token_urlsafe(50), "ALLOWED_HOSTS": "curation.example.org"}
HTTPS_SETTINGS = (
    "SECURE_SSL_REDIRECT",
    "SECURE_REDIRECT_EXEMPT",
    "SECURE_PROXY_SSL_HEADER",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE",
)


def run(args, env):
    """A command as the server would run it: curation.settings, from this environment only."""
    base = {"PATH": "/usr/bin:/bin", "DJANGO_SETTINGS_MODULE": "curation.settings"}
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env={**base, **env}, capture_output=True, text=True, timeout=120
    )


def settings_from(env) -> dict:
    """The HTTPS settings curation/settings.py makes of this environment."""
    script = (
        "import json; from django.conf import settings as s; print(json.dumps("
        f"{{name: getattr(s, name, None) for name in {HTTPS_SETTINGS!r}}}))"
    )
    result = run(["-c", script], env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def as_settings(values: dict) -> dict:
    return {
        **values,
        "SECURE_PROXY_SSL_HEADER": tuple(values["SECURE_PROXY_SSL_HEADER"] or ()) or None,
        "ALLOWED_HOSTS": ["curation.example.org"],
    }


def test_production_settings_pass_the_deployment_checklist_without_a_warning():
    # Every warning fails it: HSTS, the redirect, cookies, the key, and drf-spectacular's own
    # check that the schema generates cleanly.
    result = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_the_openapi_schema_is_generated_without_a_warning(tmp_path, capsys):
    GENERATOR_STATS.reset()
    call_command("spectacular", "--validate", "--file", str(tmp_path / "openapi.yaml"))
    assert "Warning" not in capsys.readouterr().err
    assert not GENERATOR_STATS, "drf-spectacular counted warnings or errors"


@pytest.mark.django_db
def test_production_redirects_plain_http_to_https_and_tells_browsers_to_stay(client):
    with override_settings(**as_settings(settings_from(PRODUCTION))):
        plain = client.get("/api/v1/claims/", HTTP_HOST="curation.example.org")
        assert plain.status_code == 301
        assert plain["Location"] == "https://curation.example.org/api/v1/claims/"
        secure = client.get("/api/v1/claims/", HTTP_HOST="curation.example.org", secure=True)
        assert secure.status_code == 200
        assert secure["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
        # The container's health check asks over plain HTTP from inside: answered, not redirected.
        assert client.get("/healthz", HTTP_HOST="curation.example.org").status_code == 200


@pytest.mark.django_db
def test_behind_a_proxy_that_terminates_https_its_header_says_the_request_was_secure(client):
    values = settings_from({**PRODUCTION, "TRUST_X_FORWARDED_PROTO": "1"})
    with override_settings(**as_settings(values)):
        forwarded = client.get(
            "/api/v1/claims/", HTTP_HOST="curation.example.org", HTTP_X_FORWARDED_PROTO="https"
        )
        assert forwarded.status_code == 200 and "Strict-Transport-Security" in forwarded
        plain = client.get("/api/v1/claims/", HTTP_HOST="curation.example.org", HTTP_X_FORWARDED_PROTO="http")
        assert plain.status_code == 301


@pytest.mark.django_db
def test_the_session_and_csrf_cookies_are_sent_over_https_only_in_production(client, personas):
    with override_settings(**as_settings(settings_from(PRODUCTION))):
        client.force_login(personas.curator)
        page = client.get("/admin/", HTTP_HOST="curation.example.org", secure=True)
        assert page.status_code == 200
        assert client.cookies["sessionid"]["secure"] and client.cookies["csrftoken"]["secure"]


@pytest.mark.parametrize(
    "env",
    [
        {"DEBUG": "1"},  # make run
        {**PRODUCTION, "SECURE_SSL_REDIRECT": "0", "SECURE_COOKIES": "0"},  # compose on localhost, benchmarks
    ],
    ids=["make-run", "plain-http-production"],
)
def test_plain_http_runs_are_neither_redirected_nor_given_secure_only_cookies(env):
    values = settings_from(env)
    assert values["SECURE_SSL_REDIRECT"] is False
    assert values["SESSION_COOKIE_SECURE"] is False and values["CSRF_COOKIE_SECURE"] is False
    if env["DEBUG"] == "1":
        assert values["SECURE_HSTS_SECONDS"] == 0


def test_compose_s_plain_http_service_on_localhost_is_not_redirected_to_https():
    web = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))["services"]["web"]
    env = {name: str(value) for name, value in web["environment"].items() if "${" not in str(value)}
    values = settings_from({**env, "SECRET_KEY": PRODUCTION["SECRET_KEY"]})
    assert values["SECURE_SSL_REDIRECT"] is False and values["SESSION_COOKIE_SECURE"] is False


def test_hsts_duration_comes_from_the_environment():
    values = settings_from({**PRODUCTION, "SECURE_HSTS_SECONDS": "3600", "SECURE_HSTS_PRELOAD": "0"})
    assert values["SECURE_HSTS_SECONDS"] == 3600 and values["SECURE_HSTS_PRELOAD"] is False


@pytest.mark.django_db
def test_every_answer_carries_a_content_security_policy_that_allows_only_this_site_s_scripts(client):
    policy = dict(
        part.strip().split(" ", 1)
        for part in client.get("/healthz")["Content-Security-Policy"].split(";")
        if part.strip()
    )
    assert policy["script-src"] == "'self'"
    assert policy["default-src"] == "'self'" and policy["object-src"] == "'none'"
    assert policy["frame-ancestors"] == "'none'"
    # The pages that run scripts carry it too: the admin and the API's Swagger UI.
    for url in ("/admin/login/", "/api/v1/docs/"):
        answer = client.get(url)
        assert answer.status_code == 200, url
        assert answer["Content-Security-Policy"] == client.get("/healthz")["Content-Security-Policy"], url


def test_passwords_that_are_short_common_numeric_or_like_the_username_are_refused():
    from django.contrib.auth.models import User

    user = User(username="curator-jane", email="jane@example.org")
    # Each refused for its own reason: a longer minimum alone would refuse all four.
    reasons = {
        "short1": "password_too_short",
        "password123": "password_too_common",
        "8364920174": "password_entirely_numeric",
        "curator-jane1": "password_too_similar",
    }
    for weak, reason in reasons.items():
        with pytest.raises(ValidationError) as refused:
            validate_password(weak, user)
        assert reason in {error.code for error in refused.value.error_list}, weak
    validate_password("sigma receptor agonist survival", user)
