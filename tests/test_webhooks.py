"""Webhooks: the change feed POSTed to a downstream tool, signed, in feed order and once per
position, by a real Celery worker on the real Redis, to a receiver on loopback that fails on
purpose for a while.

The worker runs in a thread of the test process (celery.contrib.testing), on Redis database
14 and a queue of this run's own; the tests that need it commit for real (transactional) and
run on PostgreSQL: SQLite's in-memory test database, shared by the worker's thread, answers
"table is locked" at once instead of waiting. On SQLite the same delivery code is run
directly, without a worker.
"""

import json
import os
import re
import threading
import time
import uuid
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from django.db import transaction

from claims import webhooks, workflow, writes
from claims.api import feed, push
from claims.models import Subscription, SubscriptionState
from curation.celery import app
from tests.factories import make_evidence_type
from tests.test_change_feed import write_a_day_of_curation

REDIS_TEST_URL = "redis://127.0.0.1:6379/14"
QUEUE = f"test-webhooks-{uuid.uuid4().hex}"
WEBHOOKS = "/api/v1/webhooks/"
FEED = "/api/v1/changes/"
README = Path(__file__).resolve().parent.parent / "README.md"


# --- a receiver on loopback ----------------------------------------------------------------

class Receiver:
    """An HTTP server in a thread that records every POST and fails the first `failing` ones
    (answering 500), or all of them while `failing` is None."""

    def __init__(self):
        self.requests: list[dict] = []
        self.failing: int | None = 0
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                with lock:
                    fail = receiver.failing is None or len(receiver.requests) < receiver.failing
                    receiver.requests.append({"status": 500 if fail else 204, "body": body,
                                              "headers": dict(self.headers)})
                self.send_response(500 if fail else 204)
                self.end_headers()

            def log_message(self, *args):
                pass

        lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def acknowledged(self) -> list[dict]:
        """The bodies of the POSTs answered 2xx, in the order they came."""
        return [json.loads(r["body"]) for r in self.requests if r["status"] == 204]

    def entries(self) -> list[dict]:
        return [entry for body in self.acknowledged() for entry in body["results"]]

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    receiver = Receiver()
    yield receiver
    receiver.close()


# --- the real broker and a real worker -----------------------------------------------------

def _use_broker(url, queue):
    app.conf.broker_url = url
    app.conf.task_default_queue = queue
    app.close()  # connections made for the previous broker
    app.__dict__.pop("amqp", None)  # its queues, declared for the previous default queue


@pytest.fixture
def broker(settings):
    """Redis database 14 as the broker, for a queue and locks of this run's own."""
    import redis

    client = redis.Redis.from_url(REDIS_TEST_URL, socket_connect_timeout=2)
    try:
        client.ping()
    except redis.RedisError as exc:
        if os.environ.get("CI") == "true":
            pytest.fail(f"Redis is not answering at {REDIS_TEST_URL}: {exc}")
        pytest.skip(f"Redis is not answering at {REDIS_TEST_URL}")
    settings.WEBHOOK_LOCK_PREFIX = f"{QUEUE}:lock:"
    settings.WEBHOOK_RETRY_SECONDS = 0.2
    settings.WEBHOOK_RETRY_MAX_SECONDS = 2
    settings.WEBHOOK_TIMEOUT_SECONDS = 5
    before = (app.conf.broker_url, app.conf.task_default_queue)
    _use_broker(REDIS_TEST_URL, QUEUE)
    yield client
    _use_broker(*before)
    keys = [key for key in client.scan_iter() if QUEUE.encode() in key]
    if keys:
        client.delete(*keys)
    client.close()


@pytest.fixture
def worker(role_groups, broker):
    with running_worker():
        yield


@contextmanager
def running_worker():
    from celery.contrib.testing.worker import start_worker

    import claims.tasks  # noqa: F401  (what `celery -A curation worker` finds by autodiscovery)

    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=30,
                      loglevel="WARNING"):
        yield


