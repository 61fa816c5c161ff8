"""The benchmark's own PostgreSQL database, filled once per corpus size and kept.

The sizes the corpus was generated with, and a digest of the generator's code, are recorded
in a small table, bench_corpus, so a later run asking for the same corpus reuses the data
instead of generating it again.
"""

import hashlib
import subprocess
import sys
import time
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path

import psycopg2
from psycopg2 import sql


@dataclass(frozen=True)
class Corpus:
    papers: int
    claims: int
    evidence: int
    seed: int


@contextmanager
def cursor_on(server_url: str, name: str):
    """An autocommit cursor on database `name`, closed with its connection afterwards."""
    conn = psycopg2.connect(f"{server_url}/{name}")
    conn.autocommit = True
    try:
        with conn.cursor() as cursor:
            yield cursor
    finally:
        conn.close()


GENERATOR = ("claims/corpus.py", "claims/management/commands/generate_corpus.py")


def generator_digest(code_dir: Path) -> str:
    """Which generator wrote the rows: a changed generator means other data, so a new corpus."""
    digest = hashlib.sha256()
    for name in GENERATOR:
        path = code_dir / name
        digest.update(path.read_bytes() if path.exists() else b"")
    return digest.hexdigest()[:16]


def _recorded(server_url: str, name: str) -> tuple[Corpus, str] | None:
    with cursor_on(server_url, name) as cursor:
        cursor.execute("SELECT to_regclass('bench_corpus') IS NOT NULL")
        if not cursor.fetchone()[0]:
            return None
        cursor.execute("SELECT to_jsonb(b) FROM bench_corpus b")
        row = cursor.fetchone()
    if row is None:
        return None
    recorded = row[0]
    return Corpus(*(recorded.get(k) for k in ("papers", "claims", "evidence", "seed"))), \
        recorded.get("generator")


def _exists(server_url: str, name: str) -> bool:
    with cursor_on(server_url, "postgres") as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        return cursor.fetchone() is not None


def recreate(server_url: str, name: str, template: str | None = None):
    """An empty database, or a copy of template (which nobody may be connected to)."""
    with cursor_on(server_url, "postgres") as cursor:
        cursor.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
            sql.Identifier(name)))
        create = sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name))
        if template:
            create += sql.SQL(" TEMPLATE {}").format(sql.Identifier(template))
        cursor.execute(create)


def drop(server_url: str, name: str):
    with cursor_on(server_url, "postgres") as cursor:
        cursor.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
            sql.Identifier(name)))


def _manage(code_dir: Path, env: dict, *arguments: str):
    command = [sys.executable, str(code_dir / "manage.py"), *arguments]
    result = subprocess.run(command, cwd=code_dir, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        raise SystemExit(f"manage.py {' '.join(arguments)} failed:\n{result.stdout}{result.stderr}")
    return result.stdout


def prepare(server_url: str, name: str, corpus: Corpus, code_dir: Path, env: dict,
            say=print, template: str | None = None) -> str:
    """Make `name` hold the corpus, generated with code_dir's migrations and generate_corpus
    (into a copy of template, a migrated database, when one is given).

    Returns "reused" or "generated in N s"."""
    generator = generator_digest(code_dir)
    if _exists(server_url, name) and _recorded(server_url, name) == (corpus, generator):
        return "reused"
    if not (code_dir / "claims/management/commands/generate_corpus.py").exists():
        raise SystemExit(f"{code_dir} has no generate_corpus command: the benchmark needs "
                         "manage.py generate_corpus to fill its database.")
    say(f"Generating {name}: {corpus.papers} papers, {corpus.claims} claims, "
        f"{corpus.evidence} evidence, seed {corpus.seed} ...")
    began = time.monotonic()
    recreate(server_url, name, template)
    if template is None:
        _manage(code_dir, env, "migrate", "--no-input", "-v", "0")
    _manage(code_dir, env, "generate_corpus", "--papers", str(corpus.papers),
            "--claims", str(corpus.claims), "--evidence", str(corpus.evidence),
            "--seed", str(corpus.seed))
    seconds = time.monotonic() - began
    with cursor_on(server_url, name) as cursor:
        cursor.execute("VACUUM ANALYZE")
        cursor.execute("CREATE TABLE bench_corpus (papers integer, claims integer, "
                       "evidence integer, seed integer, generator text, seconds real, "
                       "generated_at timestamptz DEFAULT now())")
        cursor.execute("INSERT INTO bench_corpus (papers, claims, evidence, seed, generator, "
                       "seconds) VALUES (%(papers)s, %(claims)s, %(evidence)s, %(seed)s, "
                       "%(generator)s, %(seconds)s)",
                       {**asdict(corpus), "generator": generator, "seconds": seconds})
    return f"generated in {seconds:.0f} s"


def latest_migration(code_dir: Path) -> str:
    """The newest migration of the claims app in a checkout, e.g. 0003_claim_topics_history."""
    return max(p.stem for p in (code_dir / "claims" / "migrations").glob("[0-9][0-9][0-9][0-9]_*.py"))


def migrations_behind(server_url: str, name: str, code_dir: Path) -> bool:
    """Whether code_dir has claims migrations that database `name` has not applied."""
    with cursor_on(server_url, name) as cursor:
        cursor.execute("SELECT name FROM django_migrations WHERE app = 'claims'")
        applied = {row[0] for row in cursor.fetchall()}
    files = {p.stem for p in (code_dir / "claims" / "migrations").glob("[0-9][0-9][0-9][0-9]_*.py")}
    return bool(files - applied)


def manage(code_dir: Path, env: dict, *arguments: str) -> str:
    """manage.py with these arguments; its output, or SystemExit with it on failure."""
    return _manage(code_dir, env, *arguments)


def match_schema(server_url: str, name: str, code_dir: Path, code_env: dict, app_dir: Path,
                 app_env: dict) -> str:
    """Bring the claims tables to the schema the served checkout expects, forwards or back
    (an older checkout runs without the indexes and columns that newer migrations add), then
    VACUUM ANALYZE: a migration that rewrites a table leaves it without statistics and
    without a visibility map, which would turn every COUNT(*) of a page into a full scan.
    Returns the migration it stands at."""
    target = latest_migration(app_dir)
    if (code_dir / "claims" / "migrations" / f"{target}.py").exists():
        _manage(code_dir, code_env, "migrate", "claims", target, "--no-input", "-v", "0")
    else:  # the served checkout is ahead of this one
        _manage(app_dir, app_env, "migrate", "--no-input", "-v", "0")
    with cursor_on(server_url, name) as cursor:
        cursor.execute("VACUUM ANALYZE")
    return target


def has_search_documents(server_url: str, name: str) -> bool:
    with cursor_on(server_url, name) as cursor:
        cursor.execute("SELECT count(*) = 3 FROM pg_attribute WHERE attname = 'search_document' "
                       "AND NOT attisdropped AND attrelid IN (to_regclass('claims_claim'), "
                       "to_regclass('claims_evidence'), to_regclass('claims_paper'))")
        return cursor.fetchone()[0]


def server_version(server_url: str) -> str:
    with cursor_on(server_url, "postgres") as cursor:
        cursor.execute("SHOW server_version")
        return cursor.fetchone()[0]
