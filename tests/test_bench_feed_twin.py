"""The benchmark's raw change feed speaks the API's cursors, so wrk and the content check can
follow either server's `next` into the other's feed."""

import pytest

from bench import cases, raw_feed
from claims.api import feed


@pytest.mark.parametrize("position", [0, 1, 99, 123_456, 9_223_372_036_854_775_807])
def test_cursors_are_the_apis(position):
    assert raw_feed.encode(position) == feed.encode(position) == cases.feed_cursor(position)
    assert raw_feed.decode(feed.encode(position)) == position


@pytest.mark.parametrize("token", ["aWQ6MTI", "not base64!", "ZmVlZDp4"])
def test_a_cursor_that_is_not_the_feeds_is_refused(token):
    with pytest.raises(ValueError):
        raw_feed.decode(token)
