"""A small HTTP client for the content checks and the crawl: one keep-alive connection."""

import http.client
import json
import time
from dataclasses import dataclass
from urllib.parse import urlsplit


@dataclass
class Response:
    status: int
    body: bytes
    queries: int | None  # the raw app says how many queries it ran; the app does not

    def json(self):
        return json.loads(self.body)


class Client:
    def __init__(self, port: int, host: str = "127.0.0.1", timeout: float = 120):
        self.conn = http.client.HTTPConnection(host, port, timeout=timeout)

    def get(self, path: str) -> Response:
        self.conn.request("GET", path, headers={"Accept": "application/json"})
        response = self.conn.getresponse()
        body = response.read()
        queries = response.getheader("X-Raw-Queries")
        return Response(response.status, body, int(queries) if queries else None)

    def close(self):
        self.conn.close()


def path_of(url: str) -> str:
    """The path and query of an absolute URL, as the next request sends it."""
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}" if parts.query else parts.path


@dataclass
class Crawl:
    seconds: float  # time spent in requests and in parsing their JSON, nothing else
    pages: int
    claims: int
    keyset: bool  # False when the server answered with page numbers (it has "count")
    digests: dict  # claim id -> canonical JSON, for the content check
    error: str = ""


def crawl(port: int, start: str, digest) -> Crawl:
    """Follow `next` from `start` to the end, one request at a time on one connection."""
    client = Client(port)
    seconds, pages, keyset, digests, path = 0.0, 0, True, {}, start
    try:
        while path:
            began = time.perf_counter()
            response = client.get(path)
            if response.status != 200:
                return Crawl(seconds, pages, len(digests), keyset, digests,
                             f"HTTP {response.status} at {path}")
            page = response.json()
            seconds += time.perf_counter() - began
            pages += 1
            keyset = keyset and "count" not in page
            for claim in page["results"]:
                digests[claim["id"]] = digest(claim)
            path = path_of(page["next"]) if page["next"] else None
    finally:
        client.close()
    return Crawl(seconds, pages, len(digests), keyset, digests)
