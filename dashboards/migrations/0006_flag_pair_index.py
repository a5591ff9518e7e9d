"""An index for the integrity flags that look for other contracts of the same organization and purchaser
(repeat_single_source, split_award, renewed_after_failure: docs/integrity.md): (organization, purchaser, signed_on)
lets each correlated lookup read only that pair's contracts in the date window, where the existing
(organization, signed_on) index reads every contract of the organization in it and filters on the purchaser.

Raw SQL in this app because the index serves the flags, which live here, and not the contracts app's own
queries; the same statement works on SQLite and PostgreSQL."""

from django.db import migrations

INDEX = "contract_org_purchaser_signed_idx"


class Migration(migrations.Migration):

    dependencies = [
        ("contracts", "0004_merge_0003_amendment_0003_trigram_search"),
        ("dashboards", "0005_all_indicator_choices"),
    ]

    operations = [
        migrations.RunSQL(
            f"CREATE INDEX IF NOT EXISTS {INDEX} ON contracts_contract (organization_id, purchaser_id, signed_on)",
            f"DROP INDEX IF EXISTS {INDEX}",
        ),
    ]
