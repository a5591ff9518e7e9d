"""Edit forms of the contracts app: the contract with its payments inline, payments, performance reviews."""

from django import forms
from django.db.models import Sum
from django.forms import inlineformset_factory
from django.utils.translation import gettext_lazy as _

from core.concurrency import OptimisticLockFormMixin
from core.forms import PoscModelForm, format_money

from .models import Amendment, Contract, Payment, PerformanceReview

PAYMENT_FIELDS = ["kind", "due_on", "paid_on", "amount", "note"]


class ContractForm(OptimisticLockFormMixin, PoscModelForm):
    """A contract; staff are offered only the purchasers they may change. An empty start date takes the signing
    date."""

    editable_choice_fields = ("purchaser",)

    class Meta(PoscModelForm.Meta):
        model = Contract
        fields = ["reference", "title", "purchaser", "organization", "service_category", "procurement_method",
                  "status", "signed_on", "start_on", "end_on", "amount", "restricted_amount",
                  "beneficiaries_target", "region", "description"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["start_on"].required = False
        self.fields["start_on"].help_text = _("Leave empty to start on the signing date.")
        if self.instance.pk is not None:
            changes = self.instance.amendments.aggregate(s=Sum("amount_change"))["s"]
            if changes is not None:
                self.fields["amount"].help_text = _(
                    "Current value, after amendments. Original value: %(original)s; amendments: %(changes)s. "
                    "Record a change of value as an amendment.") % {
                    "original": format_money(self.instance.amount - changes), "changes": format_money(changes)}

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("start_on") and cleaned.get("signed_on") and "start_on" not in self.errors:
            cleaned["start_on"] = cleaned["signed_on"]
        return cleaned


class PaymentInlineForm(OptimisticLockFormMixin, PoscModelForm):
    """One payment row in the contract form (a table row: small Bootstrap inputs, no labels)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            extra = "form-select form-select-sm" if isinstance(widget, forms.Select) else "form-control form-control-sm"
            widget.attrs["class"] = f"{widget.attrs.get('class', '')} {extra}".strip()

    class Meta(PoscModelForm.Meta):
        model = Payment
        fields = PAYMENT_FIELDS


PaymentFormSet = inlineformset_factory(Contract, Payment, form=PaymentInlineForm, fields=PAYMENT_FIELDS, extra=1,
                                       can_delete=True)


class PaymentForm(OptimisticLockFormMixin, PoscModelForm):
    """A payment; the contract must be one the user may change."""

    editable_choice_fields = ("contract",)

    class Meta(PoscModelForm.Meta):
        model = Payment
        fields = ["contract", *PAYMENT_FIELDS]


class PerformanceReviewForm(OptimisticLockFormMixin, PoscModelForm):
    """A review; the total score and the grade are derived on save and shown on the review's page."""

    editable_choice_fields = ("contract",)

    class Meta(PoscModelForm.Meta):
        model = PerformanceReview
        fields = ["contract", "reviewer_kind", "reviewer_name", "reviewed_on", "output_score", "quality_score",
                  "satisfaction_score", "financial_score", "beneficiaries_served", "findings"]
        widgets = {name: forms.NumberInput(attrs={"step": "0.01", "min": "0", "max": "100"})
                   for name in ("output_score", "quality_score", "satisfaction_score", "financial_score")}


class AmendmentForm(PoscModelForm):
    """A new amendment of a contract the user may change; saving it changes the contract's amount and end date."""

    editable_choice_fields = ("contract",)

    class Meta(PoscModelForm.Meta):
        model = Amendment
        fields = ["contract", "signed_on", "amount_change", "new_end_on", "reason"]
        widgets = {"reason": forms.Textarea(attrs={"rows": 3})}
