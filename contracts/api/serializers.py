"""Serializers of the contracts app: field names are the model field names; each foreign key comes with a
read-only readable name (``purchaser_name``, ``organization_name``, ``contract_reference``…)."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core import writes
from core.api import ModelCleanSerializer, django_errors_to_drf, name_field, version_field

from ..amendments import apply_to_contract, save_amendment
from ..models import Amendment, Contract, Payment, PerformanceReview

MONEY = {"max_digits": 14, "decimal_places": 2}


class ContractPaymentSerializer(ModelCleanSerializer):
    """A payment written together with a new contract (``payments`` of ``POST /api/contracts/``)."""

    class Meta:
        model = Payment
        fields = ["id", "kind", "due_on", "paid_on", "amount", "note"]


class ContractAmendmentSerializer(serializers.ModelSerializer):
    """An amendment as listed on its contract (read-only; created through ``POST /api/amendments/``)."""

    class Meta:
        model = Amendment
        fields = ["id", "signed_on", "amount_change", "new_end_on", "reason"]
        read_only_fields = fields


class FlagEvidenceSerializer(serializers.Serializer):
    type = serializers.CharField(help_text=_("contract, payment, performancereview, amendment…"))
    id = serializers.IntegerField()


class ContractFlagSerializer(serializers.Serializer):
    """An integrity flag on a contract (docs/integrity.md)."""

    code = serializers.CharField()
    level = serializers.ChoiceField(choices=["amber", "red"])
    evidence = FlagEvidenceSerializer(many=True, help_text=_("The records that raise the flag and that you may see."))
    evidence_outside_scope = serializers.IntegerField(
        help_text=_("How many more records raise it that you may not see (counted, never named)."))


class ContractSerializer(ModelCleanSerializer):
    """A contract by which a purchaser buys a service from an undertaking organization.

    On create, ``payments`` may carry the contract's payments: the contract and all its payments are saved in
    one transaction, or nothing is saved. Afterwards payments are changed through ``/api/payments/``.
    """

    editable_relations = ("purchaser",)
    purchaser_name = name_field("purchaser.name")
    organization_name = name_field("organization.name")
    region_name = name_field("region.name", nullable=True)
    version = version_field()
    unrestricted_amount = serializers.DecimalField(
        **MONEY, read_only=True, help_text=_("Amount minus restricted amount: what the organization may use for "
                                             "its own development (read-only)."))
    paid_total = serializers.DecimalField(**MONEY, read_only=True,
                                          help_text=_("Sum of the payments already paid (read-only)."))
    scheduled_total = serializers.DecimalField(**MONEY, read_only=True,
                                               help_text=_("Sum of all payments, paid or not (read-only)."))
    overdue_count = serializers.IntegerField(read_only=True,
                                             help_text=_("Payments due before today and not paid (read-only)."))
    payments = ContractPaymentSerializer(
        many=True, required=False,
        help_text=_("The contract's payments. Writable on create only (saved with the contract in one "
                    "transaction); afterwards use /api/payments/."))
    amendments = ContractAmendmentSerializer(
        many=True, read_only=True,
        help_text=_("The contract's amendments, oldest first (read-only; create them with POST /api/amendments/). "
                    "The amount is the current value: the original is amount minus the sum of amount_change."))

    flags = serializers.SerializerMethodField(
        help_text=_("Integrity flags of the contract with their level and evidence (read-only; docs/integrity.md)."))

    class Meta:
        model = Contract
        fields = ["id", "reference", "title", "purchaser", "purchaser_name", "organization", "organization_name",
                  "service_category", "procurement_method", "status", "signed_on", "start_on", "end_on", "amount",
                  "restricted_amount", "unrestricted_amount", "beneficiaries_target", "region", "region_name",
                  "description", "version", "created_at", "updated_at", "paid_total", "scheduled_total",
                  "overdue_count", "payments", "amendments", "flags"]

    @extend_schema_field(ContractFlagSerializer(many=True))
    def get_flags(self, obj):
        return self.context.get("api_values", {}).get("flags", {}).get(obj.pk, [])

    def validate(self, attrs):
        if self.instance is not None and "payments" in attrs:
            raise serializers.ValidationError(
                {"payments": [_("Payments of an existing contract are changed through /api/payments/.")]})
        return super().validate(attrs)

    def create(self, validated_data):
        payments = validated_data.pop("payments", [])
        contract = super().create(validated_data)
        for values in payments:
            payment = Payment(contract=contract, **values)
            payment.full_clean()
            user = self._request_user()
            if user is None:
                payment.save()
            else:
                writes.save_object(user, payment)
        return contract

    def update(self, instance, validated_data):
        validated_data.pop("payments", None)
        return super().update(instance, validated_data)


class PaymentSerializer(ModelCleanSerializer):
    """A payment (拨付) under a contract; an empty ``paid_on`` means not paid yet."""

    editable_relations = ("contract",)
    contract_reference = name_field("contract.reference")
    version = version_field()
    is_overdue = serializers.BooleanField(read_only=True,
                                          help_text=_("Due before today and not paid (read-only)."))

    class Meta:
        model = Payment
        fields = ["id", "contract", "contract_reference", "kind", "due_on", "paid_on", "amount", "note", "version",
                  "is_overdue"]


class PerformanceReviewSerializer(ModelCleanSerializer):
    """A performance review of a contract; ``total_score`` and ``grade`` derive from the component scores."""

    editable_relations = ("contract",)
    contract_reference = name_field("contract.reference")
    version = version_field()

    class Meta:
        model = PerformanceReview
        fields = ["id", "contract", "contract_reference", "reviewer_kind", "reviewer_name", "reviewed_on",
                  "output_score", "quality_score", "satisfaction_score", "financial_score", "total_score", "grade",
                  "beneficiaries_served", "findings", "version"]
        extra_kwargs = {
            "total_score": {"help_text": _("0.3·output + 0.3·quality + 0.2·satisfaction + 0.2·financial "
                                           "(read-only).")},
            "grade": {"help_text": _("excellent ≥ 90, good ≥ 80, pass ≥ 60, fail < 60 (read-only).")},
        }



class AmendmentSerializer(ModelCleanSerializer):
    """An amendment of a contract. Creating one changes the contract's ``amount`` (by ``amount_change``) and, when
    ``new_end_on`` is given, its ``end_on``, in the same transaction and history. Amendments are not changed or
    deleted afterwards: record another amendment."""

    editable_relations = ("contract",)
    contract_reference = name_field("contract.reference")

    class Meta:
        model = Amendment
        fields = ["id", "contract", "contract_reference", "signed_on", "amount_change", "new_end_on", "reason",
                  "created_at"]

    def validate(self, attrs):
        attrs = super().validate(attrs)
        contract = attrs.get("contract")
        if contract is not None:
            probe = Contract.objects.get(pk=contract.pk)
            try:
                apply_to_contract(probe, Amendment(**attrs))
            except DjangoValidationError as exc:
                raise serializers.ValidationError(django_errors_to_drf(exc, Amendment)) from exc
        return attrs

    def create(self, validated_data):
        amendment = Amendment(**validated_data)
        user = self._request_user()
        return save_amendment(user, amendment)
