"""The one-page funding report of an organization-year, for its board: a print view (A4) and the same page as a
PDF (WeasyPrint).

The report shows the income by source of the last five years as a chart (an SVG drawn here: no script, so the
PDF and the printed page show it too), the year's status and every indicator with its explanation (formula and
this organization's numbers, ``dashboards.explain``) and the year's income by source. The page is 404 unless the
user may see the organization's money (``finance_organizations``).

The PDF is rendered from the same template; WeasyPrint may read only this site's static files (``_fetch``):
it never fetches a URL, so a report cannot be made to reach another server.
"""

import mimetypes
from decimal import Decimal

from django.conf import settings
from django.contrib.auth.mixins import LoginRequiredMixin
from django.contrib.staticfiles import finders
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.generic import View

from core.bounds import MAX_YEAR, MIN_YEAR
from organizations.choices import IncomeSource
from organizations.models import Organization

from .explain import indicator_explanations, status_explanation
from .flags import Thresholds
from .indicators import income_by_source, organization_indicators
from .scope import finance_organizations
from .templatetags.indicators import SOURCE_COLORS

CHART_YEARS = 5
CHART_WIDTH, CHART_HEIGHT = 480, 170
PLOT_LEFT, PLOT_TOP, PLOT_BOTTOM = 70, 10, 140


def _sources():
    return [("contracts", _("Government contracts"))] + [(s.value, s.label) for s in IncomeSource]


def chart(mix, years):
    """Stacked bars of income by source per year, in SVG coordinates, with a legend of the sources present."""
    present = [(key, str(label)) for key, label in _sources() if any(key in mix.get(y, {}) for y in years)]
    totals = [sum(mix.get(y, {}).values(), Decimal(0)) for y in years]
    top = max(totals, default=Decimal(0)) or Decimal(1)
    plot_height = PLOT_BOTTOM - PLOT_TOP
    slot = (CHART_WIDTH - PLOT_LEFT - 10) / max(len(years), 1)
    bars = []
    width = min(slot * 0.6, 48)
    for i, year in enumerate(years):
        x = PLOT_LEFT + i * slot + (slot - width) / 2
        y = PLOT_BOTTOM
        parts = []
        for key, label in present:
            amount = mix.get(year, {}).get(key)
            if not amount:
                continue
            height = float(amount / top) * plot_height
            y -= height
            parts.append({"y": round(y, 1), "height": round(height, 1), "color": SOURCE_COLORS.get(key, "#85929e"),
                          "label": label, "amount": amount})
        bars.append({"year": year, "x": round(x, 1), "width": round(width, 1), "parts": parts,
                     "label_x": round(x + width / 2, 1), "total": totals[i]})
    legend = [{"label": label, "color": SOURCE_COLORS.get(key, "#85929e")} for key, label in present]
    return {"width": CHART_WIDTH, "height": CHART_HEIGHT, "bars": bars, "legend": legend, "top": top,
            "left": PLOT_LEFT, "bottom": PLOT_BOTTOM, "plot_top": PLOT_TOP, "axis_label_y": PLOT_BOTTOM + 16}


def report_context(organization, year):
    thresholds = Thresholds.load()
    mix = income_by_source(organization)
    years = [y for y in sorted(mix) if y <= year][-CHART_YEARS:]
    [row] = organization_indicators(Organization.objects.filter(pk=organization.pk), [year], thresholds=thresholds)
    amounts = [(str(label), mix.get(year, {}).get(key)) for key, label in _sources() if mix.get(year, {}).get(key)]
    return {
        "organization": organization,
        "year": year,
        "row": row,
        "status": status_explanation(row),
        "explanations": indicator_explanations(row, thresholds),
        "amounts": amounts,
        "chart": chart(mix, years),
        "generated": timezone.localdate(),
    }


class FundingReportView(LoginRequiredMixin, View):
    """``/organizations/<pk>/funding/<year>/report/``: the print view; ``…/report.pdf``: the PDF."""

    pdf = False
    template_name = "dashboards/funding_report.html"

    def get(self, request, pk, year):
        organization = get_object_or_404(finance_organizations(request.user), pk=pk)
        if not MIN_YEAR <= year <= MAX_YEAR:
            raise Http404
        context = report_context(organization, year)
        context["pdf"] = self.pdf
        html = render_to_string(self.template_name, context, request=request)
        if not self.pdf:
            return HttpResponse(html)
        from weasyprint import HTML

        document = HTML(string=html, base_url=request.build_absolute_uri("/"), url_fetcher=_fetch)
        response = HttpResponse(document.write_pdf(), content_type="application/pdf")
        filename = f"funding-report-{organization.pk}-{year}.pdf"
        response["Content-Disposition"] = f'inline; filename="{filename}"'
        response["Cache-Control"] = "private, no-store"
        return response


def _fetch(url):
    """WeasyPrint's URL fetcher: this site's static files from disk; nothing else."""
    from urllib.parse import urlparse

    path = urlparse(url).path
    prefix = "/" + settings.STATIC_URL.strip("/") + "/"
    if not path.startswith(prefix):
        raise ValueError(f"Only static files may be used in a report: {url}")
    relative = path[len(prefix):]
    found = finders.find(relative)
    if not found:
        raise ValueError(f"Not a static file: {url}")
    with open(found, "rb") as handle:
        data = handle.read()
    return {"string": data, "mime_type": mimetypes.guess_type(found)[0] or "application/octet-stream",
            "redirected_url": url}
