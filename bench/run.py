"""The benchmark: the API under gunicorn against a raw baseline, on generated PostgreSQL data.

    make bench          full size; results in bench/results/ and docs/performance.md
    make bench-smoke    a small corpus and short runs; fails on any difference or error
    python -m bench.run --help

For each case the app and the raw baseline (bench/raw_app.py: the same JSON from
hand-written SQL) are served in turn by gunicorn with the same worker count, never at the
same time, and loaded by wrk. Before measuring, each case is fetched from both and the JSON
compared, so the baseline answers what the app answers.
"""

import argparse
import json
import os
import secrets
import socket
import string
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import NamedTuple

import psycopg2

from bench import cases as bench_cases
from bench import content, database, report, servers, wrk
from bench.client import Client, crawl, download

REPO = Path(__file__).resolve().parent.parent
FULL = database.Corpus(papers=20_000, claims=100_000, evidence=300_000, seed=1)
SMOKE = database.Corpus(papers=50, claims=300, evidence=900, seed=1)


def parse_args(argv):
    env = os.environ.get
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--smoke", action="store_true",
                        help="small corpus, ~1 s per case, results in a temporary directory, "
                             "docs untouched; exits 1 on any content difference or error")
    parser.add_argument("--label", default=env("BENCH_LABEL"),
                        help="names the results file and the docs section (default: after; "
                             "smoke with --smoke)")
    parser.add_argument("--app-dir", type=Path, default=Path(env("BENCH_APP_DIR", REPO)),
                        help="the checkout gunicorn serves, e.g. a git worktree of another "
                             "commit (default: this one)")
    parser.add_argument("--duration", type=int, default=_int(env("BENCH_DURATION")),
                        help="whole seconds of load per case and server (default 10; smoke 1)")
    parser.add_argument("--warmup", type=int, default=_int(env("BENCH_WARMUP")),
                        help="whole seconds of unmeasured load first (default 2; smoke 0)")
    parser.add_argument("--rounds", type=int, default=_int(env("BENCH_ROUNDS")),
                        help="runs of each case per server, the best one reported "
                             "(default 2; smoke 1)")
    parser.add_argument("--connections", type=int, default=int(env("BENCH_CONNECTIONS", 4)))
    parser.add_argument("--threads", type=int, default=int(env("BENCH_THREADS", 2)))
    parser.add_argument("--workers", type=int, default=servers.cores(),
                        help="gunicorn workers per server (default: the cores, %(default)s)")
    parser.add_argument("--papers", type=int)
    parser.add_argument("--claims", type=int)
    parser.add_argument("--evidence", type=int)
    parser.add_argument("--seed", type=int)
    parser.add_argument("--database", help="default curation_bench, or curation_bench_smoke")
    parser.add_argument("--pg", default=env("BENCH_PG", "postgres://postgres@127.0.0.1:5432"),
                        help="the PostgreSQL server, without a database name")
    parser.add_argument("--redis-url", default=env("BENCH_REDIS_URL", "redis://127.0.0.1:6379/5"),
                        help="the app's response cache for the cached case (flushed first)")
    parser.add_argument("--app-port", type=int, default=8101)
    parser.add_argument("--raw-port", type=int, default=8102)
    parser.add_argument("--search", default="survival")
    parser.add_argument("--evidence-filters", choices=["one-item", "each"], default="one-item",
                        help="how the raw baseline reads ?evidence_type=&direction=: one "
                             "evidence item meeting both (the API now), or each met by any "
                             "item (the API before; use with --app-dir on such a checkout)")
    parser.add_argument("--cases", help="comma-separated subset of: "
                        "list,deep,filter,search,detail,papers,cached,feed,feed-deep,export,crawl")
    parser.add_argument("--results-dir", type=Path,
                        help="default bench/results (smoke: a temporary directory)")
    parser.add_argument("--no-docs", action="store_true", help="leave docs/performance.md as it is")
    args = parser.parse_args(argv)
    sizes = SMOKE if args.smoke else FULL
    args.corpus = database.Corpus(
        papers=args.papers or sizes.papers, claims=args.claims or sizes.claims,
        evidence=args.evidence or sizes.evidence,
        seed=sizes.seed if args.seed is None else args.seed)
    args.label = args.label or ("smoke" if args.smoke else "after")
    args.duration = args.duration or (1 if args.smoke else 10)
    args.warmup = (0 if args.smoke else 2) if args.warmup is None else args.warmup
    args.rounds = args.rounds or (1 if args.smoke else 2)
    if args.duration < 1 or args.warmup < 0:
        parser.error("wrk runs for whole seconds: --duration 1 or more, --warmup 0 or more")
    args.database = args.database or ("curation_bench_smoke" if args.smoke else "curation_bench")
    args.app_dir = args.app_dir.resolve()
    args.crawl_page_size = 50 if args.smoke else 500
    args.write_docs = not (args.smoke or args.no_docs)
    args.selected = set(args.cases.split(",")) if args.cases else None
    return args


