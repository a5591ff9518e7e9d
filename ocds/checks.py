"""System check: ``OCDS_PREFIX`` has the form the Open Contracting Partnership assigns (``ocds-`` + 6 characters)."""

import re

from django.core import checks

from .mapping import prefix

PREFIX_PATTERN = re.compile(r"^ocds-[a-z0-9]{6}$")


@checks.register()
def check_prefix(app_configs=None, **kwargs):
    value = prefix()
    if PREFIX_PATTERN.match(value):
        return []
    return [checks.Error(
        f"OCDS_PREFIX {value!r} is not an OCDS prefix (ocds- followed by 6 lowercase letters or digits).",
        hint="Register a prefix with the Open Contracting Partnership (see docs/ocds.md) or leave the default.",
        id="ocds.E001",
    )]
