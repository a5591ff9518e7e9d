"""Roles (Django groups) and a user's scope, computed once per request and cached on the user object.

Every queryset that reaches a user passes through ``Model.objects.visible_to(user)`` (see ``core.models``),
which asks this module what the user may see. No view filters by role by hand.
"""

from dataclasses import dataclass, field

from django.conf import settings
from django.utils.module_loading import import_string
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
    """The user's Scope computed afresh (not cached) by the function the ``POSC_SCOPE_RESOLVER`` setting names: it
    knows the models that hold memberships, which this module does not import."""
    if user is None or not getattr(user, "is_authenticated", False):
        return NO_SCOPE
    return import_string(settings.POSC_SCOPE_RESOLVER)(user)
