"""Shared pieces of the browser tests: Debian's headless Chromium, and the moves a curator or a
reviewer makes in the admin (sign in, follow a link, pick in an autocomplete, run an action),
each waiting for what the page does instead of sleeping."""

from selenium import webdriver
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import Select, WebDriverWait

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
WIDTH, HEIGHT = 1400, 900
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-dev-shm-usage",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--hide-scrollbars",
    f"--window-size={WIDTH},{HEIGHT}",
)
WAIT = 10  # seconds an explicit wait allows; a slow shared machine needs a few


def chromium(*, console: bool = False) -> webdriver.Chrome:
    """A headless Chromium; console=True keeps the browser's console for policy_violations()."""
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    if console:
        options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    return webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)


def policy_violations(driver) -> list[str]:
    """What the console said since the last call about the Content Security Policy, or about a
    script that broke."""
    return [
        entry["message"]
        for entry in driver.get_log("browser")
        if "Content Security Policy" in entry["message"] or "Uncaught" in entry["message"]
    ]


def wait(driver, condition, seconds: float = WAIT):
    return WebDriverWait(driver, seconds).until(condition)


class Admin:
    """A person at the admin. `clicks` counts the clicks made through click() and follow(), so
    a test can say how many a task takes; typing and choosing in a form are not clicks."""

    def __init__(self, driver, base: str):
        self.driver, self.base = driver, base
        self.clicks = 0

    def find(self, css: str):
        """The element, once the page shows it."""
        return wait(self.driver, ec.presence_of_element_located((By.CSS_SELECTOR, css)))

    def login(self, username: str, password: str = "pw"):
        """Sign in from the login page; the admin index (the dashboard) opens."""
        self.driver.delete_all_cookies()
        self.driver.get(f"{self.base}/admin/login/")
        self.find("input[name=username]").send_keys(username)
        self.driver.find_element(By.NAME, "password").send_keys(password)
        self.follow(self.driver.find_element(By.CSS_SELECTOR, "input[type=submit]"), counted=False)
        self.find("#user-tools")

    def click(self, element):
        self.clicks += 1
        element.click()

    def follow(self, element, *, counted: bool = True):
        """Click a link or button, then wait until the next page has replaced this one."""
        page = self.driver.find_element(By.TAG_NAME, "html")
        if counted:
            self.click(element)
        else:
            element.click()

        def replaced(driver):
            try:
                page.is_enabled()
            except WebDriverException:  # stale, or "node does not belong to the document"
                return driver.execute_script("return document.readyState") == "complete"
            return False

        wait(self.driver, replaced)

    def type_in_autocomplete(self, select_id: str, text: str):
        """Open the autocomplete of <select id=select_id> and type text in its search box."""
        self.find(f"#{select_id} + .select2 .select2-selection").click()
        search = self.find(".select2-container--open .select2-search__field")
        search.send_keys(text)
        return search

    def autocomplete(self, select_id: str, text: str, expect: str | None = None):
        """Type text in an autocomplete and choose the first answer, once it shows `expect`."""
        search = self.type_in_autocomplete(select_id, text)
        wait(
            self.driver,
            ec.text_to_be_present_in_element(
                (By.CSS_SELECTOR, ".select2-results__option--highlighted"), expect or text
            ),
        )
        search.send_keys(Keys.ENTER)

    def run_action(self, claim_text: str, action_label: str):
        """On the claims list, select the claim's row and run an action on it."""
        self.driver.get(f"{self.base}/admin/claims/claim/")
        row = self.driver.find_element(By.XPATH, f"//tr[contains(., '{claim_text}')]")
        row.find_element(By.NAME, "_selected_action").click()
        Select(self.driver.find_element(By.NAME, "action")).select_by_visible_text(action_label)
        self.follow(self.driver.find_element(By.NAME, "index"), counted=False)

    def messages(self) -> list[str]:
        return [m.text for m in self.driver.find_elements(By.CSS_SELECTOR, "ul.messagelist li")]

    def said(self) -> str:
        """The page's messages, as one text."""
        return " ".join(self.messages())
