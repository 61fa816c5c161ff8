"""Who may do what in the admin: every row of tests/admin_permission_table.py, as each role.

Each role has its own signed-in client; each request runs in a savepoint rolled back after it
(tests/permission_world.py). Every request that is refused, redirected to the sign-in page,
or answered with a page leaves every table as it was; every "302" POST and "done" action
changed something. Which transition each role may ask in which state is tests/matrix.py's
(tests/test_transitions_by_face.py runs it through the admin); here each action is asked of
an object in the state it starts from, so the answer depends on the role alone.
"""

import re
from dataclasses import dataclass

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from rest_framework.authtoken.models import Token

from claims import webhooks
from claims.models import ApiToken
from tests.admin_permission_table import ADMIN, HIDDEN, ROLES
from tests.factories import admin_form_data
from tests.matrix import COMMENT, RETRACTION_REASON
from tests.permission_world import MISSING_ID, difference, rolled_back, state, world_for_module

# What an action's form asks before it applies (claims/admin/actions.py, assignment.py).
ACTION_FORMS = {
    "reject": {"comment": COMMENT},
    "request_changes": {"comment": COMMENT},
    "retract": {"reason": RETRACTION_REASON},
    "confirm": {"comment": "The other papers carry it."},
    "delete_selected": {"post": "yes"},
}
IMPORTS = {
    "claim": "text,subject,relation,object,context\n"
    "PRE-084 delays motor decline in SOD1-G93A mice,PRE-084,decreases,motor decline,SOD1-G93A mouse\n",
    "paper": "doi,title,year\n10.1000/test.admin-table,Sigma-1 receptor agonism in SOD1 mice,2014\n",
}


@dataclass
class Site:
    ids: dict
    clients: dict  # role -> a client signed in as that role (anonymous: none)
    forms: dict  # (page, method) -> POST data
    action_forms: dict  # action -> what its form asks before it applies


def _site(world) -> Site:
    people, objects = world.people, world.objects
    ids = dict(world.ids)
    paused = webhooks.subscribe(owner=people["curator"], url="http://127.0.0.1:9/paused")
    webhooks.pause(paused, "The receiver answered 410.")
    Token.objects.create(user=people["no_role"])
    ids.update(
        token=ApiToken.issue(people["no_role"], "nightly mirror")[0].pk,
        paused=paused.pk,
        drf_token=people["no_role"].pk,  # DRF's token admin names a token by its user
        user=people["no_role"].pk,
        group=Group.objects.get(name="curator").pk,
        claim_history=objects["draft"].history.earliest().history_id,
        evidence_history=objects["draft_evidence"].history.earliest().history_id,
        paper_history=objects["paper"].history.earliest().history_id,
    )
    clients = {"anonymous": Client()}
    for role in ROLES[1:]:
        clients[role] = Client()
        clients[role].force_login(people[role])
    add = {
        "claim": {
            "text": "PRE-084 delays motor decline in SOD1-G93A mice",
            "subject": "PRE-084",
            "relation": "decreases",
            "object": "motor decline",
            "context": "SOD1-G93A mouse",
        },
        "evidence": {
            "claim": ids["draft"],
            "paper": ids["cited_paper"],
            "evidence_type": ids["cited_type"],
            "direction": "supports",
            "location": "Fig. 7",
        },
        "paper": {
            "title": "Sigma-1 receptor agonism in SOD1 mice",
            "doi": "10.1000/test.admin-table",
            "year": 2014,
        },
        "topic": {"slug": "sigma-1r", "name": "Sigma-1 receptor"},
        "evidencetype": {"code": "in-vitro-admin", "label": "In vitro (admin)", "eco_id": "ECO:0000006"},
        "apitoken": {"user": ids["user"], "name": "weekly mirror"},
        "subscription": {"owner": ids["user"], "url": "http://127.0.0.1:9/admin-hook", "kinds": ["claim"]},
    }
    change = {
        "claim": {"context": "SOD1 rat"},
        "evidence": {"location": "Fig. 9"},
        "paper": {"journal": "Neurobiol Dis"},
        "topic": {"name": "Sigma-1R"},
        "evidencetype": {"label": "In vitro"},
        "subscription": {"url": "http://127.0.0.1:9/moved"},
    }
    forms = {}
    staff = clients["staff"]
    for page, method, _ in ADMIN:
        found = re.fullmatch(r"/claims/(\w+)/(?:add|\{\w+\}/change)/", page)
        if method != "POST" or not found:
            continue
        model = found.group(1)
        shown = staff.get(url(page, ids))
        data = admin_form_data(shown) if shown.status_code == 200 else {}
        data.update((add if page.endswith("/add/") else change).get(model, {}))
        forms[(page, method)] = data
    action_forms = {**ACTION_FORMS, "assign": {"reviewer": people["reviewer"].pk}}
    return Site(ids=ids, clients=clients, forms=forms, action_forms=action_forms)


@pytest.fixture(scope="module")
def site(django_db_setup, django_db_blocker, tmp_path_factory):
    with world_for_module(django_db_blocker, tmp_path_factory.mktemp("releases")) as world:
        yield _site(world)


