"""The admin: every page answers, lists cost a fixed number of queries, edits are stamped,
frozen and append-only records stay as they are."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from claims import workflow, writes
from claims.models import Claim, ClaimVersion, CuratorReview, Evidence, EvidenceType, Paper, Topic
from tests.factories import (
    admin_form_data,
    make_claim,
    make_evidence,
    make_evidence_type,
    make_paper,
    make_topic,
    make_user,
)

pytestmark = pytest.mark.django_db

MODELS = [Paper, Topic, EvidenceType, Claim, Evidence, CuratorReview, ClaimVersion]
WITH_HISTORY = [Paper, Claim, Evidence]


def url(model, view, *args):
    return reverse(f"admin:claims_{model._meta.model_name}_{view}", args=args)


def accepted_claim(personas, **fields):
    """A claim with one evidence item, submitted by the curator and approved by a reviewer,
    plus a second evidence item reviewed on its own: every related row the lists show."""
    claim = make_claim(created_by=personas.curator, **fields)
    claim.topics.add(make_topic())
    make_evidence(claim, paper=make_paper())
    workflow.submit(claim, personas.curator)
    workflow.review(claim, personas.reviewer, "approve")
    later = make_evidence(claim, created_by=personas.other_curator)
    workflow.submit(later, personas.other_curator)
    workflow.review(later, personas.reviewer, "request_changes", "Give the figure panel.")
    return claim


@pytest.fixture
def catalogue(personas):
    return accepted_claim(personas)


@pytest.fixture
def superuser_client(client, personas):
    client.force_login(personas.staff)
    return client


def one_of_each(claim):
    return {Paper: claim.evidence.first().paper, Topic: claim.topics.first(),
            EvidenceType: claim.evidence.first().evidence_type, Claim: claim,
            Evidence: claim.evidence.first(), CuratorReview: claim.reviews.first(),
            ClaimVersion: claim.versions.first()}


def test_admin_site_has_the_service_name(superuser_client):
    response = superuser_client.get(reverse("admin:index"))
    assert response.status_code == 200
    assert "Claims and evidence curation" in response.text


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_every_changelist_and_change_page_answers_for_a_superuser(superuser_client, catalogue, model):
    obj = one_of_each(catalogue)[model]
    assert superuser_client.get(url(model, "changelist")).status_code == 200
    response = superuser_client.get(url(model, "change", obj.pk))
    assert response.status_code == 200
    assert response.context["original"] == obj


@pytest.mark.parametrize("model", [Paper, Topic, EvidenceType, Claim, Evidence],
                         ids=lambda m: m.__name__)
def test_add_pages_answer_for_a_superuser(superuser_client, model):
    assert superuser_client.get(url(model, "add")).status_code == 200


@pytest.mark.parametrize("model", WITH_HISTORY, ids=lambda m: m.__name__)
def test_history_is_visible_on_each_tracked_object(superuser_client, catalogue, model):
    obj = one_of_each(catalogue)[model]
    response = superuser_client.get(url(model, "history", obj.pk))
    assert response.status_code == 200
    record = obj.history.earliest()
    detail = superuser_client.get(url(model, "simple_history", obj.pk, record.history_id))
    assert detail.status_code == 200


def test_history_cannot_restore_an_old_version_behind_the_workflow(client, personas, catalogue):
    draft_version = catalogue.history.filter(status="draft").earliest()
    for user in (personas.staff, personas.curator, personas.reviewer):
        client.force_login(user)
        response = client.post(url(Claim, "simple_history", catalogue.pk, draft_version.history_id),
                               {"text": "Rewritten", "relation": "", "_continue": "1"})
        assert response.status_code == 403
    catalogue.refresh_from_db()
    assert catalogue.status == "accepted"
    assert "Rewritten" not in catalogue.text


@pytest.mark.parametrize("persona", ["curator", "reviewer"])
def test_curators_and_reviewers_can_open_every_list(client, personas, catalogue, persona):
    client.force_login(getattr(personas, persona))
    for model in MODELS:
        assert client.get(url(model, "changelist")).status_code == 200, model.__name__


# --- search and filters ---


def changelist_ids(client, model, **params):
    response = client.get(url(model, "changelist"), params)
    assert response.status_code == 200
    return {obj.pk for obj in response.context["cl"].result_list}


def test_claims_are_found_by_text_and_by_the_title_of_a_cited_paper(superuser_client, personas):
    survival = make_claim(created_by=personas.curator, text="PRE-084 extends survival")
    motor = make_claim(created_by=personas.curator, text="Riluzole delays motor decline")
    make_evidence(motor, paper=make_paper(title="Riluzole in SOD1 mice"))
    assert changelist_ids(superuser_client, Claim, q="extends") == {survival.pk}
    assert changelist_ids(superuser_client, Claim, q="Riluzole in SOD1") == {motor.pk}


def test_papers_evidence_and_reviews_are_searchable(superuser_client, catalogue):
    evidence = catalogue.evidence.first()
    paper = evidence.paper
    assert changelist_ids(superuser_client, Paper, q=paper.doi) == {paper.pk}
    assert changelist_ids(superuser_client, Evidence, q=paper.title) == {evidence.pk}
    review = CuratorReview.objects.get(comment="Give the figure panel.")
    assert changelist_ids(superuser_client, CuratorReview, q="figure panel") == {review.pk}
    assert changelist_ids(superuser_client, Topic, q="als") == {catalogue.topics.get().pk}
    assert changelist_ids(superuser_client, EvidenceType, q="ECO:0000179") == {
        evidence.evidence_type.pk}


def test_status_filter_lists_claims_in_that_state(superuser_client, personas, catalogue):
    draft = make_claim(created_by=personas.curator)
    assert changelist_ids(superuser_client, Claim, status__exact="draft") == {draft.pk}
    assert changelist_ids(superuser_client, Claim, status__exact="accepted") == {catalogue.pk}
    assert changelist_ids(superuser_client, Evidence, status__exact="draft") == {
        catalogue.evidence.get(status="draft").pk}


def test_my_drafts_are_the_users_own_drafts(client, personas, catalogue):
    mine = make_claim(created_by=personas.curator)
    make_claim(created_by=personas.other_curator)
    submitted = make_claim(created_by=personas.curator)
    workflow.submit(submitted, personas.curator)
    client.force_login(personas.curator)
    assert changelist_ids(client, Claim, queue="drafts") == {mine.pk}
    client.force_login(personas.other_curator)
    assert changelist_ids(client, Evidence, queue="drafts") == {
        catalogue.evidence.get(status="draft").pk}


def test_review_queue_holds_exactly_the_claims_the_workflow_lets_the_reviewer_review(client, personas,
                                                                                    settings):
    settings.CURATION_REQUIRED_APPROVALS = 2
    both = make_user("curating-reviewer", "curator", "reviewer")
    others = make_claim(created_by=personas.curator)
    own = make_claim(created_by=both)
    edited_by_reviewer = make_claim(created_by=personas.curator)
    writes.update(edited_by_reviewer, actor=both, data={"context": "SOD1-G93A mouse, n=12"})
    with_reviewers_evidence = make_claim(created_by=personas.curator)
    make_evidence(with_reviewers_evidence, created_by=both)
    already_reviewed = make_claim(created_by=personas.curator)
    resubmitted = make_claim(created_by=personas.curator)
    draft = make_claim(created_by=personas.curator)
    for claim in (others, own, edited_by_reviewer, with_reviewers_evidence, already_reviewed,
                  resubmitted):
        workflow.submit(claim, claim.created_by)
    workflow.review(already_reviewed, both, "approve")
    workflow.review(resubmitted, both, "request_changes", "Name the strain.")
    workflow.submit(resubmitted, personas.curator)

    client.force_login(both)
    queue = changelist_ids(client, Claim, queue="review")
    expected = {claim.pk for claim in Claim.objects.all()
                if "approve" in workflow.allowed_actions(claim, both)}
    assert queue == expected == {others.pk, resubmitted.pk}
    assert Claim.objects.get(pk=already_reviewed.pk).status == "submitted"
    assert draft.pk not in queue

    client.force_login(personas.curator)
    assert changelist_ids(client, Claim, queue="review") == set()


def test_review_queue_for_evidence_holds_evidence_submitted_on_its_own(client, personas, catalogue):
    waiting = make_evidence(catalogue, created_by=personas.other_curator)
    workflow.submit(waiting, personas.other_curator)
    resubmitted = catalogue.evidence.get(status="draft")
    workflow.submit(resubmitted, personas.other_curator)
    workflow.review(resubmitted, personas.reviewer, "approve")
    on_a_draft_claim = make_evidence(make_claim(created_by=personas.curator))

    for reviewer, expected in ((personas.reviewer, {waiting.pk}),
                               (personas.second_reviewer, {waiting.pk}),
                               (personas.curator, set())):
        client.force_login(reviewer)
        queue = changelist_ids(client, Evidence, queue="review")
        assert queue == expected
        assert queue == {e.pk for e in Evidence.objects.all()
                         if "approve" in workflow.allowed_actions(e, reviewer)}
    assert on_a_draft_claim.pk not in queue


# --- queries ---


CHANGELISTS = [(model, {}) for model in MODELS] + [
    (Claim, {"queue": "review"}), (Claim, {"queue": "drafts"}),
    (Claim, {"status__exact": "accepted", "q": "SOD1"}),
    (Evidence, {"queue": "drafts"}), (CuratorReview, {"verdict__exact": "approve"}),
]


def add_rows(personas, user, n):
    """One more row of everything: an accepted claim with its reviews and version, a topic,
    an evidence type under a parent, a claim awaiting review, and the user's own draft."""
    claim = accepted_claim(personas)
    claim.topics.add(make_topic(slug=f"topic-{n}", name=f"Topic {n}"))
    make_evidence(claim, evidence_type=make_evidence_type(code=f"type-{n}", label=f"Type {n}",
                                                          eco_id=""))
    EvidenceType.objects.filter(code=f"type-{n}").update(parent=make_evidence_type())
    waiting = make_claim(created_by=personas.other_curator)
    make_evidence(waiting)
    workflow.submit(waiting, personas.other_curator)
    make_evidence(make_claim(created_by=user))


