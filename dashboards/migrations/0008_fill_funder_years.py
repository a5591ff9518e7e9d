"""Fill the precomputed funder rows (``FunderYear``) of an existing database from its payments and income records,
so that an upgraded deployment reads complete rows from the start. Nothing to do on an empty database.

It calls ``dashboards.aggregates.rebuild`` (the application's models), which matches the schema of this point of
the migrations; should a later migration change these tables, ``manage.py refresh_aggregates`` rebuilds the rows
(docs/operations.md)."""

from django.db import migrations


def fill(apps, schema_editor):
    Organization = apps.get_model("organizations", "Organization")
    if not Organization.objects.using(schema_editor.connection.alias).exists():
        return
    from dashboards import aggregates

    aggregates.rebuild(using=schema_editor.connection.alias)


class Migration(migrations.Migration):

    dependencies = [
        ("contracts", "0004_merge_0003_amendment_0003_trigram_search"),
        ("dashboards", "0007_funder_year"),
    ]

    operations = [
        migrations.RunPython(fill, migrations.RunPython.noop, elidable=True),
    ]
