"""Scope resolution for ``core.roles.get_scope``, named by the ``POSC_SCOPE_RESOLVER`` setting: what a user may
see follows from their purchaser and organization memberships, which live in this app."""

from core.roles import NGO_MANAGER, STAFF, Scope, role_of

from .models import Organization, Purchaser, Region


def compute_scope(user):
    """What ``user`` may see: staff their purchasers' regions and below, NGO managers their organizations."""
    role = role_of(user)
    if role == STAFF:
        own = list(Purchaser.objects.filter(memberships__user=user).select_related("region"))
        paths = {p.region.path for p in own if p.region_id}
        region_ids = set()
        if paths:
            region_ids = set(Region.objects.under_paths(paths).values_list("id", flat=True))
        purchaser_ids = {p.id for p in own}
        if region_ids:
            purchaser_ids |= set(Purchaser.objects.filter(region_id__in=region_ids).values_list("id", flat=True))
        return Scope(role=role, purchaser_ids=frozenset(purchaser_ids), region_ids=frozenset(region_ids),
                     own_purchaser_ids=frozenset(p.id for p in own))
    if role == NGO_MANAGER:
        org_ids = set(Organization.objects.filter(memberships__user=user).values_list("id", flat=True))
        return Scope(role=role, organization_ids=frozenset(org_ids))
    return Scope(role=role)
