"""Bulk loads on PostgreSQL: import_curation beside COPY of the same rows, and the memory,
time and size of export_curation at several sizes.

    make bench-loads                 full size; results in bench/results/ and docs/performance.md
    python -m bench.loads --smoke    tiny sizes in seconds (make bench-smoke runs it)

Every database starts as a copy of one empty, migrated database holding only a superuser
(bench-importer). Generated corpora are kept and reused like the HTTP benchmark's.

Import: the source corpus is written out by export_curation, and import_curation loads the
file into a fresh copy of the empty database as bench-importer, in a process of its own,
timed from start to exit. Beside it, the rows the import inserted are dumped and COPYed into
two more fresh copies (bench/copying.py): every table it wrote, then only the records' own
tables. Records per second count the file's records in every case.
Export: export_curation FILE on each corpus, its peak resident memory (ru_maxrss of that
process), seconds and bytes; on the empty database, the floor of Python and Django.
"""

import argparse
import hashlib
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace

import psycopg2
from psycopg2 import sql

from bench import copying, database, loads_report, report
from bench.database import Corpus
from bench.run import REPO, app_env, say

ACTOR = "bench-importer"


@dataclass(frozen=True)
class Sizes:
    source: Corpus  # imported
    exports: tuple[Corpus, ...]  # exported, the memory compared between the first and last


FULL = Sizes(Corpus(papers=20_000, claims=33_000, evidence=100_000, seed=1),
             (Corpus(papers=2_000, claims=10_000, evidence=30_000, seed=1),
              Corpus(papers=20_000, claims=100_000, evidence=300_000, seed=1)))
SMOKE = Sizes(Corpus(papers=20, claims=70, evidence=200, seed=1),
              (Corpus(papers=10, claims=30, evidence=90, seed=1),
               Corpus(papers=20, claims=70, evidence=200, seed=1)))


def parse_args(argv):
    parser = argparse.ArgumentParser(prog="python -m bench.loads", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--smoke", action="store_true",
                        help="tiny sizes, results in a temporary directory, docs untouched; "
                             "exits 1 when a check fails")
    parser.add_argument("--cases", help="comma-separated subset of: import,export")
    parser.add_argument("--prefix", help="names the databases (default curation_bench_loads, "
                                         "smoke curation_bench_smoke_loads)")
    parser.add_argument("--pg", default=os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432"),
                        help="the PostgreSQL server, without a database name")
    parser.add_argument("--keep", action="store_true",
                        help="keep the import's and COPY's target databases for inspection")
    parser.add_argument("--label", default="loads", help="names the results file and docs section")
    parser.add_argument("--results-dir", type=Path,
                        help="default bench/results (smoke: a temporary directory)")
    parser.add_argument("--no-docs", action="store_true", help="leave docs/performance.md as it is")
    args = parser.parse_args(argv)
    args.sizes = SMOKE if args.smoke else FULL
    args.prefix = args.prefix or ("curation_bench_smoke_loads" if args.smoke else "curation_bench_loads")
    args.selected = set(args.cases.split(",")) if args.cases else {"import", "export"}
    args.write_docs = not (args.smoke or args.no_docs)
    return args


def env_for(args, name: str) -> dict:
    """The environment the service runs with in production, on database `name`."""
    return app_env(SimpleNamespace(pg=args.pg, database=name, app_dir=REPO), cache=False)


def corpus_name(prefix: str, corpus: Corpus) -> str:
    return f"{prefix}_p{corpus.papers}_c{corpus.claims}_e{corpus.evidence}_s{corpus.seed}"


# --- processes, timed and measured ---


def measured(command: list[str], env: dict, log: Path) -> dict:
    """Run a command to its end: seconds and peak resident memory (kB); SystemExit on failure."""
    load_average = os.getloadavg()[0]
    with log.open("w") as out:
        began = time.perf_counter()
        child = subprocess.Popen(command, cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT)
        # wait4, not wait(): the rusage of this child alone (Linux: ru_maxrss in kB).
        _, status, usage = os.wait4(child.pid, 0)
        seconds = time.perf_counter() - began
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode != 0:
        raise SystemExit(f"{' '.join(command[1:])} failed:\n{log.read_text()[-3000:]}")
    return {"seconds": seconds, "peak_rss_kb": usage.ru_maxrss, "load_average": load_average}


