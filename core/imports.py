"""CSV import pages: an index of what the user may import, and per model upload → preview → confirm.

The uploaded file is kept between the preview and the confirmation in a private temporary directory, under a random
token remembered in the user's session (never in a form field), and deleted after the confirmation or a day later.
The confirmation reads and plans the file again and writes every row or none (``core.csvio.Importer``); the
preview's plan (which row creates, which updates which record at which version) waits beside the file, and the
confirmation is refused, naming the rows, where the plan made then differs from it.
URL names: ``imports`` (the index) and ``<app>:<model>_import`` (``?template=1`` downloads the template).
"""

import json
import secrets
import tempfile
import time
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.urls import NoReverseMatch, path, reverse
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.generic import TemplateView

from core import csvio

SESSION_KEY = "csv_imports"
MAX_AGE_SECONDS = 24 * 3600


def upload_dir():
    """Where uploaded files wait for their confirmation (``CSV_IMPORT_DIR``, default: a private temp directory)."""
    directory = Path(getattr(settings, "CSV_IMPORT_DIR", "") or Path(tempfile.gettempdir()) / "posc-csv-imports")
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    return directory


def _cleanup(directory):
    cutoff = time.time() - MAX_AGE_SECONDS
    for item in [*directory.glob("*.csv"), *directory.glob("*.plan.json")]:
        try:
            if item.stat().st_mtime < cutoff:
                item.unlink()
        except OSError:
            pass


def import_url_name(spec):
    meta = spec.model._meta
    return f"{meta.app_label}:{meta.model_name}_import"


def list_url(spec):
    meta = spec.model._meta
    try:
        return reverse(f"{meta.app_label}:{meta.model_name}_list")
    except NoReverseMatch:
        return reverse("imports")


class ImportIndexView(LoginRequiredMixin, TemplateView):
    """The models the user may import (those they may add), with their template downloads."""

    template_name = "imports/index.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        entries = []
        for spec in csvio.all_specs(importable=True):
            if not spec.model.user_can_add(self.request.user):
                continue
            try:
                url = reverse(import_url_name(spec))
            except NoReverseMatch:
                continue
            entries.append({"spec": spec, "name": spec.model._meta.verbose_name_plural, "url": url,
                            "columns": spec.import_columns()})
        context.update({"entries": entries, "max_mb": csvio._mb(settings.CSV_IMPORT_MAX_BYTES),
                        "max_rows": settings.CSV_IMPORT_MAX_ROWS})
        return context


