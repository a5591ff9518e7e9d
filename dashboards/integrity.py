"""Integrity flags on contracts (docs/integrity.md): computed by the database, with their evidence.

Each flag is one ``FlagDefinition`` in ``FLAGS`` (the registry): its code, label, source, the SQL expression of
its level (``level(settings, today)``: a ``Case`` giving ``"red"``, ``"amber"`` or NULL, correlated subqueries
with EXISTS / SUM / COUNT, never a Python loop over rows) and the function that names its evidence for the rows a
page shows (``evidence(contracts, settings, today)``: one query for all those rows). Adding a flag is one more
``register_flag(FlagDefinition(...))`` (see docs/architecture.md).

``with_flags(queryset)`` annotates ``flag_<code>`` on contracts; ``flags_for(contracts, user)`` builds each row's
``ContractFlag`` list with its evidence, naming only what ``user`` may see and counting the rest. A page costs
one query for its rows, one for the settings, at most one per flag raised on the page for the evidence and one
per kind of evidence for its visibility, whatever the number of rows. ``flagged_rows`` reads the flagged
contracts of a whole scope in one query (each flag evaluated once per contract) and ``count_flags`` counts them:
the red-flags page, ``/api/flags/``, the purchaser dashboard's columns and the home page's counts use them.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.apps import apps
from django.db import connections, transaction
from django.db.models import Case as SqlCase
from django.db.models import (
    CharField,
    Count,
    DateField,
    DecimalField,
    Exists,
    ExpressionWrapper,
    F,
    Max,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.db.models.lookups import GreaterThan
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from contracts.choices import COUNTED_STATUSES, Grade, PaymentKind, ProcurementMethod
from contracts.models import Amendment, Contract, Payment, PerformanceReview
from organizations.models import MONEY, ZERO
from organizations.related_party import related_party, related_party_evidence

from .choices import FlagLevel, FlagSetting
from .models import Threshold

AMBER = FlagLevel.AMBER.value
RED = FlagLevel.RED.value
LEVEL_ORDER = {AMBER: 1, RED: 2}
MONEY_FIELD = DecimalField(**MONEY)

# Settings used when a Threshold row is missing (the data migration creates every row with its source).
DEFAULT_SETTINGS = {
    FlagSetting.AMENDED_VALUE: (Decimal("0.10"), Decimal("0.50")),
    FlagSetting.REPEAT_SINGLE_SOURCE: (Decimal("1"), Decimal("2")),
    FlagSetting.REPEAT_WINDOW_DAYS: (Decimal("365"), Decimal("365")),
    FlagSetting.TENDER_THRESHOLD: (Decimal("1000000"), Decimal("1000000")),
    FlagSetting.SPLIT_WINDOW_DAYS: (Decimal("30"), Decimal("30")),
    FlagSetting.LATE_PAYMENT_DAYS: (Decimal("30"), Decimal("90")),
    FlagSetting.RENEWAL_WINDOW_DAYS: (Decimal("365"), Decimal("365")),
    FlagSetting.MISSING_REVIEW_DAYS: (Decimal("90"), Decimal("90")),
}


class FlagSettings:
    """The flags' settings (Threshold rows), read in one query: ``amber(name)``, ``red(name)``, ``days(name)``."""

    def __init__(self, values):
        self.values = {**{str(k): v for k, v in DEFAULT_SETTINGS.items()}, **values}

    @classmethod
    def load(cls):
        rows = Threshold.objects.filter(indicator__in=[str(s) for s in FlagSetting])
        return cls({t.indicator: (t.amber, t.red) for t in rows})

    def amber(self, name):
        return self.values[str(name)][0]

    def red(self, name):
        return self.values[str(name)][1]

    def days(self, name):
        return datetime.timedelta(days=int(self.values[str(name)][0]))


@dataclass(frozen=True)
class FlagDefinition:
    """One integrity flag: ``level(settings, today)`` is the SQL expression of its level on a contract row,
    ``evidence(contracts, settings, today)`` returns ``{contract id: [(kind, id), ...]}`` for the flagged
    contracts given (kind: a model label such as ``"contracts.payment"``)."""

    code: str
    label: str
    description: str
    levels: tuple
    source: str
    level: object
    evidence: object = None


