"""The review workflow through the API: the same rules as the service, as HTTP answers."""

import pytest

from claims.models import Claim, ClaimVersion, CuratorReview
from tests.factories import make_claim, make_evidence

pytestmark = pytest.mark.django_db
URL = "/api/v1/claims/"


@pytest.fixture
def claim(personas):
    claim = make_claim(created_by=personas.curator, text="PRE-084 extends survival of SOD1 mice")
    make_evidence(claim)
    return claim


def act(api, user, claim, action, **body):
    return api.as_(user).post(f"{URL}{claim.pk}/{action}/", body, format="json")


def review(api, user, claim, verdict, comment=""):
    return act(api, user, claim, "reviews", verdict=verdict, comment=comment)


def test_full_round_trip_reject_rework_and_approve(api, personas, claim):
    submitted = act(api, personas.curator, claim, "submit")
    assert submitted.status_code == 200
    assert submitted.json()["status"] == "submitted"
    assert submitted.json()["allowed_actions"] == ["withdraw"]

    own = review(api, personas.curator, claim, "approve")
    assert own.status_code == 403

    rejected = review(api, personas.reviewer, claim, "reject", "The survival effect needs the n.")
    assert rejected.status_code == 200
    assert rejected.json()["status"] == "rejected"
    assert rejected.json()["reviews"][0]["comment"] == "The survival effect needs the n."

    assert act(api, personas.curator, claim, "reopen").json()["status"] == "draft"
    edited = api.as_(personas.curator).patch(f"{URL}{claim.pk}/", {"context": "SOD1-G93A mouse, n=12"},
                                             format="json")
    assert edited.status_code == 200
    assert act(api, personas.curator, claim, "submit").json()["review_round"] == 2
    approved = review(api, personas.second_reviewer, claim, "approve")
    assert approved.status_code == 200
    assert approved.json()["status"] == "accepted"
    assert approved.json()["evidence"][0]["status"] == "accepted"

    public = api.as_(None).get(URL).json()["results"]
    assert [row["id"] for row in public] == [claim.pk]


def test_drafts_stay_hidden_from_anonymous_readers(api, personas, claim):
    make_claim(created_by=personas.curator)
    assert api.as_(None).get(URL).json()["count"] == 0


@pytest.mark.parametrize("action, body", [("withdraw", {}), ("reopen", {}),
                                          ("retract", {"reason": "wrong"}),
                                          ("reviews", {"verdict": "approve"})])
def test_transition_from_the_wrong_state_is_a_409_naming_the_state(api, personas, claim, action, body):
    user = personas.staff if action in ("retract", "reviews") else personas.curator
    response = act(api, user, claim, action, **body)
    assert response.status_code == 409
    assert "draft" in response.json()["detail"]
    claim.refresh_from_db()
    assert claim.status == "draft"


@pytest.mark.parametrize("persona, expected", [("outsider", 404), ("reviewer", 403),
                                               ("other_curator", 403), ("anonymous", 401)])
def test_only_the_author_submits_and_outsiders_do_not_see_drafts(api, personas, claim, persona,
                                                                 expected):
    user = None if persona == "anonymous" else getattr(personas, persona)
    assert act(api, user, claim, "submit").status_code == expected
    claim.refresh_from_db()
    assert claim.status == "draft"


def test_reject_without_comment_is_a_400(api, personas, claim):
    act(api, personas.curator, claim, "submit")
    response = review(api, personas.reviewer, claim, "reject")
    assert response.status_code == 400
    assert "comment" in response.json()
    assert not CuratorReview.objects.exists()


def test_unknown_verdict_is_a_400(api, personas, claim):
    act(api, personas.curator, claim, "submit")
    response = review(api, personas.reviewer, claim, "maybe")
    assert response.status_code == 400 and "verdict" in response.json()


def test_request_changes_returns_the_claim_to_its_author_with_the_comment(api, personas, claim):
    act(api, personas.curator, claim, "submit")
    response = review(api, personas.reviewer, claim, "request_changes", "Name the dose.")
    assert response.json()["status"] == "draft"
    mine = api.as_(personas.curator).get(f"{URL}{claim.pk}/").json()
    assert mine["reviews"][-1]["comment"] == "Name the dose."
    assert mine["allowed_actions"] == ["submit"]


def test_two_required_approvals_need_two_reviewers(api, personas, claim, settings):
    settings.CURATION_REQUIRED_APPROVALS = 2
    act(api, personas.curator, claim, "submit")
    assert review(api, personas.reviewer, claim, "approve").json()["status"] == "submitted"
    again = review(api, personas.reviewer, claim, "approve")
    assert again.status_code == 409 and "counts once" in again.json()["detail"]
    assert review(api, personas.second_reviewer, claim, "approve").json()["status"] == "accepted"


