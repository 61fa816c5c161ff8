"""The write services and the faces that call them: a write that changes nothing changes
nothing (the last editor and the history included), on every face; ids are whole numbers."""

import pytest
from django.core.exceptions import ValidationError

from claims import workflow, writes
from claims.models import Claim, Evidence, Paper
from claims.workflow import TransitionNotAllowed
from tests.factories import (
    admin_form_data,
    make_claim,
    make_evidence,
    make_paper,
    make_topic,
    make_user,
)

pytestmark = pytest.mark.django_db

CLAIMS = "/api/v1/claims/"


def _submitted(personas):
    claim = make_claim(created_by=personas.curator)
    make_evidence(claim)
    workflow.submit(claim, personas.curator)
    return Claim.objects.get(pk=claim.pk)


def _accepted(personas):
    claim = _submitted(personas)
    workflow.review(claim, personas.reviewer, "approve")
    return Claim.objects.get(pk=claim.pk)


def _record(obj) -> tuple:
    obj = type(obj).objects.get(pk=obj.pk)
    return obj.updated_by_id, obj.updated_at, obj.history.count()


# --- the services ---


def test_an_update_to_the_same_values_writes_nothing(personas):
    claim = make_claim(created_by=personas.curator)
    before = _record(claim)

    changed = writes.update(claim, actor=personas.other_curator,
                            data={"text": claim.text, "context": claim.context})

    assert not changed
    assert _record(claim) == before


def test_a_doi_in_another_spelling_is_no_change(personas):
    paper = writes.create_paper(actor=personas.curator,
                                data={"title": "PRE-084 in SOD1 mice", "doi": "10.1002/ANA.22534"})
    assert paper.doi == "10.1002/ana.22534"

    assert not writes.update(paper, actor=personas.curator,
                             data={"doi": "https://doi.org/10.1002/Ana.22534"})
    assert paper.history.count() == 1


def test_an_edit_stamps_the_editor_and_records_the_reason(personas):
    claim = make_claim(created_by=personas.curator)

    assert writes.update(claim, actor=personas.other_curator, data={"context": "NSC-34 cells"},
                         reason="corrected the model")

    claim.refresh_from_db()
    entry = claim.history.first()
    assert (claim.updated_by, claim.context) == (personas.other_curator, "NSC-34 cells")
    assert (entry.history_user, entry.history_change_reason) == (
        personas.other_curator, "corrected the model")


def test_a_create_stamps_its_author_and_validates_first(personas):
    claim = writes.create_claim(actor=personas.curator,
                                data={"text": "Sigma-1R is expressed in motoneurons",
                                      "topics": [make_topic()]})
    assert (claim.created_by, claim.updated_by) == (personas.curator, personas.curator)
    assert [t.slug for t in claim.topics.all()] == ["als"]

    with pytest.raises(ValidationError) as refused:
        writes.create_paper(actor=personas.curator, data={"title": "No DOI", "doi": "not-a-doi"})
    assert "doi" in refused.value.message_dict
    assert not Paper.objects.filter(title="No DOI").exists()


def test_a_copy_read_before_a_decision_does_not_write_the_old_state_back(personas):
    claim = _submitted(personas)
    stale = Claim.objects.get(pk=claim.pk)
    workflow.withdraw(claim, personas.curator)

    stale.context = "SOD1-G93A mouse, n=12"
    writes.save(stale, actor=personas.curator)

    claim.refresh_from_db()
    assert (claim.status, claim.context) == ("draft", "SOD1-G93A mouse, n=12")


def test_frozen_content_is_refused_and_nothing_is_written(personas):
    claim = _accepted(personas)
    before = _record(claim)

    with pytest.raises(ValidationError, match="frozen"):
        writes.update(claim, actor=personas.curator, data={"text": "A different claim"})
    with pytest.raises(ValidationError, match="frozen"):
        writes.update(claim, actor=personas.curator, data={"topics": [make_topic()]})

    assert _record(claim) == before


def test_accepted_work_is_not_deleted(personas):
    claim = _accepted(personas)
    with pytest.raises(TransitionNotAllowed, match="retract it instead"):
        writes.delete_claim(claim, actor=personas.staff)
    assert Claim.objects.filter(pk=claim.pk).exists()