FLAGS = {}


def register_flag(definition):
    """Add a flag to the registry (its position is its column in pages, API and CSV)."""
    FLAGS[definition.code] = definition
    return definition


def annotation_name(code):
    return f"flag_{code}"


# --- SQL helpers ----------------------------------------------------------------------------------------------

def shifted(ref, delta):
    """``ref ± delta`` as a date (``ref`` an ``F`` or ``OuterRef``)."""
    return ExpressionWrapper(ref + delta, output_field=DateField())


def leveled(red=None, amber=None):
    """NULL unless the contract counts (neither draft nor cancelled); then red, amber or NULL."""
    whens = [When(~Q(status__in=COUNTED_STATUSES), then=Value(None))]
    if red is not None:
        whens.append(When(red, then=Value(RED)))
    if amber is not None:
        whens.append(When(amber, then=Value(AMBER)))
    return SqlCase(*whens, default=Value(None), output_field=CharField())


def leveled_by(expression, when=None):
    """NULL unless the contract counts (and meets ``when``); then ``expression``: a subquery that computes the level
    itself, so that the database evaluates it once per row (``leveled`` would repeat it for red and amber)."""
    whens = [When(~Q(status__in=COUNTED_STATUSES), then=Value(None))]
    if when is None:
        return SqlCase(*whens, default=expression, output_field=CharField())
    whens.append(When(when, then=expression))
    return SqlCase(*whens, default=Value(None), output_field=CharField())


def level_case(red=None, amber=None):
    """``Case``: red, amber or NULL (conditions over a subquery's own aggregates)."""
    whens = []
    if red is not None:
        whens.append(When(red, then=Value(RED)))
    if amber is not None:
        whens.append(When(amber, then=Value(AMBER)))
    return SqlCase(*whens, default=Value(None), output_field=CharField())


def counted(queryset):
    return queryset.filter(status__in=COUNTED_STATUSES)


def _percent(fraction):
    """A fraction (0.10) as percent (10), an integer when it is one: compared as ``x·100 > y·pct`` so that the
    comparison stays exact on SQLite's floating-point arithmetic."""
    pct = fraction * 100
    return int(pct) if pct == pct.to_integral_value() else pct


# --- the flags -------------------------------------------------------------------------------------------------

def _amended_net():
    sums = (Amendment.objects.filter(contract=OuterRef("pk")).order_by().values("contract")
            .annotate(s=Sum("amount_change")).values("s"))
    return Coalesce(Subquery(sums, output_field=MONEY_FIELD), ZERO, output_field=MONEY_FIELD)


def amended_value_level(settings, today):
    # One grouped subquery per contract computes its level from the net change: net > original·pct, with
    # original = amount − net, as ``net·100 > original·pct`` (exact on SQLite too). No amendment: no row, NULL.
    # The amount is read through the amendments' own contract (the same row as the outer one): an outer reference
    # inside the grouped subquery would land in its GROUP BY, which SQLite refuses.
    net = Sum("amount_change")
    original = ExpressionWrapper(Max("contract__amount") - net, output_field=MONEY_FIELD)

    def above(fraction):
        return GreaterThan(ExpressionWrapper(net * Value(100), output_field=MONEY_FIELD),
                           ExpressionWrapper(original * Value(_percent(fraction)), output_field=MONEY_FIELD))

    level = (Amendment.objects.filter(contract=OuterRef("pk")).order_by().values("contract")
             .annotate(level=level_case(red=above(settings.red(FlagSetting.AMENDED_VALUE)),
                                        amber=above(settings.amber(FlagSetting.AMENDED_VALUE))))
             .values("level"))
    return leveled_by(Subquery(level, output_field=CharField()))


def amended_value_evidence(contracts, settings, today):
    found = defaultdict(list)
    for pk, contract_id in Amendment.objects.filter(contract__in=contracts).values_list("pk", "contract_id"):
        found[contract_id].append(("contracts.amendment", pk))
    return found


def _repeat_others():
    return counted(Contract.objects.filter(
        purchaser=OuterRef("purchaser"), organization=OuterRef("organization"),
        procurement_method=ProcurementMethod.SINGLE_SOURCE, signed_on__lt=OuterRef("signed_on")))


