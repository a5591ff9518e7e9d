"""The red-flags page: flagged contracts with their evidence, counts per flag and per purchaser, filters, sorting
and CSV (docs/integrity.md). A fixed number of queries whatever the number of rows."""

from dataclasses import dataclass

import django_filters
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.paginator import Paginator
from django.db.models import F
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView
from django_filters.utils import translate_validation

from contracts.models import Contract
from core.csvio import rows_response
from core.filtersets import BaseFilterSet, large_choice_filter
from core.views import style_filter_form
from organizations.filtersets import RegionTreeFilter
from organizations.models import Organization, Purchaser

from .caching import cached_figures
from .choices import FlagLevel
from .integrity import (
    AMBER,
    FLAGS,
    RED,
    FlagSettings,
    annotation_name,
    any_flag,
    flagged_rows,
    flags_for,
    with_flags,
    worst_level,
)

LEVEL_CHOICES = [(AMBER, FlagLevel.AMBER.label), (RED, FlagLevel.RED.label)]
SORTS = {"reference": "reference", "signed_on": "signed_on", "amount": "amount", "purchaser": "purchaser__name",
         "organization": "organization__name"}
PER_PAGE = 50
PURCHASERS_SHOWN = 20
CSV_COLUMNS = ["contract", "reference", "purchaser", "purchaser_name", "organization", "organization_name",
               "signed_on", "amount", "code", "level", "evidence", "evidence_outside_scope"]


def flag_choices():
    return [(code, d.label) for code, d in FLAGS.items()]


class RedFlagFilterSet(BaseFilterSet):
    """Filters of the red-flags page and ``/api/flags/``: flag, level, purchaser, organization, year signed and
    region (with everything below it)."""

    search_fields = ("reference", "title", "purchaser__name", "organization__name")
    code = django_filters.ChoiceFilter(choices=flag_choices, method="keep", label=_("Flag"))
    level = django_filters.ChoiceFilter(choices=LEVEL_CHOICES, method="keep", label=_("Level"))
    purchaser = large_choice_filter(Purchaser, label=_("Purchaser"))
    organization = large_choice_filter(Organization, label=_("Organization"))
    year = django_filters.NumberFilter(field_name="signed_on", lookup_expr="year", label=_("Year signed"))
    region = RegionTreeFilter(label=_("Service area (and below)"))

    class Meta:
        model = Contract
        fields = ["q", "code", "level", "purchaser", "organization", "year", "region"]

    def keep(self, queryset, name, value: str):
        return queryset  # applied together in filter_queryset

    filter_flags = True  # False: ``code`` and ``level`` are left to the caller (``flagged_set``)

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        if not self.filter_flags:
            return queryset
        code = self.form.cleaned_data.get("code") or None
        return queryset.filter(any_flag([code] if code else None, self.form.cleaned_data.get("level") or None))


def flagged_contracts(user, params, settings, request=None):
    """(filterset, queryset): the visible contracts annotated with every flag, narrowed to those carrying one
    that matches the filters (all flagged contracts when the filters are invalid)."""
    base = with_flags(Contract.objects.visible_to(user).select_related("purchaser", "organization"), settings)
    filterset = RedFlagFilterSet(params or None, queryset=base, request=request)
    if filterset.is_bound and filterset.is_valid():
        return filterset, filterset.qs
    return filterset, base.filter(any_flag())


@dataclass(frozen=True)
class FlaggedSet:
    """What the red-flags page needs of every flagged contract, computed in one query: their ids in the page's
    order, the number carrying each flag, and per purchaser the number flagged and the number carrying each flag
    (``{"purchaser": id, "total": n, code: n, ...}``, most flagged first)."""

    ids: tuple
    counts: dict
    by_purchaser: tuple


def count_flagged(rows):
    """A ``FlaggedSet`` from ``flagged_rows`` rows ``(id, purchaser id, sort key, level of each flag...)``."""
    counts = dict.fromkeys(FLAGS, 0)
    per_purchaser = {}
    for row in rows:
        purchaser = per_purchaser.get(row[1])
        if purchaser is None:
            purchaser = per_purchaser[row[1]] = {"purchaser": row[1], "total": 0, **dict.fromkeys(FLAGS, 0)}
        purchaser["total"] += 1
        for code, level in zip(FLAGS, row[3:], strict=True):
            if level:
                counts[code] += 1
                purchaser[code] += 1
    by_purchaser = sorted(per_purchaser.values(), key=lambda r: -r["total"])
    return FlaggedSet(tuple(row[0] for row in rows), counts, tuple(by_purchaser))


