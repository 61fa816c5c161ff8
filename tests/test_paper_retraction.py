"""A retracted paper: its evidence drops out of every synthesis, the accepted claims that rest
on it are flagged for re-review and queue for reviewers, the change feed carries all of it,
and a reviewer's confirmation (or the claim's retraction) clears the flag. Contradicting
evidence accepted on an accepted claim flags it too."""

import pytest
from django.contrib import messages
from django.urls import reverse

from claims import workflow, writes
from claims.models import Claim, CuratorReview
from tests.factories import admin_form_data, make_claim, make_evidence, make_paper, make_user

pytestmark = pytest.mark.django_db

FEED = "/api/v1/changes/"
CLAIMS = reverse("admin:claims_claim_changelist")
NOTICE = "https://doi.org/10.1000/notice.7"


@pytest.fixture
def cited(personas):
    """A paper that supports two accepted claims (one also rests on a second paper) and that
    a third accepted claim cites only through a draft item."""

    class Cited:
        paper = make_paper(title="PRE-084 in SOD1 mice", doi="10.1000/retracted.1")
        other = make_paper(title="Sigma-1R in motoneurons", doi="10.1000/sound.1")
        both = make_claim(created_by=personas.curator)
        only = make_claim(created_by=personas.curator)
        draft_only = make_claim(created_by=personas.curator)

    make_evidence(Cited.both, paper=Cited.paper, location="Fig. 2")
    make_evidence(Cited.both, paper=Cited.other, location="Fig. 5")
    make_evidence(Cited.only, paper=Cited.paper, location="Fig. 2")
    make_evidence(Cited.draft_only, paper=Cited.other, location="Fig. 5")
    for claim in (Cited.both, Cited.only, Cited.draft_only):
        workflow.submit(claim, personas.curator)
        workflow.review(claim, personas.second_reviewer, "approve")
    make_evidence(Cited.draft_only, paper=Cited.paper, location="Fig. 9")
    return Cited


def make_user_reviewing_curator():
    """A curator who also reviews: the four-eyes rule, not the role, stops them."""
    return make_user("reviewing-curator", "curator", "reviewer")


def end_of_feed(api, user) -> str:
    cursor = ""
    while True:
        page = api.as_(user).get(FEED, {"after": cursor, "page_size": 1000}).json()
        cursor = page["next"]
        if not page["more"]:
            return cursor


def feed_since(api, user, cursor) -> list[dict]:
    return api.as_(user).get(FEED, {"after": cursor, "page_size": 1000}).json()["results"]


def fresh(claim) -> Claim:
    return Claim.objects.get(pk=claim.pk)


def retract_through_api(api, personas, paper):
    response = api.as_(personas.curator).patch(
        f"/api/v1/papers/{paper.pk}/",
        {"is_retracted": True, "retraction_date": "2024-05-02", "retraction_url": NOTICE},
        format="json")
    assert response.status_code == 200, response.content
    return response.json()


def test_a_paper_retracted_through_the_api_leaves_every_synthesis_and_flags_its_claims(
        api, personas, cited):
    assert fresh(cited.both).synthesis["counts"]["supports"] == 2
    body = retract_through_api(api, personas, cited.paper)
    assert (body["is_retracted"], body["retraction_date"], body["retraction_url"]) == (
        True, "2024-05-02", NOTICE)

    both = api.get(f"/api/v1/claims/{cited.both.pk}/").json()
    assert both["synthesis"]["counts"] == {"supports": 1, "contradicts": 0, "inconclusive": 0}
    assert "1 item citing a retracted paper is left out." in both["synthesis"]["rule"]
    only = api.get(f"/api/v1/claims/{cited.only.pk}/").json()
    assert only["synthesis"]["level"] == "none"

    for claim in (both, only):
        assert claim["needs_rereview"] is True
        assert claim["rereview_reason"] == (
            f"A cited paper was retracted: PRE-084 in SOD1 mice (10.1000/retracted.1), "
            f"notice {NOTICE}.")
    # Cited by a draft item only: nothing an accepted claim rests on.
    assert fresh(cited.draft_only).needs_rereview is False
    # A flag is no edit: the four-eyes stamp stays the curator's; the history says who and why.
    flagged = fresh(cited.both)
    assert flagged.updated_by == personas.curator
    entry = flagged.history.first()
    assert entry.history_user == personas.curator
    assert entry.history_change_reason == "flag for re-review: a cited paper was retracted"