def repeat_single_source_level(settings, today):
    window = settings.days(FlagSetting.REPEAT_WINDOW_DAYS)
    red, amber = settings.red(FlagSetting.REPEAT_SINGLE_SOURCE), settings.amber(FlagSetting.REPEAT_SINGLE_SOURCE)
    level = (_repeat_others().filter(signed_on__gte=shifted(OuterRef("signed_on"), -window)).order_by()
             .values("purchaser").annotate(n=Count("pk"))
             .annotate(level=level_case(red=Q(n__gte=red), amber=Q(n__gte=amber))).values("level"))
    expression = Subquery(level, output_field=CharField())
    none_level = RED if red <= 0 else AMBER if amber <= 0 else None  # the level of "no other contract"
    if none_level is not None:
        expression = Coalesce(expression, Value(none_level), output_field=CharField())
    return leveled_by(expression, when=Q(procurement_method=ProcurementMethod.SINGLE_SOURCE))


def _same_parties(contracts, **extra):
    pairs = {(c.purchaser_id, c.organization_id) for c in contracts}
    return counted(Contract.objects.filter(purchaser_id__in={p for p, _o in pairs},
                                           organization_id__in={o for _p, o in pairs}, **extra))


def repeat_single_source_evidence(contracts, settings, today):
    window = settings.days(FlagSetting.REPEAT_WINDOW_DAYS)
    rows = list(_same_parties(contracts, procurement_method=ProcurementMethod.SINGLE_SOURCE)
                .values_list("pk", "purchaser_id", "organization_id", "signed_on"))
    found = defaultdict(list)
    for c in contracts:
        for pk, p, o, signed in rows:
            if (p, o) == (c.purchaser_id, c.organization_id) and c.signed_on - window <= signed < c.signed_on:
                found[c.pk].append(("contracts.contract", pk))
    return found


def _split_group(ref):
    return dict(purchaser=ref("purchaser"), organization=ref("organization"),
                service_category=ref("service_category"))


def split_award_level(settings, today):
    limit = settings.amber(FlagSetting.TENDER_THRESHOLD)
    window = settings.days(FlagSetting.SPLIT_WINDOW_DAYS)
    below = Q(amount__lt=limit)
    # For an anchor contract A: the sum of its group's contracts below the threshold signed in [A, A + window].
    window_sum = (counted(Contract.objects.filter(below, **_split_group(OuterRef)))
                  .filter(signed_on__gte=OuterRef("signed_on"), signed_on__lte=shifted(OuterRef("signed_on"), window))
                  .order_by().values("purchaser").annotate(s=Sum("amount")).values("s"))
    # A contract is in a split group when an anchor of its group, signed at most ``window`` days before it (or it
    # itself), opens a window whose contracts together reach the threshold: every contract of such a window is
    # within ``window`` days of every other, and any pairwise-close group fits in the window of its first one.
    anchors = (counted(Contract.objects.filter(below, **_split_group(OuterRef)))
               .filter(signed_on__lte=OuterRef("signed_on"), signed_on__gte=shifted(OuterRef("signed_on"), -window))
               .annotate(window_sum=Subquery(window_sum, output_field=MONEY_FIELD))
               .filter(window_sum__gte=limit))
    return leveled(red=below & Q(Exists(anchors)))


def split_award_evidence(contracts, settings, today):
    limit = settings.amber(FlagSetting.TENDER_THRESHOLD)
    window = settings.days(FlagSetting.SPLIT_WINDOW_DAYS)
    groups = defaultdict(list)
    for row in _same_parties(contracts, amount__lt=limit).values_list(
            "pk", "purchaser_id", "organization_id", "service_category", "signed_on", "amount"):
        groups[row[1:4]].append(row)
    found = defaultdict(list)
    for c in contracts:
        members = groups[(c.purchaser_id, c.organization_id, c.service_category)]
        others = set()
        for anchor in members:
            if not c.signed_on - window <= anchor[4] <= c.signed_on:
                continue
            inside = [m for m in members if anchor[4] <= m[4] <= anchor[4] + window]
            if sum(m[5] for m in inside) >= limit:
                others |= {m[0] for m in inside if m[0] != c.pk}
        found[c.pk] = [("contracts.contract", pk) for pk in sorted(others)]
    return found


