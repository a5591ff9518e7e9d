"""The raw SQL of imports: updates sent with ``executemany`` and PostgreSQL's id sequence after explicit ids."""

from django.db import connection


def advance_sequence(model):
    """After rows were inserted with explicit ids: move PostgreSQL's id sequence past them (never backwards, since
    other transactions may have drawn ids meanwhile). SQLite's AUTOINCREMENT follows the largest id by itself."""
    if connection.vendor != "postgresql":
        return
    quote = connection.ops.quote_name
    table, column = model._meta.db_table, model._meta.pk.column
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT setval(pg_get_serial_sequence(%s, %s), GREATEST(COALESCE((SELECT MAX({quote(column)}) FROM "
            f"{quote(table)}), 1), nextval(pg_get_serial_sequence(%s, %s))))",
            [table, column, table, column])


def update_rows(model, objs, fields, versioned=False):
    """``UPDATE … SET f = %s … WHERE pk = %s`` for each object, sent with ``executemany`` (one statement prepared
    once; psycopg pipelines it): much faster than ``bulk_update``'s ``CASE WHEN`` for thousands of rows.

    ``versioned``: also ``SET version = version + 1 … AND version = %s`` with the version each object was read
    at, so a record changed meanwhile is not overwritten. Returns the number of rows updated."""
    quote = connection.ops.quote_name
    columns = [model._meta.get_field(name) for name in fields]
    assignments = [f"{quote(f.column)} = %s" for f in columns]
    where = f" WHERE {quote(model._meta.pk.column)} = %s"
    if versioned:
        assignments.append(f"{quote('version')} = {quote('version')} + 1")
        where += f" AND {quote('version')} = %s"
    sql = f"UPDATE {quote(model._meta.db_table)} SET " + ", ".join(assignments) + where
    params = []
    for obj in objs:
        row = [f.get_db_prep_save(getattr(obj, f.attname), connection) for f in columns] + [obj.pk]
        if versioned:
            row.append(obj.version)
        params.append(row)
    written = 0
    with connection.cursor() as cursor:
        for start in range(0, len(params), 1000):
            cursor.executemany(sql, params[start:start + 1000])
            written += max(cursor.rowcount, 0)
    return written
