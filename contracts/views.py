"""Pages of contracts (with their payments inline), payments and performance reviews."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Sum
from django.utils.translation import gettext_lazy as _
from django.views.generic import DetailView

from core import writes
from core.numbers import format_money
from core.views import ModelViewMixin, ObjectDeleteView, ObjectDetailView, ObjectEditView, ObjectListView

from .amendments import original_amount, save_amendment
from .filtersets import AmendmentFilterSet, ContractFilterSet, PaymentFilterSet, PerformanceReviewFilterSet
from .forms import AmendmentForm, ContractForm, PaymentForm, PaymentFormSet, PerformanceReviewForm
from .models import Amendment, Contract, Payment, PerformanceReview, paid_total_subquery
from .tables import AmendmentTable, ContractTable, PaymentTable, PerformanceReviewTable


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
    """Contracts with the sum of their amounts. Over 200,000 contracts the paginator's COUNT and the total's SUM
    cost more than the rest of the page: they come from one query kept until the data changes
    (``ObjectListView.cache_summary``)."""

    model = Contract
    table_class = ContractTable
    filterset_class = ContractFilterSet
    totals = {"amount": _("Total amount")}
    cache_summary = True

    def get_queryset(self):
        return (super().get_queryset().select_related("purchaser", "organization")
                .annotate(paid_total=paid_total_subquery()))


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
            "amendments": Amendment.objects.visible_to(user).filter(contract=contract),
            "can_add_amendment": Amendment.user_can_add(user) and context["can_change"],
        })
        context["original_amount"] = original_amount(contract)
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
    """Payments with the sum of their amounts (the count and the sum kept until the data changes, like the
    contracts': millions of payments at national scale)."""

    model = Payment
    table_class = PaymentTable
    filterset_class = PaymentFilterSet
    totals = {"amount": _("Total payments")}
    cache_summary = True
    queryset = Payment.objects.select_related("contract", "contract__organization")


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
    queryset = PerformanceReview.objects.select_related("contract", "contract__organization")


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


# Amendments -------------------------------------------------------------------------------------------------------

class AmendmentListView(ObjectListView):
    """Amendments of the visible contracts."""

    model = Amendment
    table_class = AmendmentTable
    filterset_class = AmendmentFilterSet
    totals = {"amount_change": _("Net change")}

    def get_queryset(self):
        return super().get_queryset().select_related("contract", "contract__organization")


class AmendmentDetailView(ModelViewMixin, DetailView):
    """One amendment. Amendments are not edited or deleted (another amendment corrects one): no such buttons."""

    model = Amendment
    template_suffix = "detail"

    def get_queryset(self):
        return super().get_queryset().select_related("contract")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update({"detail_fields": ["contract", "signed_on", "amount_change", "new_end_on", "reason"],
                        "can_change": False, "can_delete": False})
        return context


class AmendmentAddView(ObjectEditView):
    """Record an amendment: the contract's amount and end date change with it, in one transaction."""

    model = Amendment
    form_class = AmendmentForm

    def get_object(self, queryset=None):
        if not self.is_create():
            raise PermissionDenied(_("An amendment is not changed once saved: record another amendment instead."))
        return super().get_object(queryset)

    def save_form(self, form, formsets):
        return save_amendment(self.request.user, form.instance)

    def form_valid(self, form, formsets=()):
        try:
            return super().form_valid(form, formsets)
        except ValidationError as exc:
            form.instance.pk = None
            form.instance._state.adding = True
            for name, errors in writes.errors_by_field(exc).items():
                for error in errors:
                    form.add_error(name if name in form.fields else None, error)
            return self.form_invalid(form, formsets)

    def get_success_url(self):
        if "_addanother" in self.request.POST:
            return super().get_success_url()
        return self.object.contract.get_absolute_url() + "#amendments"