def _payments_evidence(filter_q):
    def evidence(contracts, settings, today):
        found = defaultdict(list)
        for pk, contract_id in (Payment.objects.filter(contract__in=contracts).filter(filter_q(settings, today))
                                .values_list("pk", "contract_id")):
            found[contract_id].append(("contracts.payment", pk))
        return found
    return evidence


def overpaid_level(settings, today):
    paid = (Payment.objects.filter(contract=OuterRef("pk"), paid_on__isnull=False).order_by().values("contract")
            .annotate(s=Sum("amount")).values("s"))
    total = Coalesce(Subquery(paid, output_field=MONEY_FIELD), ZERO, output_field=MONEY_FIELD)
    return leveled(red=Q(GreaterThan(total, F("amount"))))


def paid_before_signing_level(settings, today):
    return leveled(amber=Q(Exists(Payment.objects.filter(contract=OuterRef("pk"), paid_on__lt=OuterRef("signed_on")))))


def _duplicates():
    twin = Payment.objects.filter(contract=OuterRef("contract"), paid_on=OuterRef("paid_on"),
                                  amount=OuterRef("amount")).exclude(pk=OuterRef("pk"))
    return Payment.objects.filter(paid_on__isnull=False).filter(Exists(twin))


def duplicate_payment_level(settings, today):
    # Paid payments of the contract grouped by (date, amount): a group of two or more is a duplicate.
    twins = (Payment.objects.filter(contract=OuterRef("pk"), paid_on__isnull=False).order_by()
             .values("paid_on", "amount").annotate(n=Count("pk")).filter(n__gt=1))
    return leveled(amber=Q(Exists(twins)))


def _late(days, today):
    delta = datetime.timedelta(days=days)
    return (Q(paid_on__isnull=False, paid_on__gt=shifted(F("due_on"), delta))
            | Q(paid_on__isnull=True, due_on__lt=today - delta))


def late_payment_level(settings, today):
    # One subquery over the contract's late payments: the worst of them (2 red, 1 amber) gives the level.
    red_days = int(settings.red(FlagSetting.LATE_PAYMENT_DAYS))
    amber_days = int(settings.amber(FlagSetting.LATE_PAYMENT_DAYS))
    worst = Max(SqlCase(When(_late(red_days, today), then=Value(2)), When(_late(amber_days, today), then=Value(1)),
                        default=Value(0)))
    level = (Payment.objects.filter(contract=OuterRef("pk")).filter(_late(min(red_days, amber_days), today))
             .order_by().values("contract").annotate(worst=worst)
             .annotate(level=level_case(red=Q(worst=2), amber=Q(worst=1))).values("level"))
    return leveled_by(Subquery(level, output_field=CharField()))


def _paid_after_failure():
    latest = (PerformanceReview.objects.filter(contract=OuterRef("contract"), reviewed_on__lt=OuterRef("paid_on"))
              .order_by("-reviewed_on", "-id"))
    return (Payment.objects.filter(kind=PaymentKind.FINAL, paid_on__isnull=False)
            .annotate(last_grade=Subquery(latest.values("grade")[:1]), last_review=Subquery(latest.values("pk")[:1]))
            .filter(last_grade=Grade.FAIL))


def paid_despite_failure_level(settings, today):
    return leveled(red=Q(Exists(_paid_after_failure().filter(contract=OuterRef("pk")))))


def paid_despite_failure_evidence(contracts, settings, today):
    found = defaultdict(list)
    for pk, contract_id, review in (_paid_after_failure().filter(contract__in=contracts)
                                    .values_list("pk", "contract_id", "last_review")):
        found[contract_id] += [("contracts.payment", pk), ("contracts.performancereview", review)]
    return found


def _failures():
    return PerformanceReview.objects.filter(grade=Grade.FAIL, contract__status__in=COUNTED_STATUSES)


