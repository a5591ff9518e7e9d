"""The what-if planner of an organization's funding page: "what if these contracts are not renewed, and we win
this grant?" — nothing is saved.

``scenario_row(organization, year, dropped, added)`` recomputes one organization-year the way
``indicators.organization_indicators`` does, from the same per-funder rows (``indicators.funder_rows``, one
query), after taking out the payments of the ``dropped`` contracts received that year and adding the ``added``
income rows (``Hypothetical``: source, funder name, amount, restricted part). The merge per funder, the sums,
Σ funder², the largest funder (same tie-break), the income types and the ratios follow ORGANIZATION_YEAR_SQL in
Python over those few rows (one organization, one year); the money, shares and flags then come from the same
functions (``_income``, the thresholds' levels). The vulnerability status compares the scenario's four ratios
with the peers' cut-offs of that year as they are today (``vulnerability.peer_standing``); percentiles among
peers are not recomputed. With no change, the scenario row equals today's row (tests/daily/test_whatif.py).

It only reads: a test asserts that no row of the database changes.
"""

from dataclasses import dataclass
from decimal import Decimal

from django import forms
from django.db.models import Sum
from django.utils.translation import gettext_lazy as _

from contracts.models import Payment
from core.bounds import MAX_YEAR, MIN_YEAR
from core.forms import MoneyField
from organizations.choices import IncomeSource
from organizations.models import AnnualReport, Organization, Purchaser

from .flags import Thresholds
from .indicators import (
    CONTRACT_SOURCE,
    DIFFUSE_SOURCES,
    TWELVE,
    ZERO,
    OrganizationYear,
    _decimal,
    _income,
    _leveller,
    _money,
    funder_rows,
    organization_indicators,
    ratio,
)
from .tables import SHOWN_COLUMNS, indicator_column
from .vulnerability import LOW_IS_WORSE, RATIO_NAMES, Standing, peer_standing, status_of

MAX_ADDED = 5
GOVERNMENT = "government"


@dataclass
class Hypothetical:
    source: str
    funder: str
    amount: Decimal
    restricted: Decimal = ZERO


class AddedIncomeForm(forms.Form):
    """One hypothetical income row."""

    source = forms.ChoiceField(label=_("Income source"), choices=[("", "—"), *IncomeSource.choices], required=False)
    funder = forms.CharField(label=_("Funder"), max_length=200, required=False)
    amount = MoneyField(label=_("Amount (CNY)"), required=False, min_value=Decimal("0.01"))
    restricted = MoneyField(label=_("Restricted part (CNY)"), required=False, min_value=ZERO)

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        if data.get("amount") is None:
            if data.get("source") or data.get("funder") or data.get("restricted"):
                self.add_error("amount", _("Enter the amount of this income row, or leave the whole row empty."))
            return data
        if not data.get("source"):
            self.add_error("source", _("Choose the source of this income."))
        if (data.get("restricted") or ZERO) > data["amount"]:
            self.add_error("restricted", _("The restricted part cannot exceed the amount."))
        return data

    def hypothetical(self):
        data = self.cleaned_data
        if not data or data.get("amount") is None:
            return None
        return Hypothetical(data["source"], (data.get("funder") or "").strip(), data["amount"],
                            data.get("restricted") or ZERO)


AddedIncomeFormSet = forms.formset_factory(AddedIncomeForm, extra=3, max_num=MAX_ADDED, validate_max=True)


