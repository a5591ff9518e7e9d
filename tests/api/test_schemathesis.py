"""schemathesis against the served schema (issue #21), bounded: a few examples per operation, a fixed seed, every
check but response time, as an administrator (writes happen, on the test database) and as an analyst. Any server
error or answer the schema does not describe fails."""

import pytest
from django.core.cache import cache
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck, given, settings
from rest_framework.authtoken.models import Token

from tests.api.conftest import client_for

schemathesis = pytest.importorskip("schemathesis")

# Real commits: on PostgreSQL a refused write would otherwise abort the test's enclosing transaction.
pytestmark = pytest.mark.django_db(transaction=True)

EXAMPLES = 3


def _run(world, user):
    raw = client_for(user).get("/api/schema/?format=json", HTTP_ACCEPT_LANGUAGE="en").json()
    schema = schemathesis.openapi.from_dict(raw)
    schema.app = get_wsgi_application()
    key = Token.objects.create(user=user).key
    headers = {"Authorization": f"Token {key}", "Accept-Language": "en"}
    checks = schemathesis.checks
    # Response time is not checked; nor is "schema-valid data accepted": an id filter naming a record that does
    # not exist (or is out of the user's scope) is refused with 400, which no schema can express.
    excluded = [checks.max_response_time, checks.positive_data_acceptance]
    failures = []
    for result in schema.get_all_operations():
        operation = result.ok()
        cache.clear()  # throttle counters: each operation starts a fresh minute (anonymous probes count too)

        @settings(max_examples=EXAMPLES, derandomize=True, deadline=None, database=None,
                  suppress_health_check=list(HealthCheck))
        @given(case=operation.as_strategy())
        def fuzz(case):
            case.call_and_validate(headers=headers, excluded_checks=excluded)

        try:
            fuzz()
        except (Exception, BaseExceptionGroup) as exc:  # noqa: BLE001 - collected, reported together
            failures.append(f"{operation.label}: {str(exc)[:600]}")
    assert not failures, "\n\n".join(failures)


def test_schemathesis_as_administrator(world):
    _run(world, world.admin)


def test_schemathesis_as_analyst(world):
    _run(world, world.analyst)
