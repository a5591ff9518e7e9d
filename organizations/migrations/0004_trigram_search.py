"""PostgreSQL only (nothing on SQLite): the pg_trgm extension and trigram GIN indexes on the text columns that
``q`` and the search pickers search, so that a search matching nothing does not scan every row.

The indexes are on ``UPPER(column::text)``, the expression Django's ``icontains`` compares on PostgreSQL, so the
planner can use them for ``UPPER(column::text) LIKE UPPER('%word%')``. ``CREATE EXTENSION`` needs a superuser (or
the extension already installed by one) on a new database.
"""

from django.db import migrations

INDEXES = [
    ("organizations_organization", "name"),
    ("organizations_organization", "uscc"),
    ("organizations_organization", "legal_representative"),
    ("organizations_purchaser", "name"),
    ("organizations_purchaser", "uscc"),
]


def index_name(table, column):
    return f"{table.split('_', 1)[1]}_{column}_trgm_idx"


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for table, column in INDEXES:
        schema_editor.execute(f'CREATE INDEX IF NOT EXISTS {index_name(table, column)} ON {table} '
                              f'USING gin ((UPPER("{column}"::text)) gin_trgm_ops)')


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table, column in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {index_name(table, column)}")


class Migration(migrations.Migration):
    dependencies = [("organizations", "0003_date_range_validators")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
