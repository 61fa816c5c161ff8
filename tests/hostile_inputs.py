"""Broken and hostile inputs, and what the service must answer to each: the table that
tests/test_hostile_input.py runs and docs/hostile-input.md shows (regenerate the document's
table with `python -m tests.hostile_inputs`).

Requests (Api) go to the API, or to the admin, as a persona; placeholders in a path or a body
({claim}, {submitted}, {evidence}, {paper}, {token}) are the ids the test sets up. Every row
is refused with the status given and an answer that contains `says`, and nothing is written,
unless its status is 2xx: then it is a value legitimately accepted, and the test checks that
nothing but what it names changed. Files (Command) go to an import command, which must exit
non-zero with a message holding `says` (line or record, and field) and write nothing.

Covered elsewhere, not repeated here: a 5 MB body and 2,000 fields (test_api_big_bodies), a
thousand nested brackets to the token endpoint and to POST /claims/ (test_api_hostile_bodies),
unreadable booleans and page sizes (test_api_parameters), malformed lines, wrong types, typos,
unknown references, other encodings and empty files in import_curation
(test_interchange_bad_input), bad records, encodings, entities and DTDs in import_papers
(test_import_papers), files that are not OBO and terms the vocabulary cannot hold in
import_evidence_types (test_eco_import).
"""

import base64
import json
from dataclasses import dataclass

NESTED = "[" * 1000 + "]" * 1000
SCRIPT = '<script>window.__xss=1</script><img src=x onerror="window.__xss=2">'
SQL = "'; DROP TABLE claims_claim; --"
# Right-to-left override, a combining accent, zero-width space and joiner, CJK, an emoji.
MIXED = "\u202eSigma-1R\u202c cafe\u0301 \u200bPRE\u200d-084 \u7b4b\u840e\u7e2e \U0001f42d"
# (Not at either end: text fields trim surrounding whitespace, a form feed included.)
CONTROLS = "bell \u0007, form feed \u000c, escape \u001b[31m red"

CLAIM = {
    "text": "PRE-084 improves motor function in SOD1-G93A mice",
    "subject": "PRE-084",
    "relation": "increases",
    "object": "motor function",
    "context": "SOD1-G93A mouse",
}
EVIDENCE = {
    "claim": "{claim}",
    "paper": "{paper}",
    "evidence_type": "in-vivo-animal-model",
    "direction": "supports",
    "location": "Fig. 9",
}
PAPER = {"title": "Sigma-1R agonist improves motor function", "year": 2012}


