"""Every place the project relies on a third-party library's private internals, in one module.

``core.tables.BaseTable.body_rows`` writes a list page's table rows in one pass in Python instead of through
django-tables2's template loop (on a 25-row list that loop was a third of the page's time). To write the same
cells it calls two private methods of django-tables2's ``BoundRow`` (``_get_and_render_with`` directly,
``_optional_cell_arguments`` through ``optional_cell_arguments`` below) and mirrors three pieces of its code: the row
loop of ``bootstrap5.html``, ``BoundRow._call_render`` (with ``utils.call_with_appropriate``) and the template
``DateColumn`` builds. ``FINGERPRINTS`` records a hash of each of those as they are in the version this code was
checked against; ``tests/posc/test_compat.py`` fails loudly when the installed django-tables2 differs, and
requirements.txt pins django-tables2 to that minor version. When it fails: compare the library's new code with
``core.tables`` (and ``tests/posc/test_fast_rendering.py`` for the HTML), adapt, then update the fingerprints
with ``current_fingerprints()``.

``core.api.ThrottleFirstMixin.initial`` is a copy of Django REST framework's ``APIView.initial`` with the
throttle check moved before the permission check; its fingerprint is recorded here too (``DRF_VERIFIED_VERSION``,
pinned in requirements.txt), so a DRF release that changes ``initial`` fails the same test.
"""

import hashlib
import inspect
import re
from pathlib import Path

import django_tables2
from django_tables2 import columns as dt2_columns
from django_tables2 import rows as dt2_rows
from django_tables2 import utils as dt2_utils
from rest_framework.views import APIView

VERIFIED_VERSION = "3.0"  # django-tables2 major.minor the mirrored code below was checked against
DRF_VERIFIED_VERSION = "3.16"  # djangorestframework major.minor of the copied APIView.initial

# The template ``DateColumn(format=…)`` renders each cell with (``core.tables`` applies the format directly).
DATE_COLUMN_TEMPLATE = re.compile(r'\{\{ value\|date:"([^"]*)"\|default:default \}\}')

signature = dt2_utils.signature  # (argument names, takes **kwargs) of a column's render function


def optional_cell_arguments(row, bound_column, value):
    """``BoundRow._optional_cell_arguments``: the keyword arguments a column's ``render`` may ask for."""
    return row._optional_cell_arguments(bound_column, value)


def _row_loop_template():
    source = (Path(django_tables2.__file__).parent / "templates/django_tables2/bootstrap5.html").read_text()
    return source[source.index("{% block table.tbody.row %}"):source.index("{% endblock table.tbody.row %}")]


MIRRORED = {
    "BoundRow._get_and_render_with": lambda: inspect.getsource(dt2_rows.BoundRow._get_and_render_with),
    "BoundRow._optional_cell_arguments": lambda: inspect.getsource(dt2_rows.BoundRow._optional_cell_arguments),
    "BoundRow._call_render": lambda: inspect.getsource(dt2_rows.BoundRow._call_render),
    "utils.call_with_appropriate": lambda: inspect.getsource(dt2_utils.call_with_appropriate),
    "DateColumn.__init__": lambda: inspect.getsource(dt2_columns.DateColumn.__init__),
    "bootstrap5.html table.tbody.row": _row_loop_template,
    "rest_framework APIView.initial": lambda: inspect.getsource(APIView.initial),
}

FINGERPRINTS = {
    "BoundRow._get_and_render_with": "2eebc2ae5982dc5a",
    "BoundRow._optional_cell_arguments": "d88e573682b8264b",
    "BoundRow._call_render": "1542ae593210d0f7",
    "utils.call_with_appropriate": "bcb1f2a3c2418a70",
    "DateColumn.__init__": "3e2b2ade0e5abea4",
    "bootstrap5.html table.tbody.row": "5ff0949b2a45bc66",
    "rest_framework APIView.initial": "49a4a966fb04ec8a",
}


def current_fingerprints():
    """sha256 (first 16 hex digits) of each mirrored or copied piece of the installed libraries."""
    return {name: hashlib.sha256(read().encode()).hexdigest()[:16] for name, read in MIRRORED.items()}
