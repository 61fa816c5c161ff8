"""The change feed's promise: a mirror that replays it from the start and then follows it
holds exactly what the API lists, deletions included, for each kind of reader."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from claims import workflow, writes
from tests.factories import make_evidence_type, make_topic

pytestmark = pytest.mark.django_db

FEED = "/api/v1/changes/"
LISTS = {"claim": "/api/v1/claims/", "evidence": "/api/v1/evidence/", "paper": "/api/v1/papers/",
         "review": "/api/v1/reviews/"}


class Mirror:
    """What a downstream tool keeps: objects by kind and uid, from the feed alone."""

    def __init__(self, api, user):
        self.api, self.user, self.cursor, self.objects = api, user, "", {k: {} for k in LISTS}

    def follow(self, page_size=7):
        while True:
            page = self.api.as_(self.user).get(FEED, {"after": self.cursor,
                                                      "page_size": page_size}).json()
            for entry in page["results"]:
                if entry["tombstone"]:
                    self.objects[entry["kind"]].pop(entry["uid"], None)
                else:
                    self.objects[entry["kind"]][entry["uid"]] = entry["object"]
            self.cursor = page["next"]
            if not page["more"]:
                return self


def listed(api, user) -> dict:
    everything = {}
    for kind, url in LISTS.items():
        results = api.as_(user).get(url, {"page_size": 500}).json()["results"]
        everything[kind] = {item["uid"]: item for item in results}
    return everything


def write_a_day_of_curation(people, day=1):
    """Creates, edits, submits, approves, retracts and deletes, by several people."""
    curator, reviewer, staff = people.curator, people.reviewer, people.staff
    kind = make_evidence_type(code=f"in-vivo-{day}")
    topic = make_topic(slug=f"als-{day}")
    paper = writes.create_paper(actor=curator, data={"title": "PRE-084 in SOD1 mice",
                                                     "doi": f"10.5555/feed.{day}.1", "year": 2012})
    spare = writes.create_paper(actor=curator, data={"title": "Unused",
                                                     "doi": f"10.5555/feed.{day}.2"})
    claims = []
    for n in range(4):
        claim = writes.create_claim(actor=curator, data={"text": f"Claim {n} about Sigma-1R",
                                                         "topics": [topic]})
        writes.create_evidence(actor=curator, data={"claim": claim, "paper": paper,
                                                    "evidence_type": kind, "direction": "supports",
                                                    "location": f"Fig. {n}"})
        claims.append(claim)
    for claim in claims[:3]:
        workflow.submit(claim, curator)
        workflow.review(claim, reviewer, "approve")
    workflow.retract(claims[0], staff, "Superseded", claims[1])
    writes.update(claims[3], actor=curator, data={"context": "NSC-34 cells"})
    draft_evidence = writes.create_evidence(actor=curator, data={
        "claim": claims[3], "paper": spare, "evidence_type": kind, "direction": "contradicts"})
    writes.delete(draft_evidence, actor=curator)
    writes.update(paper, actor=curator, data={"title": "PRE-084 extends survival in SOD1 mice"})
    writes.delete(spare, actor=curator)
    writes.update(claims[1].evidence.get(), actor=curator, data={"notes": "n=12 per group"})
    return claims


@pytest.mark.parametrize("reader", ["anonymous", "curator"])
def test_a_mirror_following_the_feed_holds_exactly_what_the_api_lists(api, personas, reader):
    user = None if reader == "anonymous" else personas.curator
    claims = write_a_day_of_curation(personas)
    mirror = Mirror(api, user).follow()
    assert mirror.objects == listed(api, user)

    # Following on from its cursor, through more work.
    workflow.submit(claims[3], personas.curator)
    workflow.review(claims[3], personas.reviewer, "request_changes", "Name the dose.")
    late = writes.create_claim(actor=personas.curator, data={"text": "Another draft"})
    writes.delete(late, actor=personas.curator)
    mirror.follow()

    assert mirror.objects == listed(api, user)
    assert mirror.objects["claim"]  # the comparison is of something


def test_readers_of_accepted_work_never_hear_of_drafts(api, personas):
    draft = writes.create_claim(actor=personas.curator, data={"text": "A draft nobody has seen"})
    writes.update(draft, actor=personas.curator, data={"context": "SOD1 mice"})
    writes.delete(draft, actor=personas.curator)

    body = api.get(FEED, {"page_size": 1000}).content.decode()
    assert str(draft.uid) not in body
    assert str(draft.uid) in api.as_(personas.curator).get(FEED, {"page_size": 1000}).content.decode()


def test_a_deletion_comes_as_a_tombstone(api, personas):
    paper = writes.create_paper(actor=personas.curator, data={"title": "Gone", "doi": "10.5555/x.1"})
    writes.delete(paper, actor=personas.curator)

    entries = [e for e in api.get(FEED).json()["results"] if e["uid"] == str(paper.uid)]
    assert [(e["action"], e["tombstone"], e["object"]) for e in entries] == [
        ("created", True, None), ("deleted", True, None)]


def test_status_changes_are_named_and_the_cursor_continues(api, personas):
    claim = writes.create_claim(actor=personas.curator, data={"text": "Sigma-1R claim"})
    first = api.as_(personas.curator).get(FEED).json()
    workflow.submit(claim, personas.curator)

    page = api.as_(personas.curator).get(FEED, {"after": first["next"]}).json()
    assert [(e["kind"], e["action"], e["object"]["status"]) for e in page["results"]] == [
        ("claim", "status", "submitted")]
    again = api.as_(personas.curator).get(FEED, {"after": page["next"]}).json()
    assert again == {"next": page["next"], "more": False, "results": []}


def test_kinds_choose_what_comes(api, personas):
    writes.create_paper(actor=personas.curator, data={"title": "P", "doi": "10.5555/k.1"})
    writes.create_claim(actor=personas.curator, data={"text": "C"})
    kinds = {e["kind"] for e in api.as_(personas.curator).get(FEED, {"kinds": "paper"})
             .json()["results"]}
    assert kinds == {"paper"}


@pytest.mark.parametrize("params, field", [
    ({"after": "nonsense"}, "after"), ({"after": "aWQ6MTA"}, "after"),
    ({"kinds": "claim,widget"}, "kinds"), ({"kinds": ","}, "kinds"),
    ({"page_size": "0"}, "page_size"), ({"page_size": "1001"}, "page_size"),
    ({"page_size": "ten"}, "page_size")])
def test_bad_parameters_are_a_400_naming_them(api, params, field):
    response = api.get(FEED, params)
    assert response.status_code == 400
    assert field in response.json()


@pytest.mark.parametrize("reader", ["anonymous", "curator"])
def test_a_page_costs_the_same_number_of_queries_whatever_its_size(api, personas, reader):
    user = None if reader == "anonymous" else personas.curator

    def cost():
        with CaptureQueriesContext(connection) as queries:
            response = api.as_(user).get(FEED, {"page_size": 1000})
        assert response.status_code == 200 and not response.json()["more"]
        return len(queries), len(response.json()["results"])

    write_a_day_of_curation(personas, day=1)
    one_day, entries = cost()
    write_a_day_of_curation(personas, day=2)
    write_a_day_of_curation(personas, day=3)
    three_days, more_entries = cost()
    assert more_entries > 2 * entries
    assert three_days == one_day


def test_existing_objects_are_in_the_feed_from_their_creation(api, personas):
    # Factories write without the services: the history records still feed it.
    from tests.factories import make_claim

    claim = make_claim(created_by=personas.curator)
    entries = api.as_(personas.curator).get(FEED).json()["results"]
    assert [(e["kind"], e["action"]) for e in entries if e["uid"] == str(claim.uid)] == [
        ("claim", "created")]
