"""Generic page views every model's pages are configured from (list, detail, create/edit, delete).

Each view takes its rows from ``Model.objects.visible_to(request.user)``, applied to ``self.queryset`` at dispatch
before any view code runs (edit and delete then require ``editable_by`` / ``deletable_by``): an object the user may
not see answers 404, one they may see but not change answers 403. Anonymous users are sent
to the login page. A model's views are a few class attributes::

    class ContractListView(ObjectListView):
        model = Contract
        table_class = ContractTable
        filterset_class = ContractFilterSet
        totals = {"amount": _("Total amount")}

Hooks for the other parts of the application:

- ``ObjectListView.get_export_response()``: called when the list URL carries ``export=csv`` or ``export=xlsx``
  (the "Export CSV" and "Excel" buttons link to the current URL plus ``export=csv`` / ``export=xlsx``).
- ``ObjectEditView.save_form(form, formsets)``: the one place an edit form is written, through the one write path
  ``core.writes`` (fresh-scope check, administrator-only scope fields, unchanged rows not written, stale versions
  refused).
- Detail templates have a ``{% block history %}`` for the change history.
"""

from django import forms
from django.contrib import messages
from django.contrib.admin.utils import NestedObjects
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db import router, transaction
from django.db.models import Count, ProtectedError, RestrictedError, Sum
from django.http import HttpResponseRedirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views.generic import DeleteView, DetailView, UpdateView
from django_filters.views import FilterView
from django_tables2 import RequestConfig, SingleTableMixin

from core import writes
from core.concurrency import ConcurrentEditError, report_concurrent_edit
from core.datacache import data_version, make_key, request_filters, scope_key
from core.filtersets import QuickCheckboxes, QuickSelect, invalid_filter_response
from core.forms import MoneyField
from core.registry import detail_panels, list_annotations

PAGE_SIZES = (25, 50, 100)
SUMMARY_SECONDS = 300
BLOCKERS_SHOWN = 20
CHECKBOX_CHOICES_MAX = 12


def style_filter_form(form):
    """Bootstrap classes on a FilterSet's form: short multiple choices as checkboxes, date ranges as date pickers,
    selects and inputs in the small size of the filter panel."""
    for name, field in list(form.fields.items()):
        if isinstance(field, forms.DecimalField) and name.startswith("amount"):
            # Amount ranges accept what the edit forms accept ("1,234,567.89").
            field = form.fields[name] = MoneyField(required=False, label=field.label)
        widget = field.widget
        if isinstance(field, forms.MultipleChoiceField) and len(field.choices) <= CHECKBOX_CHOICES_MAX:
            field.widget = QuickCheckboxes(choices=field.choices, attrs={"class": "me-1"})
            continue
        if isinstance(widget, forms.NullBooleanSelect):
            widget.choices = [("unknown", _("Any")), ("true", _("Yes")), ("false", _("No"))]
        subwidgets = getattr(widget, "widgets", None) or [widget]
        for sub in subwidgets:
            if isinstance(sub, forms.DateInput) or "date" in type(field).__name__.lower():
                sub.input_type = "date"
            if isinstance(sub, forms.Select | forms.SelectMultiple):
                sub.attrs["class"] = "form-select form-select-sm"
            else:
                sub.attrs["class"] = "form-control form-control-sm"
    return form


def restrict(queryset, user):
    """``queryset`` narrowed to the rows ``user`` may see (``visible_to``)."""
    return queryset.visible_to(user)


class ModelViewMixin(LoginRequiredMixin):
    """Shared by every generic view: the model's names, the visible queryset, template lookup.

    The read restriction is applied at dispatch, before any view code runs (as NetBox's
    ``ObjectPermissionRequiredMixin`` does): ``self.queryset`` becomes ``visible_to(user)`` of the class's
    ``queryset`` (or of every row of ``model``), so a subclass's ``get_queryset()`` that starts from
    ``super().get_queryset()`` or ``self.queryset`` starts from restricted rows. Edit and delete views then require
    ``editable_by`` / ``deletable_by`` of the object (403), see ``EditableObjectMixin``.
    """

    model = None
    queryset = None
    template_suffix = None  # "list", "detail", "edit", "delete"

    def dispatch(self, request, *args, **kwargs):
        base = type(self).queryset if type(self).queryset is not None else self.model._default_manager.all()
        self.queryset = restrict(base, request.user)
        return super().dispatch(request, *args, **kwargs)

    def get_template_names(self):
        meta = self.model._meta
        return [f"{meta.app_label}/{meta.model_name}_{self.template_suffix}.html",
                f"generic/object_{self.template_suffix}.html"]

    def url_name(self, action):
        meta = self.model._meta
        return f"{meta.app_label}:{meta.model_name}_{action}"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        meta = self.model._meta
        context.update({
            "model_meta": meta,
            "verbose_name": meta.verbose_name,
            "verbose_name_plural": meta.verbose_name_plural,
            "list_url": reverse(self.url_name("list")),
            "add_url": reverse(self.url_name("add")),
            "can_add": self.model.user_can_add(self.request.user),
        })
        return context


