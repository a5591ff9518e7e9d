"""Upload, download and delete attachments, each behind the parent's permission check.

Download streams the stored file (``FileResponse``) only after ``visible_to`` found the attachment (404
otherwise); upload and delete require that the user may change the parent (403 when they only may see it).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from core import writes

from .forms import AttachmentForm
from .models import Attachment, content_type_of, parent_model

ANCHOR = "#attachments"


def _parent(request, key, pk):
    model = parent_model(key)
    if model is None:
        raise Http404
    parent = get_object_or_404(model._default_manager.visible_to(request.user), pk=pk)
    if not model._default_manager.editable_by(request.user).filter(pk=parent.pk).exists():
        raise PermissionDenied(_("You may see this record but not change it."))
    return parent


@login_required
@require_POST
def upload(request, key, pk):
    parent = _parent(request, key, pk)
    form = AttachmentForm(request.POST, request.FILES)
    if form.is_valid():
        attachment = form.save(commit=False)
        upload_file = form.cleaned_data["file"]
        attachment.parent = parent
        attachment.content_type = content_type_of(type(parent))
        attachment.name = upload_file.name[-255:]
        attachment.size = upload_file.size
        attachment.kind = form.detected.code
        attachment.uploaded_by = request.user
        with transaction.atomic():
            writes.save_object(request.user, attachment)
        messages.success(request, _("Attached %(name)s.") % {"name": attachment.name})
    else:
        for field, errors in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            for error in errors:
                messages.error(request, f"{label}: {error}" if label else error)
    return redirect(parent.get_absolute_url() + ANCHOR)


@login_required
@require_GET
def download(request, pk):
    attachment = get_object_or_404(Attachment.objects.visible_to(request.user), pk=pk)
    kind = attachment.file_type
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404(_("The stored file is missing.")) from exc
    response = FileResponse(handle, as_attachment=True, filename=attachment.name,
                            content_type=kind.content_type if kind else "application/octet-stream")
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_POST
def delete(request, pk):
    attachment = get_object_or_404(Attachment.objects.visible_to(request.user), pk=pk)
    if not Attachment.objects.editable_by(request.user).filter(pk=attachment.pk).exists():
        raise PermissionDenied(_("You may see this record but not change it."))
    parent = attachment.parent
    storage, stored_name = attachment.file.storage, attachment.file.name
    with transaction.atomic():
        writes.delete_object(request.user, attachment)
        transaction.on_commit(lambda: storage.delete(stored_name))
    messages.success(request, _("Deleted %(name)s.") % {"name": attachment.name})
    return redirect(parent.get_absolute_url() + ANCHOR)
