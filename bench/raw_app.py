"""The raw baseline: the API's anonymous reads answered by hand-written SQL through psycopg2.

    gunicorn bench.raw_app:application

DATABASE_URL names the database. RAW_EVIDENCE_FILTERS=each reads ?evidence_type= and
?direction= as the API did before they applied to one evidence item together.

Each request runs one SQL statement that builds the whole JSON body in PostgreSQL
(row_to_json / array_to_json, which print compact JSON); Python only wraps the page
envelope around it. One connection per worker process, opened on its first request and
kept. The paths are the API's, so the same wrk scripts and crawler drive both servers.
Every response says how many queries it ran in an X-Raw-Queries header.
"""

import base64
import binascii
import json
import math
import os
import re
from urllib.parse import parse_qsl, urlencode

import psycopg2

from bench.raw_feed import changes_page
from bench.raw_sql import (
    CLAIM_COLUMNS,
    CLAIM_JOINS,
    PAPERS_JSON,
    PUBLIC_CLAIMS,
    PUBLIC_EVIDENCE,
    claims_json,
)

PAGE_SIZE, MAX_PAGE_SIZE = 50, 500


# Full-text search, as the API's reads define it: a claim matches on its own words or on
# the excerpt or paper title of evidence a reader sees; it ranks by ts_rank over its own
# document. The documents are the stored, GIN-indexed search_document columns where the
# schema has them (migration 0004), else the same expressions computed on the fly.
DOCUMENTS = {
    "claims_claim": "setweight(to_tsvector('english', coalesce({t}.text, '')), 'A') || "
                    "setweight(to_tsvector('english', coalesce({t}.subject, '') || ' ' || "
                    "coalesce({t}.object, '') || ' ' || coalesce({t}.context, '')), 'B')",
    "claims_evidence": "to_tsvector('english', coalesce({t}.excerpt, ''))",
    "claims_paper": "to_tsvector('english', coalesce({t}.title, ''))",
}


def search_matches(stored: bool) -> str:
    def doc(table, alias):
        return f"{alias}.search_document" if stored else f"({DOCUMENTS[table].format(t=alias)})"

    return f"""
    WITH q AS (SELECT plainto_tsquery('english', %(search)s) AS q),
    ids AS (
        SELECT c.id FROM claims_claim c, q WHERE {doc('claims_claim', 'c')} @@ q.q
        UNION
        SELECT e.claim_id FROM claims_evidence e, q
        WHERE e.status = {PUBLIC_EVIDENCE} AND {doc('claims_evidence', 'e')} @@ q.q
        UNION
        SELECT e.claim_id FROM claims_evidence e JOIN claims_paper pa ON pa.id = e.paper_id, q
        WHERE e.status = {PUBLIC_EVIDENCE} AND {doc('claims_paper', 'pa')} @@ q.q)
    SELECT c.*, ts_rank({doc('claims_claim', 'c')}, q.q) AS rank
    FROM claims_claim c JOIN ids ON ids.id = c.id, q
    WHERE c.status IN {PUBLIC_CLAIMS}"""


def claim_filters(params: dict, one_item: bool) -> tuple[str, dict]:
    """ClaimFilter's evidence_type and direction over visible evidence: one evidence item
    meets both (one_item, the API's meaning now), or each is met by any item (its earlier one)."""
    conditions, args = [], {}
    if params.get("evidence_type"):
        # The type given by code and its descendants in the ECO is_a tree (claims/filters.py).
        conditions.append("e.evidence_type_id IN (WITH RECURSIVE subtree(id) AS ("
                          "SELECT id FROM claims_evidencetype WHERE code = %(evidence_type)s "
                          "UNION SELECT child.id FROM claims_evidencetype child "
                          "JOIN subtree ON child.parent_id = subtree.id) SELECT id FROM subtree)")
        args["evidence_type"] = params["evidence_type"]
    if params.get("direction"):
        conditions.append("e.direction = %(direction)s")
        args["direction"] = params["direction"]
    groups = [conditions] if one_item else [[c] for c in conditions]
    where = [f"c.status IN {PUBLIC_CLAIMS}"] + [
        f"EXISTS (SELECT 1 FROM claims_evidence e WHERE e.claim_id = c.id "
        f"AND e.status = {PUBLIC_EVIDENCE} AND {' AND '.join(group)})" for group in groups if group]
    return " AND ".join(where), args


