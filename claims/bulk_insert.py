"""New rows in bulk: bulk_create's result, written on PostgreSQL with COPY.

bulk_create sends INSERT ... VALUES statements that Django compiles value by value and
PostgreSQL parses as SQL; COPY streams the same rows as text, the way PostgreSQL loads data
fastest. The rows are the ones bulk_create writes: each value as the field prepares it for
the database (pre_save, get_db_prep_save), the ids drawn from the table's own sequence, in
the order of the objects, and the objects marked saved with their ids. The database checks
its constraints as for any insert, and a refusal raises Django's IntegrityError.

Other databases, and values COPY text cannot carry (an expression, a type not listed in
copy_text), take bulk_create.
"""

import io
import json
from datetime import date
from decimal import Decimal
from functools import cache
from uuid import UUID

from django.db import connection, models
from django.db.backends.postgresql.psycopg_any import is_psycopg3
from psycopg2.extras import Json

BATCH = 1000

# COPY's text format: a backslash escapes the separators and itself (a NUL cannot be stored
# at all, and is refused before it gets here: claims.models.base.unstorable).
_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


class _NotText(Exception):
    pass


def insert(model, objs: list) -> None:
    """Insert new objects, as model.objects.bulk_create(objs) does."""
    if (connection.vendor != "postgresql" or is_psycopg3 or not objs
            or any(obj.pk is not None for obj in objs)):
        model.objects.bulk_create(objs, batch_size=BATCH)
        return
    meta = model._meta
    fields = [f for f in meta.concrete_fields if not f.generated]
    for obj in objs:
        obj._prepare_related_fields_for_save(operation_name="bulk_create")
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                       [meta.db_table, meta.pk.column, len(objs)])
        ids = sorted(row[0] for row in cursor.fetchall())
        for obj, pk in zip(objs, ids, strict=True):
            obj.pk = pk
        try:
            rows = _rows(objs, fields)
        except _NotText:
            model.objects.bulk_create(objs, batch_size=BATCH)
            return
        quote = connection.ops.quote_name
        columns = ", ".join(quote(f.column) for f in fields)
        with connection.wrap_database_errors:
            cursor.cursor.copy_expert(f"COPY {quote(meta.db_table)} ({columns}) FROM STDIN",
                                      io.StringIO(rows))
    for obj in objs:
        obj._state.adding = False
        obj._state.db = connection.alias


def _rows(objs: list, fields: list) -> str:
    writers = _writers(tuple(fields))
    lines = ["\t".join([write(obj) for write in writers]) for obj in objs]
    lines.append("")
    return "\n".join(lines)


# Fields whose preparation (pre_save, get_db_prep_save) hands a value of this exact type to
# the database as it is: their values are written without it, which is most of the work.
_AS_IS = {models.CharField: str, models.TextField: str, models.SlugField: str,
          models.URLField: str, models.EmailField: str, models.BooleanField: bool,
          models.IntegerField: int, models.SmallIntegerField: int, models.BigIntegerField: int,
          models.PositiveIntegerField: int, models.PositiveSmallIntegerField: int,
          models.AutoField: int, models.BigAutoField: int}


@cache
def _writers(fields: tuple) -> list:
    return [_writer(field) for field in fields]


def _writer(field):
    def prepared(obj):
        return copy_text(field.get_db_prep_save(field.pre_save(obj, True), connection))

    target = field.target_field if field.many_to_one else field
    plain = _AS_IS.get(type(target))
    if plain is None or type(field).pre_save is not models.Field.pre_save:
        return prepared
    attname = field.attname

    def as_is(obj):
        value = getattr(obj, attname)
        if value is None:
            return "\\N"
        if type(value) is not plain:  # an enumeration, a string for a number: prepared
            return prepared(obj)
        return copy_text(value)

    return as_is


def copy_text(value) -> str:
    """One value in COPY's text format."""
    # isinstance, not type(): choices are str and int enumerations.
    if isinstance(value, str):
        return _escaped(value)
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, int):
        return str(int(value))
    if isinstance(value, float | Decimal | UUID):
        return str(value)
    if isinstance(value, date):  # and datetime
        return value.isoformat()
    if isinstance(value, Json):  # how JSONField hands a value to psycopg2
        return _escaped(value.dumps(value.adapted))
    if isinstance(value, dict | list):
        return _escaped(json.dumps(value, ensure_ascii=False))
    raise _NotText(type(value))


def _escaped(text: str) -> str:
    # Tabs and line breaks are not printable: most values need no new string at all.
    return text if text.isprintable() and "\\" not in text else str.translate(text, _ESCAPES)
