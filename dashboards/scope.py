"""What the dashboards may show a user, derived only from the models' ``visible_to`` (no role checks here)."""

from django.db.models import Exists, Max, OuterRef
from django.utils import timezone

from contracts.models import Contract, Payment
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


def default_year(user):
    """The latest year in which a payment the user may see was paid (not later than this year); this year
    when there is none. One query."""
    today = timezone.localdate()
    latest = Payment.objects.visible_to(user).filter(paid_on__lte=today).aggregate(m=Max("paid_on"))["m"]
    return latest.year if latest else today.year