def flagged_set(user, params, settings, sort="-signed_on", request=None, strict=False):
    """(filterset, ``FlaggedSet``): every flagged contract of the page, computed in one query (or taken from the
    cache: ``cached_figures``, keyed by the user's scope, today, the data version, the filters, the sort and the
    settings). Counts per flag and per purchaser, pagination and the CSV come from it; only the shown contracts
    are read whole (``contracts_of``). ``strict``: invalid filters raise a 400 instead of showing everything."""
    filterset = RedFlagFilterSet(params or None, queryset=Contract.objects.visible_to(user), request=request)
    filterset.filter_flags = False
    valid = filterset.is_bound and filterset.is_valid()
    if strict and filterset.is_bound and not valid:
        raise translate_validation(filterset.errors)  # the API answers 400, as its filter backend does
    if valid:
        contracts, code = filterset.qs, filterset.form.cleaned_data.get("code") or None
        level = filterset.form.cleaned_data.get("level") or None
    else:
        contracts, code, level = Contract.objects.visible_to(user), None, None
    field = SORTS[sort.lstrip("-")]

    def compute():
        return count_flagged(flagged_rows(contracts.annotate(flag_sort_key=F(field)), settings,
                                          columns=("pk", "purchaser_id", "flag_sort_key"), code=code, level=level,
                                          order_by=[(2, sort.startswith("-")), (0, True)]))

    parts = (sorted(params.items()) if valid else [], sort, sorted(settings.values.items()))
    return filterset, cached_figures("red-flags", user, compute, parts)


def contracts_of(ids, settings):
    """The contracts ``ids``, in that order, annotated by ``with_flags`` (one query for all of them)."""
    found = with_flags(Contract.objects.select_related("purchaser", "organization"), settings).in_bulk(ids)
    return [found[pk] for pk in ids]


def csv_rows_of(ids, user, settings):
    """``csv_rows`` over the contracts ``ids``, read 500 at a time."""
    for start in range(0, len(ids), 500):
        yield from csv_rows(contracts_of(ids[start:start + 500], settings), user, settings)


def csv_rows(contracts, user, settings):
    """One CSV row per flag of each contract (evidence as ``type:id`` of what the reader may see), in slices."""
    for start in range(0, len(contracts), 500):
        page = list(contracts[start:start + 500])
        flags = flags_for(page, user, settings)
        for contract in page:
            for flag in flags[contract.pk]:
                yield {"contract": contract.pk, "reference": contract.reference, "purchaser": contract.purchaser_id,
                       "purchaser_name": contract.purchaser.name, "organization": contract.organization_id,
                       "organization_name": contract.organization.name, "signed_on": contract.signed_on,
                       "amount": contract.amount, "code": flag.code, "level": flag.level,
                       "evidence": " ".join(f"{e['type']}:{e['id']}" for e in flag.evidence_ids()),
                       "evidence_outside_scope": flag.hidden}


class RedFlagsView(LoginRequiredMixin, TemplateView):
    """Flagged contracts of the user's scope: which purchasers repeatedly single-source to the same organization,
    split awards, pay late or renew after failure, with the evidence one click away."""

    template_name = "dashboards/red_flags.html"

    @cached_property
    def settings(self):
        return FlagSettings.load()

    def get(self, request, *args, **kwargs):
        if request.GET.get("export") == "csv":
            _filterset, flagged = flagged_set(request.user, self.params(), self.settings, "-signed_on", request)
            return rows_response(CSV_COLUMNS, csv_rows_of(flagged.ids, request.user, self.settings), "red-flags")
        return super().get(request, *args, **kwargs)

    def params(self):
        return {k: v for k, v in self.request.GET.items() if k not in ("sort", "page", "export")}

    def sort(self):
        sort = self.request.GET.get("sort", "-signed_on")
        return sort if sort.lstrip("-") in SORTS else "-signed_on"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        sort = self.sort()
        filterset, flagged = flagged_set(user, self.params(), self.settings, sort, self.request)
        style_filter_form(filterset.form)
        page = Paginator(flagged.ids, PER_PAGE).get_page(self.request.GET.get("page"))
        rows = contracts_of(list(page.object_list), self.settings)
        flags = flags_for(rows, user, self.settings)
        for contract in rows:
            contract.integrity_flags = flags[contract.pk]
            contract.worst_flag = worst_level(contract.integrity_flags)
        counts, by_purchaser = flagged.counts, flagged.by_purchaser
        names = dict(Purchaser.objects.filter(pk__in=[r["purchaser"] for r in by_purchaser[:PURCHASERS_SHOWN]])
                     .values_list("pk", "name"))
        query = self.request.GET.copy()
        for key in ("page", "export"):
            query.pop(key, None)
        sort_query = query.copy()
        sort_query.pop("sort", None)
        context.update({
            "filterset": filterset, "page_obj": page, "contracts": rows, "sort": sort,
            "page_query": query.urlencode(), "sort_query": sort_query.urlencode(),
            "flag_totals": [(code, d, counts[code]) for code, d in FLAGS.items()],
            "flagged_total": page.paginator.count,
            "purchaser_rows": [{"name": names.get(r["purchaser"], ""), "pk": r["purchaser"], "total": r["total"],
                                "counts": [r[code] for code in FLAGS]} for r in by_purchaser[:PURCHASERS_SHOWN]],
            "purchasers_more": max(len(by_purchaser) - PURCHASERS_SHOWN, 0),
            "definitions": list(FLAGS.values()),
            "sort_columns": [("reference", _("Contract")), ("purchaser", _("Purchaser")),
                             ("organization", _("Undertaking organization")), ("signed_on", _("Signed on")),
                             ("amount", _("Amount"))],
        })
        return context


__all__ = ["RedFlagFilterSet", "RedFlagsView", "annotation_name", "contracts_of", "csv_rows", "csv_rows_of",
           "flagged_contracts", "flagged_set"]