# The tests that run a worker (see the module's docstring).
with_worker = pytest.mark.postgres


def wait_for(condition, timeout=60.0, what="the deliveries"):
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} did not happen within {timeout} seconds")
        time.sleep(0.05)


def feed_as(api, user, after: str, kinds: str = "") -> list[dict]:
    params = {"after": after, "page_size": 1000, **({"kinds": kinds} if kinds else {})}
    return api.as_(user).get(FEED, params).json()["results"]


def caught_up(subscription_id, entries):
    """Whether the subscription's cursor has reached the last of these feed entries."""
    last = feed.decode(entries[-1]["cursor"])
    return lambda: Subscription.objects.get(pk=subscription_id).cursor == last


def readme_verify():
    """The signature check the README gives receivers, run as it is written there."""
    section = README.read_text(encoding="utf-8").split("\n## Webhooks\n", 1)[1].split("\n## ", 1)[0]
    code = re.search(r"```python\n(.*?)```", section, re.S)[1]
    namespace = {}
    exec(code, namespace)  # noqa: S102  (the README's own example)
    return namespace["verify"]


# --- delivery ------------------------------------------------------------------------------

@with_worker
def test_a_receiver_failing_at_first_gets_every_entry_in_feed_order_exactly_once(
        api, worker, personas, receiver, settings):
    settings.WEBHOOK_PAGE_SIZE = 4
    settings.WEBHOOK_PAGES_PER_RUN = 2  # several runs, each making way for the next
    receiver.failing = 3
    created = api.as_(personas.curator).post(WEBHOOKS, {"url": receiver.url}, format="json").json()

    write_a_day_of_curation(personas)
    expected = feed_as(api, personas.curator, created["cursor"])
    wait_for(caught_up(created["id"], expected))
    time.sleep(0.5)  # time for a page sent twice to arrive, were one to be

    received = receiver.entries()
    assert [e["cursor"] for e in received] == [e["cursor"] for e in expected]
    positions = [feed.decode(e["cursor"]) for e in received]
    assert positions == sorted(set(positions))  # strictly increasing: none repeated
    assert len(expected) > 2 * settings.WEBHOOK_PAGE_SIZE * settings.WEBHOOK_PAGES_PER_RUN
    assert [(e["kind"], e["uid"], e["action"]) for e in received] == [
        (e["kind"], e["uid"], e["action"]) for e in expected]
    # The three failed attempts carried the first page, which then came once, acknowledged.
    first_page = [json.loads(r["body"])["results"][0]["cursor"] for r in receiver.requests[:4]]
    assert [r["status"] for r in receiver.requests[:4]] == [500, 500, 500, 204]
    assert first_page == [expected[0]["cursor"]] * 4
    subscription = Subscription.objects.get(pk=created["id"])
    assert (subscription.state, subscription.consecutive_failures, subscription.last_error) == (
        SubscriptionState.ACTIVE, 0, "")
    assert subscription.last_delivery_at is not None


@with_worker
def test_each_delivery_is_signed_with_the_subscription_secret(api, worker, personas, receiver):
    created = api.as_(personas.curator).post(WEBHOOKS, {"url": receiver.url}, format="json").json()
    writes.create_paper(actor=personas.curator, data={"title": "Signed", "doi": "10.5555/sig.1"})
    wait_for(lambda: receiver.acknowledged())

    request = receiver.requests[0]
    header = request["headers"]["X-Curation-Signature"]
    verify = readme_verify()
    assert verify(created["secret"], header, request["body"])
    assert not verify("another secret", header, request["body"])
    assert not verify(created["secret"], header, request["body"].replace(b"Signed", b"Forged"))
    stamp = int(re.match(r"t=(\d+),", header)[1])
    assert abs(stamp - time.time()) < 60
    # Replayed later, the same request is refused by its timestamp.
    assert not verify(created["secret"], header, request["body"], now=stamp + 3600)


