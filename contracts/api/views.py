"""API viewsets of the contracts app: every row through ``visible_to``, filters from the app's FilterSets."""

from core.api import ScopedModelViewSet, describe_actions
from core.registry import api_values

from ..filtersets import AmendmentFilterSet, ContractFilterSet, PaymentFilterSet, PerformanceReviewFilterSet
from ..models import Amendment, Contract, Payment, PerformanceReview
from .serializers import AmendmentSerializer, ContractSerializer, PaymentSerializer, PerformanceReviewSerializer


@describe_actions(Contract)
class ContractViewSet(ScopedModelViewSet):
    """Contracts (政府购买服务合同), with their payments and paid totals."""

    # Explicit order: with the money annotations (GROUP BY) the model's default ordering would not count.
    queryset = (Contract.objects.with_money().select_related("purchaser", "organization", "region")
                .prefetch_related("payments", "amendments").order_by("-signed_on", "-id"))
    serializer_class = ContractSerializer
    filterset_class = ContractFilterSet
    ordering_fields = ["id", "reference", "title", "status", "service_category", "procurement_method", "signed_on",
                       "start_on", "end_on", "amount", "restricted_amount", "paid_total", "purchaser__name",
                       "organization__name"]

    def get_serializer(self, *args, **kwargs):
        """Values other apps add to a contract (its integrity flags) are computed for the whole page at once."""
        instance = args[0] if args else kwargs.get("instance")
        if instance is not None and not self.wants_csv():
            objects = instance if isinstance(instance, list | tuple) else [instance]
            context = kwargs.setdefault("context", self.get_serializer_context())
            context["api_values"] = api_values(Contract, objects, self.request.user)
        return super().get_serializer(*args, **kwargs)


@describe_actions(Payment)
class PaymentViewSet(ScopedModelViewSet):
    """Payments (拨付) under contracts."""

    queryset = Payment.objects.select_related("contract")
    serializer_class = PaymentSerializer
    filterset_class = PaymentFilterSet
    ordering_fields = ["id", "due_on", "paid_on", "amount", "kind", "contract__reference"]


@describe_actions(PerformanceReview)
class PerformanceReviewViewSet(ScopedModelViewSet):
    """Performance reviews (绩效评价) of contracts."""

    queryset = PerformanceReview.objects.select_related("contract")
    serializer_class = PerformanceReviewSerializer
    filterset_class = PerformanceReviewFilterSet
    ordering_fields = ["id", "reviewed_on", "total_score", "grade", "reviewer_kind", "contract__reference"]


@describe_actions(Amendment)
class AmendmentViewSet(ScopedModelViewSet):
    """Amendments of contracts: list, read and create (creating one changes its contract's amount and end date
    in the same transaction). Not changed or deleted afterwards."""

    http_method_names = ["get", "post", "head", "options"]
    queryset = Amendment.objects.select_related("contract")
    serializer_class = AmendmentSerializer
    filterset_class = AmendmentFilterSet
    ordering_fields = ["id", "signed_on", "amount_change", "contract__reference"]
