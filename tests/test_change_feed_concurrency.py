"""The classic trap of change feeds, on PostgreSQL: two overlapping writes, the one that
started second trying to commit first. Positions follow commit order, so a reader that has
passed a position never finds an older one appearing behind it."""

import threading

import pytest
from django.db import connection, transaction

from claims import writes
from tests.factories import make_claim

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True),
              pytest.mark.usefixtures("role_groups")]

FEED = "/api/v1/changes/"


def in_thread(work):
    done, failed = threading.Event(), []

    def run():
        try:
            work()
        except Exception as exc:  # reported by the test
            failed.append(exc)
        finally:
            connection.close()
            done.set()

    thread = threading.Thread(target=run)
    thread.start()
    return thread, done, failed


def test_a_write_that_starts_second_cannot_commit_before_the_first(api, personas):
    first, second = (make_claim(created_by=personas.curator) for _ in range(2))
    start = api.as_(personas.curator).get(FEED, {"page_size": 1000}).json()["next"]
    first_wrote, let_first_commit = threading.Event(), threading.Event()

    def slow_edit():
        with transaction.atomic():
            writes.update(first, actor=personas.curator, data={"context": "first"})
            first_wrote.set()
            assert let_first_commit.wait(10)

    slow, slow_done, slow_failed = in_thread(slow_edit)
    assert first_wrote.wait(10)
    quick, quick_done, quick_failed = in_thread(
        lambda: writes.update(second, actor=personas.curator, data={"context": "second"}))

    # The second write, which would have committed at once, waits for the first.
    assert not quick_done.wait(1.0)
    seen_meanwhile = api.as_(personas.curator).get(FEED, {"after": start}).json()
    assert seen_meanwhile["results"] == []

    let_first_commit.set()
    slow.join(10)
    quick.join(10)
    assert not (slow_failed or quick_failed), slow_failed + quick_failed

    page = api.as_(personas.curator).get(FEED, {"after": seen_meanwhile["next"]}).json()
    contexts = [e["object"]["context"] for e in page["results"] if e["kind"] == "claim"]
    assert contexts == ["first", "second"]


def test_a_reader_between_two_commits_continues_without_a_gap(api, personas):
    claims = [make_claim(created_by=personas.curator) for _ in range(6)]
    cursor = api.as_(personas.curator).get(FEED, {"page_size": 1000}).json()["next"]
    seen = []
    barrier = threading.Barrier(len(claims))

    def edit(claim, n):
        def work():
            barrier.wait(10)
            writes.update(claim, actor=personas.curator, data={"context": f"edit {n}"})
        return work

    threads = [in_thread(edit(claim, n)) for n, claim in enumerate(claims)]
    # Read while the writers race each other; every read continues from the last cursor.
    while not all(done.is_set() for _, done, _ in threads):
        page = api.as_(personas.curator).get(FEED, {"after": cursor}).json()
        seen += [e["uid"] for e in page["results"]]
        cursor = page["next"]
    for thread, _, failed in threads:
        thread.join(10)
        assert not failed, failed
    page = api.as_(personas.curator).get(FEED, {"after": cursor}).json()
    seen += [e["uid"] for e in page["results"]]

    assert sorted(seen) == sorted(str(c.uid) for c in claims)
