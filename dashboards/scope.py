"""What the dashboards may show a user, derived only from the models' ``visible_to`` (no role checks here)."""

from django.db.models import Exists, OuterRef
from django.utils import timezone

from contracts.models import Contract
from organizations.models import Organization, Purchaser


def finance_organizations(user):
    """Organizations whose profile and money the user may see: their indicators may be shown."""
    return Organization.objects.visible_to(user).with_finances_visible_to(user)


def portfolio_purchasers(user):
    """Purchasers with at least one contract, all of whose contracts the user may see (so their spend,
    concentration and review figures reveal nothing outside the user's scope)."""
    visible = Contract.objects.visible_to(user)
    purchasers = Purchaser.objects.visible_to(user).filter(Exists(Contract.objects.filter(purchaser=OuterRef("pk"))))
    if not visible.query.where:  # the user sees every contract: nothing can be hidden
        return purchasers
    hidden = Contract.objects.filter(purchaser=OuterRef("pk")).exclude(pk__in=visible.values("pk"))
    return purchasers.exclude(Exists(hidden))


def default_year(user=None):
    """The year every dashboard opens on: the last complete calendar year, whose annual
    reports can exist. No query."""
    return timezone.localdate().year - 1