class ObjectListView(ModelViewMixin, SingleTableMixin, FilterView):
    """A filterable, sortable, paginated table of the visible rows, with a result count and totals.

    ``table_class`` (django-tables2) and ``filterset_class`` (django-filter) configure it; ``totals`` maps a
    field (or ``related__field``) to the label of its sum shown above the table.

    ``cache_summary = True``: the row count (the paginator's) and the totals come from one query whose answer is
    kept in Django's cache until the data changes (``summary()``), for lists over large tables whose COUNT and SUM
    cost more than the rest of the page.
    """

    template_suffix = "list"
    totals = {}
    table_pagination = {"per_page": PAGE_SIZES[0]}
    cache_summary = False

    def get_queryset(self):
        queryset = super().get_queryset()
        for annotate in list_annotations(self.model):  # columns other apps add (core.registry)
            queryset = annotate(queryset, self.request.user)
        return queryset

    def get_filterset(self, filterset_class):
        filterset = super().get_filterset(filterset_class)
        style_filter_form(filterset.form)
        for field in filterset.form.fields.values():
            if isinstance(field.widget, QuickSelect):
                field.widget.request = self.request  # the form's own copy of the widget: caches its choices
        return filterset

    def get(self, request, *args, **kwargs):
        if request.GET.get("export") in ("csv", "xlsx"):
            filterset = self.get_filterset(self.get_filterset_class())
            if not filterset.is_valid():
                return invalid_filter_response(filterset)  # 400 naming the parameter, before any CSV is sent
            return self.get_export_response(filterset.qs)
        response = super().get(request, *args, **kwargs)
        if self.filterset.is_bound and not self.filterset.is_valid():
            response.status_code = 400  # the filter form shows the error beside the parameter
        return response

    def get_export_response(self, queryset):
        """CSV export of ``queryset`` (the visible rows narrowed by the current filters) in the table's current
        order, with the model's CSV columns (``core.csvio``; 404 for a model without them)."""
        from core.csvio import list_export_response

        return list_export_response(self, queryset)

    def get_per_page(self):
        try:
            size = int(self.request.GET.get("per_page", PAGE_SIZES[0]))
        except ValueError:
            return PAGE_SIZES[0]
        return size if size in PAGE_SIZES else PAGE_SIZES[0]

    def get_table_pagination(self, table):
        return {"per_page": self.get_per_page()}

    def summary(self):
        """``(row count, [sum of each ``totals`` field])`` of the current filters, in one query. With
        ``cache_summary`` it is kept in Django's cache for at most ``SUMMARY_SECONDS``, keyed by the model, what the
        user may see (``scope_key``), the filters, today (a filter such as "overdue" depends on it) and the data
        version (``core.datacache``: the first write through the application changes the key)."""
        if not hasattr(self, "_summary"):
            def compute():
                # Annotations the aggregate does not reference (the list's columns) are left out of it.
                sums = self.object_list.order_by().aggregate(
                    count=Count("pk"), **{f"total_{i}": Sum(field) for i, field in enumerate(self.totals)})
                return sums["count"], [sums[f"total_{i}"] for i in range(len(self.totals))]

            if not self.cache_summary:
                self._summary = compute()
                return self._summary
            key = make_key("list-summary", self.model._meta.label_lower, scope_key(self.request.user),
                           request_filters(self.request), timezone.localdate().isoformat(),
                           data_version(self.request))
            summary = cache.get(key)
            if summary is None:
                summary = compute()
                cache.set(key, summary, SUMMARY_SECONDS)
            self._summary = summary
        return self._summary

    def get_table(self, **kwargs):
        if not self.cache_summary:
            return super().get_table(**kwargs)
        table = self.get_table_class()(data=self.get_table_data(), **kwargs)
        table.data._length = self.summary()[0]  # the paginator's count, from the summary
        return RequestConfig(self.request, paginate=self.get_table_pagination(table)).configure(table)

    def get_totals(self):
        if not self.totals:
            return []
        if self.cache_summary:
            sums = self.summary()[1]
        else:
            sums = self.object_list.aggregate(**{f"total_{i}": Sum(field) for i, field in enumerate(self.totals)})
            sums = [sums[f"total_{i}"] for i in range(len(self.totals))]
        return list(zip(self.totals.values(), sums, strict=True))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        query = self.request.GET.copy()
        query.pop("page", None)
        query.pop("export", None)
        export_query = query.copy()
        export_query["export"] = "csv"
        xlsx_query = query.copy()
        xlsx_query["export"] = "xlsx"
        context.update({
            "result_count": context["table"].paginator.count if context["table"].page else 0,
            "totals": self.get_totals(),
            "page_sizes": PAGE_SIZES,
            "per_page": self.get_per_page(),
            "export_url": f"?{export_query.urlencode()}",
            "xlsx_url": f"?{xlsx_query.urlencode()}",
            "filters_active": any(k not in ("sort", "per_page", "page") and v for k, v in self.request.GET.items()),
        })
        return context


