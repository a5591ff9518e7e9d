"""Dashboard pages: home, dependency dashboard, purchaser dashboard, an organization's funding mix.

Every page takes its rows from ``visible_to(user)`` (organizations' money only from
``with_finances_visible_to(user)``) and computes indicators with a fixed number of queries.

CSV and Excel export: both dashboards answer ``?export=csv`` (and ``?export=xlsx``) through
``get_export_response()``, which gets the rows of the current filters from ``get_rows()`` (a list of
``OrganizationYear`` / ``PurchaserYear``) and the header from ``columns`` (the indicator field names of
docs/indicators.md, flags included).
"""

from functools import cached_property

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.paginator import Paginator
from django.db.models import Count, Sum
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.generic import DetailView, TemplateView

from contracts.choices import COUNTED_STATUSES, Grade
from contracts.models import Contract, Payment, PerformanceReview
from core import csvio
from core.filtersets import invalid_filter_response
from core.roles import get_scope
from core.views import style_filter_form

from . import workqueue
from .caching import cached_figures, cached_rows
from .filtersets import DependencyFilterSet, PurchaserDashboardFilterSet, matches_flag
from .flag_counts import PURCHASER_EXPORT_COLUMNS, add_flag_counts
from .flags import AMBER, RED, Thresholds
from .indicators import ORGANIZATION_COLUMNS, organization_indicators
from .integrity import count_flags, flags_for, with_flags
from .output import organization_output, purchaser_output
from .purchaser_indicators import purchaser_indicators
from .scope import default_year, finance_organizations, portfolio_purchasers
from .tables import ORGANIZATION_TABLE, PURCHASER_TABLE, sort_rows
from .whatif import planner_context

PAGE_SIZES = (25, 50, 100)
# Query parameters that do not change which rows are computed (sorting, paging and the flag filter apply after).
NOT_FILTERS = ("page", "per_page", "sort", "export", "flag")


class IndicatorDashboardView(LoginRequiredMixin, TemplateView):
    """A table of computed indicator rows: filters (a FilterSet over the entities, plus year and flag level),
    sorting by any column (undefined values last), pagination, CSV export hook."""

    filterset_class = None
    table_columns = ()
    columns = ()  # the export header: field names of the rows
    default_sort = "-worst_flag"
    output = None  # row -> dict of rounded output values (dashboards.output)
    title = ""

    def setup(self, request, *args, **kwargs):
        # The read restriction, applied before any view code runs: every row shown or exported comes from it.
        super().setup(request, *args, **kwargs)
        self.queryset = self.get_base_queryset()

    def get_base_queryset(self):
        """The entities the user may see the indicators of (restricted by ``dashboards.scope``)."""
        raise NotImplementedError

    def compute(self, queryset, year):
        raise NotImplementedError

    @cached_property
    def thresholds(self):
        return Thresholds.load()

    @cached_property
    def filterset(self):
        filterset = self.filterset_class(self.request.GET or None, queryset=self.queryset,
                                         request=self.request)
        style_filter_form(filterset.form)
        return filterset

    def cleaned(self, name):
        fs = self.filterset
        if fs.is_bound and fs.is_valid():
            return fs.form.cleaned_data.get(name)
        return None

    @cached_property
    def year(self):
        year = self.cleaned("year")
        return int(year) if year else default_year(self.request.user)

    def get_sort(self):
        sort = self.request.GET.get("sort") or self.default_sort
        allowed = {c.name for c in self.table_columns} | set(self.columns) | {"worst_flag"}
        return sort if sort.lstrip("-") in allowed else self.default_sort

    @cached_property
    def all_rows(self):
        """Every row of the current filters (cached for a short time, see ``dashboards.caching``)."""
        fs = self.filterset
        if fs.is_bound and not fs.is_valid():
            return self.compute(fs.queryset.none(), self.year)
        params = [(name, self.request.GET.getlist(name)) for name in self.request.GET if name not in NOT_FILTERS]
        return cached_rows(type(self).__name__, self.request.user, self.year, params, self.thresholds,
                           lambda: self.compute(fs.qs, self.year))

    def get_rows(self):
        """The rows of the current filters and sort order: what the page shows and the CSV export writes."""
        wanted = self.cleaned("flag")
        rows = [row for row in self.all_rows if matches_flag(row.headline, wanted)]
        return sort_rows(rows, self.get_sort())

    def get(self, request, *args, **kwargs):
        invalid = self.filterset.is_bound and not self.filterset.is_valid()
        if request.GET.get("export") in ("csv", "xlsx"):
            # 400 naming the parameter (a year out of 1990–2100...), before any CSV is sent.
            return invalid_filter_response(self.filterset) if invalid else self.get_export_response()
        response = super().get(request, *args, **kwargs)
        if invalid:
            response.status_code = 400  # the filter form shows the error beside the parameter
        return response

    def get_export_response(self):
        """CSV of ``get_rows()`` with ``columns`` as header (``core.csvio``: UTF-8 with BOM, exact numbers, text
        cells escaped against formula injection)."""
        from core import csvio, xlsxio

        name = f"{self.request.resolver_match.url_name}-{self.year}"
        writer = xlsxio if xlsxio.wants_xlsx(self.request) else csvio  # ?export=xlsx: the same rows, typed cells
        return writer.rows_response(self.columns, map(self.output, self.get_rows()), name)

    def get_per_page(self):
        try:
            size = int(self.request.GET.get("per_page", PAGE_SIZES[1]))
        except ValueError:
            return PAGE_SIZES[1]
        return size if size in PAGE_SIZES else PAGE_SIZES[1]

    def headers(self, sort):
        query = self.request.GET.copy()
        query.pop("page", None)
        query.pop("export", None)
        result = []
        for column in self.table_columns:
            current = sort.lstrip("-") == column.name
            descending = sort.startswith("-")
            # Numbers sort largest first on the first click; names A→Z.
            first = f"-{column.name}" if column.numeric else column.name
            query["sort"] = (column.name if descending else f"-{column.name}") if current else first
            result.append({"column": column, "url": f"?{query.urlencode()}",
                           "direction": ("desc" if descending else "asc") if current else ""})
        return result

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        rows = self.get_rows()
        sort = self.get_sort()
        page = Paginator(rows, self.get_per_page()).get_page(self.request.GET.get("page"))
        query = self.request.GET.copy()
        query.pop("page", None)
        export_query = query.copy()
        export_query["export"] = "csv"
        xlsx_query = query.copy()
        xlsx_query["export"] = "xlsx"
        levels = [row.headline for row in self.all_rows]
        context.update({
            "title": self.title,
            "filter": self.filterset,
            "year": self.year,
            "page_obj": page,
            "rows": page.object_list,
            "result_count": len(rows),
            "headers": self.headers(sort),
            "table_columns": self.table_columns,
            "thresholds": self.thresholds,
            "red_count": levels.count(RED),
            "amber_count": levels.count(AMBER),
            "page_query": query.urlencode(),
            "export_url": f"?{export_query.urlencode()}",
            "xlsx_url": f"?{xlsx_query.urlencode()}",
            "page_sizes": PAGE_SIZES,
            "per_page": self.get_per_page(),
            "filters_active": any(k not in ("sort", "per_page", "page") and v for k, v in self.request.GET.items()),
        })
        return context


