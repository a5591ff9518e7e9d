"""Pagination of the REST API (``DEFAULT_PAGINATION_CLASS``).

Kept in its own module, free of viewset imports: DRF resolves the setting while ``rest_framework.generics`` is
being imported, so the module it names must not import ``rest_framework.viewsets`` itself (``core.api`` does and
re-exports ``Pagination``).
"""

from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.pagination import PageNumberPagination


class Pagination(PageNumberPagination):
    """Page-number pagination: ``?page=N`` and ``?page_size=M`` (default 50, at most 500)."""

    page_size = 50
    page_size_query_param = "page_size"
    page_size_query_description = _("Number of results per page (default 50, at most 500).")
    max_page_size = 500

    def get_page_size(self, request):
        """``page_size`` when given must be a whole number from 1 (400 otherwise; DRF silently used the default
        for ``page_size=false``); above ``max_page_size`` it is cut to the maximum."""
        if self.page_size_query_param not in request.query_params:
            return self.page_size
        value = request.query_params[self.page_size_query_param]
        if not (value.isascii() and value.isdigit()) or int(value) < 1:
            raise exceptions.ValidationError({self.page_size_query_param: [_("Enter a whole number from 1.")]})
        return min(int(value), self.max_page_size)

    def check_query(self, request):
        """Refuse (400) a malformed ``page`` or ``page_size`` before any answer, a CSV one included (which is not
        paginated but must not accept what the schema refuses)."""
        self.get_page_size(request)
        page = request.query_params.get(self.page_query_param)
        if page is not None and page != "last" and not (page.isascii() and page.isdigit() and int(page) >= 1):
            raise exceptions.ValidationError({self.page_query_param: [_("Enter a whole number from 1.")]})
