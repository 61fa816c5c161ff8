"""Is the raw baseline answering with the same content as the app? Compared as parsed JSON."""

import hashlib
import json
from urllib.parse import parse_qsl, urlsplit


def _numbers_as_floats(value):
    """2 and 2.0 are the same number in JSON, and so are -0 and 0: PostgreSQL prints a float8
    2.0 as 2 and -0.0 as -0, which Python reads as the integer 0."""
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, int | float):
        return float(value) + 0.0  # + 0.0 turns -0.0 into 0.0
    if isinstance(value, list):
        return [_numbers_as_floats(v) for v in value]
    return {k: _numbers_as_floats(v) for k, v in value.items()}


def digest(value) -> str:
    """A fingerprint of a JSON value that ignores key order and 2 vs 2.0."""
    canonical = json.dumps(_numbers_as_floats(value), sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def first_difference(a, b, where: str = "") -> str | None:
    """Where two JSON values first differ, as a readable path; None when they are equal."""
    if isinstance(a, dict) and isinstance(b, dict):
        for key in [*a, *(k for k in b if k not in a)]:
            if key not in a or key not in b:
                return f"{where}.{key}: only in {'app' if key in a else 'raw'}"
            found = first_difference(a[key], b[key], f"{where}.{key}")
            if found:
                return found
        return None
    if isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            return f"{where}: {len(a)} items in app, {len(b)} in raw"
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            found = first_difference(x, y, f"{where}[{i}]")
            if found:
                return found
        return None
    if isinstance(a, bool) != isinstance(b, bool) or a != b:
        return f"{where or 'body'}: app {json.dumps(a)[:80]}, raw {json.dumps(b)[:80]}"
    return None


def link(url):
    """A next/previous link as path + sorted query parameters (hosts and order aside)."""
    if url is None:
        return None
    parts = urlsplit(url)
    return parts.path, sorted(parse_qsl(parts.query, keep_blank_values=True))


def compare_exact(app, raw) -> str | None:
    """Lists: count and results exactly, links after parsing. Anything else: exactly."""
    if isinstance(app, dict) and "results" in app and isinstance(raw, dict):
        for key in ("next", "previous"):
            if link(app.get(key)) != link(raw.get(key)):
                return f".{key}: app {app.get(key)}, raw {raw.get(key)}"
        app = {k: v for k, v in app.items() if k not in ("next", "previous")}
        raw = {k: v for k, v in raw.items() if k not in ("next", "previous")}
    return first_difference(app, raw)


def compare_ids(app, raw) -> str | None:
    """Loose, for ranked search: the same claims on page 1, each identical, in any order."""
    app_ids = {c["id"]: c for c in app.get("results", [])}
    raw_ids = {c["id"]: c for c in raw.get("results", [])}
    if set(app_ids) != set(raw_ids):
        only_app, only_raw = set(app_ids) - set(raw_ids), set(raw_ids) - set(app_ids)
        return (f"page 1 ids differ: {len(only_app)} only in app (e.g. {sorted(only_app)[:3]}), "
                f"{len(only_raw)} only in raw (e.g. {sorted(only_raw)[:3]}); "
                f"count app {app.get('count')}, raw {raw.get('count')}")
    for claim_id, claim in app_ids.items():
        found = first_difference(claim, raw_ids[claim_id], f".results[id={claim_id}]")
        if found:
            return found
    return None


def compare_digests(app: dict, raw: dict) -> str | None:
    """Crawls: the same claim ids, each with the same content."""
    if set(app) != set(raw):
        return f"{len(app)} claims crawled from the app, {len(raw)} from raw"
    differing = [i for i in app if app[i] != raw[i]]
    if differing:
        return f"{len(differing)} claims differ, e.g. id {sorted(differing)[0]}"
    return None
