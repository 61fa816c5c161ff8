import os
import shutil

import pytest
from django.db import connection


def pytest_collection_modifyitems(config, items):
    on_postgres = connection.vendor == "postgresql"
    if os.environ.get("REQUIRE_POSTGRES") and not on_postgres:
        raise pytest.UsageError("REQUIRE_POSTGRES is set but DATABASE_URL is not PostgreSQL.")
    skip = pytest.mark.skip(reason="needs PostgreSQL: set DATABASE_URL=postgres://...")
    has_browser = bool(shutil.which("chromium") and shutil.which("chromedriver"))
    no_browser = pytest.mark.skip(reason="needs Debian's chromium and chromium-driver packages")
    for item in items:
        if "postgres" in item.keywords and not on_postgres:
            item.add_marker(skip)
        if "browser" in item.keywords and not has_browser:
            item.add_marker(no_browser)


@pytest.fixture
def role_groups(transactional_db):
    """A transactional test's flush empties every table, the migration's role groups too."""
    from importlib import import_module

    from django.contrib.auth.models import Group, Permission

    import_module("claims.migrations.0002_roles").grant_roles(Group, Permission)


@pytest.fixture
def personas(db):
    """A curator, a second curator, two reviewers, staff and an outsider with no role."""
    from tests.factories import make_user

    class People:
        curator = make_user("curator", "curator")
        other_curator = make_user("other-curator", "curator")
        reviewer = make_user("reviewer", "reviewer")
        second_reviewer = make_user("second-reviewer", "reviewer")
        staff = make_user("staff", superuser=True)
        outsider = make_user("outsider")

    return People


@pytest.fixture
def api():
    """An API client; api.as_(user) signs in as that user (None: anonymous)."""
    from rest_framework.test import APIClient

    class Client(APIClient):
        def as_(self, user):
            self.force_authenticate(user=user)
            return self

    return Client()


@pytest.fixture
def api_schema(db, settings):
    """The API's own OpenAPI schema, for schemathesis, calling the app in-process (WSGI)."""
    import schemathesis
    import yaml
    from django.core import signals
    from django.core.wsgi import get_wsgi_application
    from django.db import close_old_connections
    from django.test import Client

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "localhost"]  # the host requests are sent to
    body = yaml.safe_load(Client().get("/api/v1/schema/").content)
    # As Django's test client does: a request's end must not close the test's connection (on
    # PostgreSQL that would end the transaction every test runs in).
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield schemathesis.from_dict(body, app=get_wsgi_application())
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def browser():
    """Debian's headless Chromium (tests/browser.py), its console kept for policy_violations()."""
    from tests.browser import chromium

    driver = chromium(console=True)
    yield driver
    driver.quit()
