"""import_curation: upserts by natural key, history with the importer and the file, statuses
through the workflow."""

import uuid
from io import StringIO

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.core.management.base import CommandError

from claims.choices import Status
from claims.models import Change, Claim, ClaimVersion, Evidence, EvidenceType, Paper, Topic
from claims.versions import claim_content, content_hash
from tests.factories import make_user
from tests.interchange import (
    chief,
    database_state,
    empty_database,
    export_text,
    import_file,
    records,
    write,
)

pytestmark = pytest.mark.django_db
SEED = ("evidence_types", "sigma1r_als")


@pytest.fixture
def seeded():
    call_command("seed", *SEED, verbosity=0)
    return chief()


def new_claim(**fields) -> dict:
    return {"kind": "claim", "uid": str(uuid.uuid4()), "text": "PRE-084 delays disease onset in "
            "SOD1-G93A mice.", "subject": "PRE-084", "relation": "decreases",
            "object": "disease onset", "context": "SOD1-G93A mouse", "topics": ["als"], **fields}


def new_evidence(claim: dict, **fields) -> dict:
    return {"kind": "evidence", "uid": str(uuid.uuid4()), "claim": claim["uid"],
            "paper": "10.1007/s13311-012-0140-y", "evidence_type": "in-vivo-animal-model",
            "direction": "supports", "location": "Fig. 4", **fields}


def test_a_changed_record_updates_the_row_with_the_import_in_its_history(seeded, tmp_path):
    claim = Claim.objects.filter(status=Status.DRAFT).first() or Claim.objects.first()
    text = export_text()
    paper = records(text, "paper")[0]
    paper["journal"] = "Annals of Neurology (corrected)"
    path = write(tmp_path / "fix.jsonl", [paper])
    report = import_file(path, "--as", "chief")
    stored = Paper.objects.get_by_natural_key(paper["doi"])
    assert stored.journal == "Annals of Neurology (corrected)"
    assert "paper                 0 created         1 updated         0 unchanged" in report
    latest = stored.history.latest("history_id")
    assert latest.history_type == "~"
    assert latest.history_change_reason == "import_curation fix.jsonl"
    assert latest.history_user.username == "chief"
    assert claim.history.count() == 1  # what the file does not name is left alone


def test_a_changed_claim_draft_is_updated_and_its_topics_history_follows(seeded, tmp_path):
    first = new_claim()
    path = write(tmp_path / "first.jsonl", [first])
    import_file(path, "--as", "chief")
    changed = {**first, "text": "PRE-084 delays disease onset in female SOD1-G93A mice.",
               "topics": ["als", "sigma-1-receptor"]}
    import_file(write(tmp_path / "second.jsonl", [changed]), "--as", "chief")
    claim = Claim.objects.get(uid=first["uid"])
    assert claim.text == changed["text"]
    created, updated = claim.history.order_by("history_id")
    assert (created.history_change_reason, updated.history_change_reason) == (
        "import_curation first.jsonl", "import_curation second.jsonl")
    assert sorted(updated.topics.values_list("topic__slug", flat=True)) == ["als",
                                                                            "sigma-1-receptor"]
    assert list(created.topics.values_list("topic__slug", flat=True)) == ["als"]
    assert claim.created_by.username == claim.updated_by.username == "chief"


def test_an_accepted_claim_in_the_file_is_accepted_by_the_importer_through_the_workflow(
        seeded, tmp_path):
    claim = new_claim(status="accepted", review_round=1)
    evidence = new_evidence(claim, status="accepted", review_round=1)
    path = write(tmp_path / "accepted.jsonl", [claim, evidence])
    import_file(path, "--as", "chief")
    stored = Claim.objects.get(uid=claim["uid"])
    assert stored.status == Status.ACCEPTED
    assert stored.evidence.get().status == Status.ACCEPTED
    created, adopted = stored.history.order_by("history_id")
    assert (created.status, created.history_change_reason) == ("draft", "import_curation accepted.jsonl")
    assert (adopted.status, adopted.history_user.username, adopted.history_change_reason) == (
        "accepted", "chief", "adopt accepted: import_curation accepted.jsonl")
    # The file carried no version: the acceptance's version is minted from what was imported.
    (version,) = stored.versions.all()
    assert version.content == claim_content(stored) and version.number == 1


