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
