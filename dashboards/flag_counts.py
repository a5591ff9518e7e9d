"""Per-flag counts of each purchaser-year: how many of the purchaser's contracts signed in the year carry each
integrity flag (docs/integrity.md). The purchaser dashboard shows them as one column per flag; its CSV and Excel
exports and ``/api/indicators/purchasers/`` carry them as ``flags_<code>`` after the indicator columns, in the order
of the ``FLAGS`` registry.

One query for all the rows, whatever their number (``count_flags``: each flag evaluated once per contract);
contracts are counted only where the reader may see them (``visible_to``), and a purchaser without flagged
contracts gets 0 in every column.
"""

from django.db.models.functions import ExtractYear

from contracts.models import Contract

from .indicators import PURCHASER_COLUMNS
from .integrity import FLAGS, count_flags

FLAG_COUNT_COLUMNS = [f"flags_{code}" for code in FLAGS]
PURCHASER_EXPORT_COLUMNS = [*PURCHASER_COLUMNS, *FLAG_COUNT_COLUMNS]


def add_flag_counts(rows, user, years):
    """Give each purchaser row ``flags_<code>`` (one query for all rows); returns ``rows``."""
    years = list(years) if isinstance(years, list | tuple | range) else [years]
    counts = {}
    if rows:
        contracts = Contract.objects.visible_to(user).filter(
            purchaser__in={row.purchaser for row in rows}, signed_on__year__in=years)
        counts = count_flags(contracts.annotate(flag_year=ExtractYear("signed_on")), by=("purchaser_id", "flag_year"))
    for row in rows:
        found = counts.get((row.purchaser, row.year), {})
        for code in FLAGS:
            setattr(row, f"flags_{code}", found.get(code, 0))
    return rows


__all__ = ["FLAG_COUNT_COLUMNS", "PURCHASER_EXPORT_COLUMNS", "add_flag_counts"]
