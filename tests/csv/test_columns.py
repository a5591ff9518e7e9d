"""One column definition per model: the CSV files and the list tables agree on names and order."""

import pytest
from django.utils import translation

from contracts import tables as contract_tables
from core import csvio
from organizations import tables as organization_tables

TABLES = [organization_tables.PurchaserTable, organization_tables.OrganizationTable,
          organization_tables.IncomeRecordTable, organization_tables.AnnualReportTable,
          contract_tables.ContractTable, contract_tables.PaymentTable, contract_tables.PerformanceReviewTable]


@pytest.mark.parametrize("table_class", TABLES, ids=lambda t: t.__name__)
def test_table_columns_follow_the_csv_column_order(table_class, db):
    model = table_class._meta.model
    spec = csvio.get_spec(model)
    assert spec is not None
    csv_order = spec.field_names()
    shown = [column.name for column in table_class(model.objects.none()).columns]
    common = [name for name in shown if name in csv_order]
    assert common, "the table shows some of the file's fields"
    assert common == sorted(common, key=csv_order.index)


def test_headers_are_unique_in_every_language():
    for spec in csvio.all_specs():
        for language in ("zh-hans", "en"):
            with translation.override(language):
                labels = [csvio.header_key(c.label) for c in spec.columns]
            names = [c.name for c in spec.columns]
            assert len(set(labels)) == len(labels), (spec.slug, language)
            assert len(set(names)) == len(names), spec.slug
        # A header equal to a field name always means that column (in English a foreign key's label, "purchaser",
        # is also the name of its id column: the name wins).
        result = csvio.ImportResult()
        mapping = csvio.Importer(spec).map_header(names, result)
        assert mapping == {name: index for index, name in enumerate(names)}
