"""The related-party predicate: a contract is related-party when a key person of its
organization held a post at its purchaser at any time in the 3 calendar years before it was signed.

Precisely, the post overlaps [``signed_on`` − 3 calendar years, ``signed_on``]: ``post_from`` empty or ≤
``signed_on``, and ``post_to`` empty or ≥ ``signed_on`` − 3 years. A post that ended exactly 3 years before the
signing counts; one that ended 3 years and 1 day before does not. "3 calendar years before" a 29 February is
the 1 March three years earlier (no 29 February there).

The database decides (an ``EXISTS`` subquery), so any queryset of contracts can be annotated or filtered with
it, and the flags (``related_party``) and the indicator ``related_party_share`` use the same rule. Dates are
compared as the integer ``year·10000 + month·100 + day``, which the same expression computes on SQLite and
PostgreSQL; "minus 3 years" is "minus 30000".

This module knows the contract only by the names of its fields (``organization``, ``purchaser``,
``signed_on``), so the contracts app and the dashboards can use it without this app importing them.
"""

import datetime

from django.db.models import Exists, F, IntegerField, OuterRef, Q
from django.db.models.functions import Cast, ExtractDay, ExtractMonth, ExtractYear

from .models import KeyPerson

WINDOW_YEARS = 3


def date_key(expression):
    """``year·10000 + month·100 + day`` of a date expression, as an integer (portable, order-preserving)."""
    def part(extract):
        return Cast(extract(expression), IntegerField())
    return part(ExtractYear) * 10000 + part(ExtractMonth) * 100 + part(ExtractDay)


def window_start(signed_on):
    """The first day of the window in Python: ``signed_on`` − 3 calendar years (29 February → 1 March)."""
    try:
        return signed_on.replace(year=signed_on.year - WINDOW_YEARS)
    except ValueError:  # 29 February of a leap year, three years later no 29 February
        return datetime.date(signed_on.year - WINDOW_YEARS, 3, 1)


def posts_in_window(signed_on):
    """Q over KeyPerson: posts that overlap the window of a contract signed on ``signed_on`` (a date)."""
    return (Q(post_purchaser__isnull=False)
            & (Q(post_from__isnull=True) | Q(post_from__lte=signed_on))
            & (Q(post_to__isnull=True) | Q(post_to__gte=window_start(signed_on))))


def related_persons(organization_id, purchaser_id, signed_on):
    """The key persons that make one contract related-party (the evidence), as a KeyPerson queryset."""
    if signed_on is None:
        return KeyPerson.objects.none()
    return KeyPerson.objects.filter(posts_in_window(signed_on), organization_id=organization_id,
                                    post_purchaser_id=purchaser_id)


def related_party(prefix=""):
    """``EXISTS`` expression: the contract of the outer query is related-party. ``prefix`` leads from the outer
    query's rows to the contract (``""`` on a Contract queryset, ``"contract__"`` on payments).

    Usage: ``Contract.objects.annotate(related=related_party())`` or
    ``Payment.objects.filter(related_party("contract__"))``. A contract without ``signed_on`` is never
    related-party. Statuses are the caller's business (draft and cancelled contracts carry no flags)."""
    return Exists(
        KeyPerson.objects.annotate(
            from_key=date_key(F("post_from")), to_key=date_key(F("post_to")),
            signed_key=date_key(OuterRef(f"{prefix}signed_on")),
        ).filter(
            Q(post_from__isnull=True) | Q(from_key__lte=F("signed_key")),
            Q(post_to__isnull=True) | Q(to_key__gte=F("signed_key") - WINDOW_YEARS * 10000),
            organization_id=OuterRef(f"{prefix}organization_id"),
            post_purchaser_id=OuterRef(f"{prefix}purchaser_id"),
        )
    )


def related_party_evidence(contracts):
    """The key persons behind the related-party rule of each of ``contracts`` (objects with ``pk``,
    ``organization_id``, ``purchaser_id`` and ``signed_on``): ``{contract id: [("organizations.keyperson", id),
    ...]}``, in one query for all of them (the evidence of the ``related_party`` flag)."""
    contracts = [c for c in contracts if c.signed_on]
    if not contracts:
        return {}
    persons = list(KeyPerson.objects.filter(
        organization_id__in={c.organization_id for c in contracts},
        post_purchaser_id__in={c.purchaser_id for c in contracts},
    ).values_list("pk", "organization_id", "post_purchaser_id", "post_from", "post_to"))
    found = {}
    for c in contracts:
        start = window_start(c.signed_on)
        for pk, organization_id, purchaser_id, post_from, post_to in persons:
            if (organization_id, purchaser_id) == (c.organization_id, c.purchaser_id) \
                    and (post_from is None or post_from <= c.signed_on) and (post_to is None or post_to >= start):
                found.setdefault(c.pk, []).append(("organizations.keyperson", pk))
    return found
