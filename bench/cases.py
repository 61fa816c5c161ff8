"""What is measured: the API's anonymous reads, each asked of the app and of the raw baseline."""

import base64
from dataclasses import dataclass, field

PUBLIC = "status IN ('accepted', 'retracted')"
CRAWL_START = "/api/v1/claims/?cursor=&page_size={size}"


@dataclass
class Case:
    key: str
    title: str
    paths: list[str]  # wrk rotates over them; the content check asks each one
    check: str = "exact"  # "exact", or "ids" for ranked search (same claims on page 1)
    cached: bool = False  # the app runs with its response cache on (API_CACHE=1)
    download: bool = False  # one timed request of the app alone, read to its end (no wrk)
    raw_case: str = ""  # measured with another case's raw figures (same request)
    notes: list[str] = field(default_factory=list)


@dataclass
class Parameters:
    public_claims: int
    evidence_type: str
    deep_page: int
    detail_ids: list[int]
    search: str
    crawl_page_size: int
    search_documents: str = "stored"  # or "computed per query" on a schema without them
    search_note: str = ""
    feed_deep: dict[str, str] = field(default_factory=dict)  # kind -> a cursor amid its entries
    accepted: dict[str, int] = field(default_factory=dict)  # what the accepted export holds


def feed_cursor(position: int) -> str:
    """As claims/api/feed.py writes it: base64url of "feed:<position>", unpadded."""
    return base64.urlsafe_b64encode(f"feed:{position}".encode()).decode().rstrip("=")


def discover_feed(cursor) -> dict[str, str]:
    """For each kind but claims (the first page's), a cursor in the middle of its entries that
    an anonymous reader hears of: the generated feed lists each kind in one run."""
    cursor.execute("SELECT kind, count(*) FROM claims_change WHERE public OR was_public "
                   "GROUP BY kind")
    counts = dict(cursor.fetchall())
    deep = {}
    for kind in ("evidence", "paper", "review"):
        if counts.get(kind):
            cursor.execute("SELECT position FROM claims_change WHERE (public OR was_public) "
                           "AND kind = %s ORDER BY position OFFSET %s LIMIT 1",
                           [kind, counts[kind] // 2])
            deep[kind] = feed_cursor(cursor.fetchone()[0])
    return deep


def discover_accepted(cursor) -> dict[str, int]:
    """Claims and evidence of the accepted data set (claims/interchange/export.py's scope)."""
    cursor.execute("SELECT count(*) FROM claims_claim WHERE status = 'accepted'")
    claims = cursor.fetchone()[0]
    cursor.execute("SELECT count(*) FROM claims_evidence e JOIN claims_claim c ON c.id = e.claim_id "
                   "WHERE e.status = 'accepted' AND c.status = 'accepted'")
    return {"claim": claims, "evidence": cursor.fetchone()[0]}


def discover(cursor, *, search: str, crawl_page_size: int, deep_page: int = 1000,
             page_size: int = 50, details: int = 100) -> Parameters:
    """Pick the requests from the data: an evidence type that has contradicting evidence a
    reader sees, the deepest page up to deep_page, and public claim ids spread over the table."""
    cursor.execute(f"SELECT id FROM claims_claim WHERE {PUBLIC} ORDER BY id")
    ids = [row[0] for row in cursor.fetchall()]
    if not ids:
        raise SystemExit("The benchmark database holds no public claims.")
    cursor.execute(f"""
        SELECT et.code FROM claims_evidence e
        JOIN claims_evidencetype et ON et.id = e.evidence_type_id
        JOIN claims_claim c ON c.id = e.claim_id
        WHERE e.status = 'accepted' AND c.{PUBLIC} AND e.direction = 'contradicts'
        GROUP BY et.code ORDER BY count(*) DESC, et.code LIMIT 1""")
    row = cursor.fetchone()
    if row is None:
        raise SystemExit("No public claim has contradicting evidence: the filter case needs one.")
    pages = -(-len(ids) // page_size)
    step = max(1, len(ids) // details)
    return Parameters(public_claims=len(ids), evidence_type=row[0],
                      deep_page=min(deep_page, pages), detail_ids=ids[::step][:details],
                      search=search, crawl_page_size=crawl_page_size,
                      feed_deep=discover_feed(cursor), accepted=discover_accepted(cursor))


def build(p: Parameters) -> list[Case]:
    return [
        Case("list", "claims list, page 1", ["/api/v1/claims/"]),
        Case("deep", f"claims list, page {p.deep_page}", [f"/api/v1/claims/?page={p.deep_page}"]),
        Case("filter", f"claims, evidence_type={p.evidence_type} & direction=contradicts",
             [f"/api/v1/claims/?evidence_type={p.evidence_type}&direction=contradicts"]),
        Case("search", f"claims, search={p.search}", [f"/api/v1/claims/?search={p.search}"],
             check="ids", notes=[note for note in (
                 "ranked: compared loosely, the same claims on page 1 in any order; the "
                 "baseline is PostgreSQL full-text search (plainto_tsquery, english)",
                 p.search_note) if note]),
        Case("detail", f"claim detail ({len(p.detail_ids)} ids in turn)",
             [f"/api/v1/claims/{i}/" for i in p.detail_ids]),
        Case("papers", "papers list, page 1", ["/api/v1/papers/"]),
        Case("cached", "claims list, page 1, response cache on", ["/api/v1/claims/"],
             cached=True, raw_case="list"),
        Case("feed", "change feed, first page (100 entries)", ["/api/v1/changes/"]),
        *([Case("feed-deep", f"change feed, deep cursors ({len(p.feed_deep)} in turn)",
                [f"/api/v1/changes/?after={c}" for c in p.feed_deep.values()],
                notes=[f"amid the {', '.join(p.feed_deep)} entries: the generated feed lists "
                       "each kind in one run, claims first"])] if p.feed_deep else []),
        Case("export", "accepted data set, JSON Lines", ["/api/v1/exports/accepted.jsonl"],
             check="download", download=True,
             notes=["one request alone, read to the end; no raw twin (the interchange records "
                    "of seven kinds, byte-ordered natural keys: not rewritten in SQL), its "
                    "claims and evidence lines counted against the database"]),
    ]
