"""How indicator rows are written out: the same columns, in the same order, rounded the same way in the API and
every CSV (the precision below is part of the published output format, docs/indicators.md).

Ratios are fractions rounded half-up to 4 decimals (0.7612), money to 2 decimals always ("0.00"), HHI to whole
points, months to 1 decimal, percentiles among peers to 1 decimal. Undefined values stay ``None`` (null in the
API, an empty CSV cell).
"""

from decimal import ROUND_HALF_UP, Decimal

from core.numbers import round_to

from .flag_counts import PURCHASER_EXPORT_COLUMNS
from .indicators import ORGANIZATION_COLUMNS

MONEY, RATIO, HHI, MONTHS, PERCENTILE, SCORE = "money", "ratio", "hhi", "months", "percentile", "score"
PLACES = {MONEY: 2, RATIO: 4, HHI: 0, MONTHS: 1, PERCENTILE: 1, SCORE: 2}

ORGANIZATION_KINDS = {
    "total_income": MONEY, "contract_income": MONEY, "government_income": MONEY, "restricted_income": MONEY,
    "government_share": RATIO, "top_funder_share": RATIO, "funder_hhi": HHI, "restricted_ratio": RATIO,
    "reserve_months": MONTHS, "management_expense_ratio": RATIO, "renewal_exposure": RATIO,
    "revenue_type_hhi": HHI, "commercial_share": RATIO, "equity_ratio": RATIO, "operating_margin": RATIO,
    "equity_ratio_percentile": PERCENTILE, "revenue_type_hhi_percentile": PERCENTILE,
    "management_expense_ratio_percentile": PERCENTILE, "operating_margin_percentile": PERCENTILE,
    "mission_drift": RATIO, "outside_scope_income": MONEY, "salary_to_peers": SCORE, "salary_per_staff": MONEY,
    "peer_median_salary": MONEY, "reported_government_income": MONEY, "reported_income_gap": RATIO,
    "related_party_income": MONEY, "related_party_share": RATIO,
}
PURCHASER_KINDS = {
    "spend": MONEY, "supplier_hhi": HHI, "top_supplier_share": RATIO, "single_source_share": RATIO,
    "average_review_score": SCORE,
}


QUANTA = {kind: Decimal(1).scaleb(-places) for kind, places in PLACES.items()}


def round_value(value, kind):
    """``value`` rounded half-up to the places of ``kind``; ``None`` stays ``None``."""
    if value is None:
        return None
    return round_to(value, QUANTA[kind])


def _writer(columns, kinds):
    quanta = [(name, QUANTA.get(kinds.get(name))) for name in columns]

    def rounded(row, _decimal=Decimal, _half_up=ROUND_HALF_UP):
        """A row as a dict of output values, in column order (lazy labels as text in the active language); the
        same as ``round_value`` per column, with the quantum of each column looked up once."""
        result = {}
        for name, quantum in quanta:
            value = getattr(row, name)
            if value is None:
                pass
            elif quantum is not None:
                value = (value if type(value) is _decimal else _decimal(value)).quantize(quantum, rounding=_half_up)
            elif not isinstance(value, int | str):
                value = str(value)
            result[name] = value
        return result
    return rounded


organization_output = _writer(ORGANIZATION_COLUMNS, ORGANIZATION_KINDS)
purchaser_output = _writer(PURCHASER_EXPORT_COLUMNS, PURCHASER_KINDS)  # rows with their flag counts
