"""Files attached to contracts, payments, performance reviews and annual reports.

An attachment has its parent's visibility: who may see the parent may list and download its files (404
otherwise), who may change the parent may upload and delete them (403 otherwise). Files are written through
Django's storage API (``default_storage``: the ``STORAGES["default"]`` setting, under ``MEDIA_ROOT`` by default,
an S3-compatible backend by changing that setting) and are only ever served by ``attachments.views.download``
after that check, never from a public URL.
"""

import uuid

from django.apps import apps
from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.models import NOTHING, VisibleQuerySet

# URL key → parent model label.
PARENTS = {
    "contract": "contracts.Contract",
    "payment": "contracts.Payment",
    "review": "contracts.PerformanceReview",
    "annualreport": "organizations.AnnualReport",
}


def parent_model(key):
    label = PARENTS.get(key)
    return apps.get_model(label) if label else None


def parent_key(model):
    label = model._meta.label_lower
    return next((key for key, value in PARENTS.items() if value.lower() == label), None)


def upload_path(instance, filename):
    """Stored under a random name (the user's file name is kept in ``name``): no path tricks, no collisions."""
    today = timezone.localdate()
    return f"attachments/{today:%Y/%m}/{uuid.uuid4().hex}"


def of_model(model, prefix="content_type"):
    """``Q`` for the rows whose content type is ``model``'s, by app label and model name (a join) rather than by an
    id from ``ContentType``'s per-process cache, which goes stale where content types are recreated (a test
    database flushed between tests while a separate server process keeps its cache)."""
    return Q(**{f"{prefix}__app_label": model._meta.app_label, f"{prefix}__model": model._meta.model_name})


def content_type_of(model):
    """``model``'s ContentType read from the database (not from the per-process cache: see ``of_model``)."""
    return ContentType.objects.get(app_label=model._meta.app_label, model=model._meta.model_name)


class AttachmentQuerySet(VisibleQuerySet):
    """An attachment is visible / changeable when its parent is (one subquery per parent model)."""

    def _parents_q(self, scope, method):
        q = NOTHING
        for label in PARENTS.values():
            model = apps.get_model(label)
            ids = getattr(model._default_manager.all(), method)(scope).values("pk")
            part = of_model(model) & Q(object_id__in=ids)
            q = part if q is NOTHING else q | part
        return q

    def visibility(self, scope):
        return self._parents_q(scope, "visible_in")

    def changeability(self, scope):
        return self._parents_q(scope, "editable_in")

    def of(self, parent):
        return self.filter(of_model(type(parent)), object_id=parent.pk)


class Attachment(models.Model):
    """One file attached to a record."""

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, verbose_name=_("record type"))
    object_id = models.PositiveBigIntegerField(_("record"))
    parent = GenericForeignKey("content_type", "object_id")
    file = models.FileField(_("file"), upload_to=upload_path, max_length=200)
    name = models.CharField(_("file name"), max_length=255)
    kind = models.CharField(_("file type"), max_length=10)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    description = models.CharField(_("description"), max_length=200, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+", verbose_name=_("uploaded by"))
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)

    objects = AttachmentQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["file"])

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["-uploaded_at", "-id"]
        indexes = [models.Index(fields=["content_type", "object_id"], name="attachment_parent")]

    def __str__(self):
        return self.name

    @property
    def file_type(self):
        from .filetypes import TYPES

        return TYPES.get(self.kind)