def test_versions_in_the_file_are_restored_verbatim_and_none_is_minted_besides(seeded, tmp_path):
    claim = new_claim(status="accepted", review_round=1)
    content = {"uid": claim["uid"], "text": "as it was accepted elsewhere", "evidence": []}
    version = {"kind": "version", "claim": claim["uid"], "number": 1, "content": content,
               "content_hash": content_hash(content), "accepted_at": "2024-10-01T12:00:00Z"}
    import_file(write(tmp_path / "v.jsonl", [claim, version]), "--as", "chief")
    (stored,) = ClaimVersion.objects.filter(claim__uid=claim["uid"])
    assert stored.content == content and stored.content_hash == version["content_hash"]
    assert stored.accepted_at.isoformat() == "2024-10-01T12:00:00+00:00"


def test_an_importer_without_staff_powers_cannot_import_decided_claims(seeded, tmp_path):
    make_user("cur", "curator")
    claim = new_claim(status="accepted", review_round=1)
    path = write(tmp_path / "accepted.jsonl", [claim])
    state = database_state()
    with pytest.raises(CommandError, match=r"--as cur: Only staff may adopt imported claims"):
        import_file(path, "--as", "cur")
    with pytest.raises(CommandError, match=r"--as \(not given\): Only staff"):
        import_file(path)
    assert database_state() == state


def test_drafts_need_no_staff_powers(seeded, tmp_path):
    make_user("cur", "curator")
    claim = new_claim()
    import_file(write(tmp_path / "draft.jsonl", [claim, new_evidence(claim)]), "--as", "cur")
    stored = Claim.objects.get(uid=claim["uid"])
    assert stored.status == Status.DRAFT and stored.created_by.username == "cur"
    assert stored.history.get().history_user.username == "cur"


def test_a_stored_claim_keeps_its_state_whatever_the_file_says(seeded, tmp_path):
    accepted = next(r for r in records(export_text(), "claim") if r["status"] == "accepted")
    path = write(tmp_path / "withdrawn.jsonl", [{**accepted, "status": "draft"}])
    with pytest.raises(CommandError, match="line 1: status: the stored claim has 'accepted', this "
                                           "record 'draft'.*only through the review workflow"):
        import_file(path, "--as", "chief")


def test_a_state_the_workflow_cannot_reach_is_refused(seeded, tmp_path):
    claim = new_claim(status="draft")
    evidence = new_evidence(claim, status="accepted", review_round=1)
    path = write(tmp_path / "odd.jsonl", [claim, evidence])
    with pytest.raises(CommandError, match="line 2: status: evidence on a draft claim cannot be "
                                           "accepted: it may be draft"):
        import_file(path, "--as", "chief")
    assert not Claim.objects.filter(uid=claim["uid"]).exists()


def test_users_the_file_names_are_created_inactive_and_cannot_sign_in(seeded, tmp_path):
    claim = new_claim(created_by="visiting-curator", updated_by="visiting-curator")
    report = import_file(write(tmp_path / "c.jsonl", [claim]), "--as", "chief")
    user = User.objects.get(username="visiting-curator")
    assert not user.is_active and not user.has_usable_password()
    assert not user.groups.exists()
    assert "1 users were created, inactive and without a usable password: visiting-curator" in report
    assert Claim.objects.get(uid=claim["uid"]).created_by == user


def test_a_dry_run_reports_what_would_change_and_writes_nothing(seeded, tmp_path):
    claim = new_claim(status="accepted", review_round=1, created_by="newcomer")
    path = write(tmp_path / "dry.jsonl", [claim, new_evidence(claim, status="accepted",
                                                              review_round=1)])
    state = database_state()
    report = import_file(path, "--as", "chief", "--dry-run")
    assert database_state() == state
    assert "claim                 1 created" in report and "evidence              1 created" in report
    assert "1 users would be created" in report and "Dry run: nothing was written." in report


