"""Pagination of the REST API (``DEFAULT_PAGINATION_CLASS``).

Kept in its own module, free of viewset imports: DRF resolves the setting while ``rest_framework.generics`` is
being imported, so the module it names must not import ``rest_framework.viewsets`` itself (``core.api`` does and
re-exports ``Pagination``).
"""

from django.utils.translation import gettext_lazy as _
from rest_framework.pagination import PageNumberPagination


class Pagination(PageNumberPagination):
    """Page-number pagination: ``?page=N`` and ``?page_size=M`` (default 50, at most 500)."""

    page_size = 50
    page_size_query_param = "page_size"
    page_size_query_description = _("Number of results per page (default 50, at most 500).")
    max_page_size = 500
