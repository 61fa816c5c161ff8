"""The review round trip as people do it: in the admin, in a real (headless) Chromium."""

import json
import urllib.request

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from claims.models import Claim
from tests.browser import Admin
from tests.factories import make_claim, make_evidence_type, make_paper, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

@pytest.fixture
def people(role_groups):
    return {
        # A curator who also reviews: only the four-eyes rule stops them approving their own work.
        "curator": make_user("curator", "curator", "reviewer"),
        "reviewer": make_user("reviewer", "reviewer"),
        "second": make_user("second-reviewer", "reviewer"),
    }


def public_claims(base):
    with urllib.request.urlopen(f"{base}/api/v1/claims/") as response:
        return [row["text"] for row in json.load(response)["results"]]


def test_curator_submits_reviewer_rejects_curator_reworks_another_reviewer_approves(
        live_server, browser, people):
    make_paper(title="Sigma-1R Agonist Improves Motor Function", doi="10.1007/s13311-012-0140-y")
    make_evidence_type("in-vivo-animal-model", "Animal model system study evidence")
    make_claim(created_by=people["curator"], text="An unrelated draft nobody submitted")
    text = "PRE-084 extends survival of SOD1-G93A mice"
    browser.implicitly_wait(5)
    admin = Admin(browser, live_server.url)

    admin.login("curator")
    browser.get(f"{live_server.url}/admin/claims/claim/add/")
    browser.find_element(By.NAME, "text").send_keys(text)
    browser.find_element(By.NAME, "subject").send_keys("Sigma-1R agonist PRE-084")
    admin.autocomplete("id_evidence-0-paper", "Motor Function")
    admin.autocomplete("id_evidence-0-evidence_type", "Animal model")
    Select(browser.find_element(By.NAME, "evidence-0-direction")).select_by_value("supports")
    browser.find_element(By.NAME, "evidence-0-location").send_keys("Fig. 5")
    admin.follow(browser.find_element(By.NAME, "_save"))
    claim = Claim.objects.get(text=text)
    assert claim.evidence.count() == 1 and claim.created_by == people["curator"]

    admin.run_action(text, "Submit for review")
    assert any("Submitted" in m for m in admin.messages())
    admin.run_action(text, "Approve")
    assert any("Four-eyes" in m for m in admin.messages())
    claim.refresh_from_db()
    assert claim.status == "submitted"

    admin.login("reviewer")
    admin.run_action(text, "Reject…")
    browser.find_element(By.NAME, "comment").send_keys("Give the number of mice per group.")
    admin.follow(browser.find_element(By.NAME, "apply"))
    assert any("now rejected" in m for m in admin.messages())

    admin.login("curator")
    admin.run_action(text, "Reopen to rework")
    browser.get(f"{live_server.url}/admin/claims/claim/{claim.pk}/change/")
    assert "Give the number of mice per group." in browser.page_source
    browser.find_element(By.NAME, "context").send_keys("SOD1-G93A mouse, n=12 per group")
    admin.follow(browser.find_element(By.NAME, "_save"))
    admin.run_action(text, "Submit for review")

    admin.login("second-reviewer")
    admin.run_action(text, "Approve")
    assert any("now accepted" in m for m in admin.messages())
    claim.refresh_from_db()
    assert claim.status == "accepted" and claim.versions.count() == 1
    assert public_claims(live_server.url) == [text]