@with_worker
def test_a_subscription_that_keeps_failing_is_paused_and_the_admin_shows_it(
        api, client, worker, personas, receiver, settings):
    settings.WEBHOOK_MAX_FAILURES = 3
    receiver.failing = None
    subscription = webhooks.subscribe(owner=personas.curator, url=receiver.url)
    paper = writes.create_paper(actor=personas.curator, data={"title": "P", "doi": "10.5555/p.1"})
    wait_for(lambda: Subscription.objects.get(pk=subscription.pk).state == SubscriptionState.PAUSED)

    assert [r["status"] for r in receiver.requests] == [500, 500, 500]
    subscription.refresh_from_db()
    assert subscription.paused_reason == "3 deliveries failed in a row; the last: HTTP 500"
    client.force_login(personas.staff)
    changelist = client.get("/admin/claims/subscription/").content.decode()
    assert "paused: 3 deliveries failed in a row; the last: HTTP 500" in changelist

    # Paused means nothing is sent, however much is written.
    writes.update(paper, actor=personas.curator, data={"title": "P, revised"})
    time.sleep(1)
    assert len(receiver.requests) == 3

    # Resumed, it delivers everything it missed, from its cursor.
    receiver.failing = 0
    resumed = api.as_(personas.curator).post(f"{WEBHOOKS}{subscription.pk}/resume/")
    assert resumed.status_code == 200
    assert (resumed.json()["state"], resumed.json()["consecutive_failures"]) == ("active", 0)
    wait_for(lambda: len(receiver.entries()) == 2)
    assert [(e["uid"], e["action"]) for e in receiver.entries()] == [
        (str(paper.uid), "created"), (str(paper.uid), "updated")]


@with_worker
def test_only_the_kinds_asked_for_are_delivered(api, worker, personas, receiver):
    created = api.as_(personas.curator).post(
        WEBHOOKS, {"url": receiver.url, "kinds": ["review", "paper"]}, format="json").json()
    assert created["kinds"] == ["paper", "review"]
    write_a_day_of_curation(personas)
    expected = feed_as(api, personas.curator, created["cursor"], kinds="paper,review")
    wait_for(caught_up(created["id"], expected))

    received = receiver.entries()
    assert {e["kind"] for e in received} == {"paper", "review"}
    assert [e["cursor"] for e in received] == [e["cursor"] for e in expected]


@with_worker
def test_a_reader_subscription_never_carries_drafts(api, worker, personas, receiver):
    """Owned by a user without roles, it carries what an anonymous reader of the feed sees."""
    created = api.as_(personas.outsider).post(WEBHOOKS, {"url": receiver.url}, format="json").json()
    draft = writes.create_claim(actor=personas.curator, data={"text": "A draft nobody has seen"})
    writes.update(draft, actor=personas.curator, data={"context": "SOD1 mice"})
    writes.delete(draft, actor=personas.curator)
    accepted = writes.create_claim(actor=personas.curator, data={"text": "An accepted claim"})
    workflow.submit(accepted, personas.curator)
    workflow.review(accepted, personas.reviewer, "approve")
    expected = feed_as(api, None, created["cursor"])
    wait_for(caught_up(created["id"], expected))

    bodies = b"".join(r["body"] for r in receiver.requests)
    assert str(draft.uid).encode() not in bodies
    assert str(accepted.uid).encode() in bodies
    assert [e["cursor"] for e in receiver.entries()] == [e["cursor"] for e in expected]
    assert all(e["object"] is None or e["object"].get("status", "accepted") == "accepted"
               for e in receiver.entries() if e["kind"] == "claim")


