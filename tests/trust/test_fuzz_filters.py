"""Generated junk in every filter parameter of every list page, dashboard, API list and their CSV exports, as an
administrator and as a staff user: never a 500, and an export is either refused before it starts or complete.

The parameters are discovered from each list's FilterSet (a range filter gives ``<name>_after``/``_before``,
``_min``/``_max``), plus the parameters every list reads (``page``, ``per_page``, ``sort``, ``ordering``,
``page_size``, ``flag``, ``year_min``/``year_max``).
"""

import datetime

import django_filters
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework.test import APIClient

from tests.factories import (
    AnnualReportFactory,
    ContractFactory,
    IncomeRecordFactory,
    PaymentFactory,
    PerformanceReviewFactory,
    user_with_role,
)

from .test_bounds import LISTS

pytestmark = pytest.mark.django_db

FUZZ = settings(max_examples=30, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])

COMMON_PARAMETERS = ["page", "per_page", "sort", "ordering", "page_size", "flag", "year_min", "year_max", "q"]

NASTY = ["\x00", "a\x00b", "99999999999999999999", "-99999999999999999999", "-1", "0", "8.5", "1e400", "-1e400",
         "NaN", "Infinity", "1e-400", "0001-01-01", "9999-12-31", "2025-02-30", "2025-13-01", "", " ", "true",
         "unknown", "%", "_", "'", '"', "\\", "x" * 1000, "9" * 400, "1990", "2100", "2025", "0x1F", "１２", "٣",
         "2025-01-01T00:00:00", "[]", "{}", "null"]


def parameter_names(filterset_class):
    names = set(COMMON_PARAMETERS)
    for name, filter_ in filterset_class.base_filters.items():
        names.add(name)
        if isinstance(filter_, django_filters.RangeFilter | django_filters.DateFromToRangeFilter):
            names |= {f"{name}_after", f"{name}_before", f"{name}_min", f"{name}_max"}
    return sorted(names)


junk = st.one_of(
    st.sampled_from(NASTY),
    st.text(max_size=40),
    st.integers().map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.dates(min_value=datetime.date(1, 1, 1), max_value=datetime.date(9999, 12, 31)).map(datetime.date.isoformat),
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
)


@pytest.fixture
def clients(db):
    """An administrator and a staff user, and some rows of every kind within the staff user's scope."""
    contract = ContractFactory()
    PaymentFactory(contract=contract)
    PerformanceReviewFactory(contract=contract)
    IncomeRecordFactory(organization=contract.organization)
    AnnualReportFactory(organization=contract.organization)
    result = {}
    for role, memberships in (("administrator", {}), ("staff", {"purchasers": [contract.purchaser]})):
        client = APIClient(raise_request_exception=False)
        client.force_login(user_with_role(role, **memberships))
        result[role] = client
    return result


def drain(response):
    """The whole body (a streamed CSV export is read to its end: a failure half-way is a cut-off file)."""
    return b"".join(response.streaming_content) if response.streaming else response.content


@pytest.mark.parametrize("url,filterset_class,is_api", LISTS, ids=[e[0] for e in LISTS])
def test_junk_in_every_filter_parameter_is_never_a_server_error(clients, url, filterset_class, is_api):
    names = parameter_names(filterset_class)

    @FUZZ
    @given(role=st.sampled_from(sorted(clients)), export=st.booleans(),
           query=st.dictionaries(st.sampled_from(names), junk, min_size=1, max_size=3))
    def check(role, export, query):
        if export:
            query = {**query, ("format" if is_api else "export"): "csv"}
        response = clients[role].get(url, query)
        body = drain(response)
        assert response.status_code < 500, (url, query, body[:500])
        if response.status_code >= 400 and export:
            assert not response.streaming

    check()