class ImportView(LoginRequiredMixin, View):
    """Upload (GET form, POST ``file``) → preview (the same page with counts and row errors) → confirm (POST
    ``token``). Only users who may add the model get here (403 otherwise)."""

    slug = None
    template_name = "imports/import.html"

    def dispatch(self, request, *args, **kwargs):
        self.spec = csvio.get_spec(self.slug)
        if self.spec is None or not self.spec.importable:
            raise Http404
        if request.user.is_authenticated and not self.spec.model.user_can_add(request.user):
            raise PermissionDenied(_("Your role may not import %(models)s.")
                                   % {"models": self.spec.model._meta.verbose_name_plural})
        return super().dispatch(request, *args, **kwargs)

    # ----------------------------------------------------------------- pages

    def context(self, **extra):
        meta = self.spec.model._meta
        context = {
            "spec": self.spec,
            "verbose_name_plural": meta.verbose_name_plural,
            "columns": self.spec.import_columns(),
            "max_mb": csvio._mb(settings.CSV_IMPORT_MAX_BYTES),
            "max_rows": settings.CSV_IMPORT_MAX_ROWS,
            "list_url": list_url(self.spec),
            "keys": self.describe_keys(),
            "versioned": "version" in self.spec.header(),
        }
        context.update(extra)
        return context

    def describe_keys(self):
        model = self.spec.model
        if self.spec.keys is None:
            return [_("id (leave empty to add a new record)")]
        return [" + ".join(str(model._meta.get_field(name).verbose_name) for name in key) for key in self.spec.keys]

    def get(self, request, *args, **kwargs):
        if request.GET.get("template"):
            return self.template_response(labels=request.GET.get("template") == "labels")
        return render(request, self.template_name, self.context())

    def template_response(self, labels=False):
        header, example = self.spec.template_rows()
        example = live_example(self.spec, self.request.user, header, example)
        if labels:
            names = {c.name: c.label for c in self.spec.columns}
            header = [str(names[name]) for name in header]
        response = csvio.streaming_csv_response(header, iter([example]), f"{self.spec.filename}-template.csv")
        return response

    def post(self, request, *args, **kwargs):
        if "token" in request.POST:
            return self.confirm(request)
        upload = request.FILES.get("file")
        if upload is None:
            return render(request, self.template_name, self.context(file_error=_("Choose a CSV file.")), status=400)
        if upload.size > settings.CSV_IMPORT_MAX_BYTES:
            return render(request, self.template_name, self.context(file_error=self.too_large(upload.size)),
                          status=400)
        data = upload.read()
        result, error = self.run(data, commit=False)
        context = self.context(result=result, file_error=error, filename=upload.name)
        if result is not None and result.ok and result.created + result.updated:
            context["token"] = self.store(request, data, upload.name, result.plan)
        return render(request, self.template_name, context, status=200 if error is None else 400)

    def confirm(self, request):
        token = request.POST.get("token", "")
        entry = request.session.get(SESSION_KEY, {}).get(token)
        file_path = upload_dir() / f"{token}.csv"
        if not entry or entry.get("slug") != self.spec.slug or entry.get("user") != request.user.pk \
                or not file_path.exists():
            messages.error(request, _("This upload has expired. Please upload the file again."))
            return HttpResponseRedirect(request.path)
        data = file_path.read_bytes()
        try:
            plan = json.loads((upload_dir() / f"{token}.plan.json").read_text())
        except (OSError, ValueError):
            plan = None
        if not isinstance(plan, list):
            messages.error(request, _("This upload has expired. Please upload the file again."))
            return HttpResponseRedirect(request.path)
        # The file is read and planned again; where the plan differs from the preview's, nothing is written.
        result, error = self.run(data, commit=True, expected_plan=plan)
        if error is None and result.committed:
            self.forget(request, token)
            messages.success(request, _("Imported %(file)s: %(created)d created, %(updated)d updated, %(unchanged)d "
                                        "unchanged.") % {"file": entry.get("name", ""), "created": result.created,
                                                         "updated": result.updated, "unchanged": result.unchanged})
            return HttpResponseRedirect(list_url(self.spec))
        # The data changed since the preview: show what is wrong now; nothing was written.
        return render(request, self.template_name,
                      self.context(result=result, file_error=error, filename=entry.get("name", "")), status=409)

    # ----------------------------------------------------------------- helpers

    def too_large(self, size):
        return _("The file is %(size)s MB; at most %(max)s MB can be imported at once.") % {
            "size": csvio._mb(size), "max": csvio._mb(settings.CSV_IMPORT_MAX_BYTES)}

    def run(self, data, commit, expected_plan=None):
        try:
            return csvio.Importer(self.spec, self.request.user).run(data, commit=commit,
                                                                     expected_plan=expected_plan), None
        except csvio.FileError as exc:
            return None, str(exc)

    def store(self, request, data, name, plan):
        directory = upload_dir()
        _cleanup(directory)
        token = secrets.token_urlsafe(24)
        (directory / f"{token}.csv").write_bytes(data)
        (directory / f"{token}.plan.json").write_text(json.dumps(plan))
        uploads = request.session.get(SESSION_KEY, {})
        uploads[token] = {"slug": self.spec.slug, "user": request.user.pk, "name": name, "at": int(time.time())}
        request.session[SESSION_KEY] = uploads
        return token

    def forget(self, request, token):
        uploads = request.session.get(SESSION_KEY, {})
        uploads.pop(token, None)
        request.session[SESSION_KEY] = uploads
        for suffix in (".csv", ".plan.json"):
            try:
                (upload_dir() / f"{token}{suffix}").unlink()
            except OSError:
                pass


def _related_queryset(model, user):
    """Rows of ``model`` the user may attach a new record to (else those they may see)."""
    editable = model.objects.editable_by(user).order_by("pk")
    return editable if editable.exists() else model.objects.visible_to(user).order_by("pk")


def live_example(spec, user, header, example):
    """The template's example row, importable as it is: each foreign key's readable columns (purchaser, organization,
    contract, region) keep the spec's example when it is empty or names a row within the user's scope, and otherwise
    name the first such row of the database (when there is none, the example stays)."""
    values = dict(zip(header, example, strict=True))
    for col in spec.cols:
        if not isinstance(col, csvio.ForeignKey):
            continue
        names = [(name, source.split("__", 1)[1]) for name, source, _label in col.extra
                 if name in values and "__" in source]
        if not names:
            continue
        queryset = _related_queryset(col.model_field.related_model, user)
        given = {source: values[name] for name, source in names if values[name]}
        if not given or queryset.filter(**given).exists():
            continue  # an optional relation the example leaves empty, or an example that exists
        obj = queryset.first()
        if obj is None:
            continue
        for name, source in names:
            value = obj
            for part in source.split("__"):
                value = getattr(value, part, None)
            values[name] = "" if value is None else str(value)
    return [values[name] for name in header]


def import_path(prefix, slug, model):
    """``<prefix>/import/`` named ``<model>_import`` (include it in the app's ``urlpatterns``)."""
    return path(f"{prefix}/import/", ImportView.as_view(slug=slug), name=f"{model._meta.model_name}_import")