@with_worker
def test_a_write_while_the_broker_is_down_still_succeeds_and_is_delivered_later(
        api, role_groups, broker, personas, receiver, caplog):
    subscription = webhooks.subscribe(owner=personas.curator, url=receiver.url)
    _use_broker("redis://127.0.0.1:1/0", QUEUE)  # nothing listens there
    try:
        started = time.monotonic()
        response = api.as_(personas.curator).post("/api/v1/papers/", {
            "title": "Written while the broker was down", "doi": "10.5555/down.1"}, format="json")
        took = time.monotonic() - started
    finally:
        _use_broker(REDIS_TEST_URL, QUEUE)
    assert response.status_code == 201
    assert took < 10
    assert "Webhook deliveries not enqueued" in caplog.text

    with running_worker():
        writes.create_paper(actor=personas.curator, data={"title": "Later", "doi": "10.5555/up.1"})
        wait_for(lambda: len(receiver.entries()) == 2)
    assert [e["object"]["title"] for e in receiver.entries()] == [
        "Written while the broker was down", "Later"]
    assert Subscription.objects.get(pk=subscription.pk).cursor == webhooks.feed_end()


@pytest.mark.django_db
def test_a_delivery_run_sends_pages_in_order_and_a_failure_waits_for_its_retry(
        broker, personas, receiver, settings):
    """The delivery a worker runs, called directly: on any database."""
    settings.WEBHOOK_PAGE_SIZE = 3
    settings.WEBHOOK_MAX_FAILURES = 3
    subscription = webhooks.subscribe(owner=personas.curator, url=receiver.url)
    papers = [writes.create_paper(actor=personas.curator,
                                  data={"title": f"P{n}", "doi": f"10.5555/run.{n}"}) for n in range(7)]
    receiver.failing = 1

    with pytest.raises(push.NotAcknowledged) as failure:
        push.deliver(subscription.pk)
    assert failure.value.delay == settings.WEBHOOK_RETRY_SECONDS
    subscription.refresh_from_db()
    assert (subscription.consecutive_failures, subscription.last_error) == (1, "HTTP 500")
    assert not push.deliver(subscription.pk)  # a kick while the retry is due later: nothing
    assert len(receiver.requests) == 1

    assert not push.deliver(subscription.pk, retrying=True)
    assert [len(body["results"]) for body in receiver.acknowledged()] == [3, 3, 1]
    assert [e["uid"] for e in receiver.entries()] == [str(p.uid) for p in papers]
    subscription.refresh_from_db()
    assert (subscription.cursor, subscription.consecutive_failures) == (webhooks.feed_end(), 0)

    receiver.failing = None
    writes.create_paper(actor=personas.curator, data={"title": "P7", "doi": "10.5555/run.7"})
    for delay in (0.2, 0.4):
        with pytest.raises(push.NotAcknowledged) as failure:
            push.deliver(subscription.pk, retrying=True)
        assert failure.value.delay == delay
    assert not push.deliver(subscription.pk, retrying=True)  # the third failure pauses it
    subscription.refresh_from_db()
    assert subscription.state == SubscriptionState.PAUSED
    assert not push.deliver(subscription.pk, retrying=True)
    assert len(receiver.requests) == 1 + 3 + 3


@pytest.mark.django_db
def test_a_worker_that_gets_the_lock_after_another_does_not_send_its_pages_again(
        broker, personas, receiver, monkeypatch):
    subscription = webhooks.subscribe(owner=personas.curator, url=receiver.url)
    for n in range(3):
        writes.create_paper(actor=personas.curator, data={"title": f"P{n}", "doi": f"10.5555/two.{n}"})
    lock = webhooks.delivery_lock

    @contextmanager
    def taken_after_another_worker(subscription_id):
        # The other worker held the lock until now: it delivered everything, then let go.
        monkeypatch.setattr(webhooks, "delivery_lock", lock)
        assert not push.deliver(subscription_id)
        with lock(subscription_id) as held:
            yield held

    monkeypatch.setattr(webhooks, "delivery_lock", taken_after_another_worker)
    assert not push.deliver(subscription.pk)
    assert len(receiver.requests) == 1
    assert len(receiver.entries()) == 3

    with lock(subscription.pk):  # held by another worker now: this one leaves it alone
        writes.create_paper(actor=personas.curator, data={"title": "P3", "doi": "10.5555/two.3"})
        assert not push.deliver(subscription.pk)
    assert len(receiver.requests) == 1


