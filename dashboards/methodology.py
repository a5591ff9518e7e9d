"""The methodology page: docs/indicators.md rendered in the app, in the reader's language.

The file holds an English and a Chinese half (``## English`` … ``## 中文`` …); the page shows the half of the active
language. Rendered with the ``markdown`` package (tables, heading anchors), once per language and file version.
"""

from functools import lru_cache
from pathlib import Path

import markdown
from django.conf import settings
from django.utils.safestring import mark_safe

DOCUMENT = Path(settings.BASE_DIR) / "docs" / "indicators.md"
ENGLISH, CHINESE = "## English", "## 中文"


def _half(text, chinese):
    """The Chinese or the English half of the document (the whole text when the markers are missing)."""
    english_at, chinese_at = text.find(f"\n{ENGLISH}\n"), text.find(f"\n{CHINESE}\n")
    if english_at < 0 or chinese_at < 0:
        return text
    if chinese:
        return text[chinese_at:]
    return text[english_at:chinese_at] if english_at < chinese_at else text[english_at:]


@lru_cache(maxsize=4)
def _render(chinese, modified):
    text = _half(DOCUMENT.read_text(encoding="utf-8"), chinese)
    html = markdown.markdown(text, extensions=["tables", "toc", "fenced_code", "sane_lists"],
                             output_format="html")
    # The document is part of the code base (trusted), not user input.
    return mark_safe(html.replace("<table>", '<table class="table table-sm table-bordered">'))  # noqa: S308


def methodology_html(language_code):
    """The methodology in ``language_code`` as safe HTML."""
    return _render((language_code or "").lower().startswith("zh"), DOCUMENT.stat().st_mtime_ns)
