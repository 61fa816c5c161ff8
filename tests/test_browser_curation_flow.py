"""A claim's whole way through the admin, as curators and reviewers take it, in a real
(headless) Chromium: written with a paper added by its DOI, submitted, assigned, sent back with
a comment from the dashboard, reworked, approved, and then public in the API. And the seeded
admin's pages as the README shows them (SCREENSHOTS=1 writes them to docs/screenshots/)."""

import base64
import json
import os
import urllib.request
from pathlib import Path
from urllib.parse import urlencode

import pytest
from django.contrib.auth.models import User
from django.core import mail
from django.core.management import call_command
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import Select

from claims import workflow, writes
from claims.models import Claim, EvidenceType, Paper
from tests.browser import HEIGHT, WIDTH, Admin, policy_violations, wait
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
# `make run`'s seed (Makefile, FIXTURES), and where `make screenshots` writes the README's images.
SEED = ("evidence_types", "sigma1r_als")
SCREENSHOTS = Path(__file__).resolve().parent.parent / "docs" / "screenshots"


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


# --- the seeded admin, as the README's screenshots show it ---


def screenshot(driver, name: str, *, height: int = HEIGHT, until=None):
    """Save the page's top, WIDTH wide and `height` tall (or down to the bottom of the element
    `until`), as docs/screenshots/<name> when SCREENSHOTS=1 (`make screenshots`), so that test
    runs elsewhere leave the committed images alone."""
    if not os.environ.get("SCREENSHOTS"):
        return
    if until is not None:
        height = driver.execute_script(
            "return Math.ceil(arguments[0].getBoundingClientRect().bottom + window.scrollY) + 16;",
            until,
        )
    # A window whose page area is that tall, so the page lays out as it would on such a screen,
    # then the page area alone, through DevTools (a window's screenshot leaves some out).
    frame = driver.execute_script("return [outerWidth - innerWidth, outerHeight - innerHeight];")
    driver.set_window_size(WIDTH + frame[0], height + frame[1])
    clip = {"x": 0, "y": 0, "width": WIDTH, "height": height, "scale": 1}
    shot = driver.execute_cdp_cmd("Page.captureScreenshot", {"format": "png", "clip": clip})
    (SCREENSHOTS / name).write_bytes(base64.b64decode(shot["data"]))
    driver.set_window_size(WIDTH, HEIGHT)


def curate_on_the_seed():
    """Work in progress on the seeded papers, as ../shared/reference/ describes them: a claim
    submitted and assigned to demo-reviewer, one submitted and not assigned, a draft."""
    curator, reviewer = User.objects.get(username="demo-curator"), User.objects.get(username="demo-reviewer")
    lead = User.objects.create_superuser("admin", "admin@localhost", "pw")
    for user in (curator, reviewer):
        user.set_password("pw")
        user.save(update_fields=["password"])
    paper = {p.doi: p for p in Paper.objects.all()}
    kind = {t.code: t for t in EvidenceType.objects.all()}

    def claim(items, **fields):
        made = writes.create_claim(actor=curator, data=fields)
        for doi, code in items:
            writes.create_evidence(
                actor=curator,
                data={
                    "claim": made,
                    "paper": paper[doi],
                    "evidence_type": kind[code],
                    "direction": "supports",
                    "location": "abstract",
                },
            )
        return made

    assigned = claim(
        [
            ("10.3389/fphar.2021.780588", "in-vivo-animal-model"),
            ("10.1007/s13311-012-0140-y", "in-vivo-animal-model"),
        ],
        text="PRE-084 increases the number of surviving motoneurons in female SOD1G93A mice.",
        subject="Sigma-1R agonist PRE-084",
        relation="increases",
        object="surviving motoneurons",
        context="SOD1G93A mouse, female",
    )
    unassigned = claim(
        [("10.1002/ana.22534", "cell-culture")],
        text="Cells with the SIGMAR1 mutation of juvenile ALS are more prone to die under stress.",
        subject="SIGMAR1 juvenile ALS mutation",
        relation="increases",
        object="apoptosis under stress",
        context="cell lines",
    )
    draft = claim(
        [("10.1016/j.neuroscience.2010.02.022", "knockout-phenotype")],
        text="Sigma-1 receptor knockout mice stay a shorter time on the rotarod.",
        subject="Sigma-1 receptor knockout",
        relation="decreases",
        object="rotarod latency",
        context="mouse",
    )
    for submitted in (unassigned, assigned):
        workflow.submit(submitted, curator)
    workflow.assign(assigned, reviewer, lead)
    return assigned, unassigned, draft