@pytest.mark.django_db
def test_without_a_broker_writes_send_nothing_and_do_not_fail(api, personas, receiver,
                                                              django_capture_on_commit_callbacks):
    """As under `make run`: no REDIS_URL, no broker, nothing sent, nothing waited for."""
    assert not app.conf.broker_url
    webhooks.subscribe(owner=personas.curator, url=receiver.url)
    with django_capture_on_commit_callbacks(execute=True):
        response = api.as_(personas.curator).post("/api/v1/papers/", {
            "title": "Local", "doi": "10.5555/local.1"}, format="json")
    assert response.status_code == 201
    assert receiver.requests == []
    assert webhooks.enqueue([1, 2]) == 0


def test_one_committed_transaction_kicks_the_workers_once_and_a_rolled_back_one_never(
        role_groups, personas, monkeypatch):
    kicks = []
    monkeypatch.setattr(webhooks, "broker_configured", lambda: True)
    monkeypatch.setattr(webhooks, "_kick_due", lambda: kicks.append("kick"))
    kind = make_evidence_type()
    with transaction.atomic():
        claim = writes.create_claim(actor=personas.curator, data={"text": "Sigma-1R claim"})
        for n in range(3):  # evidence is recorded with its claim: seven entries in all
            paper = writes.create_paper(actor=personas.curator,
                                        data={"title": f"P{n}", "doi": f"10.5555/once.{n}"})
            writes.create_evidence(actor=personas.curator, data={
                "claim": claim, "paper": paper, "evidence_type": kind, "direction": "supports"})
    assert kicks == ["kick"]

    with transaction.atomic():
        try:
            with transaction.atomic():
                writes.create_paper(actor=personas.curator, data={"title": "Undone",
                                                                  "doi": "10.5555/undone.1"})
                raise RuntimeError
        except RuntimeError:
            pass
    assert kicks == ["kick"]  # its entries were rolled back: nothing new to deliver

    with transaction.atomic():
        writes.create_paper(actor=personas.curator, data={"title": "Kept", "doi": "10.5555/kept.1"})
        try:
            with transaction.atomic():
                writes.create_paper(actor=personas.curator, data={"title": "Undone",
                                                                  "doi": "10.5555/undone.2"})
                raise RuntimeError
        except RuntimeError:
            pass
    assert kicks == ["kick", "kick"]


# --- the API -------------------------------------------------------------------------------

@pytest.mark.django_db
def test_the_secret_is_given_on_creation_only(api, personas):
    created = api.as_(personas.curator).post(WEBHOOKS, {"url": "https://tool.example/hook"},
                                             format="json")
    assert created.status_code == 201
    body = created.json()
    assert len(body["secret"]) >= 32
    assert body["secret"] == Subscription.objects.get(pk=body["id"]).secret
    assert body["kinds"] == ["claim", "evidence", "paper", "review"]
    assert body["state"] == "active"
    listed = api.as_(personas.curator).get(WEBHOOKS).json()["results"]
    detail = api.as_(personas.curator).get(f"{WEBHOOKS}{body['id']}/").json()
    assert "secret" not in listed[0] and "secret" not in detail
    assert body["secret"] not in json.dumps([listed, detail])


@pytest.mark.django_db
def test_a_new_subscription_starts_at_the_feeds_end_unless_asked_from_the_start(api, personas):
    writes.create_paper(actor=personas.curator, data={"title": "Old news", "doi": "10.5555/old.1"})
    now = api.as_(personas.curator).post(WEBHOOKS, {"url": "https://a.example/"}, format="json").json()
    everything = api.as_(personas.curator).post(
        WEBHOOKS, {"url": "https://b.example/", "from_start": True}, format="json").json()
    assert feed.decode(now["cursor"]) == webhooks.feed_end() > 0
    assert feed.decode(everything["cursor"]) == 0


