"""A claim's whole way through the admin, as curators and reviewers take it, in a real
(headless) Chromium: written with a paper added by its DOI, submitted, assigned, sent back with
a comment from the dashboard, reworked, approved, and then public in the API. And the seeded
admin's pages as the README shows them (SCREENSHOTS=1 writes them to docs/screenshots/)."""

import json
import urllib.request
from urllib.parse import urlencode

import pytest
from django.core import mail
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import Select

from claims.models import Claim, Paper
from tests.browser import Admin, chromium, policy_violations, wait
from tests.factories import make_evidence_type, make_paper, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Two papers of ../shared/reference/sigma1r_references.json: the first is added in the flow by
# its DOI, the second is stored already and found by its DOI.
MANCUSO_2012 = {
    "doi": "10.1007/s13311-012-0140-y",
    "title": "Sigma-1R Agonist Improves Motor Function and Motoneuron Survival in ALS Mice",
    "journal": "Neurotherapeutics",
    "year": "2012",
}
MANCUSO_2014 = {
    "doi": "10.1186/1750-1172-9-78",
    "title": "Lack of synergistic effect of resveratrol and sigma-1 receptor agonist (PRE-084) in "
    "SOD1G93A ALS mice: overlapping effects or limited therapeutic opportunity?",
    "journal": "Orphanet Journal of Rare Diseases",
    "year": 2014,
}
CLAIM = "PRE-084 extends the survival of SOD1G93A mice"
COMMENT = "Say the dose and schedule of PRE-084 in the context."


@pytest.fixture
def browser():
    driver = chromium(console=True)
    yield driver
    driver.quit()


def dashboard_entry(admin, block: str, text: str):
    """The entry of a dashboard block that names the claim."""
    for entry in admin.driver.find_elements(By.CSS_SELECTOR, f"#dashboard-{block} li"):
        if text in entry.text:
            return entry
    raise AssertionError(f"{text!r} is not in the dashboard's {block} block")


def list_row(admin, text: str):
    return admin.driver.find_element(By.XPATH, f"//table[@id='result_list']//tr[contains(., '{text}')]")


def shown_state(admin) -> str:
    """The review state on the claim's page."""
    return admin.driver.find_element(By.CSS_SELECTOR, ".field-status .readonly").text


def anonymous_api(base: str, **params) -> list[dict]:
    with urllib.request.urlopen(f"{base}/api/v1/claims/?{urlencode(params)}") as response:
        assert response.headers["Content-Type"].startswith("application/json")
        return json.load(response)["results"]


