"""A Python client generated from the served schema (openapi-python-client, offline) works with no hand edits: it
lists contracts, creates a contract with its payments and reads indicators (issue #21)."""

import datetime
import importlib
import json
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.wsgi import get_wsgi_application
from rest_framework.authtoken.models import Token

from contracts.models import Contract
from tests.api.conftest import client_for

httpx = pytest.importorskip("httpx")
pytest.importorskip("openapi_python_client")

pytestmark = pytest.mark.django_db(transaction=True)  # real commits, as a client over HTTP sees them


def test_a_generated_client_works_as_is(world, tmp_path, monkeypatch):
    # The default (Chinese) schema: class names must still be English.
    raw = client_for(world.admin).get("/api/schema/?format=json", HTTP_ACCEPT_LANGUAGE="zh-hans").json()
    (tmp_path / "schema.json").write_text(json.dumps(raw), encoding="utf-8")
    tool = Path(sys.executable).parent / "openapi-python-client"
    subprocess.run([str(tool), "generate", "--path", "schema.json", "--meta", "none",
                    "--output-path", "posc_api_client"], cwd=tmp_path, check=True, capture_output=True, timeout=120)
    generated = {p.stem for p in (tmp_path / "posc_api_client" / "models").glob("*.py")}
    assert all(name.isascii() for name in generated), sorted(n for n in generated if not n.isascii())

    monkeypatch.syspath_prepend(str(tmp_path))
    api = importlib.import_module("posc_api_client")
    models = importlib.import_module("posc_api_client.models")
    contracts_list = importlib.import_module("posc_api_client.api.contracts.contracts_list")
    contracts_create = importlib.import_module("posc_api_client.api.contracts.contracts_create")
    indicators = importlib.import_module("posc_api_client.api.indicators.indicators_organizations_list")

    key = Token.objects.create(user=world.admin).key
    client = api.AuthenticatedClient(
        base_url="http://testserver", token=key, prefix="Token", headers={"Accept-Language": "en"},
        httpx_args={"transport": httpx.WSGITransport(app=get_wsgi_application())})

    page = contracts_list.sync(client=client, ordering="reference")
    assert page.count == 3 and {c.reference for c in page.results} >= {"CC-2025-001", "NG-2024-007"}

    body = models.ContractRequest(
        reference="GEN-2025-1", title="Generated client", purchaser=world.bureau_a.pk,
        organization=world.org_a.pk, service_category=models.ServiceCategoryEnum("rehab_adult"),
        procurement_method=models.ProcurementMethodEnum("public_tender"), amount="1200.00",
        signed_on=datetime.date(2025, 1, 10), start_on=datetime.date(2025, 2, 1), end_on=datetime.date(2025, 12, 31),
        payments=[models.ContractPaymentRequest(kind=models.PaymentKindEnum("interim"), amount="600.00",
                                                due_on=datetime.date(2025, 6, 30))],
    )
    created = contracts_create.sync_detailed(client=client, body=body)
    assert created.status_code == 201, created.content
    contract = Contract.objects.get(reference="GEN-2025-1")
    assert [str(p.amount) for p in contract.payments.all()] == ["600.00"]

    rows = indicators.sync(client=client, year=2025)
    assert rows is not None and rows.count >= 1
