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


@dataclass
class Download:
    status: int
    seconds: float  # from sending the request to the last byte
    first_byte: float  # seconds until the first byte of the body
    size: int
    kinds: dict  # JSON Lines records by kind


def download(port: int, path: str, chunk: int = 1 << 16) -> Download:
    """One request read to its end as it streams, its JSON Lines records counted by kind."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    try:
        began = time.perf_counter()
        conn.request("GET", path)
        response = conn.getresponse()
        first_byte, size, kinds, rest = None, 0, {}, b""
        while block := response.read1(chunk):
            first_byte = first_byte or time.perf_counter() - began
            size += len(block)
            *lines, rest = (rest + block).split(b"\n")
            for line in lines:  # every record starts {"kind":"<name>"
                kind = line[9:line.find(b'"', 9)].decode()
                kinds[kind] = kinds.get(kind, 0) + 1
        return Download(response.status, time.perf_counter() - began, first_byte or 0.0, size,
                        kinds)
    finally:
        conn.close()