def _int(value):
    return int(value) if value else None


def say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def app_env(args, *, cache: bool) -> dict:
    """The environment production gives the app, with the benchmark's database."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("API_CACHE", "API_COUNT_CACHE", "REDIS_URL", "DJANGO_SETTINGS_MODULE",
                        "PYTHONPATH", "DATABASE_REPLICA_URL")}
    alphabet = string.ascii_letters + string.digits
    env.update({
        "DATABASE_URL": f"{args.pg}/{args.database}",
        "DEBUG": "0",
        "SECRET_KEY": "".join(secrets.choice(alphabet) for _ in range(50)),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        # wrk and the harness speak plain HTTP on loopback: no redirect to HTTPS.
        "SECURE_SSL_REDIRECT": "0",
        "DB_CONN_MAX_AGE": "600",
        "API_CACHE": "1" if cache else "0",
        # The throttles count as in production, at rates wrk's thousands of requests a second
        # from one address never reach.
        "API_THROTTLE_ANON": "1000000000/minute",
        "API_THROTTLE_USER": "1000000000/minute",
        "DJANGO_SETTINGS_MODULE": "curation.settings",
        "PYTHONPATH": str(args.app_dir),
        "PYTHONDONTWRITEBYTECODE": "1",
    })
    # As deployed (docker-compose.yml): with Redis, which keeps list counts between writes
    # (API_COUNT_CACHE); the response cache only in the cached case.
    if getattr(args, "redis_ok", False):
        env.update(REDIS_URL=args.redis_url, API_COUNT_CACHE="1")
    return env


def repo_env(args) -> dict:
    """For this checkout's manage.py (migrations, the corpus)."""
    return {**app_env(args, cache=False), "PYTHONPATH": str(REPO)}


def raw_env(args) -> dict:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env.update({"DATABASE_URL": f"{args.pg}/{args.database}", "PYTHONPATH": str(REPO),
                "PYTHONDONTWRITEBYTECODE": "1", "RAW_EVIDENCE_FILTERS": args.evidence_filters})
    return env


def flush_redis(url: str) -> str | None:
    """FLUSHDB on the cache's database (redis://host:port/db), in plain RESP; why not, or None."""
    rest = url.removeprefix("redis://")
    address, _, db = rest.partition("/")
    host, _, port = address.rpartition("@")[2].partition(":")
    try:
        with socket.create_connection((host, int(port or 6379)), timeout=5) as sock:
            sock.sendall(f"*2\r\n$6\r\nSELECT\r\n${len(db or '0')}\r\n{db or '0'}\r\n"
                         "*1\r\n$7\r\nFLUSHDB\r\n".encode())
            answer = b""
            while answer.count(b"\r\n") < 2:
                chunk = sock.recv(1024)
                if not chunk:
                    break
                answer += chunk
    except OSError as exc:
        return f"no Redis at {url} ({exc})"
    return None if answer.count(b"+OK") == 2 else f"Redis at {url} did not flush: {answer!r}"


class Answer(NamedTuple):
    status: int
    json: object  # the parsed body of a 200, else None
    size: int  # body bytes
    queries: int | None  # as the server reported them (the raw baseline does)
    seconds: float  # one request alone, unloaded


def fetch_all(port: int, paths: list[str]) -> list[Answer]:
    """Each path once, one after the other."""
    client = Client(port)
    try:
        answers = []
        for path in paths:
            began = time.perf_counter()
            response = client.get(path)
            seconds = time.perf_counter() - began
            body = response.json() if response.status == 200 else None
            answers.append(Answer(response.status, body, len(response.body), response.queries,
                                  seconds))
        return answers
    finally:
        client.close()


def warm(port: int, paths: list[str], connections: int) -> None:
    """Requests on parallel connections: every worker serves this case once, and whatever
    an earlier wrk run left queued (gunicorn finishes requests whose client has gone) is
    served before these return."""
    def ask(i):
        client = Client(port)
        try:
            for j in range(2):
                client.get(paths[(i * 2 + j) % len(paths)])
        finally:
            client.close()

    with ThreadPoolExecutor(connections) as pool:
        list(pool.map(ask, range(connections)))


