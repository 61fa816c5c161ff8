"""Every list refuses a query parameter it does not read (claims/api/parameters.py), the
releases and a user's webhooks as the claims and papers do: a misspelt parameter is a 400
naming it, never the whole list answered as if it had been read."""

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("path", ["/api/v1/releases/?verison=v1", "/api/v1/webhooks/?stae=paused"])
def test_a_list_names_the_parameter_it_does_not_read(api, personas, path):
    response = api.as_(personas.curator).get(path)
    assert response.status_code == 400
    name = path.split("?")[1].split("=")[0]
    assert list(response.json()) == [name]
    assert "Unknown parameter" in response.json()[name][0]


@pytest.mark.parametrize("path", ["/api/v1/releases/?page=1", "/api/v1/webhooks/?page_size=10"])
def test_a_list_still_reads_its_pages(api, personas, path):
    assert api.as_(personas.curator).get(path).status_code == 200
