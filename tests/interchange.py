"""Helpers shared by the interchange tests: files, imports, and the database's whole state."""

import json
from io import StringIO

from django.apps import apps
from django.contrib.auth.models import User
from django.core.management import call_command
from django.db import connection

from claims.interchange import export


def export_text(status=None) -> str:
    return "".join(export.iter_lines(status))


def write(path, lines) -> str:
    """A file of these records (dicts) or raw lines (str, written as they are)."""
    with open(path, "w", encoding="utf-8", newline="\n") as file:
        for line in lines:
            file.write(line if isinstance(line, str) else json.dumps(line, ensure_ascii=False) + "\n")
    return str(path)


def import_file(path, *options) -> str:
    out = StringIO()
    call_command("import_curation", str(path), *options, stdout=out, stderr=StringIO())
    return out.getvalue()


def empty_database():
    """Nothing left but the schema (and the role groups the migrations made)."""
    if connection.vendor == "postgresql":  # TRUNCATE waits for no deferred foreign-key check
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    call_command("flush", interactive=False, verbosity=0)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
    from importlib import import_module

    from django.contrib.auth.models import Group, Permission

    import_module("claims.migrations.0002_roles").grant_roles(Group, Permission)


def chief() -> User:
    return User.objects.create_superuser("chief", email="chief@example.org", password="pw")


def database_state() -> dict:
    """Every row of the claims app and of the users, history included, as comparable values."""
    state = {}
    for model in [*apps.get_app_config("claims").get_models(include_auto_created=True), User]:
        state[model._meta.label] = sorted(map(repr, model.objects.values_list()))
    return state


def records(text: str, kind: str | None = None) -> list[dict]:
    found = [json.loads(line) for line in text.splitlines()]
    return [r for r in found if kind is None or r["kind"] == kind]