def renewed_after_failure_level(settings, today):
    window = settings.days(FlagSetting.RENEWAL_WINDOW_DAYS)
    failures = _failures().filter(
        contract__purchaser=OuterRef("purchaser"), contract__organization=OuterRef("organization"),
        contract__signed_on__lte=OuterRef("signed_on"), reviewed_on__lt=OuterRef("signed_on"),
        reviewed_on__gte=shifted(OuterRef("signed_on"), -window)).exclude(contract=OuterRef("pk"))
    # Only contracts whose organization and purchaser appear in some failing review can be renewals after failure:
    # two uncorrelated sets (read once per query, a hash lookup per row) spare most rows the correlated EXISTS,
    # which on 190,000 contracts cost more than all the other flags together (docs/performance.md).
    possible = Q(organization__in=_failures().values("contract__organization"),
                 purchaser__in=_failures().values("contract__purchaser"))
    return leveled(amber=possible & Q(Exists(failures)))


def renewed_after_failure_evidence(contracts, settings, today):
    window = settings.days(FlagSetting.RENEWAL_WINDOW_DAYS)
    pairs = {(c.purchaser_id, c.organization_id) for c in contracts}
    rows = list(_failures().filter(contract__purchaser_id__in={p for p, _o in pairs},
                                   contract__organization_id__in={o for _p, o in pairs})
                .values_list("pk", "contract_id", "contract__purchaser_id", "contract__organization_id",
                             "contract__signed_on", "reviewed_on"))
    found = defaultdict(list)
    for c in contracts:
        for pk, contract_id, p, o, signed, reviewed in rows:
            if (p, o) == (c.purchaser_id, c.organization_id) and contract_id != c.pk and signed <= c.signed_on \
                    and c.signed_on - window <= reviewed < c.signed_on:
                found[c.pk] += [("contracts.performancereview", pk), ("contracts.contract", contract_id)]
    return found


def missing_review_level(settings, today):
    late = today - settings.days(FlagSetting.MISSING_REVIEW_DAYS)
    return leveled(amber=Q(end_on__lt=late) & ~Q(Exists(PerformanceReview.objects.filter(contract=OuterRef("pk")))))


def related_party_level(settings, today):
    return leveled(red=Q(related_party()))


def related_party_flag_evidence(contracts, settings, today):
    return related_party_evidence(contracts)


def supervisory_conflict_level(settings, today):
    return leveled(amber=Q(organization__business_supervisory_unit=F("purchaser")))


for _definition in [
    FlagDefinition(
        "amended_value", _("Value raised by amendments"),
        _("Amendments raise the value above the original: more than 10 % amber, more than 50 % red."),
        (AMBER, RED), "Open Contracting red-flag guide; EU Directive 2014/24/EU Art. 72 (50 % cap)",
        amended_value_level, amended_value_evidence),
    FlagDefinition(
        "repeat_single_source", _("Repeated single-source award"),
        _("Single-source, and the same purchaser gave the same organization another single-source contract in "
          "the 365 days before: one other amber, two or more red."),
        (AMBER, RED), "OCDS Cardinal-style repeat-award flag",
        repeat_single_source_level, repeat_single_source_evidence),
    FlagDefinition(
        "split_award", _("Split award"),
        _("The same purchaser and organization signed two or more contracts of one service category within 30 "
          "days of each other, each below the tender threshold, together at or above it."),
        (RED,), "World Bank / Open Contracting \"contract splitting\"", split_award_level, split_award_evidence),
    FlagDefinition(
        "overpaid", _("Overpaid"), _("The paid payments add up to more than the contract's current amount."),
        (RED,), "", overpaid_level, _payments_evidence(lambda s, t: Q(paid_on__isnull=False))),
    FlagDefinition(
        "paid_before_signing", _("Paid before signing"), _("A payment was made before the contract was signed."),
        (AMBER,), "", paid_before_signing_level,
        _payments_evidence(lambda s, t: Q(paid_on__lt=F("contract__signed_on")))),
    FlagDefinition(
        "duplicate_payment", _("Duplicate payment"),
        _("Two paid payments of the contract have the same amount and the same payment date."),
        (AMBER,), "", duplicate_payment_level,
        _payments_evidence(lambda s, t: Q(pk__in=_duplicates().values("pk")))),
    FlagDefinition(
        "late_payment", _("Late payment"),
        _("A payment was paid, or is still unpaid today, more than 30 days after its due date (amber) or more "
          "than 90 (red)."),
        (AMBER, RED), "Regulations on Ensuring Payments to Small and Medium-sized Enterprises (2020): 30 days",
        late_payment_level,
        _payments_evidence(lambda s, t: _late(int(s.amber(FlagSetting.LATE_PAYMENT_DAYS)), t))),
    FlagDefinition(
        "paid_despite_failure", _("Paid despite a failing review"),
        _("A final payment was made after a failing review with no passing review in between."),
        (RED,), "MOF Order 102 Art. 29 (payment by performance)", paid_despite_failure_level,
        paid_despite_failure_evidence),
    FlagDefinition(
        "renewed_after_failure", _("Renewed after failure"),
        _("Signed within 365 days after a failing review of an earlier contract of the same purchaser and "
          "organization."),
        (AMBER,), "", renewed_after_failure_level, renewed_after_failure_evidence),
    FlagDefinition(
        "missing_review", _("Missing review"), _("No review at all 90 days after the end date."),
        (AMBER,), "MOF Order 102 Art. 29", missing_review_level),
    FlagDefinition(
        "related_party", _("Related party"),
        _("A key person of the organization held a post at the purchaser in the 3 years before signing."),
        (RED,), "Regulations on the Registration of Social Organizations (leaders close to the buying office)",
        related_party_level, related_party_flag_evidence),
    FlagDefinition(
        "supervisory_conflict", _("Supervisory conflict"),
        _("The purchaser is the organization's business supervisory unit."),
        (AMBER,), "China's dual management system of social organizations", supervisory_conflict_level),
]:
    register_flag(_definition)


