"""The attachments card on the detail page of a contract, payment, review and annual report."""

from django.urls import reverse

from .forms import AttachmentForm
from .models import Attachment, of_model, parent_key


def attachment_panel(request, obj):
    key = parent_key(type(obj))
    items = list(Attachment.objects.of(obj).select_related("uploaded_by"))
    can_change = obj.user_can_change(request.user)
    # Uploads and deletions, also of files deleted since (django-simple-history keeps their rows).
    history = list(Attachment.history.filter(of_model(type(obj)), object_id=obj.pk)
                   .select_related("history_user").order_by("-history_date")[:20])
    return {"attachment_panel": {
        "items": items,
        "can_change": can_change,
        "form": AttachmentForm() if can_change else None,
        "upload_url": reverse("attachments:upload", args=[key, obj.pk]),
        "history": history,
    }}
