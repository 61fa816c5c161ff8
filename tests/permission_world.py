"""The people and objects the permission tables name (tests/permission_table.py,
tests/admin_permission_table.py), and what a refused write must leave as it was.

A module builds them once, inside a transaction rolled back when the module ends; each request
then runs in a savepoint of its own, rolled back after it, so an allowed write never changes
what the next role meets.
"""

from contextlib import contextmanager
from dataclasses import dataclass

from django.apps import apps
from django.contrib.auth.models import Group, User
from django.db import connection, transaction
from django.test import override_settings
from rest_framework.authtoken.models import Token

from claims import releases, rereview, webhooks, workflow
from claims.models import ApiToken, Claim, CuratorReview, Evidence, EvidenceType, Paper, Subscription, Topic
from tests.factories import make_claim, make_evidence, make_evidence_type, make_paper, make_topic, make_user

MISSING_ID = 987654


@dataclass
class World:
    people: dict  # role -> user: no_role, curator, reviewer, both, staff, second_reviewer, inactive
    objects: dict  # placeholder -> the object the tables' paths name
    ids: dict  # placeholder -> its id in a URL (a release: its version)


def build(releases_root) -> World:
    """Every claim and evidence item is the curator's; set-up reviews are another reviewer's,
    so the reviewer and "both" personas have reviewed nothing yet."""
    people = {
        "curator": make_user("curator", "curator"),
        "reviewer": make_user("reviewer", "reviewer"),
        "both": make_user("both", "curator", "reviewer"),
        "staff": make_user("staff", superuser=True),
        "no_role": make_user("outsider"),
        "second_reviewer": make_user("second-reviewer", "reviewer"),
        "inactive": make_user("deactivated", "curator", "reviewer"),
    }
    people["inactive"].is_active = False
    people["inactive"].save(update_fields=["is_active"])
    curator, second, staff = people["curator"], people["second_reviewer"], people["staff"]

    topic = make_topic()
    cited_type = make_evidence_type()
    spare_type = make_evidence_type("in-vitro-spare", "In vitro (spare)", "ECO:0000181")
    cited_paper, spare_paper = make_paper(), make_paper()

    def claim(state):
        made = make_claim(created_by=curator)
        make_evidence(made, paper=cited_paper, evidence_type=cited_type)
        if state == "draft":
            return made
        workflow.submit(made, curator)
        if state == "rejected":
            workflow.review(made, second, "reject", "Fig. 3 shows no such effect.")
        elif state == "accepted":
            workflow.review(made, second, "approve")
        return made

    draft, submitted, rejected = claim("draft"), claim("submitted"), claim("rejected")
    accepted, flagged, host = claim("accepted"), claim("accepted"), claim("accepted")
    rereview.flag(
        [flagged.pk], actor=staff, reason="A cited paper was retracted.", event="a cited paper was retracted"
    )

    def evidence_on_host(state):
        item = make_evidence(host, paper=cited_paper, evidence_type=cited_type)
        if state != "draft":
            workflow.submit(item, curator)
        if state == "rejected":
            workflow.review(item, second, "reject", "The figure shows no such effect.")
        return item

    subscription = webhooks.subscribe(owner=curator, url="http://127.0.0.1:9/hook")
    with override_settings(RELEASES_ROOT=releases_root):
        release = releases.make("v1", actor=staff)
    objects = {
        "draft": draft,
        "submitted": submitted,
        "rejected": rejected,
        "accepted": accepted,
        "flagged": flagged,
        "host": host,
        "draft_evidence": draft.evidence.get(),
        "accepted_evidence": accepted.evidence.get(),
        "new_evidence": evidence_on_host("draft"),
        "submitted_evidence": evidence_on_host("submitted"),
        "rejected_evidence": evidence_on_host("rejected"),
        "public_review": CuratorReview.objects.get(claim=accepted),
        "hidden_review": CuratorReview.objects.get(claim=rejected),
        "version": accepted.versions.get(),
        "paper": spare_paper,
        "cited_paper": cited_paper,
        "topic": topic,
        "evidence_type": spare_type,
        "cited_type": cited_type,
        "subscription": subscription,
        "release": release,
    }
    ids = {name: obj.pk for name, obj in objects.items()}
    ids.update(release=release.version, number=1)
    return World(people=people, objects=objects, ids=ids)


@contextmanager
def world_for_module(django_db_blocker, releases_root):
    """The world, in a transaction that is rolled back when the with-block ends."""
    with django_db_blocker.unblock(), override_settings(RELEASES_ROOT=releases_root):
        with transaction.atomic():
            yield build(releases_root)
            transaction.set_rollback(True)


@contextmanager
def rolled_back():
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


# --- what a refused write must leave as it was ---

# Every row of these is compared (the tables a face edits); every other table is counted.
WATCHED = (Claim, Evidence, Paper, Topic, EvidenceType, Subscription, ApiToken, User, Group)
# Recorded whatever the request asked: bookkeeping, not a write.
BOOKKEEPING = {"last_used_at", "last_login"}


def _counted_models():
    claims = apps.get_app_config("claims").get_models(include_auto_created=True)
    auth = apps.get_app_config("auth").get_models(include_auto_created=True)
    return [*claims, *auth, Token]


def _row_text(model) -> str:
    """A row of model as one text value, in SQL both SQLite and PostgreSQL read."""
    quote = connection.ops.quote_name
    columns = [
        f"COALESCE(CAST({quote(f.column)} AS TEXT), '-')"
        for f in model._meta.concrete_fields
        if f.name not in BOOKKEEPING
    ]
    return " || '|' || ".join(columns)


def state():
    """Row counts of every claims table (history, the change feed and m2m tables included),
    of users, groups, permissions and tokens, and every row of the WATCHED tables: two
    queries, whatever the number of tables."""
    quote = connection.ops.quote_name
    tables = [model._meta.db_table for model in _counted_models()]
    rows = " UNION ALL ".join(
        f"SELECT '{model.__name__}', {quote(model._meta.pk.column)}, {_row_text(model)} "
        f"FROM {quote(model._meta.db_table)}"
        for model in WATCHED
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(f"(SELECT COUNT(*) FROM {quote(t)})" for t in tables))
        counts = dict(zip(tables, cursor.fetchone(), strict=True))
        cursor.execute(f"SELECT * FROM ({rows}) AS watched ORDER BY 1, 2")
        watched = {model.__name__: [] for model in WATCHED}
        for name, _, text in cursor.fetchall():
            watched[name].append(text)
    return counts, watched


def difference(before, after) -> dict | None:
    """What changed between two state()s, or None."""
    if before == after:
        return None
    counts = {t: (before[0][t], after[0][t]) for t in before[0] if before[0][t] != after[0][t]}
    rows = [name for name in before[1] if before[1][name] != after[1][name]]
    return {"counts": counts, "rows": rows}