def test_a_claim_goes_from_its_curator_through_two_reviewers_to_the_public_api(
    live_server, browser, role_groups
):
    make_user("curator", "curator")
    make_user("reviewer", "reviewer")
    make_user("second-reviewer", "reviewer")
    make_user("lead", superuser=True)
    make_paper(**MANCUSO_2014)
    make_evidence_type("in-vivo-animal-model", "animal model system study evidence", "ECO:0000179")
    admin = Admin(browser, live_server.url)

    # The curator writes the claim from the dashboard's "Add" link.
    admin.login("curator")
    assert "No drafts" in admin.find("#dashboard-drafts").text
    admin.follow(admin.find("#content-main a.addlink[href$='/claims/claim/add/']"))
    browser.find_element(By.NAME, "text").send_keys(CLAIM)
    browser.find_element(By.NAME, "subject").send_keys("Sigma-1R agonist PRE-084")
    Select(browser.find_element(By.NAME, "relation")).select_by_value("increases")
    browser.find_element(By.NAME, "object").send_keys("survival")
    browser.find_element(By.NAME, "context").send_keys("SOD1G93A mouse")

    # A paper not stored yet: its DOI typed in the paper search finds nothing, and + opens the
    # add-paper popup with the DOI filled in; the curator types the title, and saving the popup
    # chooses the new paper in the row.
    search = admin.type_in_autocomplete("id_evidence-0-paper", MANCUSO_2012["doi"])
    wait(browser, ec.text_to_be_present_in_element((By.CSS_SELECTOR, ".select2-results"), "No results"))
    search.send_keys(Keys.ESCAPE)
    editor = browser.current_window_handle
    admin.click(browser.find_element(By.ID, "add_id_evidence-0-paper"))
    wait(browser, ec.number_of_windows_to_be(2))
    browser.switch_to.window(next(handle for handle in browser.window_handles if handle != editor))
    assert admin.find("input[name=doi]").get_attribute("value") == MANCUSO_2012["doi"]
    note = admin.find(".identifier-note").text
    assert f"DOI {MANCUSO_2012['doi']} is filled in from what you typed" in note
    browser.find_element(By.NAME, "title").send_keys(MANCUSO_2012["title"])
    browser.find_element(By.NAME, "journal").send_keys(MANCUSO_2012["journal"])
    browser.find_element(By.NAME, "year").send_keys(MANCUSO_2012["year"])
    admin.click(browser.find_element(By.NAME, "_save"))
    wait(browser, ec.number_of_windows_to_be(1))
    browser.switch_to.window(editor)
    wait(
        browser,
        ec.text_to_be_present_in_element(
            (By.ID, "select2-id_evidence-0-paper-container"), MANCUSO_2012["title"][:30]
        ),
    )
    admin.autocomplete("id_evidence-0-evidence_type", "animal model")
    Select(browser.find_element(By.NAME, "evidence-0-direction")).select_by_value("supports")
    browser.find_element(By.NAME, "evidence-0-location").send_keys("abstract")

    # A stored paper, found by its DOI, in a second row.
    admin.click(browser.find_element(By.CSS_SELECTOR, "#evidence-group .add-row a"))
    admin.autocomplete("id_evidence-1-paper", MANCUSO_2014["doi"], expect="Lack of synergistic effect")
    admin.autocomplete("id_evidence-1-evidence_type", "animal model")
    Select(browser.find_element(By.NAME, "evidence-1-direction")).select_by_value("supports")
    browser.find_element(By.NAME, "evidence-1-location").send_keys("abstract")
    admin.follow(browser.find_element(By.NAME, "_continue"))
    assert "was added successfully" in admin.said() and "submit it for review" in admin.said()
    claim = Claim.objects.get(text=CLAIM)
    assert Paper.objects.get(doi=MANCUSO_2012["doi"]).title == MANCUSO_2012["title"]
    assert claim.evidence.count() == 2
    assert shown_state(admin) == "Draft"
    assert "2 evidence items by type and direction" in admin.find(".evidence-glance").text

    # ... and submits it with the button on its page.
    admin.follow(admin.find("button.decide-submit"))
    assert f"Submitted claim {claim.pk} “{CLAIM}”: now submitted. Reviewers find it" in admin.said()
    assert list_row(admin, CLAIM).find_element(By.CSS_SELECTOR, ".badge.state-submitted").text == "Submitted"
    assert policy_violations(browser) == []

    # The lead assigns it to a reviewer with the claims list's action; the reviewer gets a mail.
    admin.login("lead")
    admin.run_action(CLAIM, "Assign to reviewer…")
    Select(admin.find("select[name=reviewer]")).select_by_visible_text("reviewer")
    admin.follow(browser.find_element(By.NAME, "apply"))
    assert f"Assigned claim {claim.pk} “{CLAIM}” to reviewer: it comes first in their review queue" in (
        admin.said()
    )
    assert [message.to for message in mail.outbox] == [["reviewer@example.org"]]

    # The reviewer finds it first on the dashboard, marked as theirs, and sends it back with a
    # comment: three clicks from the admin index (the dashboard's entry, the claim page's
    # "Request changes" button, the comment form's button; typing the comment is no click).
    admin.login("reviewer")
    admin.clicks = 0
    entry = admin.find("#dashboard-review li")  # the first
    assert CLAIM in entry.text and "assigned to you · round 1" in entry.text
    assert "mine" in entry.get_attribute("class").split()
    admin.follow(entry.find_element(By.TAG_NAME, "a"))
    assert admin.find(".assigned-to").text == "Assigned to reviewer"
    assert shown_state(admin) == "Submitted"
    decisions = browser.find_elements(By.CSS_SELECTOR, "form.decide button")
    assert [button.text.lower() for button in decisions[:3]] == ["approve", "request changes…", "reject…"]
    admin.follow(browser.find_element(By.CSS_SELECTOR, "button.decide-request_changes"))
    admin.find("textarea[name=comment]").send_keys(COMMENT)
    admin.follow(browser.find_element(By.NAME, "apply"))
    assert admin.clicks == 3
    assert (
        f"Requested changes on claim {claim.pk} “{CLAIM}”: now draft. Its author sees your comment "
        "among its reviews, edits it and submits it again."
    ) in admin.messages()
    assert list_row(admin, CLAIM).find_element(By.CSS_SELECTOR, ".badge.state-draft").text == "Draft"
    assert policy_violations(browser) == []

    # The curator finds it among their drafts, reads the comment, fixes it and submits it again.
    admin.login("curator")
    entry = dashboard_entry(admin, "drafts", CLAIM)
    assert "round 1" in entry.text
    admin.follow(entry.find_element(By.TAG_NAME, "a"))
    assert COMMENT in admin.find("#reviews-group").text
    context = browser.find_element(By.NAME, "context")
    context.clear()
    context.send_keys("SOD1G93A mouse, PRE-084 0.25 mg/kg/day")
    admin.follow(browser.find_element(By.NAME, "_continue"))
    assert "was changed successfully" in admin.said()
    admin.follow(admin.find("button.decide-submit"))
    assert f"Submitted claim {claim.pk} “{CLAIM}”: now submitted." in admin.said()

    # A second reviewer finds it in their queue (nobody is assigned now) and approves it: two
    # clicks from the admin index.
    admin.login("second-reviewer")
    admin.clicks = 0
    entry = dashboard_entry(admin, "review", CLAIM)
    assert "round 2" in entry.text and "assigned to you" not in entry.text
    admin.follow(entry.find_element(By.TAG_NAME, "a"))
    admin.follow(admin.find("button.decide-approve"))
    assert admin.clicks == 2
    assert (
        f"Approved claim {claim.pk} “{CLAIM}”: now accepted. It is public now, with its evidence synthesis;"
    ) in admin.said()
    row = list_row(admin, CLAIM)
    assert row.find_element(By.CSS_SELECTOR, ".badge.state-accepted").text == "Accepted"
    level_shown = row.find_element(By.CSS_SELECTOR, "[class*='badge level-']").text
    assert policy_violations(browser) == []

    # Anyone reads it in the API now, with its synthesis: the level the list showed, and why.
    (public,) = anonymous_api(live_server.url, subject="PRE-084")
    assert public["text"] == CLAIM and public["status"] == "accepted"
    assert public["context"] == "SOD1G93A mouse, PRE-084 0.25 mg/kg/day"
    synthesis = public["synthesis"]
    assert synthesis["level"] == level_shown.lower() and synthesis["level"] != "none"
    assert synthesis["counts"] == {"supports": 2, "contradicts": 0, "inconclusive": 0}
    assert synthesis["rule"]
    assert sorted(item["paper"]["doi"] for item in public["evidence"]) == sorted(
        [MANCUSO_2012["doi"], MANCUSO_2014["doi"]]
    )
