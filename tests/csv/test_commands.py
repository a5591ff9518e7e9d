"""``export_csv`` and ``import_csv``: the same files as the pages, for scheduled jobs."""

import io

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from contracts.models import Contract

from .conftest import export_bytes
from .test_import import CONTRACT_HEADER, contract_row


@pytest.mark.django_db
def test_export_command_writes_the_page_format(dataset, tmp_path):
    target = tmp_path / "contracts.csv"
    call_command("export_csv", "contracts", "--output", str(target), stderr=io.StringIO())
    assert target.read_bytes() == export_bytes("contracts")
    out = io.StringIO()
    call_command("export_csv", "payments", stdout=out)
    assert out.getvalue().encode("utf-8") == export_bytes("payments")


@pytest.mark.django_db
def test_import_command_dry_run_then_import(dataset, tmp_path):
    path = tmp_path / "in.csv"
    path.write_text("\r\n".join([CONTRACT_HEADER, contract_row(organization_uscc=dataset["sun"].uscc)]),
                    encoding="gb18030")
    out = io.StringIO()
    call_command("import_csv", "contracts", str(path), "--dry-run", stdout=out)
    assert "1 to create" in out.getvalue()
    assert not Contract.objects.filter(reference="CY-2025-101").exists()
    call_command("import_csv", "contracts", str(path), stdout=out)
    assert Contract.objects.filter(reference="CY-2025-101").exists()


@pytest.mark.django_db
def test_import_command_prints_every_error_and_fails(dataset, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("\r\n".join([CONTRACT_HEADER, contract_row(organization_uscc=dataset["sun"].uscc, amount="x"),
                                 contract_row(reference="Z", organization_uscc="nobody")]), encoding="utf-8")
    err = io.StringIO()
    with pytest.raises(CommandError, match="2 errors"):
        call_command("import_csv", "contracts", str(path), stderr=err)
    assert "row 2, column amount" in err.getvalue()
    assert "row 3, column organization_uscc" in err.getvalue()
    assert not Contract.objects.filter(reference__in=["CY-2025-101", "Z"]).exists()


def test_import_command_exits_non_zero(tmp_path, db):
    import subprocess
    import sys

    path = tmp_path / "bad.csv"
    path.write_text("foo,bar\r\n1,2\r\n", encoding="utf-8")
    # The test database is not visible to a subprocess; an unknown header fails before any query.
    done = subprocess.run([sys.executable, "manage.py", "import_csv", "purchasers", str(path)],
                          capture_output=True, text=True, cwd=settings.BASE_DIR)
    assert done.returncode != 0
