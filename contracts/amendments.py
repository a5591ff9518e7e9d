"""Saving an amendment: the contract's amount and end date change with it, in one transaction, through the one
write path (``core.writes``), so both changes appear in the contract's history."""

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils.translation import gettext_lazy as _

from core import writes

from .models import Amendment, Contract

# Contract fields whose validation message is reported on the amendment field that moved them.
FIELD_OF = {"amount": "amount_change", "restricted_amount": "amount_change", "end_on": "new_end_on"}


def original_amount(contract, changes=None):
    """The contract's value before its amendments: ``amount − Σ amount_change``."""
    if changes is None:
        changes = contract.amendments.aggregate(s=Sum("amount_change"))["s"] or 0
    return contract.amount - changes


def apply_to_contract(contract, amendment):
    """Move the contract's current values by ``amendment`` (not saved) and validate them; a violation is a
    ``ValidationError`` on the amendment's fields."""
    contract.amount = contract.amount + amendment.amount_change
    if amendment.new_end_on is not None:
        contract.end_on = amendment.new_end_on
    try:
        contract.full_clean(exclude=["purchaser", "organization", "region", "reference"], validate_unique=False,
                            validate_constraints=False)
    except ValidationError as exc:
        errors = {}
        for name, messages in writes.errors_by_field(exc).items():
            errors.setdefault(FIELD_OF.get(name, NON_FIELD_ERRORS), []).extend(messages)
        raise ValidationError(errors) from exc


def save_amendment(user, amendment, guard=None):
    """Create ``amendment`` for ``user`` and change its contract accordingly, all or nothing. Raises
    ``ValidationError`` (the amended contract would break a rule), ``core.writes.OutOfScope`` (the user may not
    change the contract) or ``core.concurrency.ConcurrentEditError``. ``guard``: a ``core.writes.ScopeGuard``
    shared by several amendments (a CSV import). An amendment that is not stored yet may carry an id (an
    administrator's import restoring the ids of an export)."""
    if amendment.pk is not None and not amendment._state.adding:
        raise ValidationError(_("An amendment is not changed once saved: record another amendment instead."))
    amendment.full_clean()
    with transaction.atomic():
        contract = Contract.objects.select_for_update().get(pk=amendment.contract_id)
        apply_to_contract(contract, amendment)
        contract._change_reason = str(_("Amendment of %(date)s: %(reason)s") % {
            "date": amendment.signed_on.isoformat(), "reason": amendment.reason[:80]})
        writes.save_object(user, contract, guard=guard)
        amendment.contract = contract
        writes.save_object(user, amendment, guard=guard)
    return amendment


__all__ = ["Amendment", "apply_to_contract", "original_amount", "save_amendment"]