def encode_cursor(last_id: int) -> str:
    return base64.urlsafe_b64encode(f"id:{last_id}".encode()).decode().rstrip("=")


def decode_cursor(token: str) -> int:
    """0 for an empty token (the first page); ValueError for anything but id:<digits>."""
    if not token:
        return 0
    try:
        text = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode("ascii")
    except (binascii.Error, UnicodeDecodeError):
        raise ValueError(token) from None
    match = re.fullmatch(r"id:([0-9]{1,18})", text)
    if not match:
        raise ValueError(token)
    return int(match.group(1))


class NotFound(Exception):
    pass


class Database:
    """One persistent autocommit connection per worker process; counts the queries it runs."""

    def __init__(self, dsn: str):
        self.dsn = dsn
        self.conn = None
        self.queries = 0
        self.stored_documents = False  # the schema's search_document columns (migration 0004)

    def one(self, sql: str, args: dict) -> tuple | None:
        for attempt in (1, 2):
            try:
                if self.conn is None or self.conn.closed:
                    self.connect()
                self.queries += 1
                with self.conn.cursor() as cursor:
                    cursor.execute(sql, args)
                    return cursor.fetchone()
            except (psycopg2.OperationalError, psycopg2.InterfaceError):
                self.conn = None
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def connect(self):
        """Open the worker's connection and learn once whether search documents are stored."""
        self.conn = psycopg2.connect(self.dsn)
        self.conn.autocommit = True
        with self.conn.cursor() as cursor:
            cursor.execute("SELECT count(*) = 3 FROM pg_attribute WHERE attname = 'search_document' "
                           "AND NOT attisdropped AND attrelid IN (to_regclass('claims_claim'), "
                           "to_regclass('claims_evidence'), to_regclass('claims_paper'))")
            self.stored_documents = cursor.fetchone()[0]


def page_size_of(params: dict) -> int:
    try:
        size = int(params.get("page_size", ""))
    except ValueError:
        return PAGE_SIZE
    return min(size, MAX_PAGE_SIZE) if size > 0 else PAGE_SIZE


def page_envelope(base_url: str, params: dict, page: int, size: int, count: int,
                  results: str) -> str:
    """DRF's PageNumberPagination envelope around a JSON array of results."""
    pages = max(1, math.ceil(count / size))
    if page > pages:
        raise NotFound()

    def link(number):
        query = {k: v for k, v in params.items() if k != "page"}
        if number != 1:
            query["page"] = str(number)
        return f"{base_url}?{urlencode(sorted(query.items()))}" if query else base_url

    following = json.dumps(link(page + 1)) if page < pages else "null"
    preceding = json.dumps(link(page - 1)) if page > 1 else "null"
    return f'{{"count":{count},"next":{following},"previous":{preceding},"results":{results}}}'