def test_the_seeded_dashboard_claims_list_and_claim_page(live_server, browser, role_groups):
    call_command("seed", *SEED, verbosity=0)
    assigned, unassigned, draft = curate_on_the_seed()
    contested = Claim.objects.get(contested=True)  # the seed's one: protein degradation
    admin = Admin(browser, live_server.url)

    # A reviewer's dashboard: the claim assigned to them first, marked, then the rest of their
    # queue; what they decided lately (the seed's reviews).
    admin.login("demo-reviewer")
    waiting = browser.find_elements(By.CSS_SELECTOR, "#dashboard-review li")
    assert [entry.text.splitlines()[0] for entry in waiting] == [assigned.text, unassigned.text]
    assert "mine" in waiting[0].get_attribute("class").split()
    assert admin.find("#dashboard-decided li").text.splitlines()[-1].startswith("approve · ")
    screenshot(browser, "admin-dashboard.png")

    # A curator's: their draft.
    admin.login("demo-curator")
    assert draft.text in admin.find("#dashboard-drafts").text
    screenshot(browser, "admin-dashboard-curator.png")

    # The claims list: states, which way the evidence points, and the contested claim marked.
    admin.follow(admin.find("#content-main a[href$='/claims/claim/']"))
    # The navigation sidebar closed (the admin remembers it), as a curator gives the list room.
    admin.find("#toggle-nav-sidebar").click()
    wait(browser, ec.invisibility_of_element_located((By.ID, "nav-sidebar")))
    assert list_row(admin, draft.text).find_element(By.CSS_SELECTOR, ".badge.state-draft")
    marked = browser.find_elements(By.CSS_SELECTOR, "#result_list .badge.level-contested")
    assert [
        mark.find_element(By.XPATH, "ancestor::tr/*[contains(@class, 'field-text_short')]").text
        for mark in marked
    ] == [contested.text]
    badges = list_row(admin, contested.text).find_elements(By.CSS_SELECTOR, ".field-evidence_badges .badge")
    assert [badge.get_attribute("title").split(" (")[0] for badge in badges] == [
        "1 supporting",
        "1 contradicting",
        "0 inconclusive",
    ]
    screenshot(browser, "admin-claims.png")

    # The contested claim's page: its chart, with a supporting and a contradicting part.
    admin.follow(list_row(admin, contested.text).find_element(By.CSS_SELECTOR, "th a"))
    chart = admin.find(".evidence-glance svg.evidence-chart")
    directions = {
        part.get_attribute("data-direction") for part in chart.find_elements(By.CSS_SELECTOR, ".segment")
    }
    assert directions == {"supports", "contradicts"}
    # Each evidence type's label is drawn whole, right-aligned before its bar, inside the chart.
    labels = browser.execute_script(
        "return [...arguments[0].querySelectorAll('.bar text[text-anchor=end]')]"
        ".map(text => [text.lastChild.data, text.getBBox().x]);",
        chart,
    )
    assert [text for text, _ in labels] == [
        "animal model system study evidence",
        "author statement supported by tra…",
    ]
    assert [left >= 0 for _, left in labels] == [True, True]
    assert "Synthesis: Contested" in admin.find(".glance-synthesis").text
    screenshot(browser, "admin-claim-page.png", until=admin.find("#content"))