@pytest.fixture(scope="module")
def before(site):
    return state()


# --- asking ---


def url(page: str, ids: dict) -> str:
    return "/admin" + page.split(" ")[0].partition("#")[0].format(**ids)


def body(page: str, site: Site) -> dict:
    if "#" in page:  # a changelist action on one object
        action, _, target = page.partition("#")[2].partition(" ")
        selected = target.strip("{}")
        data = {"action": action, "_selected_action": [site.ids[selected]]}
        data.update(site.action_forms.get(action, {}))
        if action in site.action_forms and action != "delete_selected":
            data["apply"] = "yes"  # the action's form, filled in and sent
        return data
    if page.endswith("/delete/"):
        return {"post": "yes"}
    found = re.fullmatch(r"/claims/(\w+)/import/", page)
    if found:
        upload = SimpleUploadedFile(f"{found.group(1)}s.csv", IMPORTS[found.group(1)].encode())
        return {"resource": "0", "format": "0", "import_file": upload}
    return site.forms.get((page, "POST"), {})


# Django's own words when an action did not run (no such action for this user, nothing selected).
NOTHING_DONE = {
    "No action selected.",
    "Items must be selected in order to perform actions on them. No items have been changed.",
}


def cell(page: str, response) -> str:
    """What the role got, in the table's words."""
    if response.status_code == 302 and response["Location"].startswith("/admin/login/"):
        return "login"
    if "#" in page and response.status_code == 302:
        said = [(m.level_tag, str(m)) for m in response.wsgi_request._messages]
        refused = not said or any(level == "error" or text in NOTHING_DONE for level, text in said)
        return "refused" if refused else "done"
    return str(response.status_code)


def ask(site, role, method, page, ids=None):
    client = site.clients[role]
    client.cookies.pop("messages", None)  # each answer's messages are its own
    if method == "GET":
        return client.get(url(page, ids or site.ids))
    return client.post(url(page, ids or site.ids), body(page, site))


@pytest.mark.django_db
@pytest.mark.parametrize("page, method, expected", ADMIN, ids=[f"{m} {p}" for p, m, _ in ADMIN])
def test_every_role_gets_what_the_admin_table_gives(site, before, page, method, expected):
    wrong = []
    hidden = [name for name in HIDDEN if "{" + name + "}" in page]
    for role, wanted in zip(ROLES, expected, strict=True):
        with rolled_back():
            response = ask(site, role, method, page)
            got, changed = cell(page, response), difference(before, state())
        said = f"{role}: {method} {url(page, site.ids)}"
        if got != wanted:
            wrong.append(
                f"{said} got {got} ({response.status_code} {response.get('Location', '')}), "
                f"the table says {wanted}"
            )
        writes = method == "POST" and wanted in ("302", "done")
        if writes and got == wanted and changed is None:
            wrong.append(f"{said} answered {got} but changed nothing")
        if not writes and changed is not None:
            wrong.append(f"{said} answered {got} and changed {changed}")
        unseen = [name for name in hidden if role in HIDDEN[name]]
        if unseen:
            with rolled_back():
                missing = ask(site, role, method, page, {**site.ids, **dict.fromkeys(unseen, MISSING_ID)})
            if (missing.status_code, missing.get("Location")) != (
                response.status_code,
                response.get("Location"),
            ):
                wrong.append(
                    f"{said} answered {response.status_code} for a record it may not see "
                    f"and {missing.status_code} {missing.get('Location', '')} for a missing id"
                )
    assert not wrong, "\n".join(wrong)


# Where each of a model admin's URL names leads, under its changelist.
PAGES = {
    "changelist": "",
    "add": "add/",
    "change": "{id}/change/",
    "delete": "{id}/delete/",
    "history": "{id}/history/",
    "simple_history": "{id}/history/{id}/",
    "import": "import/",
    "process_import": "process_import/",
    "password_change": "{id}/password/",
}


def _declared_actions(model_admin) -> list[str]:
    return [a if isinstance(a, str) else a.__name__ for a in model_admin.actions or ()]


def test_the_table_has_a_row_for_every_page_and_action_of_the_admin():
    """Every page and declared changelist action of the models claims/admin registers has its
    row, and every other registered model its changelist: a new page or action needs one."""
    tabled = {re.sub(r"\{\w+\}", "{id}", page.split(" ")[0].partition("?")[0]) for page, _, _ in ADMIN}
    missing = []
    for model, model_admin in admin.site._registry.items():
        base = f"/{model._meta.app_label}/{model._meta.model_name}/"
        if not type(model_admin).__module__.startswith("claims.admin"):
            missing += [base] if base not in tabled else []
            continue
        prefix = f"{model._meta.app_label}_{model._meta.model_name}_"
        for pattern in model_admin.get_urls():
            name = (pattern.name or "").removeprefix(prefix)
            if pattern.name and (name not in PAGES or base + PAGES[name] not in tabled):
                missing.append(f"{base} ({name})")
        missing += [f"{base}#{a}" for a in _declared_actions(model_admin) if f"{base}#{a}" not in tabled]
    assert not missing, f"no row for {missing}"