def manage(*arguments: str) -> list[str]:
    return [sys.executable, str(REPO / "manage.py"), *arguments]


def checkpoint(args) -> None:
    """Write out what earlier steps left dirty, so that it is not charged to the next one."""
    with database.cursor_on(args.pg, "postgres") as cursor:
        cursor.execute("CHECKPOINT")


# --- databases ---


def migrations_digest() -> str:
    digest = hashlib.sha256()
    for path in sorted((REPO / "claims" / "migrations").glob("[0-9][0-9][0-9][0-9]_*.py")):
        digest.update(path.name.encode() + path.read_bytes())
    return digest.hexdigest()[:16]


def prepare_empty(args) -> str:
    """The empty, migrated database with its superuser; kept while the migrations are the same
    (their digest is the database's comment, which copies of it do not inherit)."""
    name, digest = f"{args.prefix}_empty", migrations_digest()
    with database.cursor_on(args.pg, "postgres") as cursor:
        cursor.execute("SELECT shobj_description(oid, 'pg_database') FROM pg_database "
                       "WHERE datname = %s", [name])
        row = cursor.fetchone()
    if row and row[0] == f"bench {digest}":
        return name
    say(f"Database {name}: migrating")
    database.recreate(args.pg, name)
    env = env_for(args, name)
    database.manage(REPO, env, "migrate", "--no-input", "-v", "0")
    database.manage(REPO, env, "createsuperuser", "--no-input", "--username", ACTOR,
                    "--email", "bench-importer@example.org")
    with database.cursor_on(args.pg, "postgres") as cursor:
        cursor.execute(sql.SQL("COMMENT ON DATABASE {} IS {}").format(
            sql.Identifier(name), sql.Literal(f"bench {digest}")))
    return name


def prepare_corpus(args, corpus: Corpus, empty: str) -> str:
    name = corpus_name(args.prefix, corpus)
    status = database.prepare(args.pg, name, corpus, REPO, env_for(args, name), say=say,
                              template=empty)
    if status == "reused" and database.migrations_behind(args.pg, name, REPO):
        database.manage(REPO, env_for(args, name), "migrate", "--no-input", "-v", "0")
        status = "reused, migrated"
    say(f"Database {name}: {status}")
    return name


def table_counts(args, name: str, tables) -> dict[str, int]:
    with database.cursor_on(args.pg, name) as cursor:
        found = {}
        for table in tables:
            cursor.execute(sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(table)))
            found[table] = cursor.fetchone()[0]
    return found


# --- the cases ---


def export(args, name: str, path: Path, workdir: Path) -> dict:
    """export_curation of database `name` into path, measured; with what it wrote."""
    checkpoint(args)
    run = measured(manage("export_curation", str(path), "-v", "0"), env_for(args, name),
                   workdir / f"export-{name}.log")
    kinds = {}
    with path.open("rb") as lines:
        for line in lines:
            kind = line[9:line.index(b'"', 9)].decode()  # lines start with {"kind":"<name>"
            kinds[kind] = kinds.get(kind, 0) + 1
    return {**run, "database": name, "bytes": path.stat().st_size, "records": sum(kinds.values()),
            "kinds": kinds}


def export_case(args, empty: str, workdir: Path, done: dict | None = None) -> dict:
    """done: the import's own export, measured already, when its corpus is one of these."""
    runs = []
    for corpus in args.sizes.exports:
        if done and done["corpus"] == asdict(corpus):
            runs.append(done)
            continue
        name = prepare_corpus(args, corpus, empty)
        say(f"Export: {name}")
        path = workdir / f"{name}.jsonl"
        runs.append({"corpus": asdict(corpus), **export(args, name, path, workdir)})
        path.unlink()
    floor = None
    if not args.smoke:
        say("Export: the empty database (the floor)")
        floor = export(args, empty, workdir / "empty.jsonl", workdir)
    first, last = runs[0]["peak_rss_kb"], runs[-1]["peak_rss_kb"]
    return {"runs": runs, "floor": floor, "memory_ratio": last / first if first else None}


RECORD_COUNTS = ("claims_evidencetype", "claims_topic", "claims_paper", "claims_claim",
                 "claims_evidence", "claims_curatorreview", "claims_claimversion")


