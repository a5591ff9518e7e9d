"""The work queue: what a staff member has to do today, within what they may see.

Four lists, each a queryset of ``visible_to(user)`` rows (so the same for a list, its count, its CSV and the home
dashboard's counts):

- payments due or overdue: unpaid payments of counted contracts due before ``today + DUE_DAYS``;
- contracts ending within ``ENDING_DAYS`` with no successor: active contracts whose end date is between today and
  today + 90 days, for which no contract of the same purchaser, organization and service category, signed later
  (and not cancelled), exists;
- ended contracts with no review: counted contracts whose end date is past and which have no performance review.

CSV imports have no waiting state to list: an upload is previewed and confirmed on the same page by the person who
uploaded it (``core.imports``), and an unconfirmed preview cannot be resumed later, so nothing waits for anyone.

Each list costs two queries (its count and its first ``PREVIEW`` rows), whatever the number of rows.
"""

import datetime

from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from contracts.choices import COUNTED_STATUSES, ContractStatus
from contracts.models import Contract, Payment, PerformanceReview

DUE_DAYS = 30
ENDING_DAYS = 90
PREVIEW = 20


def payments_due(user, today):
    """Unpaid payments of counted contracts due before ``today + DUE_DAYS`` (overdue ones first)."""
    return (Payment.objects.visible_to(user)
            .filter(paid_on__isnull=True, due_on__lt=today + datetime.timedelta(days=DUE_DAYS),
                    contract__status__in=COUNTED_STATUSES)
            .select_related("contract", "contract__organization", "contract__purchaser")
            .order_by("due_on", "id"))


def successors():
    """Contracts that follow ``OuterRef`` (a contract): same purchaser, organization and service category, signed
    later, not cancelled."""
    return Contract.objects.filter(
        purchaser_id=OuterRef("purchaser_id"), organization_id=OuterRef("organization_id"),
        service_category=OuterRef("service_category"), signed_on__gt=OuterRef("signed_on"),
    ).exclude(status=ContractStatus.CANCELLED)


def contracts_ending(user, today):
    """Active contracts ending within ``ENDING_DAYS`` (from today on) that have no successor, soonest first."""
    return (Contract.objects.visible_to(user)
            .filter(status=ContractStatus.ACTIVE, end_on__gte=today,
                    end_on__lte=today + datetime.timedelta(days=ENDING_DAYS))
            .exclude(Exists(successors()))
            .select_related("organization", "purchaser")
            .order_by("end_on", "id"))


def contracts_unreviewed(user, today):
    """Counted contracts that have ended and have no performance review, the most recently ended first."""
    return (Contract.objects.visible_to(user)
            .filter(status__in=COUNTED_STATUSES, end_on__lt=today)
            .exclude(Exists(PerformanceReview.objects.filter(contract_id=OuterRef("pk"))))
            .select_related("organization", "purchaser")
            .order_by("-end_on", "-id"))


LISTS = {
    "payments": (payments_due, "payments", _("Payments due or overdue")),
    "ending": (contracts_ending, "contracts", _("Contracts ending within 90 days with no successor")),
    "unreviewed": (contracts_unreviewed, "contracts", _("Ended contracts with no review")),
}


def counts(user, today=None):
    """``{list key: number of rows}`` of the three database lists (three queries)."""
    today = today or timezone.localdate()
    return {key: function(user, today).count() for key, (function, _slug, _title) in LISTS.items()}