def cursor(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


@dataclass(frozen=True)
class Api:
    name: str
    kind: str
    method: str
    path: str
    body: object = None  # a dict or list is sent as JSON; a str or bytes as it is
    who: str = "curator"  # a persona (tests/conftest.py), or None: anonymous
    status: int = 400
    says: str = ""
    content_type: str = "application/json"
    headers: tuple = ()
    shown: str = ""  # how the document shows a body too long or too odd to print


@dataclass(frozen=True)
class Command:
    name: str
    kind: str
    command: str
    file: str
    content: bytes
    says: str


def _jsonl(*records) -> bytes:
    return "".join(json.dumps(r) + "\n" for r in records).encode()


_CLAIM_UID = "3f2c7a9e-1d4b-4c8e-9a6f-0b5d2e8c7a41"
_RECORD = {"kind": "claim", "uid": _CLAIM_UID, "text": "PRE-084 preserves neuromuscular junctions."}
_EVIDENCE_RECORD = {
    "kind": "evidence",
    "uid": "8b1e4d2f-6c3a-4f7e-b9d0-5a2c8e1f4b73",
    "claim": _CLAIM_UID,
    "paper": "10.1007/s13311-012-0140-y",
    "evidence_type": "in-vivo-animal-model",
    "direction": "supports",
}
_OBO = "format-version: 1.2\ndata-version: test/2026-01-01\nontology: eco\n\n"
_RIS = "TY  - JOUR\nTI  - {title}\nDO  - {doi}\nPY  - 2012\nER  - \n"

ROWS = [
    # --- malformed JSON ---
    Api("truncated-json", "malformed JSON", "POST", "/api/v1/claims/", '{"text": ', says="JSON parse error"),
    Api(
        "single-quoted-json",
        "malformed JSON",
        "POST",
        "/api/v1/evidence/",
        "{'claim': 1}",
        says="JSON parse error",
    ),
    Api(
        "json-array-body", "malformed JSON", "POST", "/api/v1/claims/", [CLAIM], says="Expected a dictionary"
    ),
    Api("nan-literal", "malformed JSON", "POST", "/api/v1/evidence/", '{"effect_value": NaN}', says="NaN"),
    Api(
        "utf8-bom",
        "malformed JSON",
        "POST",
        "/api/v1/claims/",
        b'\xef\xbb\xbf{"text": "x"}',
        says="JSON parse error",
        shown='the UTF-8 byte-order mark, then {"text": "x"}',
    ),
    Api(
        "invalid-utf8",
        "malformed JSON",
        "POST",
        "/api/v1/claims/",
        b'{"text": "caf\xe9"}',
        says="JSON parse error",
        shown='{"text": "caf\\xe9"} (Latin-1, not UTF-8)',
    ),
    Api(
        "duplicate-key",
        "malformed JSON",
        "POST",
        "/api/v1/claims/",
        '{"text": "a", "text": "b"}',
        says="given twice",
    ),
    Api(
        "xml-as-json",
        "malformed JSON",
        "POST",
        "/api/v1/claims/",
        "<claim><text>x</text></claim>",
        says="JSON parse error",
    ),
    Api(
        "xml-content-type",
        "malformed JSON",
        "POST",
        "/api/v1/claims/",
        "<claim/>",
        content_type="application/xml",
        status=415,
        says="Unsupported media type",
    ),
    # --- deeply nested JSON ---
    Api(
        "nested-paper-patch",
        "deeply nested JSON",
        "PATCH",
        "/api/v1/papers/{paper}/",
        NESTED,
        who="staff",
        says="nested too deeply",
        shown="[ × 1,000 then ] × 1,000",
    ),
    Api(
        "nested-review",
        "deeply nested JSON",
        "POST",
        "/api/v1/reviews/",
        NESTED,
        who="reviewer",
        says="nested too deeply",
        shown="[ × 1,000 then ] × 1,000",
    ),
    Api(
        "nested-retract",
        "deeply nested JSON",
        "POST",
        "/api/v1/claims/{claim}/retract/",
        NESTED,
        who="staff",
        says="nested too deeply",
        shown="[ × 1,000 then ] × 1,000",
    ),
    Api(
        "nested-value",
        "deeply nested JSON",
        "POST",
        "/api/v1/claims/",
        '{"text": ' + NESTED + "}",
        says="nested too deeply",
        shown='{"text": [ × 1,000 ...}',
    ),
    # --- wrong types ---
    Api("text-list", "wrong type", "POST", "/api/v1/claims/", {**CLAIM, "text": ["a"]}, says="text"),
    Api("topics-string", "wrong type", "POST", "/api/v1/claims/", {**CLAIM, "topics": "als"}, says="topics"),
    Api(
        "claim-id-word", "wrong type", "POST", "/api/v1/evidence/", {**EVIDENCE, "claim": "abc"}, says="claim"
    ),
    Api(
        "claim-id-fraction",
        "wrong type",
        "POST",
        "/api/v1/evidence/",
        {**EVIDENCE, "claim": 1.5},
        says="claim",
    ),
    Api(
        "sample-size-word",
        "wrong type",
        "POST",
        "/api/v1/evidence/",
        {**EVIDENCE, "sample_size": "ten"},
        says="sample_size",
    ),
    Api(
        "quality-maybe",
        "wrong type",
        "POST",
        "/api/v1/evidence/",
        {**EVIDENCE, "randomised": "maybe"},
        says="randomised",
    ),
    Api("paper-list", "wrong type", "POST", "/api/v1/evidence/", {**EVIDENCE, "paper": ["x"]}, says="paper"),
    Api(
        "effect-overflow",
        "wrong type",
        "POST",
        "/api/v1/evidence/",
        {**EVIDENCE, "effect_value": "1e999"},
        says="effect_value",
    ),
    Api(
        "year-roman",
        "wrong type",
        "POST",
        "/api/v1/papers/",
        {**PAPER, "doi": "10.5555/h.1", "year": "MMXII"},
        who="staff",
        says="year",
    ),
    Api(
        "authors-string",
        "wrong type",
        "POST",
        "/api/v1/papers/",
        {**PAPER, "doi": "10.5555/h.2", "authors": "Mancuso R"},
        who="staff",
        says="authors",
    ),
    Api(
        "review-target-bool",
        "wrong type",
        "POST",
        "/api/v1/reviews/",
        {"claim": True, "verdict": "approve"},
        who="reviewer",
        says="claim",
    ),
    Api(
        "verdict-number",
        "wrong type",
        "POST",
        "/api/v1/claims/{submitted}/reviews/",
        {"verdict": 1},
        who="reviewer",
        says="verdict",
    ),
    Api(
        "reason-object",
        "wrong type",
        "POST",
        "/api/v1/claims/{claim}/retract/",
        {"reason": {"a": 1}},
        who="staff",
        says="reason",
    ),
    # --- missing and extra fields ---
    Api("empty-object", "missing field", "POST", "/api/v1/claims/", {}, says="text"),
    Api(
        "no-direction",
        "missing field",
        "POST",
        "/api/v1/evidence/",
        {k: v for k, v in EVIDENCE.items() if k != "direction"},
        says="direction",
    ),
    Api(
        "put-partial", "missing field", "PUT", "/api/v1/claims/{claim}/", {"subject": "PRE-084"}, says="text"
    ),
    Api(
        "paper-no-title",
        "missing field",
        "POST",
        "/api/v1/papers/",
        {"doi": "10.5555/h.3"},
        who="staff",
        says="title",
    ),
    Api(
        "review-no-target",
        "missing field",
        "POST",
        "/api/v1/reviews/",
        {"verdict": "approve"},
        who="reviewer",
        says="exactly one",
    ),
    Api(
        "reject-no-comment",
        "missing field",
        "POST",
        "/api/v1/claims/{submitted}/reviews/",
        {"verdict": "reject"},
        who="reviewer",
        says="comment",
    ),
    Api("misspelt-field", "extra field", "POST", "/api/v1/claims/", {**CLAIM, "txet": "x"}, says="txet"),
    Api(
        "misspelt-patch",
        "extra field",
        "PATCH",
        "/api/v1/evidence/{evidence}/",
        {"notse": "n=12"},
        says="notse",
    ),
    Api(
        "misspelt-comment",
        "extra field",
        "POST",
        "/api/v1/claims/{submitted}/reviews/",
        {"verdict": "approve", "coment": "fine"},
        who="reviewer",
        says="coment",
    ),
    Api(
        "status-read-only",
        "extra field",
        "PATCH",
        "/api/v1/claims/{claim}/",
        {"status": "accepted"},
        status=200,
        says='"status":"draft"',
    ),
    # --- oversized fields and parameters ---
    Api(
        "subject-301",
        "oversized",
        "POST",
        "/api/v1/claims/",
        {**CLAIM, "subject": "x" * 301},
        says="subject",
        shown='{"subject": "x" × 301, ...}',
    ),
    Api(
        "location-101",
        "oversized",
        "POST",
        "/api/v1/evidence/",
        {**EVIDENCE, "location": "x" * 101},
        says="location",
        shown='{"location": "x" × 101, ...}',
    ),
    Api(
        "doi-256",
        "oversized",
        "POST",
        "/api/v1/papers/",
        {**PAPER, "doi": "10.5555/" + "x" * 250},
        who="staff",
        says="doi",
        shown='{"doi": "10.5555/" + "x" × 250, ...}',
    ),
    Api(
        "slug-65",
        "oversized",
        "POST",
        "/api/v1/topics/",
        {"slug": "x" * 65, "name": "X"},
        who="staff",
        says="slug",
        shown='{"slug": "x" × 65, ...}',
    ),
    Api(
        "search-2001",
        "oversized",
        "GET",
        "/api/v1/papers/?search=" + "x" * 2001,
        says="search",
        shown="?search= of 2,001 characters",
    ),
    Api(
        "search-51-words",
        "oversized",
        "GET",
        "/api/v1/claims/?search=" + "+".join(["ab"] * 51),
        says="search",
        shown="?search= of 51 words",
    ),
    Api(
        "admin-search-2001",
        "oversized",
        "GET",
        "/admin/claims/claim/?q=" + "x" * 2001,
        who="staff",
        says="q:",
        shown="admin ?q= of 2,001 characters",
    ),
    # --- invalid DOIs, PMIDs and ECO ids ---
    Api(
        "doi-prefix",
        "invalid identifier",
        "POST",
        "/api/v1/papers/",
        {**PAPER, "doi": "doi-10.1000/1"},
        who="staff",
        says="is not a DOI",
    ),
    Api(
        "doi-no-suffix",
        "invalid identifier",
        "POST",
        "/api/v1/papers/",
        {**PAPER, "doi": "10.1007/"},
        who="staff",
        says="is not a DOI",
    ),
    Api(
        "doi-zero-width",
        "invalid identifier",
        "POST",
        "/api/v1/papers/",
        {**PAPER, "doi": "10.1007/s13311-012-0140-y\u200b"},
        who="staff",
        says="invisible character (U+200B)",
    ),
    Api(
        "doi-rtl-mark",
        "invalid identifier",
        "POST",
        "/api/v1/papers/",
        {**PAPER, "doi": "10.1007/s13311\u200f-012-0140-y"},
        who="staff",
        says="invisible character (U+200F)",
    ),
    Api(
        "doi-arabic-digits",
        "invalid identifier",
        "POST",
        "/api/v1/papers/",
        {**PAPER, "doi": "10.\u0661\u0660\u0660\u0667/s13311-012-0140-y"},
        who="staff",
        says="is not a DOI",
    ),
    Api(
        "pmid-letters",
        "invalid identifier",
        "POST",
        "/api/v1/papers/",
        {**PAPER, "pmid": "2016725a"},
        who="staff",
        says="digits only",
    ),
    Api(
        "pmid-fullwidth",
        "invalid identifier",
        "POST",
        "/api/v1/papers/",
        {**PAPER, "pmid": "\uff12\uff10\uff11\uff16\uff17\uff12\uff15\uff13"},
        who="staff",
        says="digits only",
    ),
    Api(
        "eco-short",
        "invalid identifier",
        "POST",
        "/api/v1/evidence-types/",
        {"code": "short-eco", "label": "Short", "eco_id": "ECO:12345"},
        who="staff",
        says="eco_id",
    ),
    Api(
        "eco-lowercase",
        "invalid identifier",
        "POST",
        "/api/v1/evidence-types/",
        {"code": "lower-eco", "label": "Lower", "eco_id": "eco:0000179"},
        who="staff",
        says="eco_id",
    ),
    Api(
        "unknown-doi-ref",
        "invalid identifier",
        "POST",
        "/api/v1/evidence/",
        {**EVIDENCE, "paper": "10.9999/nowhere.1"},
        says="No paper with DOI",
    ),
    Api(
        "pmid-ref-letters",
        "invalid identifier",
        "POST",
        "/api/v1/evidence/",
        {**EVIDENCE, "paper": "pmid:abc"},
        says="paper",
    ),
    Api(
        "eco-id-as-type",
        "invalid identifier",
        "POST",
        "/api/v1/evidence/",
        {**EVIDENCE, "evidence_type": "ECO:0000179"},
        says="No evidence type",
    ),
    # --- control characters ---
    Api(
        "nul-text",
        "control character",
        "POST",
        "/api/v1/claims/",
        {**CLAIM, "text": "a\u0000b"},
        says="Null characters",
    ),
    Api(
        "nul-paper-ref",
        "control character",
        "POST",
        "/api/v1/evidence/",
        {**EVIDENCE, "paper": "10.1007/s13311-012-0140-y\u0000"},
        says="Null characters",
    ),
    Api(
        "nul-type-ref",
        "control character",
        "POST",
        "/api/v1/evidence/",
        {**EVIDENCE, "evidence_type": "\u0000"},
        says="Null characters",
    ),
    Api(
        "nul-published-version",
        "control character",
        "POST",
        "/api/v1/papers/",
        {**PAPER, "doi": "10.5555/h.4", "published_version": "10.1000/\u0000"},
        who="staff",
        says="Null characters",
    ),
    Api(
        "nul-topic",
        "control character",
        "POST",
        "/api/v1/claims/",
        {**CLAIM, "topics": ["\u0000"]},
        says="topics",
    ),
    Api(
        "nul-comment",
        "control character",
        "POST",
        "/api/v1/claims/{submitted}/reviews/",
        {"verdict": "reject", "comment": "\u0000"},
        who="reviewer",
        says="Null characters",
    ),
    Api("nul-query", "control character", "GET", "/api/v1/claims/?search=%00", says="Null characters"),
    Api(
        "nul-feed-cursor",
        "control character",
        "GET",
        "/api/v1/changes/?after=%00",
        who=None,
        says="Null characters",
    ),
    Api(
        "nul-token",
        "control character",
        "GET",
        "/api/v1/claims/",
        who=None,
        status=401,
        headers=(("HTTP_AUTHORIZATION", "Token {token}\u0000"),),
        says="Invalid token",
        shown="Authorization: Token <a key>\\u0000",
    ),
    Api(
        "nul-admin-filter",
        "control character",
        "GET",
        "/admin/claims/claim/?status__exact=%00",
        who="staff",
        says="Null characters",
    ),
    Api(
        "nul-admin-autocomplete",
        "control character",
        "GET",
        "/admin/autocomplete/?app_label=claims&model_name=evidence&field_name=paper&term=%00",
        who="staff",
        says="Null characters",
    ),
    # --- lone surrogates ---
    Api(
        "surrogate-text",
        "lone surrogate",
        "POST",
        "/api/v1/claims/",
        '{"text": "\\ud800"}',
        says="lone surrogate",
    ),
    Api(
        "surrogate-type-ref",
        "lone surrogate",
        "POST",
        "/api/v1/evidence/",
        '{"claim": {claim}, "paper": {paper}, "evidence_type": "\\ud800", "direction": "supports"}',
        says="lone surrogate",
    ),
    Api(
        "surrogate-paper-ref",
        "lone surrogate",
        "POST",
        "/api/v1/evidence/",
        '{"claim": {claim}, "paper": "10.1007/\\udfff", "evidence_type": "in-vivo-animal-model", '
        '"direction": "supports"}',
        says="lone surrogate",
    ),
    Api(
        "surrogate-choice",
        "lone surrogate",
        "POST",
        "/api/v1/claims/",
        '{"text": "t", "relation": "\\ud800"}',
        says="lone surrogate",
    ),
    Api(
        "surrogate-author",
        "lone surrogate",
        "POST",
        "/api/v1/papers/",
        '{"title": "T", "doi": "10.5555/h.5", "authors": ["\\udc00"]}',
        who="staff",
        says="lone surrogate",
    ),
    Api(
        "surrogate-key",
        "lone surrogate",
        "POST",
        "/api/v1/claims/",
        '{"text": "t", "\\ud800": 1}',
        says="lone surrogate",
    ),
    Api(
        "surrogate-browsable",
        "lone surrogate",
        "POST",
        "/api/v1/claims/",
        '{"text": "t", "relation": "\\ud800"}',
        headers=(("HTTP_ACCEPT", "text/html"),),
        says="lone surrogate",
        shown='{"text": "t", "relation": "\\ud800"}, Accept: text/html',
    ),
    # --- SQL-looking strings in queries ---
    Api(
        "sql-search",
        "SQL-looking",
        "GET",
        "/api/v1/claims/?search=%27%20OR%201%3D1%20--",
        who=None,
        status=200,
        says='"count":0',
        shown="?search=' OR 1=1 --",
    ),
    Api(
        "sql-filter",
        "SQL-looking",
        "GET",
        "/api/v1/claims/?subject=%25%27%20OR%20%271%27%3D%271",
        who=None,
        status=200,
        says='"count":0',
        shown="?subject=%' OR '1'='1",
    ),
    Api(
        "sql-in-path",
        "SQL-looking",
        "GET",
        "/api/v1/claims/1%20OR%201=1/",
        who=None,
        status=404,
        says="Not found",
        shown="/api/v1/claims/1 OR 1=1/",
    ),
    Api(
        "sql-paper-ref",
        "SQL-looking",
        "POST",
        "/api/v1/evidence/",
        {**EVIDENCE, "paper": "1 OR 1=1"},
        says="paper",
    ),
    # --- out-of-range pages and cursors ---
    Api(
        "page-zero",
        "out of range",
        "GET",
        "/api/v1/claims/?page=0",
        who=None,
        status=404,
        says="Invalid page",
    ),
    Api(
        "page-huge",
        "out of range",
        "GET",
        "/api/v1/papers/?page=99999999999999999999",
        who=None,
        status=404,
        says="Invalid page",
    ),
    Api(
        "page-word",
        "out of range",
        "GET",
        "/api/v1/evidence/?page=first",
        who=None,
        status=404,
        says="Invalid page",
    ),
    Api(
        "cursor-garbage",
        "out of range",
        "GET",
        "/api/v1/claims/?cursor=not-a-cursor",
        who=None,
        says="Not a cursor",
    ),
    Api(
        "cursor-20-digits",
        "out of range",
        "GET",
        "/api/v1/claims/?cursor=" + cursor("id:" + "9" * 20),
        who=None,
        says="Not a cursor",
        shown="?cursor= of id:99999999999999999999",
    ),
    Api(
        "cursor-past-the-end",
        "out of range",
        "GET",
        "/api/v1/papers/?cursor=" + cursor("id:" + "9" * 19),
        who=None,
        status=200,
        says='"results":[]',
        shown="?cursor= of id:9999999999999999999 (past 2^63)",
    ),
    Api(
        "feed-after-garbage",
        "out of range",
        "GET",
        "/api/v1/changes/?after=feed",
        who=None,
        says="Not a change-feed cursor",
    ),
    Api(
        "feed-after-20-digits",
        "out of range",
        "GET",
        "/api/v1/changes/?after=" + cursor("feed:" + "9" * 20),
        who=None,
        says="Not a change-feed cursor",
        shown="?after= of feed:99999999999999999999",
    ),
    Api(
        "feed-after-past-the-end",
        "out of range",
        "GET",
        "/api/v1/changes/?after=" + cursor("feed:" + "9" * 19),
        who=None,
        status=200,
        says='"results":[]',
        shown="?after= of feed:9999999999999999999",
    ),
    Api(
        "feed-page-size-0", "out of range", "GET", "/api/v1/changes/?page_size=0", who=None, says="page_size"
    ),
    Api(
        "feed-page-size-1001",
        "out of range",
        "GET",
        "/api/v1/changes/?page_size=1001",
        who=None,
        says="page_size",
    ),
    Api(
        "filter-id-huge",
        "out of range",
        "GET",
        "/api/v1/evidence/?claim=99999999999999999999",
        who=None,
        says="claim",
    ),
    # --- unknown filters ---
    Api("misspelt-filter", "unknown filter", "GET", "/api/v1/claims/?stauts=accepted", says="stauts"),
    Api(
        "unknown-paper-filter", "unknown filter", "GET", "/api/v1/papers/?colour=red", who=None, says="colour"
    ),
    Api(
        "unknown-evidence-filter",
        "unknown filter",
        "GET",
        "/api/v1/evidence/?claimm=1",
        who=None,
        says="claimm",
    ),
    Api(
        "unknown-review-filter",
        "unknown filter",
        "GET",
        "/api/v1/reviews/?verdcit=approve",
        who=None,
        says="verdcit",
    ),
    Api(
        "unknown-feed-parameter",
        "unknown filter",
        "GET",
        "/api/v1/changes/?kind=claim",
        who=None,
        says="kind",
    ),
    Api("unknown-status", "unknown filter", "GET", "/api/v1/claims/?status=bogus", says="status"),
    Api(
        "unknown-topic",
        "unknown filter",
        "GET",
        "/api/v1/claims/?topic=no-such-topic",
        who=None,
        says="topic",
    ),
    Api(
        "unknown-ordering",
        "unknown filter",
        "GET",
        "/api/v1/claims/?ordering=password",
        who=None,
        says="Cannot order by password",
    ),
    # --- import_curation ---
    Command(
        "curation-nul",
        "control character",
        "import_curation",
        "nul.jsonl",
        _jsonl({**_RECORD, "text": "a\u0000b"}),
        "line 1: text: Null characters are not allowed.",
    ),
    Command(
        "curation-surrogate",
        "lone surrogate",
        "import_curation",
        "surrogate.jsonl",
        f'{{"kind": "claim", "uid": "{_CLAIM_UID}", "text": "\\ud800"}}\n'.encode(),
        "line 1: text: Surrogate characters are not allowed: U+D800.",
    ),
    Command(
        "curation-nul-reference",
        "control character",
        "import_curation",
        "nul-ref.jsonl",
        _jsonl(_RECORD, {**_EVIDENCE_RECORD, "paper": "10.1007/s13311-012-0140-y\u0000"}),
        "line 2: paper: Null characters are not allowed.",
    ),
    Command(
        "curation-surrogate-reference",
        "lone surrogate",
        "import_curation",
        "surrogate-ref.jsonl",
        _jsonl(_RECORD)
        + (
            f'{{"kind": "evidence", "uid": "8b1e4d2f-6c3a-4f7e-b9d0-5a2c8e1f4b73", "claim": "{_CLAIM_UID}", '
            '"paper": "10.1007/s13311-012-0140-y", "evidence_type": "\\udfff", '
            '"direction": "supports"}\n'
        ).encode(),
        "line 2: evidence_type: Surrogate characters are not allowed: U+DFFF.",
    ),
    Command(
        "curation-duplicate-key",
        "malformed JSON",
        "import_curation",
        "twice.jsonl",
        f'{{"kind": "claim", "uid": "{_CLAIM_UID}", "text": "a", "text": "b"}}\n'.encode(),
        "line 1: text: given twice in one record",
    ),
    Command(
        "curation-nested",
        "deeply nested JSON",
        "import_curation",
        "nested.jsonl",
        ("[" * 100_000 + "]" * 100_000 + "\n").encode(),
        "line 1: not valid JSON here: nested too deeply",
    ),
    Command(
        "curation-array",
        "malformed JSON",
        "import_curation",
        "array.jsonl",
        b"[1, 2]\n",
        "line 1: a record is a JSON object",
    ),
    Command(
        "curation-no-text",
        "missing field",
        "import_curation",
        "no-text.jsonl",
        _jsonl({"kind": "claim", "uid": _CLAIM_UID}),
        "line 1: text",
    ),
    Command(
        "curation-zero-width-doi",
        "invalid identifier",
        "import_curation",
        "doi.jsonl",
        _jsonl({"kind": "paper", "doi": "10.1007/s13311-012-0140-y\u200b", "title": "T"}),
        "line 1: doi: This DOI holds an invisible character (U+200B)",
    ),
    Command(
        "curation-pmid-letters",
        "invalid identifier",
        "import_curation",
        "pmid.jsonl",
        _jsonl({"kind": "paper", "pmid": "2016725a", "title": "T"}),
        "line 1: pmid",
    ),
    Command(
        "curation-eco-id",
        "invalid identifier",
        "import_curation",
        "eco.jsonl",
        _jsonl({"kind": "evidence_type", "code": "short-eco", "label": "Short", "eco_id": "ECO:12345"}),
        "line 1: eco_id",
    ),
    # --- import_papers ---
    Command(
        "papers-nul-byte",
        "control character",
        "import_papers",
        "nul.ris",
        _RIS.format(title="a\u0000b", doi="10.5555/h.6").encode(),
        "NUL byte (0x00) on line 2",
    ),
    Command(
        "papers-zero-width-doi",
        "invalid identifier",
        "import_papers",
        "doi.ris",
        _RIS.format(title="Sigma-1R", doi="10.1007/s13311-012-0140-y\u200b").encode(),
        "record 1 (Sigma-1R), doi: This DOI holds an invisible character (U+200B)",
    ),
    Command(
        "papers-surrogate-bytes",
        "lone surrogate",
        "import_papers",
        "surrogate.ris",
        b"TY  - JOUR\nTI  - a\xed\xa0\x80b\nDO  - 10.5555/h.7\nER  - \n",
        "byte 0xed on line 2 is not UTF-8",
    ),
    # --- import_evidence_types ---
    Command(
        "eco-nul-name",
        "control character",
        "import_evidence_types",
        "nul.obo",
        (_OBO + "[Term]\nid: ECO:9900001\nname: animal\u0000model\n").encode(),
        "ECO:9900001: label: Null characters are not allowed.",
    ),
    Command(
        "eco-no-valid-id",
        "invalid identifier",
        "import_evidence_types",
        "ids.obo",
        (_OBO + "[Term]\nid: ECO:12345\nname: short id\n\n[Term]\nid: eco:0000179\nname: lower\n").encode(),
        "It holds no term with an ECO id",
    ),
]


# --- the document's table ---


def _code(text: str) -> str:
    text = text.replace("|", "\\|")
    return f"`` {text} ``" if "`" in text else f"`{text}`"


def _body(row: Api) -> str:
    if row.shown:
        return row.shown
    if isinstance(row.body, dict | list):
        text = json.dumps(row.body)
    else:
        text = row.body.decode("latin-1") if isinstance(row.body, bytes) else (row.body or "")
    return text if len(text) <= 90 else text[:87] + "..."


def markdown() -> str:
    lines = ["| row | kind | input | expected |", "| --- | --- | --- | --- |"]
    for row in ROWS:
        if isinstance(row, Api):
            who = row.who or "anonymous"
            target = f"{row.method} {row.path if len(row.path) <= 70 else row.path[:67] + '...'}"
            given = _code(target) + (f" {_code(_body(row))}" if row.body is not None or row.shown else "")
            expected = f"{row.status}" + (f", says {_code(row.says)}" if row.says else "")
            if row.status < 300:
                expected += "; stored as sent" if row.method != "GET" else ""
            lines.append(f"| {row.name} | {row.kind} | {given} as {who} | {expected} |")
        else:
            given = f"`manage.py {row.command} {row.file}`"
            lines.append(f"| {row.name} | {row.kind} | {given} | exit 1, {_code(row.says)} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(markdown(), end="")
