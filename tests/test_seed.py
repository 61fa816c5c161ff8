import pytest
from django.core.management import call_command

from claims import workflow
from claims.models import Claim, Paper
from tests.factories import make_user

pytestmark = pytest.mark.django_db
SEED = ("evidence_types", "sigma1r_als")
SEED_CLAIMS = 14


def test_seed_fills_an_empty_database_with_a_first_history_entry_per_row():
    call_command("seed", *SEED, verbosity=0)
    assert Claim.objects.count() == SEED_CLAIMS
    for claim in Claim.objects.all():
        (created,) = claim.history.all()
        assert created.history_type == "+" and created.history_date == claim.created_at
        assert sorted(created.topics.values_list("topic__slug", flat=True)) == sorted(
            claim.topics.values_list("slug", flat=True))
    assert all(paper.history.count() == 1 for paper in Paper.objects.all())


def test_seed_never_undoes_curation_done_since(capsys):
    call_command("seed", *SEED, verbosity=0)
    claim = Claim.objects.get(text__icontains="survival")
    workflow.retract(claim, make_user("chief", superuser=True), "Superseded by a larger study.")
    call_command("seed", *SEED)
    claim.refresh_from_db()
    assert claim.status == "retracted"
    assert "not reloaded" in capsys.readouterr().out


def test_seed_still_loads_claims_after_the_evidence_types_were_loaded_alone():
    call_command("loaddata", "evidence_types", verbosity=0)
    call_command("seed", *SEED, verbosity=0)
    assert Claim.objects.count() == SEED_CLAIMS