class DependencyDashboardView(IndicatorDashboardView):
    """One row per organization-year with every indicator and its flag."""

    template_name = "dashboards/dependency.html"
    filterset_class = DependencyFilterSet
    table_columns = ORGANIZATION_TABLE
    columns = ORGANIZATION_COLUMNS
    output = staticmethod(organization_output)
    default_sort = "-status"
    title = _("Dependency dashboard")

    def get_base_queryset(self):
        return finance_organizations(self.request.user)

    def compute(self, queryset, year):
        return organization_indicators(queryset, year, thresholds=self.thresholds)


class PurchaserDashboardView(IndicatorDashboardView):
    """One row per purchaser-year: spend, supplier concentration, single-source share, reviews, overdue
    payments; purchasers whose whole portfolio the user may see."""

    template_name = "dashboards/purchasers.html"
    filterset_class = PurchaserDashboardFilterSet
    table_columns = PURCHASER_TABLE
    columns = PURCHASER_EXPORT_COLUMNS  # the indicators, then one count per integrity flag (flags_<code>)
    output = staticmethod(purchaser_output)
    title = _("Purchaser dashboard")

    def get_base_queryset(self):
        return portfolio_purchasers(self.request.user)

    def compute(self, queryset, year):
        rows = purchaser_indicators(queryset, year, thresholds=self.thresholds)
        return add_flag_counts(rows, self.request.user, year)


class OrganizationFundingView(LoginRequiredMixin, DetailView):
    """An organization's funding mix, indicators and contract flags (the NGO manager's landing page). 404
    unless the user may see the organization's money."""

    template_name = "dashboards/organization_funding.html"
    context_object_name = "organization"

    def dispatch(self, request, *args, **kwargs):
        self.queryset = finance_organizations(request.user)  # restricted before any view code runs
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        contracts = list(with_flags(
            Contract.objects.visible_to(self.request.user).filter(organization=self.object)
            .select_related("purchaser").order_by("-signed_on", "-id")))
        flags = flags_for(contracts, self.request.user)
        for contract in contracts:
            contract.integrity_flags = flags[contract.pk]
        context["contracts"] = contracts
        context["planner"] = planner_context(self.request, self.object)
        return context


