"""What a file is, read from its first bytes (magic numbers), never from its name or the browser's word.

``detect(file)`` returns a ``FileType`` or ``None`` (not an allowed type). Allowed: PDF, PNG, JPEG, GIF, WebP,
Office Open XML (Word .docx, Excel .xlsx, PowerPoint .pptx: ZIP files whose parts say which), legacy Office
(.doc, .xls, .ppt: OLE compound files) and OpenDocument (.odt, .ods, .odp). The name's extension must be one of
the detected type's extensions, so that a PNG named ``.pdf`` is refused as well as a program named ``.pdf``.
"""

import zipfile
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class FileType:
    code: str
    label: object
    content_type: str
    extensions: tuple


PDF = FileType("pdf", _("PDF document"), "application/pdf", (".pdf",))
PNG = FileType("png", _("PNG image"), "image/png", (".png",))
JPEG = FileType("jpeg", _("JPEG image"), "image/jpeg", (".jpg", ".jpeg"))
GIF = FileType("gif", _("GIF image"), "image/gif", (".gif",))
WEBP = FileType("webp", _("WebP image"), "image/webp", (".webp",))
DOCX = FileType("docx", _("Word document"),
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document", (".docx",))
XLSX = FileType("xlsx", _("Excel workbook"),
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", (".xlsx",))
PPTX = FileType("pptx", _("PowerPoint presentation"),
                "application/vnd.openxmlformats-officedocument.presentationml.presentation", (".pptx",))
OLE = FileType("ole", _("Office 97–2003 document"), "application/octet-stream", (".doc", ".xls", ".ppt"))
ODF = FileType("odf", _("OpenDocument file"), "application/octet-stream", (".odt", ".ods", ".odp"))
TYPES = {t.code: t for t in (PDF, PNG, JPEG, GIF, WEBP, DOCX, XLSX, PPTX, OLE, ODF)}

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
OOXML_PARTS = (("word/", DOCX), ("xl/", XLSX), ("ppt/", PPTX))
ODF_MIMETYPES = (b"application/vnd.oasis.opendocument.text", b"application/vnd.oasis.opendocument.spreadsheet",
                 b"application/vnd.oasis.opendocument.presentation")
ACCEPT = ",".join(ext for t in TYPES.values() for ext in t.extensions)


def _zip_type(file):
    try:
        with zipfile.ZipFile(file) as archive:
            names = archive.namelist()
            if "mimetype" in names and archive.read("mimetype").strip() in ODF_MIMETYPES:
                return ODF
            if "[Content_Types].xml" in names:
                for prefix, kind in OOXML_PARTS:
                    if any(name.startswith(prefix) for name in names):
                        return kind
    except (zipfile.BadZipFile, OSError, KeyError, RuntimeError, NotImplementedError):
        return None
    return None


def detect(file):
    """The ``FileType`` of an open file (read from the start; the position is restored), or None."""
    file.seek(0)
    head = file.read(16)
    file.seek(0)
    kind = None
    if head.startswith(b"%PDF-"):
        kind = PDF
    elif head.startswith(b"\x89PNG\r\n\x1a\n"):
        kind = PNG
    elif head.startswith(b"\xff\xd8\xff"):
        kind = JPEG
    elif head[:6] in (b"GIF87a", b"GIF89a"):
        kind = GIF
    elif head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        kind = WEBP
    elif head.startswith(OLE_MAGIC):
        kind = OLE
    elif head.startswith(b"PK\x03\x04"):
        kind = _zip_type(file)
        file.seek(0)
    return kind
