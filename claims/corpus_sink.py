"""Corpus rows buffered per table and written in chunks: COPY on PostgreSQL, bulk_create elsewhere."""

import io

from django.core.management.color import no_style
from django.db import DEFAULT_DB_ALIAS, connection
from django.db.models import Max

from claims.bulk_insert import copy_text
from claims.models import Claim, ClaimVersion, CuratorReview, Evidence, Paper

CHUNK_ROWS = 50_000  # rows buffered per table before they are written
DB = DEFAULT_DB_ALIAS  # django.db.connection's: the primary, where every write goes


def on(model):
    """The model's rows on the connection the corpus is written on, whatever the routers say:
    a replica may lag behind the checks and the ids the writes depend on."""
    return model._default_manager.using(DB)


def table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def lock_tables():
    """Keep other writers out until the corpus is written: the ids it takes stay free.

    SQLite's transactions already take the database's write lock up front."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"LOCK TABLE {', '.join(table(m) for m in Sink.MODELS)} "
                           "IN EXCLUSIVE MODE")


class Sink:
    """Rows buffered per table and written in chunks, parents before children."""

    MODELS = (Paper, Paper.topics.through, Claim, Claim.topics.through, Evidence,
              CuratorReview, ClaimVersion)

    def __init__(self, use_copy: bool):
        self.use_copy = use_copy
        self.rows = {model: [] for model in self.MODELS}
        self.written = dict.fromkeys(self.MODELS, 0)
        self.fields = {m: [f.attname for f in m._meta.concrete_fields] for m in self.MODELS}

    def first_id(self, model) -> int:
        return (on(model).aggregate(last=Max("pk"))["last"] or 0) + 1

    def add(self, model, row: dict):
        if self.use_copy:  # a line of text holds far less memory than a dict
            row = "\t".join([copy_text(row[name]) for name in self.fields[model]])
        self.rows[model].append(row)

    def full(self) -> bool:
        return any(len(rows) >= CHUNK_ROWS for rows in self.rows.values())

    def flush(self):
        for model, rows in self.rows.items():
            if rows:
                (self._copy if self.use_copy else self._bulk_create)(model, rows)
                self.written[model] += len(rows)
                rows.clear()

    def finish(self):
        self.flush()
        with connection.cursor() as cursor:
            for sql in connection.ops.sequence_reset_sql(no_style(), self.MODELS):
                cursor.execute(sql)

    def _bulk_create(self, model, rows):
        on(model).bulk_create([model(**row) for row in rows], batch_size=1000)

    def _copy(self, model, lines):
        # Bytes: a StringIO holding any non-ASCII character (µ, ±) takes four bytes a character.
        buffer = io.BytesIO(("\n".join(lines) + "\n").encode())
        columns = ", ".join(connection.ops.quote_name(f.column)
                            for f in model._meta.concrete_fields)
        with connection.cursor() as cursor, connection.wrap_database_errors:
            cursor.copy_expert(f"COPY {table(model)} ({columns}) FROM STDIN", buffer)