def test_a_deletion_is_in_the_history_with_its_user(personas):
    claim = make_claim(created_by=personas.curator)
    evidence = make_evidence(claim)

    writes.delete_evidence(evidence, actor=personas.curator, reason="duplicate row")

    last = Evidence.history.filter(id=evidence.pk).first()
    assert (last.history_type, last.history_user, last.history_change_reason) == (
        "-", personas.curator, "duplicate row")


# --- the API ---


def test_an_empty_patch_on_a_submitted_claim_changes_nothing(api, personas):
    both = make_user("curating-reviewer", "curator", "reviewer")
    claim = _submitted(personas)
    before = _record(claim)

    response = api.as_(both).patch(f"{CLAIMS}{claim.pk}/", {}, format="json")

    assert response.status_code == 200
    assert _record(claim) == before
    assert response.json()["updated_by"] == "curator"
    # A no-op does not make its caller an editor: the four-eyes rule still lets them review.
    assert "approve" in response.json()["allowed_actions"]


def test_an_identical_put_on_an_accepted_claim_changes_nothing(api, personas):
    claim = _accepted(personas)
    body = {k: v for k, v in api.as_(personas.other_curator).get(f"{CLAIMS}{claim.pk}/").json().items()
            if k in ("text", "subject", "relation", "object", "context", "topics")}
    before = _record(claim)

    response = api.put(f"{CLAIMS}{claim.pk}/", body, format="json")

    assert response.status_code == 200, response.json()
    assert _record(claim) == before


def test_a_real_patch_records_its_editor(api, personas):
    claim = make_claim(created_by=personas.curator)
    response = api.as_(personas.other_curator).patch(f"{CLAIMS}{claim.pk}/",
                                                     {"context": "NSC-34 cells"}, format="json")
    assert response.status_code == 200
    assert response.json()["updated_by"] == "other-curator"
    assert Claim.objects.get(pk=claim.pk).history.first().history_user == personas.other_curator


@pytest.mark.parametrize("spelling", [
    lambda pk: pk + 0.5, float, lambda pk: f"{pk}.5", lambda pk: True, lambda pk: [pk],
    lambda pk: {"id": pk}])
def test_an_id_that_is_not_a_whole_number_is_refused(api, personas, spelling):
    claim = _submitted(personas)
    # Truncated, each of these would name the claim; none of them is its id.
    response = api.as_(personas.reviewer).post(
        "/api/v1/reviews/", {"claim": spelling(claim.pk), "verdict": "approve"}, format="json")
    assert response.status_code == 400
    assert "claim" in response.json()
    assert not claim.reviews.exists()


def test_evidence_naming_its_claim_by_a_fractional_id_is_refused(api, personas):
    claim = make_claim(created_by=personas.curator)
    paper = make_paper()
    response = api.as_(personas.curator).post("/api/v1/evidence/", {
        "claim": claim.pk + 0.5, "paper": paper.doi, "evidence_type": "in-vivo-animal-model",
        "direction": "supports"}, format="json")
    assert response.status_code == 400
    assert "claim" in response.json()
    assert not Evidence.objects.exists()


# --- the admin ---


def _admin_url(obj):
    return f"/admin/claims/{obj._meta.model_name}/{obj.pk}/change/"


@pytest.mark.parametrize("kind", ["claim", "paper"])
def test_saving_an_unchanged_admin_form_changes_nothing(client, personas, kind):
    obj = make_claim(created_by=personas.curator) if kind == "claim" else make_paper()
    if kind == "claim":
        make_evidence(obj)
    before = _record(obj) if kind == "claim" else (obj.updated_at, obj.history.count())
    client.force_login(personas.staff)

    response = client.post(_admin_url(obj), admin_form_data(client.get(_admin_url(obj))))

    assert response.status_code == 302
    after = _record(obj) if kind == "claim" else (
        Paper.objects.get(pk=obj.pk).updated_at, obj.history.count())
    assert after == before


def test_an_admin_edit_goes_through_the_services(client, personas):
    claim = make_claim(created_by=personas.curator)
    client.force_login(personas.other_curator)
    data = admin_form_data(client.get(_admin_url(claim)))
    data["context"] = "NSC-34 cells"

    assert client.post(_admin_url(claim), data).status_code == 302

    claim.refresh_from_db()
    assert (claim.context, claim.updated_by) == ("NSC-34 cells", personas.other_curator)
    assert claim.history.first().history_user == personas.other_curator
