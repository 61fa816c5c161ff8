"""A request that meets a database gone away (a restart, a failover) is a 503 the client may
retry, with Retry-After; a database error while the database answers stays a server error.
`make faults` (bench/faults.py) shows it against a real restart."""

import pytest
from django.db import OperationalError

from claims import writes
from claims.api import errors
from claims.models import Claim

pytestmark = pytest.mark.django_db


@pytest.fixture
def failing_write(monkeypatch):
    def fail(*args, **kwargs):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(writes, "create", fail)


def test_a_write_while_the_database_is_away_is_a_503_to_retry(api, personas, failing_write, monkeypatch):
    monkeypatch.setattr(errors, "_database_unavailable", lambda: True)

    response = api.as_(personas.curator).post("/api/v1/claims/", {"text": "PRE-084 helps"}, format="json")

    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert "try again" in response.json()["detail"]
    assert not Claim.objects.exists()


def test_a_database_error_while_the_database_answers_stays_a_server_error(api, personas, failing_write):
    assert errors._database_unavailable() is False
    with pytest.raises(OperationalError):
        api.as_(personas.curator).post("/api/v1/claims/", {"text": "PRE-084 helps"}, format="json")
