"""Webhooks go to public addresses only (claims/destinations.py): a signed-in user cannot make
the service POST into its own network, by name or by address, at registration or later; and a
subscription's secret can be replaced."""

import pytest

from claims import webhooks, writes
from claims.api import push
from claims.models import Subscription
from tests.test_webhooks import QUEUE, Receiver, broker  # noqa: F401  (a fixture)

pytestmark = pytest.mark.django_db

WEBHOOKS = "/api/v1/webhooks/"


@pytest.fixture
def public_only(settings):
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = False
    return settings


@pytest.fixture
def redis_broker(request):
    """The broker fixture's Redis client (Redis database 14, a queue of this run's own)."""
    return request.getfixturevalue("broker")


@pytest.fixture
def receiver():
    receiver = Receiver()
    yield receiver
    receiver.close()


@pytest.mark.parametrize("url", [
    "http://127.0.0.1:6379/", "http://localhost/hook", "http://[::1]/hook",
    "http://10.0.0.5/hook", "http://192.168.1.1/hook", "http://172.16.0.1/hook",
    "http://169.254.169.254/latest/meta-data/", "http://0.0.0.0/hook",
    "http://[::ffff:127.0.0.1]/hook", "http://100.64.0.1/hook",
])
def test_a_private_or_local_destination_is_refused_and_nothing_is_registered(
        api, personas, public_only, url):
    answer = api.as_(personas.curator).post(WEBHOOKS, {"url": url}, format="json")

    assert answer.status_code == 400
    assert "public addresses only" in answer.json()["url"][0]
    assert not Subscription.objects.exists()


def test_a_public_address_is_registered(api, personas, public_only):
    answer = api.as_(personas.curator).post(WEBHOOKS, {"url": "https://1.1.1.1/hook"}, format="json")
    assert answer.status_code == 201
    # Stored as sent, for the caller: a 201 alone does not say the subscription exists.
    (stored,) = Subscription.objects.all()
    assert (stored.owner, stored.url) == (personas.curator, "https://1.1.1.1/hook")
    assert answer.json()["id"] == stored.pk


def test_an_edit_cannot_point_a_subscription_inside(api, personas, public_only):
    subscription = webhooks.subscribe(owner=personas.curator, url="https://1.1.1.1/hook")
    answer = api.as_(personas.curator).patch(f"{WEBHOOKS}{subscription.pk}/",
                                             {"url": "http://127.0.0.1:5432/"}, format="json")
    assert answer.status_code == 400 and "url" in answer.json()
    subscription.refresh_from_db()
    assert subscription.url == "https://1.1.1.1/hook"


def test_the_admin_form_names_the_refused_url(client, personas, public_only):
    client.force_login(personas.staff)
    answer = client.post("/admin/claims/subscription/add/", {
        "owner": personas.curator.pk, "url": "http://169.254.169.254/", "kinds": ["claim"]})
    assert answer.status_code == 200
    assert "public addresses only" in answer.content.decode()
    assert not Subscription.objects.exists()


@pytest.mark.usefixtures("broker")
def test_delivery_dials_no_private_address_even_for_a_url_accepted_before(
        personas, receiver, settings):
    # Registered while the deployment allowed its own network (or a name that resolved outside
    # then and inside now): the connection itself is checked.
    subscription = webhooks.subscribe(owner=personas.curator, url=receiver.url)
    writes.create_paper(actor=personas.curator, data={"title": "P", "doi": "10.5555/dest.1"})
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = False

    with pytest.raises(push.NotAcknowledged):
        push.deliver(subscription.pk)

    subscription.refresh_from_db()
    assert "private or local address" in subscription.last_error
    assert receiver.requests == []


@pytest.mark.usefixtures("broker")
def test_a_rotated_secret_is_shown_once_and_signs_the_next_delivery(api, personas, receiver):
    created = api.as_(personas.curator).post(WEBHOOKS, {"url": receiver.url}, format="json").json()
    other = api.as_(personas.other_curator).post(f"{WEBHOOKS}{created['id']}/rotate-secret/")
    assert other.status_code == 404

    rotated = api.as_(personas.curator).post(f"{WEBHOOKS}{created['id']}/rotate-secret/")

    assert rotated.status_code == 200
    secret = rotated.json()["secret"]
    assert secret and secret != created["secret"]
    assert "secret" not in api.as_(personas.curator).get(f"{WEBHOOKS}{created['id']}/").json()
    writes.create_paper(actor=personas.curator, data={"title": "P", "doi": "10.5555/dest.2"})
    assert not push.deliver(created["id"])
    header = receiver.requests[0]["headers"][webhooks.SIGNATURE_HEADER]
    timestamp = int(header.split(",")[0].removeprefix("t="))
    body = receiver.requests[0]["body"]
    assert header == webhooks.signature(secret, body, timestamp)
    assert header != webhooks.signature(created["secret"], body, timestamp)

def test_the_admin_rotates_one_subscriptions_secret(client, personas):
    subscription = webhooks.subscribe(owner=personas.curator, url="https://1.1.1.1/hook")
    old = subscription.secret
    client.force_login(personas.staff)
    answer = client.post("/admin/claims/subscription/", {
        "action": "rotate_secret", "_selected_action": [subscription.pk]}, follow=True)
    subscription.refresh_from_db()
    assert subscription.secret != old
    assert subscription.secret in answer.content.decode()


def test_the_sweep_kicks_only_subscriptions_with_entries_waiting(redis_broker, personas):
    # What a lost task message leaves: entries past a cursor and no task queued for them.
    waiting = webhooks.subscribe(owner=personas.curator, url="https://1.1.1.1/waiting")
    paused = webhooks.subscribe(owner=personas.curator, url="https://1.1.1.1/paused")
    webhooks.pause(paused, "Paused by staff.")
    writes.create_paper(actor=personas.curator, data={"title": "P", "doi": "10.5555/sweep.1"})
    webhooks.subscribe(owner=personas.curator, url="https://1.1.1.1/up-to-date")
    queued = redis_broker.llen(QUEUE)

    assert webhooks.sweep() == 1
    assert redis_broker.llen(QUEUE) == queued + 1

    webhooks.delivered(waiting, webhooks.feed_end())
    assert webhooks.sweep() == 0


def test_the_workers_beat_runs_the_sweep():
    import claims.tasks  # noqa: F401  (registers the tasks, as the worker's autodiscovery does)
    from curation.celery import app

    schedule = app.conf.beat_schedule["webhook-sweep"]
    assert schedule["task"] in app.tasks
    assert schedule["schedule"] == 60
