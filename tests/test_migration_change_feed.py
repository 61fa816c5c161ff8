"""Migration 0006 on a database that already holds curation: papers get uids (their history
follows them) and everything that exists enters the change feed as created."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("claims", "0005_curation_loads")]
AFTER = [("claims", "0006_change_feed")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def test_existing_rows_get_paper_uids_and_enter_the_feed(role_groups):
    old = migrate(BEFORE)
    try:
        User = old.get_model("auth", "User")
        Paper = old.get_model("claims", "Paper")
        Claim = old.get_model("claims", "Claim")
        Evidence = old.get_model("claims", "Evidence")
        Review = old.get_model("claims", "CuratorReview")
        kind = old.get_model("claims", "EvidenceType").objects.create(code="in_vivo", label="In vivo")
        reviewer = User.objects.create(username="reviewer")
        papers = [Paper.objects.create(title=f"Paper {n}", doi=f"10.5555/m.{n}") for n in range(3)]
        old.get_model("claims", "HistoricalPaper").objects.create(
            id=papers[0].pk, title="Paper 0", doi="10.5555/m.0", history_date="2026-01-01T00:00Z",
            history_type="+", created_at="2026-01-01T00:00Z", updated_at="2026-01-01T00:00Z")
        accepted = Claim.objects.create(text="Accepted", status="accepted")
        draft = Claim.objects.create(text="Draft", status="draft")
        seen = Evidence.objects.create(claim=accepted, paper=papers[0], evidence_type=kind,
                                       direction="supports", status="accepted")
        Evidence.objects.create(claim=draft, paper=papers[1], evidence_type=kind,
                                direction="supports", status="draft")
        Review.objects.create(claim=accepted, verdict="approve", reviewer=reviewer)

        new = migrate(AFTER)

        Paper = new.get_model("claims", "Paper")
        uids = dict(Paper.objects.values_list("pk", "uid"))
        assert len(set(uids.values())) == 3 and None not in uids.values()
        history = new.get_model("claims", "HistoricalPaper").objects.get(id=papers[0].pk)
        assert history.uid == uids[papers[0].pk]
        changes = list(new.get_model("claims", "Change").objects.order_by("position").values_list(
            "kind", "object_id", "action", "public"))
        assert [c[0] for c in changes] == ["paper"] * 3 + ["claim"] * 2 + ["evidence"] * 2 + ["review"]
        assert {c[1] for c in changes if c[3]} >= {accepted.pk, seen.pk}
        assert ("claim", draft.pk, "created", False) in changes
        assert all(action == "created" for _, _, action, _ in changes)
    finally:
        migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
