"""Pages of contracts (with their payments inline), payments and performance reviews."""

from django.contrib import messages
from django.db.models import Sum
from django.utils.translation import gettext_lazy as _

from posc.forms import format_money
from posc.views import ObjectDeleteView, ObjectDetailView, ObjectEditView, ObjectListView

from .filtersets import ContractFilterSet, PaymentFilterSet, PerformanceReviewFilterSet
from .forms import ContractForm, PaymentForm, PaymentFormSet, PerformanceReviewForm
from .models import Contract, Payment, PerformanceReview
from .tables import ContractTable, PaymentTable, PerformanceReviewTable


def warn_if_overpaid(request, contract):
    """A non-blocking warning when the contract's payments add up to more than its amount."""
    total = contract.payments.aggregate(total=Sum("amount"))["total"] or 0
    if total > contract.amount:
        messages.warning(request, _("The payments of contract %(reference)s add up to %(total)s, more than its "
                                    "amount of %(amount)s.") % {"reference": contract.reference,
                                                                "total": format_money(total),
                                                                "amount": format_money(contract.amount)})


# Contracts --------------------------------------------------------------------------------------------------------

class ContractListView(ObjectListView):
    """Contracts with the sum of their amounts."""

    model = Contract
    table_class = ContractTable
    filterset_class = ContractFilterSet
    totals = {"amount": _("Total amount")}

    def get_queryset(self):
        return super().get_queryset().select_related("purchaser", "organization").with_money()

    def get_totals(self):
        # Sum over the plain filtered rows: summing across the with_money() join would count amounts per payment.
        ids = self.object_list.values("pk")
        total = Contract.objects.filter(pk__in=ids).aggregate(total=Sum("amount"))["total"]
        return [(_("Total amount"), total)]


class ContractDetailView(ObjectDetailView):
    """A contract: parties, money, payments, reviews and history."""

    model = Contract

    def get_queryset(self):
        return super().get_queryset().select_related("purchaser", "organization", "region").with_money()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        contract = self.object
        user = self.request.user
        context.update({
            "contract": contract,
            "unrestricted": contract.amount - contract.restricted_amount,
            "outstanding": contract.amount - contract.paid_total,
            "payments": Payment.objects.visible_to(user).filter(contract=contract).order_by("due_on", "id"),
            "reviews": PerformanceReview.objects.visible_to(user).filter(contract=contract),
            "can_add_payment": Payment.user_can_add(user) and context["can_change"],
            "can_add_review": PerformanceReview.user_can_add(user) and context["can_change"],
            "overpaid": contract.scheduled_total > contract.amount,
        })
        return context


class ContractEditView(ObjectEditView):
    """Add or edit a contract with its payments inline; warns when the payments exceed the amount."""

    model = Contract
    form_class = ContractForm

    def get_formsets(self, form):
        data = self.request.POST if self.request.method == "POST" else None
        formset = PaymentFormSet(data, instance=self.object or Contract(), prefix="payments",
                                 form_kwargs={"user": self.request.user})
        if self.object is None:
            formset.extra = 3
        return [formset]

    def form_valid(self, form, formsets=()):
        response = super().form_valid(form, formsets)
        warn_if_overpaid(self.request, self.object)
        return response


class ContractDeleteView(ObjectDeleteView):
    """Delete a contract with its payments and reviews."""

    model = Contract


# Payments ---------------------------------------------------------------------------------------------------------

class PaymentListView(ObjectListView):
    """Payments with the sum of their amounts."""

    model = Payment
    table_class = PaymentTable
    filterset_class = PaymentFilterSet
    totals = {"amount": _("Total payments")}

    def get_queryset(self):
        return super().get_queryset().select_related("contract", "contract__organization")


class PaymentDetailView(ObjectDetailView):
    """One payment."""

    model = Payment


class PaymentEditView(ObjectEditView):
    """Add or edit a payment; warns when the contract's payments exceed its amount."""

    model = Payment
    form_class = PaymentForm

    def form_valid(self, form, formsets=()):
        response = super().form_valid(form, formsets)
        warn_if_overpaid(self.request, self.object.contract)
        return response


class PaymentDeleteView(ObjectDeleteView):
    """Delete a payment."""

    model = Payment


# Performance reviews ----------------------------------------------------------------------------------------------

class PerformanceReviewListView(ObjectListView):
    """Performance reviews."""

    model = PerformanceReview
    table_class = PerformanceReviewTable
    filterset_class = PerformanceReviewFilterSet

    def get_queryset(self):
        return super().get_queryset().select_related("contract", "contract__organization")


class PerformanceReviewDetailView(ObjectDetailView):
    """A review with its total score and grade."""

    model = PerformanceReview
    detail_fields = ["contract", "reviewer_kind", "reviewer_name", "reviewed_on", "output_score", "quality_score",
                     "satisfaction_score", "financial_score", "beneficiaries_served", "findings"]


class PerformanceReviewEditView(ObjectEditView):
    """Add or edit a review (total score and grade are derived on save)."""

    model = PerformanceReview
    form_class = PerformanceReviewForm


class PerformanceReviewDeleteView(ObjectDeleteView):
    """Delete a review."""

    model = PerformanceReview
