"""Content negotiation of the API (``DEFAULT_CONTENT_NEGOTIATION_CLASS``): an exact ``?format=``.

DRF answers an unknown ``?format=`` with 404 and ignores an empty one. Here any ``format`` parameter must name one
of the formats the operation documents (``json``, and ``csv`` on lists and indicators): anything else, empty
included, is refused with 400 naming the parameter, answered in JSON.
"""

from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.settings import api_settings

DOCUMENTED_FORMATS = ("json", "csv", "xlsx")  # the browsable API stays reachable by its Accept header, not by ?format=


class StrictContentNegotiation(DefaultContentNegotiation):
    def select_renderer(self, request, renderers, format_suffix=None):
        param = api_settings.URL_FORMAT_OVERRIDE
        if param and param in request.query_params and not format_suffix:
            values = request.query_params.getlist(param)
            offered = [r.format for r in renderers if r.format in DOCUMENTED_FORMATS]
            if len(values) != 1 or values[0] not in offered:
                raise exceptions.ValidationError({param: [
                    _("Choose one format among: %(formats)s.") % {"formats": ", ".join(offered)}]})
        return super().select_renderer(request, renderers, format_suffix)