def measure(client):
    """For each changelist: (queries, rows listed)."""
    sizes = {}
    for model, params in CHANGELISTS:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url(model, "changelist"), params)
        assert response.status_code == 200
        sizes[f"{model.__name__} {params}"] = (len(queries), response.context["cl"].result_count)
    return sizes


@pytest.mark.parametrize("persona", ["staff", "reviewer", "curator"])
def test_changelist_query_counts_are_the_same_for_1_and_20_rows(client, personas, persona):
    user = getattr(personas, persona)
    add_rows(personas, user, 0)
    client.force_login(user)
    few = measure(client)
    for n in range(1, 20):
        add_rows(personas, user, n)
    many = measure(client)
    assert {name: queries for name, (queries, _) in many.items()} == {
        name: queries for name, (queries, _) in few.items()}
    empty = {"Claim {'queue': 'review'}"} if persona == "curator" else set()
    assert {name for name in many if many[name][1] <= few[name][1]} == empty


# --- editing: stamps, frozen fields ---


def test_a_curator_adds_a_claim_with_inline_evidence_and_both_are_stamped(client, personas):
    paper, kind = make_paper(), make_evidence_type()
    client.force_login(personas.curator)
    data = admin_form_data(client.get(url(Claim, "add")))
    data.update({"text": "PRE-084 extends survival of SOD1-G93A mice", "relation": "increases",
                 "subject": "PRE-084", "object": "survival", "context": "SOD1-G93A mouse",
                 "topics": [make_topic().pk],
                 "evidence-0-paper": paper.pk, "evidence-0-evidence_type": kind.pk,
                 "evidence-0-direction": "supports", "evidence-0-location": "Fig. 3B",
                 "evidence-0-excerpt": "Survival was extended by 15%."})
    response = client.post(url(Claim, "add"), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    claim = Claim.objects.get()
    assert (claim.created_by, claim.updated_by, claim.status) == (
        personas.curator, personas.curator, "draft")
    evidence = claim.evidence.get()
    assert (evidence.paper, evidence.location, evidence.created_by, evidence.updated_by) == (
        paper, "Fig. 3B", personas.curator, personas.curator)
    assert claim.history.earliest().history_user == personas.curator


def test_an_edit_by_another_curator_moves_updated_by_and_keeps_the_author(client, personas):
    claim = make_claim(created_by=personas.curator)
    evidence = make_evidence(claim)
    client.force_login(personas.other_curator)
    data = admin_form_data(client.get(url(Claim, "change", claim.pk)))
    data["context"] = "SOD1-G93A mouse, n=12"
    data["evidence-0-location"] = "Fig. 4"
    response = client.post(url(Claim, "change", claim.pk), data)
    assert response.status_code == 302
    claim.refresh_from_db()
    evidence.refresh_from_db()
    assert (claim.context, claim.created_by, claim.updated_by) == (
        "SOD1-G93A mouse, n=12", personas.curator, personas.other_curator)
    assert (evidence.location, evidence.created_by, evidence.updated_by) == (
        "Fig. 4", personas.curator, personas.other_curator)


def test_saving_without_changes_leaves_updated_by_alone(client, personas):
    claim = make_claim(created_by=personas.curator)
    client.force_login(personas.other_curator)
    data = admin_form_data(client.get(url(Claim, "change", claim.pk)))
    assert client.post(url(Claim, "change", claim.pk), data).status_code == 302
    claim.refresh_from_db()
    assert claim.updated_by == personas.curator


def test_the_evidence_page_stamps_its_editor(client, personas):
    evidence = make_evidence(make_claim(created_by=personas.curator))
    client.force_login(personas.other_curator)
    data = admin_form_data(client.get(url(Evidence, "change", evidence.pk)))
    data["species"] = "mouse"
    assert client.post(url(Evidence, "change", evidence.pk), data).status_code == 302
    evidence.refresh_from_db()
    assert (evidence.species, evidence.updated_by) == ("mouse", personas.other_curator)


def test_status_and_authorship_are_never_form_fields(superuser_client, personas):
    claim = make_claim(created_by=personas.curator)
    response = superuser_client.get(url(Claim, "change", claim.pk))
    fields = response.context["adminform"].form.fields
    for name in ("status", "review_round", "created_by", "updated_by", "retraction_reason",
                 "superseded_by"):
        assert name not in fields
    assert "text" in fields
    data = admin_form_data(response)
    data.update({"status": "accepted", "created_by": personas.staff.pk})
    superuser_client.post(url(Claim, "change", claim.pk), data)
    claim.refresh_from_db()
    assert (claim.status, claim.created_by) == ("draft", personas.curator)


@pytest.mark.parametrize("retracted", [False, True], ids=["accepted", "retracted"])
def test_an_accepted_or_retracted_claims_meaning_is_read_only(client, personas, catalogue, retracted):
    if retracted:
        workflow.retract(catalogue, personas.staff, "Not reproduced.")
    original = catalogue.text
    client.force_login(personas.curator)
    response = client.get(url(Claim, "change", catalogue.pk))
    fields = response.context["adminform"].form.fields
    for name in ("text", "subject", "relation", "object", "context", "topics"):
        assert name not in fields
    data = admin_form_data(response)
    data.update({"text": "Something else entirely", "subject": "Another agonist"})
    assert client.post(url(Claim, "change", catalogue.pk), data).status_code == 302
    catalogue.refresh_from_db()
    assert (catalogue.text, catalogue.subject) == (original, "Sigma-1R agonist PRE-084")


def test_accepted_evidence_is_read_only_except_its_notes(client, personas, catalogue):
    evidence = catalogue.evidence.get(status="accepted")
    change = url(Evidence, "change", evidence.pk)
    client.force_login(personas.curator)
    response = client.get(change)
    fields = response.context["adminform"].form.fields
    assert {"paper", "direction", "excerpt", "location", "sample_size"}.isdisjoint(fields)
    data = admin_form_data(response)
    data.update({"direction": "contradicts", "location": "Fig. 9", "notes": "Checked against Fig. 3B."})
    assert client.post(change, data).status_code == 302
    evidence.refresh_from_db()
    assert (evidence.direction, evidence.location, evidence.notes) == (
        "supports", evidence.location, "Checked against Fig. 3B.")
    assert evidence.location != "Fig. 9"


def test_on_an_accepted_claim_accepted_rows_are_frozen_and_new_evidence_can_be_added(client, personas,
                                                                                     catalogue):
    accepted = catalogue.evidence.get(status="accepted")
    change = url(Claim, "change", catalogue.pk)
    client.force_login(personas.other_curator)
    response = client.get(change)
    evidence_formset = next(inline.formset for inline in response.context["inline_admin_formsets"]
                            if inline.formset.model is Evidence)
    rows = {form.instance.pk: form for form in evidence_formset.forms if form.instance.pk}
    assert rows[accepted.pk].fields["location"].disabled
    assert not rows[catalogue.evidence.get(status="draft").pk].fields["location"].disabled
    data = admin_form_data(response)
    index = list(rows).index(accepted.pk)
    extra = len(rows)
    data.update({f"evidence-{index}-location": "Fig. 9",
                 f"evidence-{extra}-paper": make_paper().pk,
                 f"evidence-{extra}-evidence_type": make_evidence_type().pk,
                 f"evidence-{extra}-direction": "inconclusive",
                 f"evidence-{extra}-location": "Table 2"})
    response = client.post(change, data)
    assert response.status_code == 302
    accepted.refresh_from_db()
    assert accepted.location != "Fig. 9"
    added = catalogue.evidence.get(location="Table 2")
    assert (added.status, added.created_by) == ("draft", personas.other_curator)


# --- append-only records ---


@pytest.mark.parametrize("model", [CuratorReview, ClaimVersion], ids=lambda m: m.__name__)
@pytest.mark.parametrize("persona", ["staff", "reviewer", "curator"])
def test_reviews_and_versions_cannot_be_added_changed_or_deleted(client, personas, catalogue,
                                                                  model, persona):
    obj = one_of_each(catalogue)[model]
    before = model.objects.count()
    client.force_login(getattr(personas, persona))
    view = client.get(url(model, "change", obj.pk))
    assert view.status_code == 200
    assert not view.context["has_change_permission"]
    assert client.post(url(model, "change", obj.pk), {"comment": "changed"}).status_code == 403
    assert client.get(url(model, "delete", obj.pk)).status_code == 403
    assert client.post(url(model, "delete", obj.pk), {"post": "yes"}).status_code == 403
    assert client.get(url(model, "add")).status_code == 403
    assert "delete_selected" not in client.get(url(model, "changelist")).context["cl"].model_admin \
        .get_actions(view.wsgi_request)
    assert model.objects.count() == before
    if model is CuratorReview:
        obj.refresh_from_db()
        assert obj.comment != "changed"


def test_claim_page_shows_reviews_and_versions_read_only_and_evidence_editable(superuser_client, catalogue):
    response = superuser_client.get(url(Claim, "change", catalogue.pk))
    inlines = {inline.opts.model: inline for inline in response.context["inline_admin_formsets"]}
    assert set(inlines) == {Evidence, CuratorReview, ClaimVersion}
    assert inlines[Evidence].has_change_permission and inlines[Evidence].has_add_permission
    for model in (CuratorReview, ClaimVersion):
        inline = inlines[model]
        assert not (inline.has_add_permission or inline.has_change_permission
                    or inline.has_delete_permission)
        assert len(inline.formset.forms) == model.objects.filter(claim=catalogue).count() > 0


def test_paper_page_lists_the_evidence_that_cites_it(superuser_client, catalogue):
    evidence = catalogue.evidence.first()
    response = superuser_client.get(url(Paper, "change", evidence.paper.pk))
    (inline,) = response.context["inline_admin_formsets"]
    assert [form.instance for form in inline.formset.forms] == [evidence]
    assert not inline.has_change_permission
    assert "Supports" in response.text
    assert catalogue.text[:40] in response.text


def test_autocomplete_finds_topics_papers_and_claims(superuser_client, catalogue):
    def search(model_name, field_name, term):
        response = superuser_client.get(reverse("admin:autocomplete"), {
            "app_label": "claims", "model_name": model_name, "field_name": field_name,
            "term": term})
        assert response.status_code == 200
        return [row["text"] for row in response.json()["results"]]

    assert search("claim", "topics", "amyo") == ["Amyotrophic lateral sclerosis"]
    assert len(search("evidence", "paper", "Paper")) == 2
    assert search("claim", "superseded_by", "SOD1") == [str(catalogue)]


def test_accepted_work_cannot_be_deleted_in_the_admin_but_a_fresh_draft_can(client, personas, catalogue):
    client.force_login(personas.curator)
    accepted = catalogue.evidence.filter(status="accepted").first()
    assert client.get(url(Evidence, "delete", accepted.pk)).status_code == 403
    assert client.get(url(Claim, "delete", catalogue.pk)).status_code == 403
    draft = make_claim(created_by=personas.curator)
    assert client.post(url(Claim, "delete", draft.pk), {"post": "yes"}).status_code == 302
    assert not Claim.objects.filter(pk=draft.pk).exists()


def test_bulk_delete_keeps_what_the_workflow_keeps(client, personas, catalogue):
    # Accepted evidence is protected by no review or version row: only the workflow keeps it.
    client.force_login(personas.staff)
    accepted = catalogue.evidence.get(status="accepted")
    draft = make_evidence(catalogue, created_by=personas.curator)
    mixed = client.post(url(Evidence, "changelist"), {
        "action": "delete_selected", "_selected_action": [draft.pk, accepted.pk], "post": "yes"})
    assert mixed.status_code == 403  # the admin refuses the whole selection
    assert Evidence.objects.filter(pk__in=[draft.pk, accepted.pk]).count() == 2
    alone = client.post(url(Evidence, "changelist"), {
        "action": "delete_selected", "_selected_action": [draft.pk], "post": "yes"})
    assert alone.status_code == 302
    assert not Evidence.objects.filter(pk=draft.pk).exists()


def test_deleting_accepted_evidence_from_the_claim_page_is_refused(client, personas, catalogue):
    client.force_login(personas.staff)
    accepted = catalogue.evidence.get(status="accepted")
    page = client.get(url(Claim, "change", catalogue.pk))
    data = admin_form_data(page)
    row = next(key[:-3] for key, value in data.items()
               if key.startswith("evidence-") and key.endswith("-id") and str(value) == str(accepted.pk))
    data[f"{row}-DELETE"] = "on"
    response = client.post(url(Claim, "change", catalogue.pk), data, follow=True)
    assert response.status_code == 200
    assert Evidence.objects.filter(pk=accepted.pk).exists()
    assert any("the evidence is accepted" in str(m) for m in response.context["messages"])
