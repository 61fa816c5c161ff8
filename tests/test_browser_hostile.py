"""A script stored as a claim's text runs nowhere it is shown: the admin's claim list, the
claim's change page and the browsable API's claim page, in a real (headless) Chromium.

The pages show it as text, and the document holds no element it would have made: so the
check holds whatever the Content Security Policy would also have blocked."""

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.sessions.backends.db import SessionStore
from selenium.webdriver.support.ui import WebDriverWait

from tests.factories import make_claim, make_user
from tests.hostile_inputs import SCRIPT

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PAGES = ("/admin/claims/claim/", "/admin/claims/claim/{pk}/change/", "/api/v1/claims/{pk}/")
# What the page would hold had the text been written into it as markup.
RAN = """return {xss: typeof window.__xss,
                 scripts: [...document.scripts].filter(s => s.text.includes('__xss')).length,
                 handlers: document.querySelectorAll('img[onerror]').length,
                 shown: document.body.innerText.includes(arguments[0])}"""


def signed_in(browser, base: str, user):
    """The browser carries a session of `user`, as after the admin's sign-in form."""
    session = SessionStore()
    session["_auth_user_id"] = str(user.pk)
    session["_auth_user_backend"] = settings.AUTHENTICATION_BACKENDS[-1]
    session["_auth_user_hash"] = user.get_session_auth_hash()
    session.create()
    browser.get(f"{base}/healthz")
    browser.add_cookie({"name": settings.SESSION_COOKIE_NAME, "value": session.session_key, "path": "/"})


def test_a_stored_script_runs_on_no_page_that_shows_it(live_server, browser, role_groups):
    staff = make_user("staff", superuser=True)
    claim = make_claim(created_by=staff, text=SCRIPT, subject=SCRIPT)
    assert get_user_model().objects.count() == 1
    signed_in(browser, live_server.url, staff)

    for page in PAGES:
        browser.get(live_server.url + page.format(pk=claim.pk))
        # Complete: every image has loaded or failed, so an onerror would have run by now.
        WebDriverWait(browser, 10).until(
            lambda driver: driver.execute_script("return document.readyState") == "complete"
        )
        found = browser.execute_script(RAN, "<script>window.__xss=1</script>")
        assert found == {"xss": "undefined", "scripts": 0, "handlers": 0, "shown": True}, page
