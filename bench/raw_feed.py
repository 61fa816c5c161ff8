"""The raw baseline's change feed: GET /api/v1/changes/ for an anonymous reader, one statement.

As claims/api/feed.py answers it: the entries after a position, oldest first, of the kinds
asked for, that a reader of accepted work may hear of (public then, or public before); each
with its object as the object's detail renders it now, or null (a tombstone) when the entry
is a deletion, was not public, or the object is no longer visible. The cursor is base64url
of "feed:<position>" without padding.
"""

import base64
import binascii
import json

from bench.raw_sql import (
    CLAIM_COLUMNS,
    CLAIM_JOINS,
    EVIDENCE_JOINS,
    PAPER_COLUMNS,
    PUBLIC_CLAIMS,
    PUBLIC_EVIDENCE,
    REVIEW_COLUMNS,
    REVIEW_JOINS,
    evidence_columns,
    iso,
    json_array,
    json_object,
)

KINDS = ("claim", "evidence", "paper", "review")
DEFAULT_PAGE, MAX_PAGE = 100, 1000
_PREFIX = "feed:"

_EVIDENCE_SEEN = f"e.status = {PUBLIC_EVIDENCE} AND ec.status IN {PUBLIC_CLAIMS}"
_EVIDENCE_DETAIL = evidence_columns("e.claim_id AS claim, ec.uid AS claim_uid,",
                                    ", '[]'::json AS allowed_actions")
_EVIDENCE = (f"SELECT {_EVIDENCE_DETAIL} "
             f"FROM claims_evidence e JOIN claims_claim ec ON ec.id = e.claim_id {EVIDENCE_JOINS} "
             f"WHERE e.id = s.object_id AND {_EVIDENCE_SEEN}")
_REVIEW = (f"SELECT {REVIEW_COLUMNS} FROM claims_curatorreview cr {REVIEW_JOINS} "
           f"WHERE cr.id = s.object_id AND (EXISTS (SELECT 1 FROM claims_claim c "
           f"WHERE c.id = cr.claim_id AND c.status IN {PUBLIC_CLAIMS}) OR EXISTS (SELECT 1 "
           f"FROM claims_evidence e JOIN claims_claim ec ON ec.id = e.claim_id "
           f"WHERE e.id = cr.evidence_id AND {_EVIDENCE_SEEN}))")
_CLAIM = (f"SELECT {CLAIM_COLUMNS} FROM claims_claim c {CLAIM_JOINS} "
          f"WHERE c.id = s.object_id AND c.status IN {PUBLIC_CLAIMS}")
_PAPER = f"SELECT {PAPER_COLUMNS} FROM claims_paper p WHERE p.id = s.object_id"
# The object of entry s, as an anonymous reader's detail renders it, or null.
OBJECT = f"""
    CASE WHEN s.action <> 'deleted' AND s.public THEN CASE s.kind
        WHEN 'claim' THEN {json_object(_CLAIM)}
        WHEN 'evidence' THEN {json_object(_EVIDENCE)}
        WHEN 'paper' THEN {json_object(_PAPER)}
        WHEN 'review' THEN {json_object(_REVIEW)}
    END END"""
CURSOR = "rtrim(translate(encode(convert_to('feed:' || s.position, 'UTF8'), 'base64'), '+/', '-_'), '=')"

FEED = f"""
    WITH page AS MATERIALIZED (
        SELECT ch.position, ch.kind, ch.object_id, ch.uid, ch.action, ch.at, ch.public
        FROM claims_change ch
        WHERE ch.position > %(after)s AND ch.kind = ANY(%(kinds)s) AND (ch.public OR ch.was_public)
        ORDER BY ch.position LIMIT %(limit)s + 1),
    shown AS (SELECT * FROM page ORDER BY position LIMIT %(limit)s)
    SELECT (SELECT count(*) FROM page) > %(limit)s, (SELECT max(position) FROM shown),
        {json_array(f"SELECT {CURSOR} AS cursor, s.kind, s.uid, s.action, {iso('s.at')} AS at, "
                    f"o.object IS NULL AS tombstone, o.object FROM shown s "
                    f"CROSS JOIN LATERAL (SELECT {OBJECT} AS object) o ORDER BY s.position")}::text"""


def encode(position: int) -> str:
    return base64.urlsafe_b64encode(f"{_PREFIX}{position}".encode()).decode().rstrip("=")


def decode(token: str) -> int:
    """0 for an empty token; ValueError for anything but feed:<digits>."""
    if not token:
        return 0
    try:
        text = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode("ascii")
    except (binascii.Error, UnicodeDecodeError):
        raise ValueError(token) from None
    number = text.removeprefix(_PREFIX)
    if not text.startswith(_PREFIX) or not (number.isascii() and number.isdigit()):
        raise ValueError(token)
    return int(number)


def changes_page(db, params: dict) -> str:
    """The feed's envelope: {"next", "more", "results"}; ValueError for a bad parameter."""
    after = decode(params.get("after", ""))
    kinds = [k.strip() for k in params.get("kinds", "").split(",") if k.strip()] or list(KINDS)
    size = int(params.get("page_size") or DEFAULT_PAGE)
    if set(kinds) - set(KINDS) or not 1 <= size <= MAX_PAGE:
        raise ValueError(params)
    more, last, results = db.one(FEED, {"after": after, "kinds": kinds, "limit": size})
    return (f'{{"next":{json.dumps(encode(last if last is not None else after))},'
            f'"more":{"true" if more else "false"},"results":{results}}}')