def test_a_review_is_never_changed_by_import(seeded, tmp_path):
    review = records(export_text(), "review")[0]
    path = write(tmp_path / "r.jsonl", [{**review, "comment": "Rewritten afterwards."}])
    with pytest.raises(CommandError, match="line 1: comment: the stored review differs in comment"):
        import_file(path, "--as", "chief")


def test_imported_rows_and_their_new_states_reach_the_change_feed(seeded, tmp_path):
    claim = new_claim(status="accepted", review_round=1)
    evidence = new_evidence(claim, status="accepted", review_round=1)
    import_file(write(tmp_path / "feed.jsonl", [claim, evidence]), "--as", "chief")
    entries = list(Change.objects.filter(uid__in=[claim["uid"], evidence["uid"]])
                   .order_by("position").values_list("kind", "action", "status", "public"))
    for kind in ("claim", "evidence"):
        mine = [e for e in entries if e[0] == kind]
        assert mine[0] == (kind, "created", "draft", False)
        assert (kind, "status", "accepted", True) in mine
    assert entries[-1] == ("claim", "updated", "accepted", True)  # it shows its evidence


def test_a_long_file_name_is_shortened_in_the_history_reason(seeded, tmp_path):
    name = "curation-export-from-the-partner-laboratory-mirror-" + "x" * 80 + ".jsonl"
    claim = new_claim(status="accepted", review_round=1)
    import_file(write(tmp_path / name, [claim]), "--as", "chief")
    created, adopted = Claim.objects.get(uid=claim["uid"]).history.order_by("history_id")
    assert created.history_change_reason.startswith("import_curation curation-export-from-the")
    assert created.history_change_reason.endswith("…")
    assert adopted.history_change_reason == f"adopt accepted: {created.history_change_reason}"
    assert len(adopted.history_change_reason) <= 100


def test_progress_goes_to_stderr_as_plain_lines_when_it_is_not_a_terminal(seeded, tmp_path):
    err = StringIO()
    call_command("import_curation", write(tmp_path / "p.jsonl", [new_claim()]), stdout=StringIO(),
                 stderr=err)
    lines = err.getvalue().splitlines()
    assert lines[0].startswith("checking: ") and lines[0].endswith(" bytes")
    assert lines[-1].startswith("importing: done in ")


def test_the_readme_example_imports_into_an_empty_database_and_beside_the_seed(tmp_path):
    with open("README.md", encoding="utf-8") as readme:
        text = readme.read()
    block = text.split("```jsonl\n", 1)[1].split("```", 1)[0]
    assert len(block.splitlines()) == 5
    path = write(tmp_path / "example.jsonl", [block])
    import_file(path)
    assert Claim.objects.get().evidence.get().evidence_type.code == "in-vivo-animal-model"
    empty_database()
    call_command("seed", *SEED, verbosity=0)
    types = list(EvidenceType.objects.values_list())
    report = import_file(path)
    assert list(EvidenceType.objects.values_list()) == types
    assert Topic.objects.count() == 3 and Evidence.objects.count() == 31
    assert "claim                 1 created" in report


def test_a_paper_marked_retracted_by_import_flags_the_accepted_claims_resting_on_it(
        seeded, tmp_path):
    cited = Evidence.objects.filter(status=Status.ACCEPTED, claim__status=Status.ACCEPTED).first()
    record = next(p for p in records(export_text(), "paper")
                  if (p["doi"], p["pmid"]) == (cited.paper.doi, cited.paper.pmid))
    record.update(is_retracted=True, retraction_date="2024-05-01")
    path = write(tmp_path / "retractions.jsonl", [record])

    import_file(path, "--as", "chief")

    claim = Claim.objects.get(pk=cited.claim_id)
    assert claim.needs_rereview
    assert f"A cited paper was retracted: {cited.paper}" in claim.rereview_reason
    assert claim.history.latest("history_id").history_change_reason == (
        "flag for re-review: a cited paper was retracted")
    assert Change.objects.filter(uid=claim.uid, kind="claim").exists()
    # Importing the same file again flags nothing more.
    before = claim.history.count()
    import_file(path, "--as", "chief")
    assert claim.history.count() == before