class DropForm(forms.Form):
    drop = forms.MultipleChoiceField(label=_("Contracts not renewed"), required=False,
                                     widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, contracts=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["drop"].choices = [(str(c.pk), str(c.pk)) for c in contracts]


def _dropped_rows(organization, year, dropped):
    """Funder rows (negative) of the payments of ``dropped`` contracts received in ``year``."""
    if not dropped:
        return []
    rows = []
    payments = (Payment.objects.filter(contract__in=list(dropped), contract__organization=organization,
                                       paid_on__year=year)
                .values_list("contract__purchaser_id", "amount", "contract__amount", "contract__restricted_amount",
                             "contract__end_on"))
    for purchaser, amount, total, restricted, end_on in payments:
        part = ratio(amount * restricted, total) if total else ZERO
        renewal = amount if end_on.year <= year + 1 else ZERO
        rows.append((purchaser, "", CONTRACT_SOURCE, "", -amount, -amount, -amount, -(part or ZERO), -renewal))
    return rows


def _added_rows(added):
    rows = []
    for item in added:
        name = item.funder
        if name:
            key = "n:" + name.lower()
        elif item.source in DIFFUSE_SOURCES:
            key = "d:" + item.source
        else:
            key = "s:" + item.source
        government = item.amount if item.source == IncomeSource.GOVERNMENT_SUBSIDY else ZERO
        rows.append((None, key, item.source, name, item.amount, ZERO, government, item.restricted, ZERO))
    return rows


def _source_position(key):
    values = list(IncomeSource.values)
    return values.index(key[2:]) if key.startswith("s:") and key[2:] in values else len(values)


def _totals(rows):
    """ORGANIZATION_YEAR_SQL for one organization-year, over rows (fp, fk, src, label, a, c, g, r, n)."""
    funders, types = {}, {}
    for fp, fk, src, label, a, c, g, r, n in rows:
        entry = funders.setdefault((fp, fk), {"label": label, "a": ZERO, "c": ZERO, "g": ZERO, "r": ZERO, "n": ZERO})
        if label and (not entry["label"] or label < entry["label"]):
            entry["label"] = label
        for name, value in (("a", a), ("c", c), ("g", g), ("r", r), ("n", n)):
            entry[name] += value
        kind = GOVERNMENT if src in (CONTRACT_SOURCE, IncomeSource.GOVERNMENT_SUBSIDY) else src
        types[kind] = types.get(kind, ZERO) + a
    if not funders:
        return None
    named = [(key, e) for key, e in funders.items() if not key[1].startswith("d:")]
    total = sum(e["a"] for e in funders.values())
    squares = sum(e["a"] * e["a"] for _key, e in named)
    largest, top_key, top_label = ZERO, None, None
    if named:
        (fp, fk), top = min(named, key=lambda item: (
            -_money(item[1]["a"]), item[0][0] is None, item[0][0] or 0, not item[0][1].startswith("n:"),
            _source_position(item[0][1]), item[0][1]))
        largest, top_key = max(e["a"] for _key, e in named), fk
        top_label = Purchaser.objects.filter(pk=fp).values_list("name", flat=True).first() if fp else top["label"]
    type_squares = sum(value * value for value in types.values())
    fees = types.get(IncomeSource.SERVICE_FEE, ZERO)
    return (_money(total), _money(sum(e["c"] for e in funders.values())),
            _money(sum(e["g"] for e in funders.values())), _money(sum(e["r"] for e in funders.values())),
            _money(sum(e["n"] for e in funders.values())), squares, _money(largest), top_key, top_label,
            type_squares, _money(fees))


def _cutoffs(peers, year):
    """{ratio: (peers, cut-off)} of ``year`` from today's peer standings (the same for every organization)."""
    found = {}
    for (_o, y), standings in peers.items():
        if y != year:
            continue
        for name, standing in standings.items():
            if name not in found or (standing.cutoff is not None and found[name][1] is None):
                found[name] = (standing.peers, standing.cutoff)
    return found


def scenario_row(organization, year, dropped=(), added=(), thresholds=None, peers=None):
    """The indicators of ``organization`` in ``year`` under the scenario (an ``OrganizationYear``)."""
    thresholds = thresholds or Thresholds.load()
    base = funder_rows(Organization.objects.filter(pk=organization.pk), [year])
    rows = [(fp, fk or "", src, label or "", _decimal(a), _decimal(c), _decimal(g), _decimal(r), _decimal(n))
            for _o, _y, fp, fk, src, label, a, c, g, r, n in base]
    rows += _dropped_rows(organization, year, dropped) + _added_rows(added)
    row = OrganizationYear(organization.pk, organization.name, year)
    t = _totals(rows)
    if t is not None:
        _income(row, t)
    report = (AnnualReport.objects.filter(organization=organization, fiscal_year=year)
              .values_list("total_expenses", "management_expenses", "net_assets_unrestricted",
                           "net_assets_restricted").first())
    if report is not None:
        total_expenses, management, unrestricted, restricted_assets = report
        row.__dict__["_report"] = report
        if total_expenses:
            row.reserve_months = ratio(TWELVE * unrestricted, total_expenses)
            row.management_expense_ratio = ratio(management, total_expenses)
        if row.total_income:
            row.equity_ratio = ratio(unrestricted + restricted_assets, row.total_income)
            row.operating_margin = ratio(row.total_income - total_expenses, row.total_income)
    for name in OrganizationYear.flagged:
        setattr(row, f"{name}_flag", _leveller(thresholds, name)(getattr(row, name)))
    if peers is None:
        peers = peer_standing([year])
    cutoffs = _cutoffs(peers, year)
    standings = {}
    for name in RATIO_NAMES:
        value = getattr(row, name)
        if value is None or name not in cutoffs:
            continue
        count, cutoff = cutoffs[name]
        worst = cutoff is not None and (value <= cutoff if LOW_IS_WORSE[name] else value >= cutoff)
        standings[name] = Standing(name, count, cutoff, None, worst)
    row.__dict__["_standings"] = standings
    row.status = status_of(standings)
    return row


def today_row(organization, year, thresholds, peers):
    [row] = organization_indicators(Organization.objects.filter(pk=organization.pk), [year], thresholds=thresholds,
                                    peers=peers)
    return row


def contract_income(organization, year, contracts):
    """``{contract id: income received in year}`` for the listed contracts."""
    return dict(Payment.objects.filter(contract__in=contracts, contract__organization=organization, paid_on__year=year)
                .order_by().values_list("contract_id").annotate(total=Sum("amount")).values_list("contract_id",
                                                                                                   "total"))


def planner_context(request, organization):
    """The planner's form and, when it was submitted (``?plan=1``) and is valid, today's row and the scenario's."""
    from contracts.models import Contract

    from .scope import default_year

    try:
        year = int(request.GET.get("funding_year") or default_year(request.user))
    except ValueError:
        year = default_year(request.user)
    if not MIN_YEAR <= year <= MAX_YEAR:
        year = default_year(request.user)
    visible = Contract.objects.visible_to(request.user).filter(organization=organization)
    income = contract_income(organization, year, visible.values("pk"))
    contracts = list(visible.filter(pk__in=list(income)).select_related("purchaser").order_by("-signed_on", "-id"))
    submitted = request.GET.get("plan") == "1"
    data = request.GET if submitted else None
    drop_form = DropForm(data, contracts=contracts)
    formset = AddedIncomeFormSet(data, prefix="add")
    context = {"year": year, "drop_form": drop_form, "formset": formset, "submitted": submitted,
               "contracts": [(c, income.get(c.pk), str(c.pk) in (drop_form.data.getlist("drop") if data else []))
                             for c in contracts]}
    if submitted and drop_form.is_valid() and formset.is_valid():
        thresholds = Thresholds.load()
        peers = peer_standing([year])
        dropped = [int(pk) for pk in drop_form.cleaned_data["drop"]]
        added = [h for h in (form.hypothetical() for form in formset.forms) if h is not None]
        context.update({
            "today": today_row(organization, year, thresholds, peers),
            "scenario": scenario_row(organization, year, dropped, added, thresholds=thresholds, peers=peers),
            "thresholds": thresholds,
            "changes": len(dropped) + len(added),
            "columns": [indicator_column(name) for name in OrganizationYear.flagged] + SHOWN_COLUMNS,
        })
    return context