def measure(wrk_path, port, case, args, workdir) -> dict:
    if args.warmup > 0:
        wrk.run(wrk_path, port, case.paths, wrk.Load(args.warmup, args.connections,
                                                      args.threads), workdir)
    warm(port, case.paths, args.connections)
    load_average = os.getloadavg()[0]  # others' work on the machine shows here
    figures = wrk.run(wrk_path, port, case.paths,
                      wrk.Load(args.duration, args.connections, args.threads), workdir)
    warm(port, ["/healthz"], args.connections)  # let what wrk left queued finish
    return {**figures.as_dict(), "load_average": load_average}


def serve_and_measure(args, wrk_path, which, selected, workdir, *, cache=False,
                      downloads=()) -> dict:
    """Start one server, fetch and load every selected case, crawl, download, stop it."""
    if which == "raw":
        app, chdir, env, port = "bench.raw_app:application", REPO, raw_env(args), args.raw_port
    else:
        app, chdir, env, port = ("curation.wsgi:application", args.app_dir,
                                 app_env(args, cache=cache), args.app_port)
    label = f"{which}{' (cache on)' if cache else ''}"
    out = {"cases": {}, "crawl": None}
    with servers.serving(app, port=port, workers=args.workers, chdir=chdir, env=env,
                         log=workdir / f"{which}{'-cached' if cache else ''}.log"):
        for case in selected:
            answers = fetch_all(port, case.paths)
            if case.cached:
                answers = fetch_all(port, case.paths)  # the first fetch filled the cache
            out["cases"][case.key] = {"answers": answers, "rounds": []}
        # Round after round over the cases, so that a passing disturbance (other work on the
        # machine) spoils one round of a case, not all of them; the best round counts.
        for number in range(1, args.rounds + 1):
            for case in selected:
                say(f"  {label}, round {number}: {case.title}")
                out["cases"][case.key]["rounds"].append(measure(wrk_path, port, case, args,
                                                                workdir))
        for measured in out["cases"].values():
            measured["figures"] = max(measured["rounds"], key=lambda f: f["rps"])
            measured["figures"]["rps_rounds"] = [f["rps"] for f in measured["rounds"]]
        if args.do_crawl and not cache:
            say(f"  {label}: crawl")
            start = bench_cases.CRAWL_START.format(size=args.crawl_page_size)
            out["crawl"] = crawl(port, start, content.digest)
            out["crawl_first"] = fetch_all(port, [start])[0]
        out["downloads"] = {}
        for case in downloads:
            say(f"  {label}: {case.title}")
            out["downloads"][case.key] = download(port, case.paths[0])
    return out


def count_queries(args, paths: list[str], *, cache: bool) -> dict:
    """Queries per request for the app, from bench/queries.py run against the app's code."""
    command = [sys.executable, str(REPO / "bench" / "queries.py"), *paths]
    result = subprocess.run(command, cwd=args.app_dir, env=app_env(args, cache=cache),
                            capture_output=True, text=True)
    if result.returncode != 0:
        raise SystemExit(f"Counting queries failed:\n{result.stderr[-3000:]}")
    counted = json.loads(result.stdout.strip().splitlines()[-1])
    if not Path(counted["app"]).resolve().is_relative_to(args.app_dir):
        raise SystemExit(f"Queries were counted on {counted['app']}, not on {args.app_dir}")
    return counted["paths"]


def check_content(case, app_answers: list[Answer], raw_answers: list[Answer]) -> dict:
    compare = content.compare_ids if case.check == "ids" else content.compare_exact
    for path, app, raw in zip(case.paths, app_answers, raw_answers, strict=True):
        if app.status != 200 or raw.status != 200:
            return {"ok": False, "check": case.check,
                    "detail": f"{path}: HTTP {app.status} from app, {raw.status} from raw"}
        difference = compare(app.json, raw.json)
        if difference:
            return {"ok": False, "check": case.check, "detail": f"{path}: {difference}"}
    return {"ok": True, "check": case.check, "detail": ""}


def _mean(values):
    values = [v for v in values if v is not None]
    return sum(values) / len(values) if values else None


def _side(measured: dict, answers: list[Answer], queries) -> dict:
    return {**measured, "bytes": _mean([a.size for a in answers]), "queries": queries,
            "alone_ms": _mean([a.seconds * 1000 for a in answers])}