def test_review_queue_lists_what_the_reviewer_may_review(api, personas, claim):
    act(api, personas.curator, claim, "submit")
    own = make_claim(created_by=personas.reviewer)
    personas.reviewer.groups.add(*personas.curator.groups.all())
    act(api, personas.reviewer, own, "submit")
    queue = "?status=submitted&reviewable=true"

    def queue_for(user):
        return {row["id"] for row in api.as_(user).get(URL + queue).json()["results"]}

    assert queue_for(personas.reviewer) == {claim.pk}
    assert queue_for(personas.second_reviewer) == {claim.pk, own.pk}
    review(api, personas.second_reviewer, own, "approve")
    assert queue_for(personas.second_reviewer) == {claim.pk}
    assert queue_for(personas.curator) == set()


def test_retraction_by_staff_keeps_the_claim_readable(api, personas, claim):
    act(api, personas.curator, claim, "submit")
    review(api, personas.reviewer, claim, "approve")
    successor = make_claim(created_by=personas.curator)
    draft_successor = act(api, personas.staff, claim, "retract", reason="x", superseded_by=str(successor.uid))
    assert draft_successor.status_code == 409 and "must be accepted" in draft_successor.json()["detail"]
    act(api, personas.curator, successor, "submit")
    review(api, personas.second_reviewer, successor, "approve")
    refused = act(api, personas.curator, claim, "retract", reason="wrong")
    assert refused.status_code == 403
    missing_reason = act(api, personas.staff, claim, "retract")
    assert missing_reason.status_code == 400 and "reason" in missing_reason.json()
    done = act(api, personas.staff, claim, "retract", reason="Superseded", superseded_by=str(successor.uid))
    assert done.status_code == 200
    assert done.json()["status"] == "retracted"
    assert done.json()["superseded_by"] == str(successor.uid)
    public = api.as_(None).get(f"{URL}{claim.pk}/").json()
    assert public["status"] == "retracted" and public["retraction_reason"] == "Superseded"


def test_versions_stay_readable_after_later_changes_and_retraction(api, personas, claim):
    act(api, personas.curator, claim, "submit")
    review(api, personas.reviewer, claim, "approve")
    first = api.get(f"{URL}{claim.pk}/versions/1/").json()
    assert first["number"] == 1 and len(first["content_hash"]) == 64
    assert first["content"]["text"] == claim.text

    extra = make_evidence(claim, created_by=personas.other_curator)
    submitted = api.as_(personas.other_curator).post(f"/api/v1/evidence/{extra.pk}/submit/")
    assert submitted.status_code == 200 and submitted.json()["status"] == "submitted"
    approved = api.as_(personas.reviewer).post(f"/api/v1/evidence/{extra.pk}/reviews/",
                                               {"verdict": "approve"}, format="json")
    assert approved.json()["status"] == "accepted"
    act(api, personas.staff, claim, "retract", reason="Superseded")

    assert api.get(f"{URL}{claim.pk}/versions/1/").json() == first
    second = api.get(f"{URL}{claim.pk}/versions/2/").json()
    assert len(second["content"]["evidence"]) == 2 and second["content_hash"] != first["content_hash"]
    assert [v["number"] for v in api.get(f"{URL}{claim.pk}/versions/").json()] == [1, 2]
    assert api.get(f"{URL}{claim.pk}/versions/3/").status_code == 404
    assert ClaimVersion.objects.filter(claim=claim).count() == 2


def test_history_tells_who_did_what_from_and_to_oldest_first(api, personas, claim):
    act(api, personas.curator, claim, "submit")
    review(api, personas.reviewer, claim, "request_changes", "Cite the figure.")
    api.as_(personas.curator).patch(f"{URL}{claim.pk}/", {"object": "lifespan"}, format="json")
    history = api.as_(personas.curator).get(f"{URL}{claim.pk}/history/").json()
    claim_rows = [h for h in history if h["kind"] == "claim"]
    assert [h["action"] for h in claim_rows] == ["created", "submit", "request_changes", "changed"]
    submit = claim_rows[1]
    assert submit["user"] == "curator"
    assert {"field": "status", "from": "draft", "to": "submitted"} in submit["changes"]
    edit = claim_rows[3]
    assert {"field": "object", "from": "survival", "to": "lifespan"} in edit["changes"]
    comments = [h["comment"] for h in history if h["kind"] == "review"]
    assert comments == ["Cite the figure."]
    assert [h["at"] for h in history] == sorted(h["at"] for h in history)


