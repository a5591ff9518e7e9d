"""Shared model pieces: the visibility queryset every app's models use."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.roles import get_scope

ALL = Q()
NOTHING = Q(pk__in=[])


def by_role(scope, *, admin=ALL, staff=NOTHING, ngo=NOTHING):
    """A model's rule for one scope, given per role: ``admin`` for administrators (every row unless a model says
    otherwise), ``staff`` for civil-affairs staff, ``ngo`` for NGO managers; any other role gets nothing. The
    rules of ``VisibleQuerySet`` subclasses are written with it, so that each reads as the table of docs/roles.md:
    ``by_role(scope, staff=Q(purchaser_id__in=scope.purchaser_ids))``."""
    if scope.is_admin:
        return admin
    if scope.is_staff_role:
        return staff
    if scope.is_ngo:
        return ngo
    return NOTHING


def amount_errors(amount, restricted_amount, too_much_restricted):
    """The errors of an amount and the restricted part of it, by field: the amount must be above zero, the
    restricted part at least zero and at most the amount (``too_much_restricted`` says so in the model's words)."""
    errors = {}
    if amount is not None and amount <= 0:
        errors["amount"] = _("The amount must be greater than zero.")
    if restricted_amount is not None:
        if restricted_amount < 0:
            errors["restricted_amount"] = _("The restricted amount cannot be negative.")
        elif amount is not None and restricted_amount > amount:
            errors["restricted_amount"] = too_much_restricted
    return errors


class VisibleQuerySet(models.QuerySet):
    """A queryset that knows who may see and change its rows.

    Subclasses implement ``visibility(scope)`` and ``changeability(scope)`` (and ``deletability(scope)`` when
    deleting needs more than changing) returning a ``Q`` (``ALL`` and ``NOTHING`` are provided). ``visible_to`` /
    ``editable_by`` / ``deletable_by`` are the only way views, forms, API, exports and dashboards narrow a queryset
    to a user.
    """

    def visibility(self, scope):
        raise NotImplementedError

    def changeability(self, scope):
        return by_role(scope)

    def deletability(self, scope):
        """Who may delete: the same as who may change, unless a model says otherwise."""
        return self.changeability(scope)

    def visible_to(self, user):
        return self.visible_in(get_scope(user))

    def editable_by(self, user):
        return self.editable_in(get_scope(user))

    def deletable_by(self, user):
        return self.deletable_in(get_scope(user))

    # The same for an explicit ``core.roles.Scope`` (the write path checks with a scope computed afresh).

    def visible_in(self, scope):
        if scope.role is None:
            return self.none()
        if scope.sees_everything:
            return self.all()
        return self._apply(self.visibility(scope))

    def editable_in(self, scope):
        if scope.role is None:
            return self.none()
        return self._apply(self.changeability(scope))

    def deletable_in(self, scope):
        if scope.role is None:
            return self.none()
        return self._apply(self.deletability(scope))

    def _apply(self, q):
        if q is ALL:
            return self.all()
        if q is NOTHING:
            return self.none()
        return self.filter(q)


class VisibleModelMixin:
    """Class-level "may add" rule; subclasses list the roles that may create objects."""

    add_roles = ("administrator",)

    @classmethod
    def user_can_add(cls, user):
        return get_scope(user).role in cls.add_roles

    def user_can_change(self, user):
        return type(self)._default_manager.editable_by(user).filter(pk=self.pk).exists()

    def user_can_delete(self, user):
        return type(self)._default_manager.deletable_by(user).filter(pk=self.pk).exists()
