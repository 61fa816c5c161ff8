"""A query parameter the API cannot read is a 400 naming it, never silently ignored."""

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("url, parameter", [
    ("/api/v1/claims/?reviewable=maybe", "reviewable"),
    ("/api/v1/papers/?is_retracted=perhaps", "is_retracted"),
    ("/api/v1/claims/?page_size=abc", "page_size"),
    ("/api/v1/claims/?page_size=0", "page_size"),
    ("/api/v1/claims/?page_size=-5", "page_size"),
    ("/api/v1/papers/?page_size=1.5", "page_size"),
    ("/api/v1/claims/?cursor=&page_size=ten", "page_size"),
])
def test_unreadable_parameters_are_a_400_naming_them(api, url, parameter):
    response = api.get(url)
    assert response.status_code == 400, response.content
    assert parameter in response.json()


@pytest.mark.parametrize("value, expected", [("true", True), ("1", True), ("false", False),
                                             ("no", False)])
def test_booleans_read_the_usual_spellings(api, value, expected, personas):
    from tests.factories import make_paper

    make_paper(title="Withdrawn", is_retracted=True)
    make_paper(title="Standing")
    titles = {p["title"] for p in api.get(f"/api/v1/papers/?is_retracted={value}").json()["results"]}
    assert titles == ({"Withdrawn"} if expected else {"Standing"})


def test_a_page_size_over_the_limit_is_capped(api, monkeypatch):
    from claims.api.pagination import PageNumberPagination
    from tests.factories import make_paper

    monkeypatch.setattr(PageNumberPagination, "max_page_size", 2)
    for _ in range(3):
        make_paper()
    for size in ("3", "100000", "9" * 40):
        response = api.get(f"/api/v1/papers/?page_size={size}")
        assert response.status_code == 200
        assert len(response.json()["results"]) == 2
