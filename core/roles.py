"""Roles (Django groups) and a user's scope, computed once per request and cached on the user object.

Every queryset that reaches a user passes through ``Model.objects.visible_to(user)`` (see ``posc.models``),
which asks this module what the user may see. No view filters by role by hand.
"""

from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

ADMINISTRATOR = "administrator"
STAFF = "staff"
NGO_MANAGER = "ngo_manager"
ANALYST = "analyst"

ROLE_LABELS = {
    ADMINISTRATOR: _("Administrator"),
    STAFF: _("Civil-affairs staff"),
    NGO_MANAGER: _("NGO manager"),
    ANALYST: _("Analyst"),
}
# A user in several groups takes the first role of this order.
ROLE_ORDER = [ADMINISTRATOR, STAFF, NGO_MANAGER, ANALYST]


@dataclass(frozen=True)
class Scope:
    """What one user may see and change.

    ``purchaser_ids``: for staff, their purchasers and every purchaser in their regions and below.
    ``region_ids``: for staff, the regions of their purchasers and everything below.
    ``organization_ids``: for NGO managers, the organizations they manage.
    ``own_purchaser_ids``: for staff, the purchasers they are members of (what their reach is computed from).
    """

    role: str | None
    purchaser_ids: frozenset = field(default_factory=frozenset)
    region_ids: frozenset = field(default_factory=frozenset)
    organization_ids: frozenset = field(default_factory=frozenset)
    own_purchaser_ids: frozenset = field(default_factory=frozenset)

    @property
    def is_admin(self):
        return self.role == ADMINISTRATOR

    @property
    def is_staff_role(self):
        return self.role == STAFF

    @property
    def is_ngo(self):
        return self.role == NGO_MANAGER

    @property
    def is_analyst(self):
        return self.role == ANALYST

    @property
    def sees_everything(self):
        return self.role in (ADMINISTRATOR, ANALYST)

    @property
    def reach(self):
        """What the scope is made of (role, own memberships, regions, managed organizations): two scopes with the
        same reach give the same rights. ``purchaser_ids`` is left out: it also grows when a purchaser is created
        inside the staff member's regions, which widens nobody's reach."""
        return (self.role, self.own_purchaser_ids, self.region_ids, self.organization_ids)

    @property
    def label(self):
        return ROLE_LABELS.get(self.role, _("No role"))


NO_SCOPE = Scope(role=None)


def role_of(user):
    if user is None or not user.is_authenticated or not user.is_active:
        return None
    if user.is_superuser:
        return ADMINISTRATOR
    names = {g.name for g in user.groups.all()}
    for role in ROLE_ORDER:
        if role in names:
            return role
    return None


def get_scope(user):
    """The user's Scope, computed with a few queries the first time and cached on the user object."""
    if user is None or not getattr(user, "is_authenticated", False):
        return NO_SCOPE
    cached = getattr(user, "_posc_scope", None)
    if cached is not None:
        return cached
    scope = compute_scope(user)
    user._posc_scope = scope
    return scope


def clear_scope(user):
    if hasattr(user, "_posc_scope"):
        del user._posc_scope


def compute_scope(user):
    """The user's Scope computed afresh from the database (not cached): the write path (``posc.writes``) compares
    the scope before and after a change with it."""
    if user is None or not getattr(user, "is_authenticated", False):
        return NO_SCOPE
    from organizations.models import Purchaser, Region

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
        from organizations.models import Organization

        org_ids = set(Organization.objects.filter(memberships__user=user).values_list("id", flat=True))
        return Scope(role=role, organization_ids=frozenset(org_ids))
    return Scope(role=role)