def test_flagged_claims_are_listed_by_needs_rereview_for_every_reader(api, personas, cited):
    retract_through_api(api, personas, cited.paper)
    expected = {cited.both.pk, cited.only.pk}
    for user in (None, personas.reviewer):
        listed = api.as_(user).get("/api/v1/claims/?needs_rereview=true").json()["results"]
        assert {claim["id"] for claim in listed} == expected
        rest = api.as_(user).get("/api/v1/claims/?needs_rereview=false").json()["results"]
        assert expected.isdisjoint(claim["id"] for claim in rest)
        assert cited.draft_only.pk in {claim["id"] for claim in rest}
    assert api.get("/api/v1/claims/?needs_rereview=perhaps").status_code == 400


def test_the_feed_carries_the_paper_and_the_claims_with_their_flag_and_synthesis(
        api, personas, cited):
    readers = (None, personas.reviewer)
    cursors = [end_of_feed(api, user) for user in readers]
    retract_through_api(api, personas, cited.paper)
    for user, cursor in zip(readers, cursors, strict=True):
        entries = feed_since(api, user, cursor)
        papers = [e["object"] for e in entries if e["kind"] == "paper"]
        assert papers and papers[-1]["uid"] == str(cited.paper.uid)
        assert papers[-1]["is_retracted"] is True
        claims = {e["uid"]: e["object"] for e in entries if e["kind"] == "claim"}
        flagged = {uid for uid, claim in claims.items() if claim["needs_rereview"]}
        assert flagged == {str(cited.both.uid), str(cited.only.uid)}
        assert all("retracted" in claims[uid]["rereview_reason"] for uid in flagged)
        assert claims[str(cited.both.uid)]["synthesis"]["counts"]["supports"] == 1
        assert claims[str(cited.only.uid)]["synthesis"]["level"] == "none"


def test_a_paper_retracted_in_the_admin_flags_its_claims_and_they_join_the_review_queue(
        client, personas, cited):
    submitted = make_claim(created_by=personas.curator, text="Submitted, waiting for review")
    make_evidence(submitted)
    workflow.submit(submitted, personas.curator)
    reviewing_curator = make_user_reviewing_curator()
    mine = make_claim(created_by=reviewing_curator, text="Stated by a curator who reviews")
    make_evidence(mine, paper=cited.paper)
    workflow.submit(mine, reviewing_curator)
    workflow.review(mine, personas.second_reviewer, "approve")
    client.force_login(personas.curator)
    url = reverse("admin:claims_paper_change", args=[cited.paper.pk])
    data = admin_form_data(client.get(url))
    data.update({"is_retracted": "on", "retraction_date": "2024-05-02", "retraction_url": NOTICE})
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors

    flagged = {cited.both.pk, cited.only.pk, mine.pk}
    assert {c.pk for c in Claim.objects.filter(needs_rereview=True)} == flagged
    assert fresh(cited.only).synthesis["level"] == "none"
    client.force_login(personas.reviewer)
    queue = client.get(CLAIMS, {"queue": "review"}).context["cl"].result_list
    assert {c.pk for c in queue} == flagged | {submitted.pk}
    listed = client.get(CLAIMS, {"needs_rereview__exact": "1"}).context["cl"].result_list
    assert {c.pk for c in listed} == flagged
    # The claim's page shows the flag and why.
    page = client.get(reverse("admin:claims_claim_change", args=[cited.only.pk]))
    assert "A cited paper was retracted" in page.content.decode()
    # Nobody re-reviews their own claim: it is left out of its author's queue.
    client.force_login(reviewing_curator)
    queue = client.get(CLAIMS, {"queue": "review"}).context["cl"].result_list
    assert {c.pk for c in queue} == flagged - {mine.pk} | {submitted.pk}


