"""The app's migrations run both ways: from an empty schema to the models, and back to nothing,
so a release can be rolled back by `manage.py migrate claims <earlier>`."""

import pytest
from django.apps import apps
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.operations import RunPython, RunSQL

from claims.choices import Role


def claims_migrations():
    loader = MigrationLoader(None, ignore_no_migrations=True)
    return sorted((key, migration) for key, migration in loader.disk_migrations.items() if key[0] == "claims")


def test_every_migration_of_the_app_can_be_reversed():
    irreversible = []
    migrations = claims_migrations()
    # Found on disk, the data migration with them: an empty list would pass with nothing checked.
    assert "0002_roles" in {name for (_, name), _ in migrations}
    for (_, name), migration in migrations:
        for operation in migration.operations:
            # A RunPython without reverse_code, or a RunSQL without reverse_sql, stops a rollback.
            missing = (isinstance(operation, RunPython) and operation.reverse_code is None) or (
                isinstance(operation, RunSQL) and operation.reverse_sql is None
            )
            if missing or not operation.reversible:
                irreversible.append(f"{name}: {operation.describe()}")
    assert irreversible == []


def claims_tables() -> set[str]:
    with connection.cursor() as cursor:
        return {
            table for table in connection.introspection.table_names(cursor) if table.startswith("claims_")
        }


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_migrations_roll_back_to_zero_and_apply_again_from_an_empty_schema():
    models = {model._meta.db_table for model in apps.get_app_config("claims").get_models()}
    assert models <= claims_tables()
    try:
        call_command("migrate", "claims", "zero", verbosity=0)
        assert claims_tables() == set()
    finally:
        # The test database is shared with the rest of the run: the schema is always restored.
        call_command("migrate", verbosity=0)
    assert models <= claims_tables()
    # The data migrations ran again: the role groups, and the search documents (claims/search.py).
    assert set(Group.objects.values_list("name", flat=True)) >= {Role.CURATOR, Role.REVIEWER}
    with connection.cursor() as cursor:
        columns = connection.introspection.get_table_description(cursor, "claims_claim")
    assert "search_document" in {column.name for column in columns}
    call_command("makemigrations", "claims", "--check", "--dry-run", verbosity=0)