class ObjectDetailView(ModelViewMixin, DetailView):
    """One visible object (404 otherwise); ``detail_fields`` lists the fields the generic template shows."""

    template_suffix = "detail"
    detail_fields = None

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update({
            "detail_fields": self.detail_fields,
            "can_change": self.object.user_can_change(self.request.user),
            "can_delete": self.object.user_can_delete(self.request.user),
            "edit_url": reverse(self.url_name("edit"), args=[self.object.pk]),
            "delete_url": reverse(self.url_name("delete"), args=[self.object.pk]),
        })
        for panel in detail_panels(self.model):  # what other apps show on this page (core.registry)
            context.update(panel(self.request, self.object))
        return context


# A saved object would no longer be changeable by the user who saved it (raised inside the transaction).
OutOfScopeError = writes.OutOfScope


class EditableObjectMixin:
    """Fetch the object among the visible ones (404), then require that the user may change it (403)
    (``deletable_by`` for the delete view)."""

    permission_filter = "editable_by"

    def get_object(self, queryset=None):
        obj = super().get_object(queryset)
        allowed = getattr(self.model.objects, self.permission_filter)(self.request.user)
        if not allowed.filter(pk=obj.pk).exists():
            raise PermissionDenied(_("You may see this record but not change it."))
        return obj


class ObjectEditView(EditableObjectMixin, ModelViewMixin, UpdateView):
    """Create (no ``pk`` in the URL) and edit one object with a crispy form.

    ``form_class`` must accept ``user=`` (``core.forms.PoscModelForm`` does). GET parameters named like a form
    field pre-fill it (``/payments/add/?contract=12``). "Save and add another" returns to an empty form with the
    same pre-filled values.
    """

    template_suffix = "edit"
    success_message = _("%(name)s “%(object)s” was saved.")

    def is_create(self):
        return "pk" not in self.kwargs

    def get_object(self, queryset=None):
        if self.is_create():
            if not self.model.user_can_add(self.request.user):
                raise PermissionDenied(_("You may not add this kind of record."))
            return None
        return super().get_object(queryset)

    def get_initial(self):
        initial = super().get_initial()
        if self.is_create():
            form_fields = getattr(getattr(self.get_form_class(), "Meta", None), "fields", None) or []
            for name in form_fields:
                if name in self.request.GET:
                    initial[name] = self.request.GET[name]
        return initial

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["user"] = self.request.user
        return kwargs

    def get_formsets(self, form):
        """Inline formsets edited on the same page (the contract's payments); none by default."""
        return []

    def get(self, request, *args, **kwargs):
        self.object = self.get_object()
        form = self.get_form()
        return self.render_to_response(self.get_context_data(form=form, formsets=self.get_formsets(form)))

    def post(self, request, *args, **kwargs):
        self.object = self.get_object()
        form = self.get_form()
        formsets = self.get_formsets(form)
        if form.is_valid() and all(fs.is_valid() for fs in formsets):
            return self.form_valid(form, formsets)
        return self.form_invalid(form, formsets)

    def save_form(self, form, formsets):
        """Write the form (and its formsets) in one transaction through the one write path (``core.writes``) and
        return the saved object: rows whose values did not change are not written (no version bump, no history),
        and every written row must still be inside the user's scope computed afresh."""
        user = self.request.user
        with transaction.atomic(), writes.ScopeGuard(user) as guard:
            obj = form.save(commit=False)
            writes.save_object(user, obj, guard=guard)
            form.save_m2m()
            for formset in formsets:
                formset.instance = obj
                rows = formset.save(commit=False)
                for row in formset.deleted_objects:
                    writes.delete_object(user, row, guard=guard)
                for row in rows:
                    writes.save_object(user, row, guard=guard)
                formset.save_m2m()
        return obj

    def form_valid(self, form, formsets=()):
        try:
            self.object = self.save_form(form, formsets)
        except ConcurrentEditError as exc:  # someone saved the object since this form was loaded (no lost updates)
            report_concurrent_edit(form, exc)
            return self.form_invalid(form, formsets)
        except (OutOfScopeError, writes.ScopeFieldError) as exc:
            if self.is_create():
                form.instance.pk = None  # the INSERT was rolled back
                form.instance._state.adding = True
            if isinstance(exc, writes.ScopeFieldError):
                for name, errors in writes.errors_by_field(exc).items():
                    for error in errors:
                        form.add_error(name if name in form.fields else None, error)
            else:
                form.add_error(None, exc.message)
            return self.form_invalid(form, formsets)
        messages.success(self.request, self.success_message % {"name": self.model._meta.verbose_name,
                                                               "object": self.object})
        return HttpResponseRedirect(self.get_success_url())

    def form_invalid(self, form, formsets=()):
        messages.error(self.request, _("Please correct the errors below."))
        return self.render_to_response(self.get_context_data(form=form, formsets=formsets))

    def get_success_url(self):
        if "_addanother" in self.request.POST:
            url = reverse(self.url_name("add"))
            query = self.request.GET.urlencode()
            return f"{url}?{query}" if query else url
        return self.object.get_absolute_url()

    def get_cancel_url(self):
        if self.object is not None:
            return self.object.get_absolute_url()
        return self.request.GET.get("next") if _is_local(self.request.GET.get("next"), self.request) else reverse(
            self.url_name("list"))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update({"is_create": self.is_create(), "cancel_url": self.get_cancel_url()})
        return context


