"""Accountability pages: the dashboard (one row per organization-year) and each organization's page
with the evidence behind its four values. Rows come from ``organization_indicators`` over the organizations
whose money the user may see (``dashboards.scope.finance_organizations``); the evidence lists only contracts,
payments and income records the user may see."""

from functools import cached_property

from django.contrib.auth.mixins import LoginRequiredMixin
from django.db.models import DecimalField, Q, Sum
from django.utils.translation import gettext_lazy as _
from django.views.generic import DetailView

from contracts.choices import COUNTED_STATUSES
from contracts.models import Contract, Payment
from organizations.choices import IncomeSource, RegionLevel
from organizations.models import IncomeRecord, KeyPerson, Region
from organizations.related_party import related_party, window_start

from .filtersets import DependencyFilterSet, matches_flag
from .flags import AMBER, RED, Thresholds
from .indicators import organization_indicators
from .output import organization_output
from .scope import default_year, finance_organizations
from .tables import ACCOUNTABILITY_COLUMNS, ACCOUNTABILITY_TABLE, sort_rows
from .views import IndicatorDashboardView


class AccountabilityDashboardView(IndicatorDashboardView):
    """One row per organization-year with the four accountability indicators and their flags; the flag filter
    and the counts use the most severe of those four flags."""

    template_name = "dashboards/accountability.html"
    filterset_class = DependencyFilterSet
    table_columns = ACCOUNTABILITY_TABLE
    columns = ACCOUNTABILITY_COLUMNS
    output = staticmethod(organization_output)
    default_sort = "-accountability_flag"
    title = _("Accountability dashboard")

    def get_base_queryset(self):
        return finance_organizations(self.request.user)

    def compute(self, queryset, year):
        return organization_indicators(queryset, year, thresholds=self.thresholds)

    def get_rows(self):
        wanted = self.cleaned("flag")
        rows = [row for row in self.all_rows if matches_flag(row.accountability_flag, wanted)]
        return sort_rows(rows, self.get_sort())

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        levels = [row.accountability_flag for row in self.all_rows]
        context.update({"red_count": levels.count(RED), "amber_count": levels.count(AMBER)})
        return context


class OrganizationAccountabilityView(LoginRequiredMixin, DetailView):
    """An organization's four accountability values for a year with the evidence behind each: the contracts
    outside its scope, the prefecture's peer median and how many peers, the reported and the recorded government
    income side by side with the payments and subsidies behind the latter, the key persons and their posts with
    the contracts they touch. 404 unless the user may see the organization's money. A fixed number of queries."""

    template_name = "dashboards/organization_accountability.html"
    context_object_name = "organization"

    def dispatch(self, request, *args, **kwargs):
        self.queryset = finance_organizations(request.user).select_related("region")  # before any view code
        return super().dispatch(request, *args, **kwargs)

    @cached_property
    def year(self):
        try:
            year = int(self.request.GET.get("year", ""))
        except ValueError:
            return default_year(self.request.user)
        return year if 1990 <= year <= 2100 else default_year(self.request.user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        org, user, year = self.object, self.request.user, self.year
        thresholds = Thresholds.load()
        [row] = organization_indicators(type(org).objects.filter(pk=org.pk), year, thresholds=thresholds)
        scope = set(org.service_scope)
        money = DecimalField(max_digits=20, decimal_places=2)
        contracts = list(
            Contract.objects.visible_to(user).filter(organization=org)
            .annotate(paid_in_year=Sum("payments__amount", filter=Q(payments__paid_on__year=year),
                                       output_field=money),
                      related=related_party())
            .select_related("purchaser").order_by("-signed_on", "-id"))
        for contract in contracts:
            contract.outside_scope = bool(scope) and contract.service_category not in scope
            contract.related_flag = contract.related and contract.status in COUNTED_STATUSES
        persons = list(KeyPerson.objects.visible_to(user).filter(organization=org).select_related("post_purchaser")
                       .order_by("role", "name"))
        for person in persons:
            person.contracts = [
                c for c in contracts
                if person.post_purchaser_id and c.purchaser_id == person.post_purchaser_id and c.signed_on
                and (person.post_from is None or person.post_from <= c.signed_on)
                and (person.post_to is None or person.post_to >= window_start(c.signed_on))]
        context.update({
            "year": year,
            "row": row,
            "thresholds": thresholds,
            "scope_labels": [label for value, label in type(org)._meta.get_field("service_scope").code_list.choices
                             if value in scope],
            "outside_contracts": [c for c in contracts if c.outside_scope and c.paid_in_year],
            "related_contracts": [c for c in contracts if c.related_flag and c.paid_in_year],
            "contracts_in_year": [c for c in contracts if c.paid_in_year],
            "payments": Payment.objects.visible_to(user).filter(contract__organization=org, paid_on__year=year)
            .select_related("contract", "contract__purchaser").order_by("paid_on", "id"),
            "subsidies": IncomeRecord.objects.visible_to(user).filter(
                organization=org, fiscal_year=year, source=IncomeSource.GOVERNMENT_SUBSIDY)
            .select_related("funder_purchaser"),
            "key_persons": persons,
            "prefecture": Region.objects.filter(level=RegionLevel.PREFECTURE,
                                                code__in=_path_codes(org.region.path)).first(),
            "years": range(year - 4, year + 2),
        })
        return context


def _path_codes(path):
    """``/220000/220100/220102/`` → the codes on the path (a region and the regions above it)."""
    return [code for code in (path or "").split("/") if code]