def test_confirm_clears_the_flag_with_an_approving_review_in_a_round_of_its_own(
        api, personas, cited):
    retract_through_api(api, personas, cited.paper)
    claim = fresh(cited.only)
    round_before, versions = claim.review_round, claim.versions.count()
    assert "confirm" in workflow.allowed_actions(claim, personas.reviewer)
    assert "confirm" not in workflow.allowed_actions(claim, personas.curator)

    record = workflow.confirm(claim, personas.reviewer, "Two later studies replicate Fig. 2.")
    claim = fresh(claim)
    assert (claim.needs_rereview, claim.rereview_reason, claim.status) == (False, "", "accepted")
    assert claim.review_round == round_before + 1
    assert (record.claim, record.verdict, record.reviewer, record.review_round, record.comment) == (
        claim, "approve", personas.reviewer, claim.review_round, "Two later studies replicate Fig. 2.")
    assert claim.versions.count() == versions  # its content is what was accepted
    assert claim.history.first().history_change_reason == "confirm after re-review"
    assert "confirm" not in workflow.allowed_actions(claim, personas.reviewer)


def test_confirm_is_refused_without_the_role_a_comment_or_a_flag(api, personas, cited):
    retract_through_api(api, personas, cited.paper)
    claim = fresh(cited.only)
    with pytest.raises(workflow.TransitionNotAllowed) as refused:
        workflow.confirm(claim, personas.curator, "It stands.")
    assert refused.value.forbidden
    with pytest.raises(workflow.TransitionNotAllowed, match="needs a comment"):
        workflow.confirm(claim, personas.reviewer, "  ")
    unflagged = make_claim(created_by=personas.curator)
    make_evidence(unflagged)
    workflow.submit(unflagged, personas.curator)
    workflow.review(unflagged, personas.second_reviewer, "approve")
    with pytest.raises(workflow.TransitionNotAllowed, match="not flagged for re-review"):
        workflow.confirm(unflagged, personas.reviewer, "It stands.")
    author = make_user_reviewing_curator()
    mine = make_claim(created_by=author)
    make_evidence(mine, paper=cited.paper, location="Fig. 3")
    workflow.submit(mine, author)
    workflow.review(mine, personas.second_reviewer, "approve")
    writes.update(cited.paper, actor=personas.curator, data={"is_retracted": False,
                                                              "retraction_date": None,
                                                              "retraction_url": ""})
    writes.update(cited.paper, actor=personas.curator, data={"is_retracted": True})
    assert fresh(mine).needs_rereview
    with pytest.raises(workflow.TransitionNotAllowed, match="Four-eyes") as refused:
        workflow.confirm(mine, author, "It stands.")
    assert refused.value.forbidden
    assert fresh(claim).needs_rereview and CuratorReview.objects.filter(
        claim=claim, review_round=claim.review_round + 1).count() == 0


def test_confirm_through_the_api(api, personas, cited):
    retract_through_api(api, personas, cited.paper)
    url = f"/api/v1/claims/{cited.only.pk}/confirm/"
    detail = api.as_(personas.reviewer).get(f"/api/v1/claims/{cited.only.pk}/").json()
    assert "confirm" in detail["allowed_actions"]
    assert api.as_(None).post(url, {"comment": "It stands."}, format="json").status_code == 401
    assert api.as_(personas.curator).post(url, {"comment": "It stands."},
                                          format="json").status_code == 403
    missing = api.as_(personas.reviewer).post(url, {}, format="json")
    assert missing.status_code == 400
    assert missing.json()["comment"] == ["A re-review needs a comment: say why the claim stands."]
    assert fresh(cited.only).needs_rereview

    done = api.as_(personas.reviewer).post(url, {"comment": "Replicated since."}, format="json")
    assert done.status_code == 200, done.content
    body = done.json()
    assert (body["needs_rereview"], body["rereview_reason"], body["status"]) == (False, "", "accepted")
    assert body["reviews"][-1]["comment"] == "Replicated since."
    assert api.as_(personas.reviewer).post(url, {"comment": "Again."},
                                           format="json").status_code == 409
    listed = api.get("/api/v1/claims/?needs_rereview=true").json()["results"]
    assert [c["id"] for c in listed] == [cited.both.pk]


