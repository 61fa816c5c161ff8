import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.django_db
def test_healthz_answers_200_when_the_database_answers(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_healthz_answers_503_when_the_database_does_not(client, monkeypatch):
    from django.db import DatabaseError, connection

    def broken_cursor(*args, **kwargs):
        raise DatabaseError("connection refused")

    monkeypatch.setattr(connection, "cursor", broken_cursor)
    response = client.get("/healthz")
    assert response.status_code == 503
    # Anyone may ask: neither the vendor nor the error's text is theirs to read.
    assert response.json() == {"status": "unavailable"}


def run_check(env):
    base = {"PATH": "/usr/bin:/bin", "DJANGO_SETTINGS_MODULE": "curation.settings"}
    return subprocess.run([sys.executable, "manage.py", "check", "--deploy"], cwd=ROOT,
                          env={**base, **env}, capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize("key", [None, "", "changeme", "django-insecure-" + "x" * 40, "a" * 64,
                                 "short-but-varied-0123456789"])
def test_production_refuses_to_start_without_a_real_secret_key(key):
    result = run_check({"DEBUG": "0"} if key is None else {"DEBUG": "0", "SECRET_KEY": key})
    assert result.returncode != 0
    assert "SECRET_KEY is not set, or is not a real secret" in result.stderr


def test_settings_come_from_the_environment():
    result = subprocess.run(
        [sys.executable, "-c", "from django.conf import settings as s; "
         "print(s.DEBUG, s.ALLOWED_HOSTS, s.DATABASES['default']['ENGINE'])"],
        cwd=ROOT, capture_output=True, text=True, timeout=60,
        env={"PATH": "/usr/bin:/bin", "DJANGO_SETTINGS_MODULE": "curation.settings",
             "SECRET_KEY": "0123456789abcdef" * 4, "DEBUG": "false", "ALLOWED_HOSTS": "curation.example.org",
             "DATABASE_URL": "postgres://u:p@db:5432/curation"})
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "['curation.example.org']",
                                     "django.db.backends.postgresql"]


def test_a_malformed_boolean_is_refused_by_name():
    result = run_check({"DEBUG": "perhaps", "SECRET_KEY": "x"})
    assert result.returncode != 0 and "DEBUG must be a boolean" in result.stderr


def test_the_server_refuses_to_start_without_a_secret_key_even_where_manage_py_is_lenient():
    server = subprocess.run([sys.executable, "-c", "import curation.wsgi"], cwd=ROOT,
                            env={"PATH": "/usr/bin:/bin"}, capture_output=True, text=True,
                            timeout=60)
    assert server.returncode != 0 and "SECRET_KEY is not set" in server.stderr
    local = subprocess.run([sys.executable, "manage.py", "makemigrations", "--check", "--dry-run"],
                           cwd=ROOT, env={"PATH": "/usr/bin:/bin"}, capture_output=True, text=True,
                           timeout=60)
    assert local.returncode == 0, local.stderr


def test_manage_py_without_a_secret_says_it_runs_in_local_mode():
    result = subprocess.run([sys.executable, "manage.py", "check"], cwd=ROOT, capture_output=True,
                            text=True, timeout=60, env={"PATH": "/usr/bin:/bin"})
    assert result.returncode == 0, result.stderr
    assert "SECRET_KEY is not set: running in local mode" in result.stderr


def test_a_real_secret_passes_django_s_own_deployment_check():
    result = run_check({"DEBUG": "0", "SECRET_KEY": "0123456789abcdef" * 4,
                        "ALLOWED_HOSTS": "curation.example.org"})
    assert "security.W009" not in result.stdout + result.stderr