def import_case(args, empty: str, workdir: Path) -> dict:
    source = prepare_corpus(args, args.sizes.source, empty)
    say(f"Import: exporting {source}")
    file = workdir / "import.jsonl"
    exported = {"corpus": asdict(args.sizes.source), **export(args, source, file, workdir)}
    target = f"{args.prefix}_import"
    database.recreate(args.pg, target, template=empty)
    tables = copying.marks(args.pg, target)
    checkpoint(args)
    say(f"Import: import_curation into {target} ({exported['records']:,} records)")
    app = measured(manage("import_curation", str(file), "--as", ACTOR, "-v", "0"),
                   env_for(args, target), workdir / "import.log")
    file.unlink()
    failures = []
    expected, found = table_counts(args, source, RECORD_COUNTS), table_counts(args, target, RECORD_COUNTS)
    if expected != found:
        failures.append(f"import: rows {found} in the imported database, {expected} in the source")
    written = copying.dump(args.pg, target, tables, workdir)
    missed = copying.inserted_elsewhere(args.pg, target, written)
    if missed:
        failures.append(f"import also inserted into tables without an integer key, not copied: "
                        f"{', '.join(missed)}")
    if not args.keep:
        database.drop(args.pg, target)
    copies = {"all": copy_twin(args, empty, "all", written, failures),
              "records": copy_twin(args, empty, "records",
                                   [t for t in written if t.name in copying.RECORD_TABLES], failures)}
    for table in written:
        table.path.unlink()
    records = exported["records"]
    app.update(records_per_s=records / app["seconds"], rows=copies["all"]["rows"])
    for copy in copies.values():
        copy["records_per_s"] = records / copy["seconds"]
        copy["ratio"] = app["records_per_s"] / copy["records_per_s"]
    return {"file": exported, "app": app, "copy": copies, "failures": failures}


def copy_twin(args, empty: str, key: str, tables: list, failures: list) -> dict:
    """COPY these dumped tables into a fresh copy of the empty database, timed."""
    target = f"{args.prefix}_copy_{key}"
    database.recreate(args.pg, target, template=empty)
    checkpoint(args)
    rows = sum(t.rows for t in tables)
    say(f"Import: COPY into {target} ({rows:,} rows)")
    load_average = os.getloadavg()[0]
    seconds = copying.load(args.pg, target, tables)
    copied = copying.counts(args.pg, target, tables)
    if copied != {t.name: t.rows for t in tables}:
        failures.append(f"COPY ({key}): rows {copied} differ from the import's")
    if not args.keep:
        database.drop(args.pg, target)
    return {"seconds": seconds, "load_average": load_average,
            "tables": {t.name: t.rows for t in tables}, "rows": rows}


def main(argv=None) -> int:
    args = parse_args(argv)
    started = datetime.now(UTC)
    try:
        server = database.server_version(args.pg)
    except psycopg2.OperationalError as exc:
        raise SystemExit(f"PostgreSQL is unreachable at {args.pg}: {exc}") from None
    empty = prepare_empty(args)
    results = {"label": args.label,
               "started_at": started.isoformat(timespec="seconds").replace("+00:00", "Z"),
               "machine": {k: v for k, v in report.machine(server, "", 0).items()
                           if k not in ("wrk", "gunicorn_workers")},
               "parameters": {"prefix": args.prefix, "smoke": args.smoke,
                              "app_commit": report.commit_of(REPO)}}
    with tempfile.TemporaryDirectory(prefix="bench-loads-") as tmp:
        workdir = Path(tmp)
        if "import" in args.selected:
            results["import"] = import_case(args, empty, workdir)
        if "export" in args.selected:
            results["export"] = export_case(args, empty, workdir,
                                            results.get("import", {}).get("file"))
    results["finished_at"] = datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
    results["failures"] = results.get("import", {}).get("failures", [])
    results_dir = args.results_dir or (Path(tempfile.gettempdir()) / "bench-smoke" if args.smoke
                                       else REPO / "bench" / "results")
    path = report.write_results(results, results_dir)
    text = loads_report.markdown(results)
    print(text)
    say(f"Results: {path}")
    if args.write_docs:
        report.update_docs(REPO / "docs" / "performance.md", args.label, text, heading="Bulk loads")
        say(f"Written into docs/performance.md ({args.label})")
    if results["failures"]:
        say("Failures:\n" + "\n".join(f"  {f}" for f in results["failures"]))
        return 1 if args.smoke else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
