"""Generated junk at every API write endpoint (create, replace, change), as an administrator and as a staff user:
random JSON values in the fields the serializer writes (wrong types, huge, NaN/inf numbers, NUL, nested
structures), non-object bodies. Never a 500, and when the answer is 4xx nothing was written.

The endpoints come from the API router and the fields from each serializer; a valid body is the API's own
representation of an existing record, so that junk in one field reaches the deeper checks of the valid others.
"""

import json
from decimal import Decimal

import pytest
from django.apps import apps
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework.test import APIClient

from contracts.models import Amendment
from posc.api_urls import router
from tests.factories import (
    AnnualReportFactory,
    ContractFactory,
    IncomeRecordFactory,
    KeyPersonFactory,
    PaymentFactory,
    PerformanceReviewFactory,
    user_with_role,
)

pytestmark = pytest.mark.django_db

FUZZ = settings(max_examples=30, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])

ENDPOINTS = [(prefix, viewset) for prefix, viewset, _basename in router.registry
             if "create" in dir(viewset)]

NASTY_VALUES = [None, True, 8.5, 2**64, -(2**64), 1e308, "", "a\x00b", "99999999999999999999", "0001-01-01",
                "9999-12-31", "1e400", "x" * 5000, [1, 2], {"id": 1}]

scalars = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=50), st.sampled_from(NASTY_VALUES),
)
json_values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=3)
                           | st.dictionaries(st.text(max_size=10), inner, max_size=3), max_leaves=8)
non_objects = st.sampled_from(["[]", '"x"', "1", "null", "true", "[{}]", "NaN", '{"a": NaN}', '{"a": Infinity}',
                               "{", "", '{"a": 1} {"b": 2}', "[" * 5000 + "]" * 5000, "\x00"])


def writable_fields(viewset):
    return sorted(name for name, field in viewset.serializer_class().fields.items() if not field.read_only)


@pytest.fixture
def world(db):
    contract = ContractFactory()
    records = {
        "contracts": contract,
        "payments": PaymentFactory(contract=contract),
        "reviews": PerformanceReviewFactory(contract=contract),
        "income-records": IncomeRecordFactory(organization=contract.organization),
        "annual-reports": AnnualReportFactory(organization=contract.organization),
        "organizations": contract.organization,
        "purchasers": contract.purchaser,
        "regions": contract.purchaser.region,
        "key-persons": KeyPersonFactory(organization=contract.organization, post_purchaser=contract.purchaser,
                                        post_title="科员"),
        "amendments": Amendment.objects.create(contract=contract, signed_on=contract.signed_on,
                                               amount_change=Decimal("1000.00"), reason="服务对象增加"),
    }
    clients = {}
    for role, memberships in (("administrator", {}), ("staff", {"purchasers": [contract.purchaser]})):
        client = APIClient(raise_request_exception=False)
        client.force_login(user_with_role(role, **memberships))
        clients[role] = client
    return records, clients


def snapshot():
    """Every row of the data models and their history, as values: equal before and after a refused write."""
    state = {}
    for label in ("organizations", "contracts"):
        for model in apps.get_app_config(label).get_models():
            state[model._meta.label] = sorted(map(repr, model._base_manager.values_list()))
    return state


@pytest.mark.parametrize("prefix,viewset", ENDPOINTS, ids=[p for p, _v in ENDPOINTS])
def test_junk_in_api_writes_is_never_a_server_error_nor_a_partial_write(world, prefix, viewset):
    records, clients = world
    obj = records[prefix]
    fields = writable_fields(viewset)
    detail = f"/api/{prefix}/{obj.pk}/"
    valid = clients["administrator"].get(detail).json()
    valid = {name: valid[name] for name in fields if name in valid}

    @FUZZ
    @given(role=st.sampled_from(sorted(clients)), method=st.sampled_from(["post", "put", "patch"]),
           junk=st.dictionaries(st.sampled_from(fields), json_values, min_size=1, max_size=3),
           raw=st.none() | non_objects)
    def check(role, method, junk, raw):
        url = f"/api/{prefix}/" if method == "post" else detail
        body = raw if raw is not None else json.dumps({**valid, **junk})
        before = snapshot()
        response = getattr(clients[role], method)(url, body, content_type="application/json")
        assert response.status_code < 500, (method, url, body[:300], response.content[:500])
        if response.status_code >= 400:
            assert snapshot() == before, (method, url, body[:300], response.status_code)

    check()


@pytest.mark.parametrize("prefix,viewset", ENDPOINTS, ids=[p for p, _v in ENDPOINTS])
def test_each_field_with_each_nasty_value(world, prefix, viewset):
    """Every writable field with every value of ``NASTY_VALUES`` in an otherwise valid change, as an
    administrator: a deterministic sweep beside the generated one."""
    records, clients = world
    obj = records[prefix]
    detail = f"/api/{prefix}/{obj.pk}/"
    client = clients["administrator"]
    failures = []
    before = snapshot()
    for name in writable_fields(viewset):
        for value in NASTY_VALUES:
            response = client.patch(detail, json.dumps({name: value}), content_type="application/json")
            if response.status_code >= 500:
                failures.append((name, value, response.status_code))
            elif response.status_code >= 400:
                if snapshot() != before:
                    failures.append((name, value, "written although refused"))
            else:
                before = snapshot()  # accepted: the new state is the reference for the next refusal
    assert failures == []
