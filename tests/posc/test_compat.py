"""The library internals the code relies on (``core.compat``: django-tables2's row rendering, DRF's
``APIView.initial`` copied by ``core.api.ThrottleFirstMixin``) are those of the installed versions: a new release
fails here, loudly, before it can change a list page's HTML or the API's checks unnoticed."""

from importlib.metadata import version
from pathlib import Path

import pytest

from core import compat


def test_installed_django_tables2_is_the_version_the_mirrored_code_was_checked_against():
    assert version("django-tables2").startswith(compat.VERIFIED_VERSION + "."), (
        f"django-tables2 {version('django-tables2')} is installed; core.compat was checked against "
        f"{compat.VERIFIED_VERSION}. Re-check core.tables.BaseTable.body_rows against the new release.")


def test_installed_djangorestframework_is_the_version_initial_was_copied_from():
    assert version("djangorestframework").startswith(compat.DRF_VERIFIED_VERSION + ".")


@pytest.mark.parametrize("package, verified", [("django-tables2", compat.VERIFIED_VERSION),
                                               ("djangorestframework", compat.DRF_VERIFIED_VERSION)])
def test_requirements_pin_the_library_to_that_version(package, verified):
    requirements = (Path(__file__).resolve().parents[2] / "requirements.txt").read_text()
    line = next(line for line in requirements.splitlines() if line.startswith(package + ">"))
    major, minor = verified.split(".")
    assert f",<{major}.{int(minor) + 1}" in line, line


def test_mirrored_django_tables2_code_is_unchanged():
    changed = {name for name, digest in compat.current_fingerprints().items()
               if compat.FINGERPRINTS.get(name) != digest}
    assert not changed, (
        f"The installed libraries changed {sorted(changed)}, which core.tables mirrors or calls (django-tables2) or "
        "core.api.ThrottleFirstMixin copies (APIView.initial): compare the new code with ours, adapt it, then "
        "update core.compat.FINGERPRINTS.")


def test_date_column_template_is_recognised():
    import django_tables2 as tables

    column = tables.DateColumn(format="Y-m-d")
    match = compat.DATE_COLUMN_TEMPLATE.fullmatch(column.template_code)
    assert match and match[1] == "Y-m-d"