@pytest.mark.django_db
def test_users_see_and_change_only_their_own_subscriptions(api, personas):
    mine = webhooks.subscribe(owner=personas.curator, url="https://mine.example/")
    theirs = webhooks.subscribe(owner=personas.reviewer, url="https://theirs.example/")
    as_curator = api.as_(personas.curator)
    assert [s["id"] for s in as_curator.get(WEBHOOKS).json()["results"]] == [mine.pk]
    for method in ("get", "patch", "delete"):
        assert getattr(as_curator, method)(f"{WEBHOOKS}{theirs.pk}/").status_code == 404
    assert as_curator.post(f"{WEBHOOKS}{theirs.pk}/resume/").status_code == 404
    assert as_curator.patch(f"{WEBHOOKS}{mine.pk}/", {"kinds": ["claim"]},
                            format="json").json()["kinds"] == ["claim"]
    assert as_curator.delete(f"{WEBHOOKS}{mine.pk}/").status_code == 204
    assert list(Subscription.objects.all()) == [theirs]
    assert api.as_(None).get(WEBHOOKS).status_code in (401, 403)
    assert api.as_(None).post(WEBHOOKS, {"url": "https://x.example/"},
                              format="json").status_code in (401, 403)


@pytest.mark.django_db
@pytest.mark.parametrize("body, field", [
    ({"url": "ftp://files.example/hook"}, "url"),
    ({"url": "javascript:alert(1)"}, "url"),
    ({"url": "not a url"}, "url"),
    ({}, "url"),
    ({"url": "https://tool.example/", "kinds": ["claim", "widget"]}, "kinds"),
    ({"url": "https://tool.example/", "kinds": []}, "kinds"),
    ({"url": "https://tool.example/", "kinds": "claim"}, "kinds"),
    ({"url": "https://tool.example/", "kinds": [1]}, "kinds"),
])
def test_bad_input_is_a_400_naming_the_field_and_creates_nothing(api, personas, body, field):
    response = api.as_(personas.curator).post(WEBHOOKS, body, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert not Subscription.objects.exists()


@pytest.mark.django_db
def test_a_bad_edit_changes_nothing(api, personas):
    subscription = webhooks.subscribe(owner=personas.curator, url="https://tool.example/")
    url = f"{WEBHOOKS}{subscription.pk}/"
    as_curator = api.as_(personas.curator)
    assert as_curator.patch(url, {"url": "ftp://x.example/"}, format="json").status_code == 400
    assert as_curator.patch(url, {"kinds": ["widget"]}, format="json").status_code == 400
    refused = as_curator.patch(url, {"from_start": True}, format="json")
    assert refused.status_code == 400 and "from_start" in refused.json()
    subscription.refresh_from_db()
    assert (subscription.url, subscription.kinds) == ("https://tool.example/",
                                                      ["claim", "evidence", "paper", "review"])


# --- the admin -----------------------------------------------------------------------------

@pytest.mark.django_db
def test_the_admin_shows_the_secret_once_and_pauses_and_resumes(client, personas):
    client.force_login(personas.staff)
    added = client.post("/admin/claims/subscription/add/", {
        "owner": personas.curator.pk, "url": "https://tool.example/hook",
        "kinds": ["claim", "paper"]}, follow=True)
    subscription = Subscription.objects.get()
    assert subscription.secret in added.content.decode()
    assert subscription.kinds == ["claim", "paper"] and subscription.owner == personas.curator
    change = client.get(f"/admin/claims/subscription/{subscription.pk}/change/")
    assert change.status_code == 200 and subscription.secret not in change.content.decode()

    client.post("/admin/claims/subscription/", {"action": "pause_selected",
                                                "_selected_action": [subscription.pk]})
    subscription.refresh_from_db()
    assert (subscription.state, subscription.paused_reason) == ("paused", "Paused by staff.")
    assert "paused: Paused by staff." in client.get("/admin/claims/subscription/").content.decode()
    client.post("/admin/claims/subscription/", {"action": "resume_selected",
                                                "_selected_action": [subscription.pk]})
    subscription.refresh_from_db()
    assert (subscription.state, subscription.paused_reason) == ("active", "")
