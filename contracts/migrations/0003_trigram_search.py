"""PostgreSQL only (nothing on SQLite): trigram GIN indexes on the contract text columns that ``q`` and the
contract search picker search (the pg_trgm extension comes from organizations' 0004). See that migration."""

from django.db import migrations

INDEXES = [
    ("contracts_contract", "reference"),
    ("contracts_contract", "title"),
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
    dependencies = [("contracts", "0002_date_range_validators"), ("organizations", "0004_trigram_search")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
