"""The upload form: size limit (``ATTACHMENT_MAX_BYTES``) and type read from the content (``filetypes``)."""

import os

from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from .filetypes import ACCEPT, detect
from .models import Attachment


class AttachmentForm(forms.ModelForm):
    class Meta:
        model = Attachment
        fields = ["file", "description"]
        help_texts = {"file": _("PDF, images (PNG, JPEG, GIF, WebP) or Office files.")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].widget = forms.ClearableFileInput(attrs={"accept": ACCEPT, "class": "form-control"})
        self.fields["description"].widget.attrs["class"] = "form-control"
        self.fields["file"].help_text = _("PDF, images (PNG, JPEG, GIF, WebP) or Office files; at most %(size)s.") % {
            "size": filesizeformat(settings.ATTACHMENT_MAX_BYTES)}

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > settings.ATTACHMENT_MAX_BYTES:
            raise forms.ValidationError(
                _("The file is %(size)s; files may be at most %(limit)s."), code="too_large",
                params={"size": filesizeformat(upload.size), "limit": filesizeformat(settings.ATTACHMENT_MAX_BYTES)})
        kind = detect(upload)
        if kind is None:
            raise forms.ValidationError(
                _("This is not a PDF, image or Office file (its content was checked, not its name)."),
                code="type")
        extension = os.path.splitext(upload.name)[1].lower()
        if extension not in kind.extensions:
            raise forms.ValidationError(
                _("The file's content is a %(kind)s but its name ends in “%(extension)s”: rename it to %(expected)s."),
                code="mismatch", params={"kind": kind.label, "extension": extension or "—",
                                         "expected": " / ".join(kind.extensions)})
        self.detected = kind
        return upload
