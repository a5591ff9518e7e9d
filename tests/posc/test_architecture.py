"""The shared base (core) knows no app: it gets what it needs from the apps at start-up (``core.registry``) and
resolves scopes through the function the ``POSC_SCOPE_RESOLVER`` setting names."""

import ast
from pathlib import Path

import pytest
from django.test import override_settings

from core.registry import registry
from core.roles import ANALYST, Scope, get_scope
from tests.factories import user_with_role

ROOT = Path(__file__).resolve().parents[2]
APPS = {"posc", "demo", "dashboards", "contracts", "organizations"}


def imported_packages(path):
    tree = ast.parse(path.read_text(), filename=str(path))
    for node in ast.walk(tree):  # in-function imports included
        if isinstance(node, ast.Import):
            yield from (alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.module.split(".")[0]


def test_core_imports_no_app():
    offending = {f"{path.relative_to(ROOT)} imports {package}"
                 for path in (ROOT / "core").rglob("*.py") for package in imported_packages(path) if package in APPS}
    assert not offending


def sees_one_organization(user):
    return Scope(role=ANALYST, organization_ids=frozenset({42}))


@pytest.mark.django_db
def test_scope_comes_from_the_resolver_named_in_settings():
    user = user_with_role(ANALYST)
    with override_settings(POSC_SCOPE_RESOLVER=f"{__name__}.sees_one_organization"):
        assert get_scope(user).organization_ids == {42}


def test_apps_fill_the_registry_at_start_up():
    assert registry["lookups"].items() >= {
        "organization": ("organizations.Organization", ("name", "uscc")),
        "purchaser": ("organizations.Purchaser", ("name", "uscc")),
        "contract": ("contracts.Contract", ("reference", "title")),
    }.items()
    assert set(registry["versioned_models"]) >= {
        "contracts.Contract", "contracts.Payment", "contracts.PerformanceReview", "organizations.Organization",
        "organizations.Purchaser", "organizations.IncomeRecord", "organizations.AnnualReport"}
    assert registry["history_children"]["contracts.contract"] == [("payments", "contract"), ("reviews", "contract"),
                                                                  ("amendments", "contract")]
    assert set(registry["api_values"]["contracts.contract"]) == {"flags"}
    assert {len(registry["detail_panels"][label]) for label in ("organizations.purchaser",
                                                                 "organizations.organization")} == {2}
