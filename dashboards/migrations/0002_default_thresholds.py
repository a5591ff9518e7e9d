from decimal import Decimal

from django.db import migrations

DEFAULTS = [
    ("government_share", "gte", "0.5", "0.8", "Policy setting; resource-dependence literature gives no cut-off."),
    ("top_funder_share", "gte", "0.35", "0.5", "Single-funder dependence studies."),
    ("funder_hhi", "gte", "1500", "2500", "US DOJ/FTC 2010 Horizontal Merger Guidelines bands."),
    ("restricted_ratio", "gte", "0.6", "0.8", "Policy setting."),
    ("reserve_months", "lt", "3", "1", "Nonprofit Finance Fund cash benchmarks."),
    ("management_expense_ratio", "gt", "0.1", "0.2", "MCA 2016 charity spending rules (10 %–20 % caps by type)."),
    ("renewal_exposure", "gte", "0.5", "0.8",
     "Policy setting; MOF Order 102 Art. 24 (contracts normally no longer than one year)."),
    ("supplier_hhi", "gte", "1500", "2500", "US DOJ/FTC 2010 Horizontal Merger Guidelines bands."),
    ("single_source_share", "gte", "0.05", "0.1", "EU Single Market Scoreboard, \"no calls for bids\" indicator."),
]


def seed(apps, schema_editor):
    Threshold = apps.get_model("dashboards", "Threshold")
    for indicator, direction, amber, red, source in DEFAULTS:
        Threshold.objects.get_or_create(
            indicator=indicator,
            defaults={"direction": direction, "amber": Decimal(amber), "red": Decimal(red), "source": source},
        )


def unseed(apps, schema_editor):
    Threshold = apps.get_model("dashboards", "Threshold")
    Threshold.objects.filter(indicator__in=[d[0] for d in DEFAULTS]).delete()


class Migration(migrations.Migration):
    dependencies = [("dashboards", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]
