"""Links to the OCDS downloads from the contract pages."""

from django import template
from django.urls import reverse

from ..api.views import MAX_YEAR, MIN_YEAR
from ..mapping import ocid_for

register = template.Library()


@register.simple_tag
def ocds_record_url(contract):
    return reverse("api:ocds-record", args=[ocid_for(contract.pk)])


@register.simple_tag
def ocds_releases_url(filterset=None):
    """The release package, for the list's year filter when one is set (and valid)."""
    url = reverse("api:ocds-releases")
    form = getattr(filterset, "form", None)
    if form is not None and form.is_valid():
        year = form.cleaned_data.get("year")
        if year is not None and year == int(year) and MIN_YEAR <= year <= MAX_YEAR:
            return f"{url}?year={int(year)}"
    return url