def test_reviews_endpoint_is_append_only(api, personas, claim):
    act(api, personas.curator, claim, "submit")
    created = api.as_(personas.reviewer).post("/api/v1/reviews/", {
        "claim": claim.pk, "verdict": "approve"}, format="json")
    assert created.status_code == 201
    url = f"/api/v1/reviews/{created.json()['id']}/"
    assert api.as_(personas.staff).patch(url, {"comment": "x"}, format="json").status_code == 405
    assert api.as_(personas.staff).delete(url).status_code == 405
    assert Claim.objects.get(pk=claim.pk).status == "accepted"
    neither = api.as_(personas.reviewer).post("/api/v1/reviews/", {"verdict": "approve"}, format="json")
    assert neither.status_code == 400


def test_a_submitted_claim_is_not_edited_under_its_reviewers(api, personas, claim, settings):
    settings.CURATION_REQUIRED_APPROVALS = 2
    act(api, personas.curator, claim, "submit")
    review(api, personas.reviewer, claim, "approve")
    edited = api.as_(personas.curator).patch(f"{URL}{claim.pk}/", {"text": "PRE-084 cures ALS"},
                                             format="json")
    assert edited.status_code == 400
    assert "withdraw it from review" in edited.json()["text"][0]
    moved = api.as_(personas.curator).patch(f"/api/v1/evidence/{claim.evidence.get().pk}/",
                                            {"claim": make_claim(created_by=personas.curator).pk},
                                            format="json")
    assert moved.status_code == 400 and "claim" in moved.json()
    approved = review(api, personas.second_reviewer, claim, "approve").json()
    assert approved["status"] == "accepted"
    assert approved["text"] == "PRE-084 extends survival of SOD1 mice"


def test_history_keeps_deleted_evidence_and_costs_the_same_for_any_number_of_items(api, personas,
                                                                                 claim):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def history_queries():
        curator = type(personas.curator).objects.get(pk=personas.curator.pk)  # as a request loads it
        with CaptureQueriesContext(connection) as queries:
            body = api.as_(curator).get(f"{URL}{claim.pk}/history/").json()
        return len(queries), body

    few, _ = history_queries()
    for _ in range(10):
        make_evidence(claim)
    many, _ = history_queries()
    assert few == many
    doomed = claim.evidence.last()
    assert api.as_(personas.curator).delete(f"/api/v1/evidence/{doomed.pk}/").status_code == 204
    _, history = history_queries()
    assert [h["action"] for h in history if h.get("uid") == str(doomed.uid)] == ["created", "deleted"]


def test_history_records_topic_changes(api, personas, claim):
    from tests.factories import make_topic

    make_topic("als", "ALS")
    make_topic("mnd", "Motoneuron disease")
    client = api.as_(personas.curator)
    client.patch(f"{URL}{claim.pk}/", {"topics": ["als"]}, format="json")
    client.patch(f"{URL}{claim.pk}/", {"topics": ["als", "mnd"]}, format="json")
    history = client.get(f"{URL}{claim.pk}/history/").json()
    topic_changes = [c for h in history if h["kind"] == "claim" for c in h.get("changes", [])
                     if c["field"] == "topics"]
    assert topic_changes[-1] == {"field": "topics", "from": ["als"], "to": ["als", "mnd"]}
    assert topic_changes[0]["to"] == ["als"]


def test_topics_of_a_claim_under_review_or_accepted_are_frozen(api, personas, claim):
    from tests.factories import make_topic

    make_topic("als", "ALS")
    make_topic("pd", "Parkinson disease")
    client = api.as_(personas.curator)
    assert client.patch(f"{URL}{claim.pk}/", {"topics": ["als"]}, format="json").status_code == 200
    act(api, personas.curator, claim, "submit")
    moved = api.as_(personas.curator).patch(f"{URL}{claim.pk}/", {"topics": ["pd"]}, format="json")
    assert moved.status_code == 400 and "withdraw it from review" in moved.json()["topics"][0]
    review(api, personas.reviewer, claim, "approve")
    client = api.as_(personas.curator)
    moved = client.patch(f"{URL}{claim.pk}/", {"topics": ["als", "pd"]}, format="json")
    assert moved.status_code == 400 and "supersedes" in moved.json()["topics"][0]
    unchanged = client.patch(f"{URL}{claim.pk}/", {"topics": ["als"]}, format="json")
    assert unchanged.status_code == 200
    assert list(claim.topics.values_list("slug", flat=True)) == ["als"]
