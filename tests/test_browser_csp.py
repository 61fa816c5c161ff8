"""The Content Security Policy in a real (headless) Chromium: the admin, the browsable API and
Swagger UI still work under it, and the browser reports no violation of it."""

import urllib.request

import pytest
from selenium.common.exceptions import NoSuchWindowException
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions as ec

from claims.models import Topic
from tests.browser import policy_violations, wait
from tests.factories import make_claim, make_evidence, make_paper, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

def test_admin_browsable_api_and_swagger_ui_work_under_the_content_security_policy(
    live_server, browser, role_groups
):
    browser.implicitly_wait(5)
    make_user("staff", superuser=True)
    claim = make_claim(text="PRE-084 extends survival of SOD1-G93A mice")
    make_evidence(claim, paper=make_paper(title="Sigma-1R Agonist Improves Motor Function"))
    base = live_server.url
    with urllib.request.urlopen(f"{base}/healthz") as response:
        policy = response.headers["Content-Security-Policy"]
    script_src = next(part for part in policy.split(";") if part.strip().startswith("script-src"))
    assert script_src.split() == ["script-src", "'self'"]

    browser.get(f"{base}/admin/login/")
    # The console is read: a script written into the page is refused and reported.
    browser.execute_script(
        "const s = document.createElement('script'); s.textContent = '1';document.body.appendChild(s);"
    )
    assert any("Content Security Policy" in message for message in policy_violations(browser))
    browser.find_element(By.NAME, "username").send_keys("staff")
    browser.find_element(By.NAME, "password").send_keys("pw", Keys.ENTER)
    wait(browser, ec.presence_of_element_located((By.ID, "user-tools")))
    assert policy_violations(browser) == []

    # The claim's page: its autocomplete widgets search, its "add" link opens a popup whose
    # answer fills the field in this window.
    browser.get(f"{base}/admin/claims/claim/{claim.pk}/change/")
    browser.find_element(By.CSS_SELECTOR, "#id_evidence-1-paper + .select2 .select2-selection").click()
    search = browser.find_element(By.CSS_SELECTOR, ".select2-container--open .select2-search__field")
    search.send_keys("Motor")
    wait(
        browser,
        ec.text_to_be_present_in_element(
            (By.CSS_SELECTOR, ".select2-results__option--highlighted"), "Motor Function"
        ),
    )
    search.send_keys(Keys.ESCAPE)
    editor = browser.current_window_handle
    browser.find_element(By.ID, "add_id_topics").click()
    wait(browser, ec.number_of_windows_to_be(2))
    browser.switch_to.window(next(h for h in browser.window_handles if h != editor))
    browser.find_element(By.NAME, "slug").send_keys("als")
    browser.find_element(By.NAME, "name").send_keys("Amyotrophic lateral sclerosis")
    popup_log = []
    browser.find_element(By.NAME, "_save").click()
    try:
        # The popup's answer closes it; its console goes with it, so read it while it lasts.
        popup_log += policy_violations(browser)
    except NoSuchWindowException:  # it closed first, as it should
        pass
    wait(browser, ec.number_of_windows_to_be(1))
    browser.switch_to.window(editor)
    topic = Topic.objects.get(slug="als")
    wait(
        browser,
        lambda driver: driver.find_element(
            By.CSS_SELECTOR, f"#id_topics option[value='{topic.pk}']"
        ).is_selected(),
    )
    assert popup_log + policy_violations(browser) == []

    # The browsable API, with its forms.
    browser.get(f"{base}/api/v1/claims/")
    assert browser.find_element(By.CSS_SELECTOR, ".response-info").text.startswith("HTTP 200")
    browser.find_element(By.CSS_SELECTOR, "form#post-object-form, .tab-content form")
    assert policy_violations(browser) == []

    # Swagger UI, from the sidecar's files, reading the schema and listing its operations.
    browser.get(f"{base}/api/v1/docs/")
    wait(browser, lambda driver: len(driver.find_elements(By.CSS_SELECTOR, ".opblock")) > 10, 20)
    assert "/api/v1/claims/" in browser.find_element(By.ID, "swagger-ui").text
    assert policy_violations(browser) == []