# --- querying ---------------------------------------------------------------------------------------------------

def with_flags(contracts, settings=None, today=None, codes=None):
    """Annotate ``flag_<code>`` (``"red"``, ``"amber"`` or None) for every flag (or those of ``codes``)."""
    settings = settings or FlagSettings.load()
    today = today or timezone.localdate()
    return contracts.annotate(**{annotation_name(code): d.level(settings, today)
                                 for code, d in FLAGS.items() if codes is None or code in codes})


def flagged_rows(contracts, settings=None, today=None, columns=("pk",), code=None, level=None, order_by=()):
    """The contracts of ``contracts`` that carry a flag (``code``, at ``level``, when given), as tuples: the values
    of ``columns`` (field names or annotations of ``contracts``), then the level of every flag in ``FLAGS`` order.

    One query that evaluates each flag once per contract: the annotated query is fenced off as a derived table
    (``OFFSET 0`` keeps PostgreSQL from pulling it up and copying every level's subquery into the filter) and the
    outer query keeps the flagged rows. ``order_by``: ``(position in columns, descending)`` pairs."""
    names = [annotation_name(c) for c in FLAGS]
    query = with_flags(contracts.order_by(), settings, today).values_list(*columns, *names)
    sql, params = query.query.sql_with_params()
    connection = connections[query.db]
    quote = connection.ops.quote_name
    tested = [annotation_name(code)] if code else names
    where = " OR ".join(f"flagged.{quote(name)} = %s" if level else f"flagged.{quote(name)} IS NOT NULL"
                        for name in tested)
    fence = " OFFSET 0" if connection.vendor == "postgresql" else ""
    order = ", ".join(f"{position + 1}{' DESC' if descending else ''}" for position, descending in order_by)
    sql = f"SELECT * FROM ({sql}{fence}) flagged WHERE {where}" + (f" ORDER BY {order}" if order else "")
    with transaction.atomic(using=query.db, savepoint=False), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # The plan holds dozens of subplans: its cost estimate triggers JIT compilation, which on 25,000
            # contracts took 17 of the query's 22 s (docs/performance.md). This transaction only.
            cursor.execute("SET LOCAL jit = off")
        cursor.execute(sql, [*params, *([level] * len(tested) if level else [])])
        return [tuple(row) for row in cursor.fetchall()]