class ObjectDeleteView(EditableObjectMixin, ModelViewMixin, DeleteView):
    """Confirmation page listing what would be deleted with the object and what blocks the deletion
    (protected related rows such as contracts); the POST refuses with that list instead of a server error."""

    permission_filter = "deletable_by"

    template_suffix = "delete"

    def collect(self):
        """(blocking objects, objects deleted along with this one) for the confirmation page."""
        collector = NestedObjects(using=router.db_for_write(self.model))
        collector.collect([self.object])
        cascaded = []
        for model, objs in collector.model_objs.items():
            if model is self.model or model._meta.auto_created or model.__name__.startswith("Historical"):
                continue
            cascaded.append((model._meta.verbose_name_plural, len(objs)))
        return sorted(collector.protected, key=str), cascaded

    def describe_blockers(self, blockers):
        """Blocking objects the user may see (as links, at most ``BLOCKERS_SHOWN``), the number of further visible
        ones, and the number of those the user may not see. One visibility query per blocking model."""
        by_model = {}
        for obj in blockers:
            by_model.setdefault(type(obj), []).append(obj)
        visible, hidden = [], 0
        for model, objs in by_model.items():
            manager = model._default_manager
            if hasattr(manager, "visible_to"):
                ids = set(manager.visible_to(self.request.user).filter(pk__in=[o.pk for o in objs])
                          .values_list("pk", flat=True))
            else:
                ids = set()
            visible += [o for o in objs if o.pk in ids]
            hidden += sum(1 for o in objs if o.pk not in ids)
        return visible[:BLOCKERS_SHOWN], max(len(visible) - BLOCKERS_SHOWN, 0), hidden

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        blockers, cascaded = self.collect()
        shown, more, hidden = self.describe_blockers(blockers)
        context.update({"blockers": shown, "more_blockers": more, "hidden_blockers": hidden, "blocked": bool(blockers),
                        "cascaded": cascaded, "cancel_url": self.object.get_absolute_url()})
        return context

    def form_valid(self, form):
        name = str(self.object)
        try:
            writes.delete_object(self.request.user, self.object)  # deletable with a fresh scope, in a transaction
        except (ProtectedError, RestrictedError):
            messages.error(self.request, _("This record cannot be deleted while other records depend on it."))
            return self.render_to_response(self.get_context_data(), status=409)
        messages.success(self.request, _("%(name)s “%(object)s” was deleted.") % {
            "name": self.model._meta.verbose_name, "object": name})
        return HttpResponseRedirect(self.get_success_url())

    def get_success_url(self):
        return reverse(self.url_name("list"))


def _is_local(url, request):
    """A ``next`` URL on this site only (``/%5Cevil.example/`` and the like are not)."""
    return bool(url) and url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()},
                                                          require_https=request.is_secure())


def crud_urls(prefix, model, list_view, detail_view, edit_view, delete_view):
    """The five URL patterns of a model: ``<prefix>/``, ``<prefix>/add/``, ``<prefix>/<pk>/``, ``…/edit/``,
    ``…/delete/``, named ``<model>_list|_add|_detail|_edit|_delete``."""
    name = model._meta.model_name
    return [
        path(f"{prefix}/", list_view.as_view(), name=f"{name}_list"),
        path(f"{prefix}/add/", edit_view.as_view(), name=f"{name}_add"),
        path(f"{prefix}/<int:pk>/", detail_view.as_view(), name=f"{name}_detail"),
        path(f"{prefix}/<int:pk>/edit/", edit_view.as_view(), name=f"{name}_edit"),
        path(f"{prefix}/<int:pk>/delete/", delete_view.as_view(), name=f"{name}_delete"),
    ]