def test_confirm_through_the_admin(client, personas, cited, api):
    retract_through_api(api, personas, cited.paper)
    client.force_login(personas.reviewer)
    data = {"action": "confirm", "_selected_action": [cited.only.pk, cited.both.pk]}
    form = client.post(CLAIMS, data)
    assert form.status_code == 200 and "Confirm after re-review" in form.content.decode()
    refused = client.post(CLAIMS, {**data, "apply": "yes", "comment": ""})
    assert refused.context["form"].errors["comment"] == [
        "A re-review needs a comment: say why the claim stands."]
    done = client.post(CLAIMS, {**data, "apply": "yes", "comment": "Replicated since."},
                       follow=True)
    levels = [m.level for m in done.context["messages"]]
    assert levels == [messages.SUCCESS, messages.SUCCESS]
    for claim in (cited.only, cited.both):
        assert fresh(claim).needs_rereview is False
        assert CuratorReview.objects.filter(claim=claim, comment="Replicated since.").count() == 1
    client.force_login(personas.curator)
    again = client.post(CLAIMS, {**data, "apply": "yes", "comment": "Fine."}, follow=True)
    assert {m.level for m in again.context["messages"]} == {messages.ERROR}


def test_retracting_a_flagged_claim_clears_its_flag(api, personas, cited):
    retract_through_api(api, personas, cited.paper)
    workflow.retract(cited.only, personas.staff, "It rested on the retracted paper alone.")
    claim = fresh(cited.only)
    assert (claim.status, claim.needs_rereview, claim.rereview_reason) == ("retracted", False, "")


def test_only_the_retraction_flags_not_other_edits_of_a_retracted_paper(api, personas, cited):
    retract_through_api(api, personas, cited.paper)
    workflow.confirm(cited.only, personas.reviewer, "Replicated since.")
    writes.update(cited.paper, actor=personas.curator, data={"title": "PRE-084 in SOD1 mice (retracted)"})
    assert fresh(cited.only).needs_rereview is False
    # Marked no longer retracted: the flag on the other claim stays for a reviewer to clear.
    writes.update(cited.paper, actor=personas.curator, data={"is_retracted": False,
                                                              "retraction_date": None,
                                                              "retraction_url": ""})
    assert fresh(cited.both).needs_rereview is True
    assert fresh(cited.both).synthesis["counts"]["supports"] == 2


def test_contradicting_evidence_accepted_on_an_accepted_claim_flags_it(api, personas, cited):
    claim = cited.both
    supporting = make_evidence(claim, location="Fig. 6")
    workflow.submit(supporting, personas.curator)
    workflow.review(supporting, personas.reviewer, "approve")
    assert fresh(claim).needs_rereview is False

    contradicting = make_evidence(claim, paper=make_paper(title="No effect of PRE-084",
                                                          doi="10.1000/null.1"),
                                  direction="contradicts", location="Table 2")
    workflow.submit(contradicting, personas.curator)
    assert fresh(claim).needs_rereview is False  # not before it is accepted
    workflow.review(contradicting, personas.reviewer, "approve")
    flagged = api.get(f"/api/v1/claims/{claim.pk}/").json()
    assert flagged["needs_rereview"] is True
    assert flagged["rereview_reason"] == ("Contradicting evidence was accepted: "
                                          "in-vivo-animal-model, No effect of PRE-084 "
                                          "(10.1000/null.1), Table 2.")
    assert flagged["synthesis"]["contested"] is True
    assert claim.pk in {c["id"] for c in
                        api.get("/api/v1/claims/?needs_rereview=true").json()["results"]}
    # Both reasons are kept, one line each, when the paper is retracted too.
    retract_through_api(api, personas, cited.paper)
    assert len(fresh(claim).rereview_reason.splitlines()) == 2


def test_contradicting_evidence_accepted_with_its_claim_flags_nothing(personas):
    claim = make_claim(created_by=personas.curator)
    make_evidence(claim, direction="supports")
    make_evidence(claim, direction="contradicts")
    workflow.submit(claim, personas.curator)
    workflow.review(claim, personas.reviewer, "approve")
    assert fresh(claim).needs_rereview is False
