"""Data releases: the accepted data, its checksum and a diff against the previous release,
kept side by side and listed by the API."""

import hashlib
import json

import pytest
from django.core.management import CommandError, call_command

from claims import workflow, writes
from claims.models import Release
from tests.factories import make_claim, make_evidence

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def releases_root(settings, tmp_path):
    settings.RELEASES_ROOT = tmp_path / "releases"
    return settings.RELEASES_ROOT


def accepted(personas, text):
    claim = make_claim(created_by=personas.curator, text=text)
    make_evidence(claim)
    workflow.submit(claim, personas.curator)
    workflow.review(claim, personas.reviewer, "approve")
    return claim


def release(version):
    call_command("release_curation", version, stdout=open("/dev/null", "w"))
    return Release.objects.get(version=version)


def lines(path):
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_a_release_holds_the_accepted_data_with_its_checksum(personas, releases_root):
    kept = accepted(personas, "PRE-084 extends survival of SOD1-G93A mice")
    make_claim(created_by=personas.curator, text="A draft nobody has reviewed")

    first = release("2026.11")

    data = releases_root / "curation-2026.11.jsonl"
    assert hashlib.sha256(data.read_bytes()).hexdigest() == first.sha256
    assert (releases_root / "curation-2026.11.sha256").read_text() == (
        f"{first.sha256}  curation-2026.11.jsonl\n")
    claims = [r for r in lines(data) if r["kind"] == "claim"]
    assert [c["uid"] for c in claims] == [str(kept.uid)]
    assert first.counts["claim"] == 1 and first.counts["evidence"] == 1
    assert first.diff == {"previous": None, "added": [str(kept.uid)], "changed": [],
                          "retracted": []}


def test_the_next_release_says_what_was_added_changed_and_retracted(personas, releases_root):
    same = accepted(personas, "Sigma-1R is enriched in motoneuron C-terminals")
    edited = accepted(personas, "PRE-084 extends survival of SOD1-G93A mice")
    gone = accepted(personas, "Sigma-1R loss shortens survival")
    release("v1")

    added = accepted(personas, "PRE-084 preserves motoneurons after root avulsion")
    writes.update(edited.evidence.get(), actor=personas.curator,
                  data={"notes": "Survival +15%, n=12 per group."})
    workflow.retract(gone, personas.staff, "Superseded by a better-stated claim", added)
    second = release("v2")

    assert second.previous.version == "v1"
    assert second.diff == {"previous": "v1", "added": [str(added.uid)],
                           "changed": [str(edited.uid)], "retracted": [str(gone.uid)]}
    assert str(same.uid) not in json.dumps(second.diff)
    # Side by side: the first release is still there, byte for byte.
    first = Release.objects.get(version="v1")
    data = releases_root / first.file_name
    assert hashlib.sha256(data.read_bytes()).hexdigest() == first.sha256
    assert json.loads((releases_root / "curation-v2.diff.json").read_text()) == second.diff


@pytest.mark.parametrize("version", ["../escape", "", "v 1", "-v1"])
def test_a_malformed_version_is_refused_and_nothing_written(personas, releases_root, version):
    accepted(personas, "PRE-084 extends survival of SOD1-G93A mice")
    with pytest.raises(CommandError, match="version|Version"):
        call_command("release_curation", version)
    assert not Release.objects.exists()
    assert not releases_root.exists() or not any(releases_root.iterdir())


def test_a_release_is_never_overwritten(personas, releases_root):
    accepted(personas, "PRE-084 extends survival of SOD1-G93A mice")
    first = release("1.0")
    before = (releases_root / first.file_name).read_bytes()
    accepted(personas, "PRE-084 preserves motoneurons after root avulsion")

    with pytest.raises(CommandError, match="never overwritten|already exists"):
        call_command("release_curation", "1.0")

    assert Release.objects.count() == 1
    assert (releases_root / first.file_name).read_bytes() == before


def test_the_api_lists_releases_with_checksums_and_downloads(api, personas):
    accepted(personas, "PRE-084 extends survival of SOD1-G93A mice")
    first = release("v1")
    release("v2")

    listing = api.get("/api/v1/releases/").json()
    assert [r["version"] for r in listing["results"]] == ["v2", "v1"]
    entry = listing["results"][1]
    assert entry["sha256"] == first.sha256
    assert entry["summary"] == {"added": 1, "changed": 0, "retracted": 0}
    assert entry["download"].endswith("/api/v1/releases/v1/download/")

    download = api.get("/api/v1/releases/v1/download/")
    body = b"".join(download.streaming_content)
    assert download.status_code == 200
    assert hashlib.sha256(body).hexdigest() == first.sha256
    assert download["ETag"] == f'"{first.sha256}"'
    assert "curation-v1.jsonl" in download["Content-Disposition"]

    detail = api.get("/api/v1/releases/v2/").json()
    assert detail["previous"] == "v1" and detail["diff"]["added"] == []
    assert api.get("/api/v1/releases/v9/").status_code == 404
