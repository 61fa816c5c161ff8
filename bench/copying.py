"""PostgreSQL's COPY as the floor for a bulk load: the rows an import wrote, copied again.

Before the import, each table's highest primary key is noted (marks()). Afterwards the rows
above the marks are what the import inserted, in every table it touched: the records
themselves, their topic links, the users it created, history rows and change-feed entries.
dump() writes them out as CSV with COPY ... TO STDOUT; load() copies them into another
database that started where the import's did, in one transaction, and times it up to and
including the commit (where PostgreSQL checks the deferred foreign keys).
"""

import time
from dataclasses import dataclass
from pathlib import Path

import psycopg2
from psycopg2 import sql

from bench.database import cursor_on

# The rows the interchange records become, with the users they name: no history, no feed.
RECORD_TABLES = ("auth_user", "claims_evidencetype", "claims_topic", "claims_paper",
                 "claims_paper_topics", "claims_claim", "claims_claim_topics", "claims_evidence",
                 "claims_curatorreview", "claims_claimversion")


@dataclass
class Table:
    name: str
    key: str  # its single-column primary key
    mark: int  # the highest key before the import
    columns: tuple[str, ...] = ()  # all but generated ones, which COPY FROM cannot take
    rows: int = 0  # rows above the mark: what the import inserted
    path: Path | None = None  # the CSV they were dumped to


def marks(server_url: str, database: str) -> dict[str, Table]:
    """Every table with a single integer primary key, and the highest key it holds now."""
    with cursor_on(server_url, database) as cursor:
        cursor.execute("""
            SELECT c.relname, a.attname FROM pg_index i
            JOIN pg_class c ON c.oid = i.indrelid
            JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = 'public'
            JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = i.indkey[0]
            WHERE i.indisprimary AND i.indnatts = 1
              AND a.atttypid IN ('int4'::regtype, 'int8'::regtype)
            ORDER BY c.relname""")
        tables = {name: Table(name, key, 0) for name, key in cursor.fetchall()}
        for table in tables.values():
            cursor.execute("SELECT attname FROM pg_attribute WHERE attrelid = %s::regclass "
                           "AND attnum > 0 AND NOT attisdropped AND attgenerated = '' "
                           "ORDER BY attnum", [table.name])
            table.columns = tuple(row[0] for row in cursor.fetchall())
            cursor.execute(sql.SQL("SELECT coalesce(max({}), 0) FROM {}").format(
                sql.Identifier(table.key), sql.Identifier(table.name)))
            table.mark = cursor.fetchone()[0]
    return tables


def dump(server_url: str, database: str, tables: dict[str, Table], directory: Path) -> list[Table]:
    """The rows above each table's mark, as CSV files in directory; the tables that had any."""
    written = []
    with cursor_on(server_url, database) as cursor:
        for table in tables.values():
            table.path = directory / f"{table.name}.csv"
            query = sql.SQL("COPY (SELECT {c} FROM {t} WHERE {k} > {m} ORDER BY {k}) TO STDOUT "
                            "WITH (FORMAT csv)").format(c=_columns(table),
                                                        t=sql.Identifier(table.name),
                                                        k=sql.Identifier(table.key),
                                                        m=sql.Literal(table.mark))
            with table.path.open("w", encoding="utf-8") as out:
                cursor.copy_expert(query, out)
            cursor.execute(sql.SQL("SELECT count(*) FROM {} WHERE {} > %s").format(
                sql.Identifier(table.name), sql.Identifier(table.key)), [table.mark])
            table.rows = cursor.fetchone()[0]
            if table.rows:
                written.append(table)
            else:
                table.path.unlink()
    return written


def _columns(table: Table) -> sql.Composable:
    return sql.SQL(", ").join(map(sql.Identifier, table.columns))


def load(server_url: str, database: str, tables: list[Table]) -> float:
    """COPY the dumped tables into database in one transaction; seconds up to the commit."""
    conn = psycopg2.connect(f"{server_url}/{database}")
    try:
        began = time.perf_counter()
        with conn.cursor() as cursor:
            for table in tables:
                with table.path.open(encoding="utf-8") as source:
                    cursor.copy_expert(sql.SQL("COPY {} ({}) FROM STDIN WITH (FORMAT csv)").format(
                        sql.Identifier(table.name), _columns(table)), source)
        conn.commit()
        return time.perf_counter() - began
    finally:
        conn.close()


def counts(server_url: str, database: str, tables: list[Table]) -> dict[str, int]:
    """Rows above each table's mark in database."""
    with cursor_on(server_url, database) as cursor:
        found = {}
        for table in tables:
            cursor.execute(sql.SQL("SELECT count(*) FROM {} WHERE {} > %s").format(
                sql.Identifier(table.name), sql.Identifier(table.key)), [table.mark])
            found[table.name] = cursor.fetchone()[0]
    return found


def inserted_elsewhere(server_url: str, database: str, tables: list[Table]) -> list[str]:
    """Tables the statistics say received rows, other than these: what a COPY would miss
    (a database made from a template starts with empty statistics)."""
    with cursor_on(server_url, database) as cursor:
        cursor.execute("SELECT relname, n_tup_ins FROM pg_stat_user_tables WHERE n_tup_ins > 0")
        found = cursor.fetchall()
    known = {table.name for table in tables}
    return sorted(f"{name} ({rows} rows)" for name, rows in found if name not in known)