class HomeView(LoginRequiredMixin, TemplateView):
    """Headline figures of the user's scope. An NGO manager of one organization lands on its funding mix."""

    template_name = "home.html"
    most_dependent = 10
    latest = 8

    def get(self, request, *args, **kwargs):
        scope = get_scope(request.user)
        if scope.is_ngo and len(scope.organization_ids) == 1:
            [pk] = scope.organization_ids
            return redirect("dashboards:organization_funding", pk=pk)
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        today = timezone.localdate()
        contracts = Contract.objects.visible_to(user)

        def headline():
            this_year = contracts.filter(status__in=COUNTED_STATUSES, signed_on__year=today.year).aggregate(
                count=Count("pk"), spend=Sum("amount"))
            overdue = Payment.objects.visible_to(user).filter(contract__status__in=COUNTED_STATUSES).overdue(today)
            failed = PerformanceReview.objects.visible_to(user).filter(grade=Grade.FAIL,
                                                                        reviewed_on__year=today.year).count()
            return this_year, overdue.count(), failed

        # Three scans of the contracts and payments (0.1 s over a province), cached until the data changes.
        this_year, overdue_count, failed = cached_figures("home", user, headline)
        work_counts = cached_figures("work-queue", user, lambda: workqueue.counts(user, today))
        thresholds = Thresholds.load()
        year = default_year(user)
        # The same computations as the unfiltered dashboards', so they share their cache entries.
        rows = cached_rows(DependencyDashboardView.__name__, user, year, [], thresholds,
                           lambda: organization_indicators(finance_organizations(user), year, thresholds=thresholds))
        levels = [row.headline for row in rows]
        at_risk = sort_rows([r for r in rows if r.status in (RED, AMBER)], "-status")
        dependent = sorted((r for r in rows if r.government_share is not None), reverse=True,
                           key=lambda r: (r.government_share, r.top_funder_share, r.total_income))
        purchasers = sort_rows(cached_rows(PurchaserDashboardView.__name__, user, year, [], thresholds,
                                           lambda: purchaser_indicators(portfolio_purchasers(user), year,
                                                                        thresholds=thresholds)),
                               "-worst_flag")
        def integrity():
            found = count_flags(contracts.filter(signed_on__year=year)).get((), {})
            return {"red": found.get(RED, 0), "amber": found.get(AMBER, 0)}

        # Contracts signed in the year with an integrity flag, by their worst level (docs/integrity.md).
        flag_figures = cached_figures(f"home-flags-{year}", user, integrity)
        context.update({
            "flag_red_count": flag_figures["red"],
            "flag_amber_count": flag_figures["amber"],
            "today": today,
            "year": year,
            "contract_count": this_year["count"],
            "spend": this_year["spend"],
            "overdue_count": overdue_count,
            "failed_count": failed,
            "red_count": levels.count(RED),
            "amber_count": levels.count(AMBER),
            "organization_count": len(rows),
            "most_dependent": dependent[: self.most_dependent],
            "at_risk": at_risk[: self.most_dependent],
            "at_risk_count": len(at_risk),
            "purchaser_rows": [p for p in purchasers if p.contract_count][:5],
            "latest_contracts": contracts.select_related("purchaser", "organization")
            .order_by("-signed_on", "-id")[: self.latest],
            "dependency_url": reverse("dashboards:dependency"),
            "thresholds": thresholds,
            "work_lists": [{"key": key, "title": title, "count": work_counts[key]}
                           for key, (_function, _slug, title) in workqueue.LISTS.items()],
        })
        return context



class MethodologyView(LoginRequiredMixin, TemplateView):
    """docs/indicators.md in the reader's language: how every indicator, flag and status is computed."""

    template_name = "dashboards/methodology.html"

    def get_context_data(self, **kwargs):
        from django.utils.translation import get_language

        from .methodology import methodology_html

        context = super().get_context_data(**kwargs)
        context["content"] = methodology_html(get_language())
        return context


class WorkQueueView(LoginRequiredMixin, TemplateView):
    """The staff home: payments due or overdue, contracts ending with no successor, ended contracts with no review
    each within the user's scope (``dashboards.workqueue``), with
    its count, its first rows linked to their pages, and ``?export=<list>`` for the whole list as CSV (the columns
    of the payments or contracts export). A fixed number of queries: two per list."""

    template_name = "dashboards/work_queue.html"

    def get(self, request, *args, **kwargs):
        export = request.GET.get("export")
        if export in workqueue.LISTS:
            function, slug, _title = workqueue.LISTS[export]
            return csvio.export_response(csvio.get_spec(slug), function(request.user, timezone.localdate()),
                                         f"work-queue-{export}")
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        today = timezone.localdate()
        lists = []
        for key, (function, _slug, title) in workqueue.LISTS.items():
            queryset = function(self.request.user, today)
            lists.append({"key": key, "title": title, "count": queryset.count(),
                          "rows": list(queryset[:workqueue.PREVIEW])})
        context.update({"today": today, "lists": lists, "due_days": workqueue.DUE_DAYS, "preview": workqueue.PREVIEW})
        return context
