import pytest

from claims.models import Paper
from tests.factories import make_paper, make_topic

pytestmark = pytest.mark.django_db
URL = "/api/v1/papers/"


def test_anyone_can_list_and_read_papers(api):
    paper = make_paper(title="Sigma-1R agonist improves motor function", doi="10.1007/s13311-012-0140-y")
    listing = api.get(URL)
    assert listing.status_code == 200
    assert set(listing.json()) == {"count", "next", "previous", "results"}
    assert listing.json()["results"][0]["doi"] == "10.1007/s13311-012-0140-y"
    assert api.get(f"{URL}{paper.pk}/").json()["title"] == paper.title


def test_curator_creates_paper_with_normalised_doi(api, personas):
    response = api.as_(personas.curator).post(URL, {
        "title": "A mutation in sigma-1 receptor causes juvenile ALS",
        "doi": "https://doi.org/10.1002/ANA.22534", "authors": ["Al-Saif A", "Bohlega S"],
        "year": 2011, "topics": [make_topic().slug]}, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["doi"] == "10.1002/ana.22534"
    assert response.json()["authors"] == ["Al-Saif A", "Bohlega S"]
    assert Paper.objects.get().topics.get().slug == "als"


@pytest.mark.parametrize("payload, field, message", [
    ({"title": "x", "doi": "11.1000/abc"}, "doi", "is not a DOI"),
    ({"title": "x", "doi": "not a doi"}, "doi", "is not a DOI"),
    ({"title": "x"}, "doi", "at least one of DOI, PMID or URL"),
    ({"title": "x", "pmid": "PMID-12x"}, "pmid", "digits only"),
    ({"title": "x", "doi": "10.1/x", "year": 1700}, "year", "between 1800"),
    ({"doi": "10.1/x"}, "title", "required"),
    ({"title": "x", "doi": "10.1/x", "authors": "Smith J"}, "authors", "list"),
])
def test_bad_paper_is_refused_with_a_field_message(api, personas, payload, field, message):
    response = api.as_(personas.curator).post(URL, payload, format="json")
    assert response.status_code == 400
    assert message in " ".join(response.json()[field])
    assert not Paper.objects.exists()


def test_duplicate_doi_is_refused_whatever_its_case_or_prefix(api, personas):
    make_paper(doi="10.1002/ana.22534")
    response = api.as_(personas.curator).post(
        URL, {"title": "again", "doi": "doi:10.1002/ANA.22534"}, format="json")
    assert response.status_code == 400
    assert response.json()["doi"] == ["A paper with this DOI already exists."]
    assert Paper.objects.count() == 1


def test_duplicate_pmid_is_refused(api, personas):
    make_paper(pmid="20167253")
    response = api.as_(personas.curator).post(URL, {"title": "again", "pmid": "20167253"},
                                              format="json")
    assert response.status_code == 400
    assert response.json()["pmid"] == ["A paper with this PMID already exists."]


def test_curator_updates_and_deletes_a_paper(api, personas):
    paper = make_paper()
    client = api.as_(personas.curator)
    assert client.patch(f"{URL}{paper.pk}/", {"journal": "Brain"}, format="json").status_code == 200
    paper.refresh_from_db()
    assert paper.journal == "Brain"
    assert client.delete(f"{URL}{paper.pk}/").status_code == 204
    assert not Paper.objects.exists()


def test_paper_cited_by_evidence_cannot_be_deleted(api, personas):
    from tests.factories import make_claim, make_evidence

    evidence = make_evidence(make_claim(created_by=personas.curator))
    response = api.as_(personas.curator).delete(f"{URL}{evidence.paper_id}/")
    assert response.status_code == 409
    assert "evidence" in response.json()["detail"]
    assert Paper.objects.filter(pk=evidence.paper_id).exists()


@pytest.mark.parametrize("user", ["anonymous", "outsider", "reviewer"])
def test_only_curators_write_papers(api, personas, user):
    client = api.as_(None if user == "anonymous" else getattr(personas, user))
    response = client.post(URL, {"title": "x", "doi": "10.1/x"}, format="json")
    assert response.status_code in (401, 403)
    assert not Paper.objects.exists()


def test_papers_filter_by_identifier_year_journal_topic_and_text(api):
    als = make_topic()
    old = make_paper(title="Sigma receptor in C-terminals", doi="10.1016/j.neuroscience.2010.02.022",
                     pmid="20167253", year=2010, journal="Neuroscience")
    old.topics.add(als)
    new = make_paper(title="Sigma-1 receptor as a target", year=2021, journal="Frontiers in Pharmacology")

    def ids(query):
        response = api.get(URL + query)
        assert response.status_code == 200, response.json()
        return {row["id"] for row in response.json()["results"]}

    assert ids("?doi=https://doi.org/10.1016/J.NEUROSCIENCE.2010.02.022") == {old.pk}
    assert ids("?pmid=20167253") == {old.pk}
    assert ids("?year=2021") == {new.pk}
    assert ids("?year_from=2011") == {new.pk}
    assert ids("?year_to=2011") == {old.pk}
    assert ids("?year_from=2000&year_to=2030&journal=frontiers") == {new.pk}
    assert ids("?topic=als") == {old.pk}
    assert ids("?search=c-terminals") == {old.pk}
    assert ids("?ordering=year") and [r["id"] for r in api.get(URL + "?ordering=year").json()[
        "results"]] == [old.pk, new.pk]


def test_unknown_topic_filter_is_a_400_not_an_empty_list(api):
    response = api.get(URL + "?topic=nope")
    assert response.status_code == 400
    assert "topic" in response.json()


def test_a_pmid_in_other_scripts_digits_is_refused_on_its_field(api, personas):
    response = api.as_(personas.curator).post(URL, {"title": "x", "pmid": "٣٣"}, format="json")
    assert response.status_code == 400 and "digits only" in response.json()["pmid"][0]


@pytest.mark.parametrize("method, url, body, curator_may", [
    ("post", "/api/v1/topics/", {"slug": "mnd", "name": "Motoneuron disease"}, True),
    ("delete", "/api/v1/topics/{topic}/", None, False),
    ("post", "/api/v1/evidence-types/", {"code": "x", "label": "X"}, False),
])
def test_the_api_grants_writes_as_the_admin_does(api, personas, method, url, body, curator_may):
    """The curator group's model permissions decide, in the API exactly as in the admin."""
    topic = make_topic()
    url = url.format(topic=topic.pk)
    response = getattr(api.as_(personas.curator), method)(url, body, format="json")
    assert (response.status_code < 300) is curator_may
    staff_only = make_user_with_staff_flag_only()
    assert getattr(api.as_(staff_only), method)(url, body, format="json").status_code == 403


def make_user_with_staff_flag_only():
    from django.contrib.auth.models import User

    return User.objects.create_user("staff-flag-only", password="pw", is_staff=True)