def prepare_database(args) -> dict:
    """The corpus in place and the schema the served checkout expects."""
    say(f"Database {args.database}: preparing")
    try:
        status = database.prepare(args.pg, args.database, args.corpus, REPO, repo_env(args),
                                  say=say)
    except psycopg2.OperationalError as exc:
        raise SystemExit(f"PostgreSQL is unreachable at {args.pg}: {exc}") from None
    schema = database.match_schema(args.pg, args.database, REPO, repo_env(args), args.app_dir,
                                   app_env(args, cache=False))
    say(f"Database {args.database}: {status}; claims schema at {schema}")
    stored = database.has_search_documents(args.pg, args.database)
    return {"corpus_status": status, "schema": schema,
            "search_documents": "stored" if stored else "computed per query"}


def choose_cases(args, params) -> tuple[list, list]:
    """The cases asked for, and notes on those skipped (the cached one without Redis)."""
    if params.search_documents != "stored":
        params.search_note = ("this schema stores no search documents, so the baseline "
                              "computes them in each query")
    selected = [c for c in bench_cases.build(params)
                if args.selected is None or c.key in args.selected]
    skipped = []
    # A stale cache from another corpus or checkout would answer for the app: start empty.
    trouble = flush_redis(args.redis_url)
    args.redis_ok = trouble is None
    if trouble:
        say(f"Without Redis: no cached case, and lists counted on every request ({trouble})")
        skipped = [f"{c.title}: skipped, {trouble}" for c in selected if c.cached]
        selected = [c for c in selected if not c.cached]
    return selected, skipped


def assemble_case(case, app: dict, raw: dict, queries: dict) -> dict:
    """One case's figures side by side, with its content check."""
    app_side, raw_side = app["cases"][case.key], raw["cases"][case.raw_case or case.key]
    check = check_content(case, app_side["answers"], raw_side["answers"])
    if queries["status"] != 200:
        check = {"ok": False, "check": case.check,
                 "detail": f"HTTP {queries['status']} when counting queries"}
    entry = {
        "key": case.key, "title": case.title, "paths": case.paths, "notes": case.notes,
        "app": _side(app_side["figures"], app_side["answers"], queries["queries"]),
        "raw": _side(raw_side["figures"], raw_side["answers"],
                     _mean([a.queries for a in raw_side["answers"]])),
        "content": check,
    }
    entry["ratio"] = {k: (entry["app"][k] / entry["raw"][k]
                          if entry["app"][k] is not None and entry["raw"][k] else None)
                      for k in ("rps", "p50_ms", "p99_ms")}
    return entry


def failures_of(entry: dict) -> list[str]:
    found = [] if entry["content"]["ok"] else [f"{entry['title']}: content "
                                                 f"{entry['content']['detail']}"]
    return found + [f"{entry['title']}: {entry[side]['errors']} errors from {side}"
                    for side in ("app", "raw") if entry[side]["errors"]]