class RawApp:
    def __init__(self, dsn: str, one_item_filters: bool = True):
        self.db = Database(dsn)
        self.one_item_filters = one_item_filters

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        params = dict(parse_qsl(environ.get("QUERY_STRING", ""), keep_blank_values=True))
        host = environ.get("HTTP_HOST") or environ.get("SERVER_NAME", "localhost")
        base_url = f"http://{host}{path}"
        self.db.queries = 0
        try:
            body = self.route(path, params, base_url)
            status = "200 OK"
        except NotFound:
            body, status = '{"detail":"Not found."}', "404 Not Found"
        except ValueError:
            body, status = '{"detail":"Invalid cursor."}', "404 Not Found"
        data = body.encode()
        start_response(status, [("Content-Type", "application/json"),
                                ("Content-Length", str(len(data))),
                                ("X-Raw-Queries", str(self.db.queries))])
        return [data]

    def route(self, path: str, params: dict, base_url: str) -> str:
        if path == "/healthz":
            self.db.one("SELECT 1", {})
            return '{"status":"ok","database":"postgresql"}'
        if path == "/api/v1/claims/":
            if "cursor" in params:
                return self.claims_after(params, base_url)
            if params.get("search"):
                return self.claims_search(params, base_url)
            return self.claims_page(params, base_url)
        match = re.fullmatch(r"/api/v1/claims/([0-9]{1,18})/", path)
        if match:
            return self.claim(int(match.group(1)))
        if path == "/api/v1/papers/":
            return self.papers_page(params, base_url)
        if path == "/api/v1/changes/":
            return changes_page(self.db, params)
        raise NotFound()

    @staticmethod
    def page_of(params: dict) -> tuple[int, int]:
        page = params.get("page", "1")
        if not (page.isascii() and page.isdigit()) or int(page) < 1:
            raise NotFound()
        return int(page), page_size_of(params)

    def claims_page(self, params: dict, base_url: str) -> str:
        page, size = self.page_of(params)
        where, args = claim_filters(params, self.one_item_filters)
        shown = (f"SELECT c.* FROM claims_claim c WHERE {where} "
                 "ORDER BY c.updated_at DESC, c.id DESC LIMIT %(limit)s OFFSET %(offset)s")
        sql = (f"SELECT (SELECT count(*) FROM claims_claim c WHERE {where}), "
               f"{claims_json(shown, 'c.updated_at DESC, c.id DESC')}::text")
        count, results = self.db.one(sql, {**args, "limit": size, "offset": (page - 1) * size})
        return page_envelope(base_url, params, page, size, count, results)

    def claims_search(self, params: dict, base_url: str) -> str:
        page, size = self.page_of(params)
        shown = ("SELECT * FROM matches ORDER BY rank DESC, updated_at DESC, id DESC "
                 "LIMIT %(limit)s OFFSET %(offset)s")
        sql = (f"WITH matches AS MATERIALIZED ({search_matches(self.db.stored_documents)}) "
               f"SELECT (SELECT count(*) FROM matches), "
               f"{claims_json(shown, 'c.rank DESC, c.updated_at DESC, c.id DESC')}::text")
        count, results = self.db.one(sql, {"search": params["search"], "limit": size,
                                           "offset": (page - 1) * size})
        return page_envelope(base_url, params, page, size, count, results)

    def claims_after(self, params: dict, base_url: str) -> str:
        """Keyset pages by id: {"next": <url with cursor=base64url("id:<last id>")>, "results"}."""
        after, size = decode_cursor(params["cursor"]), page_size_of(params)
        sql = (f"WITH page AS MATERIALIZED (SELECT * FROM claims_claim c WHERE c.status IN "
               f"{PUBLIC_CLAIMS} AND c.id > %(after)s ORDER BY c.id LIMIT %(limit)s + 1), "
               "shown AS (SELECT * FROM page ORDER BY id LIMIT %(limit)s) "
               "SELECT (SELECT count(*) FROM page) > %(limit)s, (SELECT max(id) FROM shown), "
               f"{claims_json('SELECT * FROM shown', 'c.id')}::text")
        more, last, results = self.db.one(sql, {"after": after, "limit": size})
        following = "null"
        if more:
            query = {**params, "cursor": encode_cursor(last)}
            following = json.dumps(f"{base_url}?{urlencode(sorted(query.items()))}")
        return f'{{"next":{following},"results":{results}}}'

    def claim(self, claim_id: int) -> str:
        sql = (f"SELECT row_to_json(r)::text FROM (SELECT {CLAIM_COLUMNS} FROM claims_claim c "
               f"{CLAIM_JOINS} WHERE c.id = %(id)s AND c.status IN {PUBLIC_CLAIMS}) r")
        row = self.db.one(sql, {"id": claim_id})
        if row is None:
            raise NotFound()
        return row[0]

    def papers_page(self, params: dict, base_url: str) -> str:
        page, size = self.page_of(params)
        sql = f"SELECT (SELECT count(*) FROM claims_paper), {PAPERS_JSON}::text"
        count, results = self.db.one(sql, {"limit": size, "offset": (page - 1) * size})
        return page_envelope(base_url, params, page, size, count, results)


application = RawApp(os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres"),
                     one_item_filters=os.environ.get("RAW_EVIDENCE_FILTERS", "one-item") != "each")
