"""The review round trip as people do it: in the admin, in a real (headless) Chromium."""

import json
import urllib.request

import pytest
from selenium import webdriver
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import Select, WebDriverWait

from claims.models import Claim
from tests.factories import make_claim, make_evidence_type, make_paper, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHROMIUM_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-dev-shm-usage", "--disable-component-update", "--disable-sync",
                  "--no-first-run", "--window-size=1400,1000")


@pytest.fixture
def browser():
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    driver.implicitly_wait(5)
    yield driver
    driver.quit()


@pytest.fixture
def people(role_groups):
    return {
        # A curator who also reviews: only the four-eyes rule stops them approving their own work.
        "curator": make_user("curator", "curator", "reviewer"),
        "reviewer": make_user("reviewer", "reviewer"),
        "second": make_user("second-reviewer", "reviewer"),
    }


class Admin:
    def __init__(self, driver, base):
        self.driver, self.base = driver, base

    def login(self, username):
        self.driver.delete_all_cookies()
        self.driver.get(f"{self.base}/admin/login/")
        self.driver.find_element(By.NAME, "username").send_keys(username)
        self.driver.find_element(By.NAME, "password").send_keys("pw")
        self.click_and_wait(self.driver.find_element(By.CSS_SELECTOR, "input[type=submit]"))
        WebDriverWait(self.driver, 10).until(ec.presence_of_element_located((By.ID, "user-tools")))

    def autocomplete(self, select_id, text):
        self.driver.find_element(By.CSS_SELECTOR, f"#{select_id} + .select2 .select2-selection").click()
        search = self.driver.find_element(By.CSS_SELECTOR, ".select2-container--open .select2-search__field")
        search.send_keys(text)
        WebDriverWait(self.driver, 10).until(ec.text_to_be_present_in_element(
            (By.CSS_SELECTOR, ".select2-results__option--highlighted"), text))
        search.send_keys(Keys.ENTER)

    def click_and_wait(self, element):
        """Click, then wait until the next page has replaced this one."""
        page = self.driver.find_element(By.TAG_NAME, "html")
        element.click()

        def replaced(driver):
            try:
                page.is_enabled()
            except WebDriverException:  # stale, or "node does not belong to the document"
                return driver.execute_script("return document.readyState") == "complete"
            return False

        WebDriverWait(self.driver, 10).until(replaced)

    def run_action(self, claim_text, action_label):
        self.driver.get(f"{self.base}/admin/claims/claim/")
        row = self.driver.find_element(By.XPATH, f"//tr[contains(., '{claim_text}')]")
        row.find_element(By.NAME, "_selected_action").click()
        Select(self.driver.find_element(By.NAME, "action")).select_by_visible_text(action_label)
        self.click_and_wait(self.driver.find_element(By.NAME, "index"))

    def messages(self):
        return [m.text for m in self.driver.find_elements(By.CSS_SELECTOR, "ul.messagelist li")]


def public_claims(base):
    with urllib.request.urlopen(f"{base}/api/v1/claims/") as response:
        return [row["text"] for row in json.load(response)["results"]]


def test_curator_submits_reviewer_rejects_curator_reworks_another_reviewer_approves(
        live_server, browser, people):
    make_paper(title="Sigma-1R Agonist Improves Motor Function", doi="10.1007/s13311-012-0140-y")
    make_evidence_type("in-vivo-animal-model", "Animal model system study evidence")
    make_claim(created_by=people["curator"], text="An unrelated draft nobody submitted")
    text = "PRE-084 extends survival of SOD1-G93A mice"
    admin = Admin(browser, live_server.url)

    admin.login("curator")
    browser.get(f"{live_server.url}/admin/claims/claim/add/")
    browser.find_element(By.NAME, "text").send_keys(text)
    browser.find_element(By.NAME, "subject").send_keys("Sigma-1R agonist PRE-084")
    admin.autocomplete("id_evidence-0-paper", "Motor Function")
    admin.autocomplete("id_evidence-0-evidence_type", "Animal model")
    Select(browser.find_element(By.NAME, "evidence-0-direction")).select_by_value("supports")
    browser.find_element(By.NAME, "evidence-0-location").send_keys("Fig. 5")
    admin.click_and_wait(browser.find_element(By.NAME, "_save"))
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
    admin.click_and_wait(browser.find_element(By.NAME, "apply"))
    assert any("now rejected" in m for m in admin.messages())

    admin.login("curator")
    admin.run_action(text, "Reopen to rework")
    browser.get(f"{live_server.url}/admin/claims/claim/{claim.pk}/change/")
    assert "Give the number of mice per group." in browser.page_source
    browser.find_element(By.NAME, "context").send_keys("SOD1-G93A mouse, n=12 per group")
    admin.click_and_wait(browser.find_element(By.NAME, "_save"))
    admin.run_action(text, "Submit for review")

    admin.login("second-reviewer")
    admin.run_action(text, "Approve")
    assert any("now accepted" in m for m in admin.messages())
    claim.refresh_from_db()
    assert claim.status == "accepted" and claim.versions.count() == 1
    assert public_claims(live_server.url) == [text]