def main(argv=None) -> int:
    args = parse_args(argv)
    started = datetime.now(UTC)
    wrk_path = wrk.ensure_wrk()
    for port in (args.app_port, args.raw_port):
        if not servers.port_is_free(port):
            raise SystemExit(f"Port {port} is in use: stop what listens there or pass "
                             "--app-port/--raw-port.")
    prepared = prepare_database(args)
    with database.cursor_on(args.pg, args.database) as cursor:
        params = bench_cases.discover(cursor, search=args.search,
                                      crawl_page_size=args.crawl_page_size)
    params.search_documents = prepared["search_documents"]
    selected, skipped = choose_cases(args, params)
    args.do_crawl = args.selected is None or "crawl" in args.selected
    plain = [c for c in selected if not c.cached and not c.download]
    cached = [c for c in selected if c.cached]
    downloads = [c for c in selected if c.download]
    # The raw side of a cached case is its uncached twin's: measure that one on raw too.
    raw_cases = plain + [c for c in bench_cases.build(params)
                         if c.key in {x.raw_case for x in cached} and c not in plain]

    with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        workdir = Path(tmp)
        say("Raw baseline")
        raw = serve_and_measure(args, wrk_path, "raw", raw_cases, workdir)
        say(f"App ({args.app_dir})")
        app = serve_and_measure(args, wrk_path, "app", plain, workdir, downloads=downloads)
        if cached:
            say("App with its response cache")
            app["cases"].update(serve_and_measure(args, wrk_path, "app", cached, workdir,
                                                  cache=True)["cases"])

    say("Counting queries")
    crawl_start = bench_cases.CRAWL_START.format(size=args.crawl_page_size)
    counted = count_queries(args, [c.paths[0] for c in plain + downloads]
                            + ([crawl_start] if args.do_crawl else []), cache=False)
    if cached:
        counted.update({f"cached {p}": q for p, q in count_queries(
            args, [c.paths[0] for c in cached], cache=True).items()})

    entries = [assemble_case(case, app, raw,
                             counted[f"{'cached ' if case.cached else ''}{case.paths[0]}"])
               for case in selected if not case.download]
    failures = [failure for entry in entries for failure in failures_of(entry)]
    fetched = [summarise_download(case, app["downloads"][case.key], counted[case.paths[0]], params)
               for case in downloads]
    failures += [f"{d['title']}: {d['content']['detail']}" for d in fetched if not d["content"]["ok"]]
    crawl_result = None
    if args.do_crawl:
        crawl_result = summarise_crawl(app, raw, counted[crawl_start], params, crawl_start)
        if not crawl_result["content"]["ok"]:
            failures.append(f"crawl: {crawl_result['content']['detail']}")

    results = {
        "label": args.label,
        "started_at": started.isoformat(timespec="seconds").replace("+00:00", "Z"),
        "finished_at": datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z"),
        "machine": report.machine(database.server_version(args.pg), wrk.version(wrk_path),
                                  args.workers),
        "parameters": {
            "duration": args.duration, "warmup": args.warmup, "rounds": args.rounds,
            "connections": args.connections, "threads": args.threads,
            "database": args.database, "corpus": vars(args.corpus), **prepared,
            "public_claims": params.public_claims, "app_dir": str(args.app_dir),
            "app_commit": report.commit_of(args.app_dir), "evidence_type": params.evidence_type,
            "deep_page": params.deep_page, "search": params.search,
            "evidence_filters": args.evidence_filters, "detail_ids": params.detail_ids,
            "crawl_page_size": params.crawl_page_size,
        },
        "cases": entries,
        "downloads": fetched,
        "crawl": crawl_result,
        "failures": failures,
        "skipped": skipped,
    }
    results_dir = args.results_dir or (Path(tempfile.gettempdir()) / "bench-smoke" if args.smoke
                                       else REPO / "bench" / "results")
    path = report.write_results(results, results_dir)
    table = report.markdown(results)
    print(table)
    say(f"Results: {path}")
    if args.write_docs:
        report.update_docs(REPO / "docs" / "performance.md", args.label, table,
                           heading=args.label.capitalize())
        say(f"Table written into docs/performance.md ({args.label})")
    if failures:
        say("Failures:\n" + "\n".join(f"  {f}" for f in failures))
        return 1 if args.smoke else 0
    return 0


def summarise_download(case, fetched, queries: dict, params) -> dict:
    """One download of the app's, checked: HTTP 200, and as many claims and evidence records
    as the database holds in that data set."""
    wrong = [f"{fetched.kinds.get(kind, 0)} {kind} records, {count} in the database"
             for kind, count in params.accepted.items() if fetched.kinds.get(kind, 0) != count]
    if fetched.status != 200:
        wrong = [f"HTTP {fetched.status}"]
    records = sum(fetched.kinds.values())
    return {"key": case.key, "title": case.title, "path": case.paths[0], "notes": case.notes,
            "status": fetched.status, "seconds": fetched.seconds, "first_byte": fetched.first_byte,
            "bytes": fetched.size, "records": records, "kinds": fetched.kinds,
            "records_per_s": records / fetched.seconds if fetched.seconds else None,
            "queries": queries["queries"],
            "content": {"ok": not wrong, "check": case.check, "detail": "; ".join(wrong)}}


def summarise_crawl(app, raw, app_queries, params, start) -> dict:
    """Both crawls side by side; they must have read every public claim, each alike."""
    a, r = app["crawl"], raw["crawl"]
    difference = a.error or r.error or content.compare_digests(a.digests, r.digests)
    if not difference and len(r.digests) != params.public_claims:
        difference = f"{len(r.digests)} claims crawled, {params.public_claims} are public"

    def side(c, first: Answer, queries):
        return {"seconds": c.seconds, "pages": c.pages, "claims": c.claims, "keyset": c.keyset,
                "claims_per_s": c.claims / c.seconds if c.seconds else None, "queries": queries,
                "first_page_bytes": first.size}

    app_side = side(a, app["crawl_first"], app_queries["queries"])
    raw_side = side(r, raw["crawl_first"], raw["crawl_first"].queries)
    return {"start": start, "app": app_side, "raw": raw_side,
            "ratio": (app_side["claims_per_s"] / raw_side["claims_per_s"]
                      if app_side["claims_per_s"] and raw_side["claims_per_s"] else None),
            "content": {"ok": not difference, "check": "crawl", "detail": difference or ""}}


if __name__ == "__main__":
    sys.exit(main())