def count_flags(contracts, settings=None, today=None, by=()):
    """``{key: {code: contracts carrying it, "red": carrying a red flag, "amber": carrying an amber one}}`` over
    ``contracts``, ``key`` the tuple of the values of ``by`` (field names or annotations; ``()`` for one total),
    from one ``flagged_rows`` query (each flag evaluated once per contract, no JIT): the purchaser dashboard's
    columns and the home page's counts."""
    counts = {}
    for row in flagged_rows(contracts, settings, today, columns=("pk", *by)):
        key, levels = tuple(row[1:1 + len(by)]), row[1 + len(by):]
        found = counts.get(key)
        if found is None:
            found = counts[key] = {**dict.fromkeys(FLAGS, 0), RED: 0, AMBER: 0}
        for code, level in zip(FLAGS, levels, strict=True):
            if level:
                found[code] += 1
        found[RED] += RED in levels
        found[AMBER] += AMBER in levels
    return counts


def any_flag(codes=None, level=None):
    """A ``Q`` for contracts annotated by ``with_flags`` that carry any flag of ``codes`` (at ``level``)."""
    q = Q()
    for code in codes or FLAGS:
        name = annotation_name(code)
        q |= Q(**{name: level}) if level else Q(**{f"{name}__isnull": False})
    return q


def flag_counts(contracts, codes=None):
    """``{code: number of contracts carrying it}`` over an annotated queryset (one query)."""
    codes = list(codes or FLAGS)
    return contracts.order_by().aggregate(
        **{code: Count("pk", filter=Q(**{f"{annotation_name(code)}__isnull": False})) for code in codes})


def flag_counts_by(contracts, field, codes=None):
    """``{value of field: {code: count, "total": flagged contracts}}`` (one grouped query)."""
    codes = list(codes or FLAGS)
    counts = {code: Count("pk", filter=Q(**{f"{annotation_name(code)}__isnull": False})) for code in codes}
    rows = contracts.order_by().values(field).annotate(total=Count("pk", filter=any_flag(codes)), **counts)
    return {row[field]: row for row in rows}


@dataclass
class ContractFlag:
    """A flag on one contract: what the reader may open of its evidence, and how much they may not."""

    code: str
    level: str
    evidence: list = field(default_factory=list)  # [(kind, id, object)]
    hidden: int = 0

    @property
    def definition(self):
        return FLAGS[self.code]

    @property
    def label(self):
        return self.definition.label

    def as_list(self):
        return [self]

    def evidence_ids(self):
        return [{"type": kind.split(".")[1], "id": pk} for kind, pk, _obj in self.evidence]


EVIDENCE_RELATED = {"contracts.contract": ("purchaser",), "contracts.payment": ("contract",),
                    "contracts.performancereview": ("contract",), "contracts.amendment": ("contract",)}


def flags_for(contracts, user, settings=None, today=None):
    """``{contract id: [ContractFlag, ...]}`` for contracts annotated by ``with_flags`` (a list: the page's
    rows). Evidence the user may not see is counted in ``hidden``, never named."""
    settings = settings or FlagSettings.load()
    today = today or timezone.localdate()
    contracts = list(contracts)
    result = {c.pk: [] for c in contracts}
    raw = defaultdict(dict)
    for code, definition in FLAGS.items():
        flagged = [c for c in contracts if getattr(c, annotation_name(code), None)]
        if not flagged:
            continue
        found = definition.evidence(flagged, settings, today) if definition.evidence else {}
        for c in flagged:
            raw[c.pk][code] = (getattr(c, annotation_name(code)), found.get(c.pk, []))
    wanted = defaultdict(set)
    for per_contract in raw.values():
        for _level, items in per_contract.values():
            for kind, pk in items:
                wanted[kind].add(pk)
    visible = {}
    for kind, pks in wanted.items():
        model = apps.get_model(kind)
        rows = model.objects.visible_to(user).filter(pk__in=pks).select_related(*EVIDENCE_RELATED.get(kind, ()))
        visible[kind] = {obj.pk: obj for obj in rows}
    for contract_id, per_contract in raw.items():
        for code, (level, items) in per_contract.items():
            flag = ContractFlag(code, level)
            for kind, pk in dict.fromkeys(items):
                obj = visible[kind].get(pk)
                if obj is None:
                    flag.hidden += 1
                else:
                    flag.evidence.append((kind, pk, obj))
            result[contract_id].append(flag)
    return result


def worst_level(flags):
    """The most severe level among ``ContractFlag``s (None without any)."""
    levels = [f.level for f in flags]
    return max(levels, key=LEVEL_ORDER.get) if levels else None
