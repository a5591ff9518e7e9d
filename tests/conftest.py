import pytest
from django.contrib.auth.models import Group


@pytest.fixture(autouse=True)
def _english_off(settings):
    """Tests run in the default language (Chinese) unless they switch; keep hashing fast."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fresh_indicator_cache():
    """Each test starts without cached computations of earlier tests (ids repeat after rollbacks)."""
    from django.core.cache import cache

    from dashboards import caching

    caching.clear()
    cache.clear()
    yield
    caching.clear()
    cache.clear()


@pytest.fixture
def role_groups(db):
    return {name: Group.objects.get_or_create(name=name)[0] for name in ("administrator", "staff", "ngo_manager",
                                                                          "analyst")}


@pytest.fixture(autouse=True)
def _funder_rows_kept(request):
    """After every test that used the database: the precomputed funder rows equal the raw computation
    (dashboards.aggregates). A write path that forgets to refresh them fails here, whichever test exercises it.
    Tests that write with ``QuerySet.update`` (no signals) call ``aggregates.refresh`` themselves."""
    if "_django_db_helper" not in request.fixturenames and not request.node.get_closest_marker("django_db"):
        yield
        return
    request.getfixturevalue("_django_db_helper")
    yield
    from django.db import connections

    from dashboards import aggregates

    connection = connections[aggregates._using()]
    if connection.connection is not None and not connection.is_usable():
        return  # the test's own connection was closed (a request_finished receiver): nothing can be read in it
    differing = aggregates.differences()
    assert not differing, f"stale funder rows (dashboards.FunderYear) of organizations {differing}"
