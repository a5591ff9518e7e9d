"""Who pays an organization, per year: the per-funder rows every organization indicator is computed from (one
query, contract payments and income records combined), shared by the indicators, the vulnerability status against
peers and the what-if planner."""

from django.db.models import Case, CharField, F, Min, Q, Sum, Value, When
from django.db.models.functions import Coalesce, Concat, Lower, Trim

from contracts.models import Payment
from organizations.choices import IncomeSource
from organizations.models import IncomeRecord, Organization

from .numbers import SUM_FIELD, ZERO, Divide, Year, _date_filter, normalize_years

# The source of contract payments in ``funder_rows`` (not an IncomeSource: contract income is government income).
CONTRACT_SOURCE = "contract"

# Unnamed income from these sources is diffuse: in the total, but nobody's share.
DIFFUSE_SOURCES = (IncomeSource.DONATION_INDIVIDUAL, IncomeSource.SERVICE_FEE, IncomeSource.MEMBERSHIP_DUES)


def funder_rows(organizations, years, accountability=False):
    """``raw_funder_rows(organizations, years, accountability)`` read from its precomputed table
    (``models.FunderYear``, refreshed on every write: ``dashboards.aggregates``): the same columns in the same
    order, the same values (money to 10 decimal places), as a ``values_list`` queryset, so that callers can iterate
    it or build SQL on ``.query.sql_with_params()``. Without a filter on ``organizations`` (every organization,
    the peers) the table is read by year alone."""
    from .models import FunderYear

    years = normalize_years(years)
    rows = FunderYear.objects.order_by()
    rows = rows.filter(year__in=years) if len(years) > 1 else rows.filter(year=years[0])
    if organizations.model is not Organization or organizations.query.where or organizations.query.is_sliced:
        rows = rows.filter(organization_id__in=organizations.order_by().values("pk"))
    return rows.values_list(*FUNDER_COLUMNS[:13 if accountability else 11])


# The columns of ``funder_rows`` (fields of ``models.FunderYear``), in order.
FUNDER_COLUMNS = ("organization_id", "year", "funder_purchaser_id", "funder_key", "source", "label", "income",
                  "contract_income", "government_income", "restricted_income", "renewal_income",
                  "outside_scope_income", "related_party_income")


def raw_funder_rows(organizations, years, accountability=False):
    """One query: rows ``(organization, year, funder_purchaser, funder_key, source, donor_name, amount,
    contract_income, government_income, restricted_income, renewal_income)`` grouped by organization, year,
    funder and income source (``contract`` for payments), the contract payments and the income records combined
    with UNION ALL. ``donor_name`` is the trimmed funder name as entered (empty for purchasers and sources).

    A funder is a purchaser (``funder_purchaser`` set, ``funder_key`` empty) for contract payments and for income
    records naming a ``funder_purchaser``; otherwise ``funder_key`` is ``n:`` + the trimmed, lower-cased funder
    name; an unnamed record is diffuse income (``d:`` + the source: individual donations, service fees,
    membership dues, money from many people that no single funder holds) or counts under its source (``s:`` +
    the source). A purchaser that both pays contracts and gives subsidies appears in two rows with the same
    (purchaser, key); the caller merges them.

    ``accountability=True`` adds two columns, ``outside_scope_income`` and ``related_party_income`` (the contract
    income split of ``dashboards.accountability``; zero on income records), so that the indicators compute the
    split in the same pass over the payments instead of a query of its own.

    ``years=None``: every year (what ``dashboards.aggregates`` stores). This is the reference computation, what
    the precomputed table is filled from and compared with (``manage.py refresh_aggregates --check``).
    """
    from .accountability import outside_scope, related_party_counted

    zero = Value(ZERO, output_field=SUM_FIELD)
    extra = ("os", "rp") if accountability else ()
    org_ids = organizations.order_by().values("pk")
    payments = (
        Payment.objects.filter(Q(paid_on__isnull=False) if years is None else _date_filter("paid_on", years),
                               contract__organization__in=org_ids)
        .order_by()
        .values(o=F("contract__organization_id"), y=Year("paid_on"), fp=F("contract__purchaser_id"),
                fk=Value("", output_field=CharField()), src=Value(CONTRACT_SOURCE, output_field=CharField()))
        .annotate(
            label=Value("", output_field=CharField()),
            income=Sum("amount", output_field=SUM_FIELD),
            c_income=Sum("amount", output_field=SUM_FIELD),
            g_income=Sum("amount", output_field=SUM_FIELD),
            r_income=Sum(Divide(F("amount") * F("contract__restricted_amount"), F("contract__amount")),
                         output_field=SUM_FIELD),
            n_income=Coalesce(
                Sum("amount", filter=Q(contract__end_on__year__lte=Year("paid_on") + 1),
                    output_field=SUM_FIELD),
                Value(ZERO), output_field=SUM_FIELD),
        )
    )
    if accountability:
        payments = payments.annotate(
            os=Coalesce(Sum("amount", filter=outside_scope(), output_field=SUM_FIELD), zero),
            rp=Coalesce(Sum("amount", filter=related_party_counted(), output_field=SUM_FIELD), zero),
        )
    payments = payments.values_list("o", "y", "fp", "fk", "src", "label", "income", "c_income", "g_income",
                                    "r_income", "n_income", *extra)
    key = Case(
        When(funder_purchaser__isnull=False, then=Value("")),
        When(Q(trimmed_name="") & Q(source__in=DIFFUSE_SOURCES), then=Concat(Value("d:"), F("source"))),
        When(trimmed_name="", then=Concat(Value("s:"), F("source"))),
        default=Concat(Value("n:"), Lower("trimmed_name")),
        output_field=CharField(),
    )
    label = Case(
        When(Q(funder_purchaser__isnull=False) | Q(trimmed_name=""), then=Value("")),
        default=F("trimmed_name"),
        output_field=CharField(),
    )
    income = (
        IncomeRecord.objects.filter(organization__in=org_ids, **({} if years is None else {"fiscal_year__in": years}))
        .order_by()
        .annotate(trimmed_name=Coalesce(Trim("funder_name"), Value("")))
        .annotate(funder_key=key, funder_label=label)
        .values(o=F("organization_id"), y=F("fiscal_year"), fp=F("funder_purchaser_id"), fk=F("funder_key"),
                src=F("source"))
        .annotate(
            label=Coalesce(Min("funder_label", output_field=CharField()), Value("")),
            income=Sum("amount", output_field=SUM_FIELD),
            c_income=Value(ZERO, output_field=SUM_FIELD),
            g_income=Coalesce(
                Sum("amount", filter=Q(source=IncomeSource.GOVERNMENT_SUBSIDY), output_field=SUM_FIELD),
                Value(ZERO), output_field=SUM_FIELD),
            r_income=Sum("restricted_amount", output_field=SUM_FIELD),
            n_income=Value(ZERO, output_field=SUM_FIELD),
        )
    )
    if accountability:
        income = income.annotate(os=zero, rp=zero)
    income = income.values_list("o", "y", "fp", "fk", "src", "label", "income", "c_income", "g_income", "r_income",
                                "n_income", *extra)
    return payments.union(income, all=True)
