"""Contracts (政府购买服务合同), their payments (拨付) and performance reviews (绩效评价)."""

from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Count, F, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.bounds import DATE_VALIDATORS
from core.models import VisibleModelMixin, VisibleQuerySet, amount_errors, by_role
from organizations.models import MONEY, ZERO, Organization, Purchaser, Region

from .choices import ContractStatus, Grade, PaymentKind, ProcurementMethod, ReviewerKind, ServiceCategory

SCORE = {"max_digits": 5, "decimal_places": 2, "validators": [MinValueValidator(0), MaxValueValidator(100)]}
SCORE_WEIGHTS = {"output_score": Decimal("0.3"), "quality_score": Decimal("0.3"),
                 "satisfaction_score": Decimal("0.2"), "financial_score": Decimal("0.2")}
GRADE_BANDS = [(Decimal("90"), Grade.EXCELLENT), (Decimal("80"), Grade.GOOD), (Decimal("60"), Grade.PASS)]


class ContractQuerySet(VisibleQuerySet):
    def visibility(self, scope):
        return by_role(scope, staff=Q(purchaser_id__in=scope.purchaser_ids),
                       ngo=Q(organization_id__in=scope.organization_ids))

    def changeability(self, scope):
        return by_role(scope, staff=Q(purchaser_id__in=scope.purchaser_ids))

    def with_money(self):
        """Annotate ``paid_total`` (paid payments), ``scheduled_total`` (all payments) and ``overdue_count``."""
        today = timezone.localdate()
        return self.annotate(
            paid_total=Coalesce(Sum("payments__amount", filter=Q(payments__paid_on__isnull=False)), ZERO,
                                output_field=models.DecimalField(**MONEY)),
            scheduled_total=Coalesce(Sum("payments__amount"), ZERO, output_field=models.DecimalField(**MONEY)),
            overdue_count=Count("payments", filter=Q(payments__paid_on__isnull=True, payments__due_on__lt=today)),
        )


class Contract(VisibleModelMixin, models.Model):
    """A contract by which a purchaser buys a service from an undertaking organization."""

    add_roles = ("administrator", "staff")

    reference = models.CharField(_("contract number"), max_length=60)
    title = models.CharField(_("title"), max_length=200)
    purchaser = models.ForeignKey(Purchaser, verbose_name=_("purchaser"), on_delete=models.PROTECT,
                                  related_name="contracts")
    organization = models.ForeignKey(Organization, verbose_name=_("undertaking organization"),
                                     on_delete=models.PROTECT, related_name="contracts")
    service_category = models.CharField(_("service category"), max_length=30, choices=ServiceCategory.choices)
    procurement_method = models.CharField(_("procurement method"), max_length=30,
                                          choices=ProcurementMethod.choices)
    status = models.CharField(_("status"), max_length=20, choices=ContractStatus.choices,
                              default=ContractStatus.DRAFT)
    signed_on = models.DateField(_("signed on"), validators=DATE_VALIDATORS)
    start_on = models.DateField(_("starts on"), validators=DATE_VALIDATORS)
    end_on = models.DateField(_("ends on"), validators=DATE_VALIDATORS)
    amount = models.DecimalField(_("amount (CNY)"), **MONEY)
    restricted_amount = models.DecimalField(
        _("restricted amount (CNY)"), default=ZERO, **MONEY,
        help_text=_("The part that may only be spent on the designated project activities."),
    )
    beneficiaries_target = models.PositiveIntegerField(_("target beneficiaries"), null=True, blank=True)
    region = models.ForeignKey(Region, verbose_name=_("service area"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="contracts",
                               help_text=_("Leave empty to use the purchaser's region."))
    description = models.TextField(_("description"), blank=True)
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = ContractQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["version", "updated_at", "created_at"])

    class Meta:
        verbose_name = _("contract")
        verbose_name_plural = _("contracts")
        ordering = ["-signed_on", "-id"]
        indexes = [
            models.Index(fields=["signed_on"], name="contract_signed_idx"),
            models.Index(fields=["purchaser", "signed_on"], name="contract_purchaser_signed_idx"),
            models.Index(fields=["organization", "signed_on"], name="contract_org_signed_idx"),
            models.Index(fields=["end_on"], name="contract_end_idx"),
            models.Index(fields=["service_category"], name="contract_category_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["purchaser", "reference"], name="contract_reference_unique_per_purchaser",
                violation_error_message=_("This purchaser already has a contract with this number."),
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="contract_amount_positive"),
            models.CheckConstraint(condition=Q(restricted_amount__gte=0) & Q(restricted_amount__lte=F("amount")),
                                   name="contract_restricted_within_amount"),
            models.CheckConstraint(condition=Q(end_on__gte=F("start_on")), name="contract_end_after_start"),
        ]

    def __str__(self):
        return f"{self.reference} {self.title}"

    def clean(self):
        self.reference = (self.reference or "").strip()
        errors = amount_errors(self.amount, self.restricted_amount,
                               _("The restricted amount cannot exceed the contract amount."))
        if self.start_on and self.end_on and self.end_on < self.start_on:
            errors["end_on"] = _("The end date cannot be before the start date.")
        if errors:
            raise ValidationError(errors)

    def save(self, *args, **kwargs):
        if self.region_id is None and self.purchaser_id:
            self.region_id = Purchaser.objects.filter(pk=self.purchaser_id).values_list("region_id", flat=True)[0]
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("contracts:contract_detail", args=[self.pk])

    @property
    def unrestricted_amount(self):
        return self.amount - self.restricted_amount


class ChildOfContractQuerySet(VisibleQuerySet):
    """Payments and reviews: visible and changeable exactly as their contract."""

    def visibility(self, scope):
        return by_role(scope, staff=Q(contract__purchaser_id__in=scope.purchaser_ids),
                       ngo=Q(contract__organization_id__in=scope.organization_ids))

    def changeability(self, scope):
        return by_role(scope, staff=Q(contract__purchaser_id__in=scope.purchaser_ids))


class PaymentQuerySet(ChildOfContractQuerySet):
    def overdue(self, today=None):
        today = today or timezone.localdate()
        return self.filter(paid_on__isnull=True, due_on__lt=today)


class Payment(VisibleModelMixin, models.Model):
    """A payment (拨付) under a contract. Empty ``paid_on`` means not paid yet."""

    add_roles = ("administrator", "staff")

    contract = models.ForeignKey(Contract, verbose_name=_("contract"), on_delete=models.CASCADE,
                                 related_name="payments")
    kind = models.CharField(_("kind"), max_length=20, choices=PaymentKind.choices)
    due_on = models.DateField(_("due on"), validators=DATE_VALIDATORS)
    paid_on = models.DateField(_("paid on"), validators=DATE_VALIDATORS, null=True, blank=True,
                               help_text=_("Empty = not paid yet."))
    amount = models.DecimalField(_("amount (CNY)"), **MONEY)
    note = models.CharField(_("note"), max_length=200, blank=True)
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    objects = PaymentQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["version"])

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        ordering = ["due_on", "id"]
        indexes = [
            models.Index(fields=["contract", "paid_on"], name="payment_contract_paid_idx"),
            models.Index(fields=["paid_on"], name="payment_paid_idx"),
            models.Index(fields=["due_on"], name="payment_due_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="payment_amount_positive"),
        ]

    def __str__(self):
        return f"{self.contract.reference} · {self.get_kind_display()} · {self.amount}"

    def clean(self):
        if self.amount is not None and self.amount <= 0:
            raise ValidationError({"amount": _("The amount must be greater than zero.")})

    def get_absolute_url(self):
        return reverse("contracts:payment_detail", args=[self.pk])

    @property
    def is_overdue(self):
        return self.paid_on is None and self.due_on is not None and self.due_on < timezone.localdate()


def compute_total(output, quality, satisfaction, financial):
    """0.3·output + 0.3·quality + 0.2·satisfaction + 0.2·financial, rounded half-up to 2 decimals."""
    total = (SCORE_WEIGHTS["output_score"] * Decimal(output) + SCORE_WEIGHTS["quality_score"] * Decimal(quality)
             + SCORE_WEIGHTS["satisfaction_score"] * Decimal(satisfaction)
             + SCORE_WEIGHTS["financial_score"] * Decimal(financial))
    return total.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def grade_for(total):
    """excellent ≥ 90, good ≥ 80, pass ≥ 60, fail < 60."""
    for floor, grade in GRADE_BANDS:
        if total >= floor:
            return grade
    return Grade.FAIL


class PerformanceReview(VisibleModelMixin, models.Model):
    """A performance review (绩效评价) of a contract; total score and grade derive from the component scores."""

    add_roles = ("administrator", "staff")

    contract = models.ForeignKey(Contract, verbose_name=_("contract"), on_delete=models.CASCADE,
                                 related_name="reviews")
    reviewer_kind = models.CharField(_("reviewer"), max_length=30, choices=ReviewerKind.choices)
    reviewer_name = models.CharField(_("reviewer name"), max_length=200, blank=True)
    reviewed_on = models.DateField(_("reviewed on"), validators=DATE_VALIDATORS)
    output_score = models.DecimalField(_("output score"), **SCORE)
    quality_score = models.DecimalField(_("quality score"), **SCORE)
    satisfaction_score = models.DecimalField(_("satisfaction score"), **SCORE)
    financial_score = models.DecimalField(_("financial score"), **SCORE)
    total_score = models.DecimalField(_("total score"), max_digits=5, decimal_places=2, editable=False)
    grade = models.CharField(_("grade"), max_length=20, choices=Grade.choices, editable=False)
    beneficiaries_served = models.PositiveIntegerField(_("beneficiaries served"), null=True, blank=True)
    findings = models.TextField(_("findings"), blank=True)
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    objects = ChildOfContractQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["version"])

    class Meta:
        verbose_name = _("performance review")
        verbose_name_plural = _("performance reviews")
        ordering = ["-reviewed_on", "-id"]
        indexes = [models.Index(fields=["reviewed_on"], name="review_reviewed_idx"),
                   models.Index(fields=["contract", "reviewed_on"], name="review_contract_reviewed_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(output_score__gte=0, output_score__lte=100)
                & Q(quality_score__gte=0, quality_score__lte=100)
                & Q(satisfaction_score__gte=0, satisfaction_score__lte=100)
                & Q(financial_score__gte=0, financial_score__lte=100) & Q(total_score__gte=0, total_score__lte=100),
                name="review_scores_0_100",
            ),
            models.CheckConstraint(
                condition=Q(grade=Grade.EXCELLENT, total_score__gte=90)
                | Q(grade=Grade.GOOD, total_score__gte=80, total_score__lt=90)
                | Q(grade=Grade.PASS, total_score__gte=60, total_score__lt=80)
                | Q(grade=Grade.FAIL, total_score__lt=60),
                name="review_grade_matches_total",
            ),
        ]

    def __str__(self):
        return f"{self.contract.reference} · {self.reviewed_on} · {self.total_score}"

    def derive(self):
        scores = [getattr(self, name) for name in SCORE_WEIGHTS]
        if all(s is not None for s in scores):
            self.total_score = compute_total(*scores)
            self.grade = grade_for(self.total_score)

    def clean(self):
        self.derive()

    def save(self, *args, **kwargs):
        self.derive()
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("contracts:performancereview_detail", args=[self.pk])


class Amendment(VisibleModelMixin, models.Model):
    """An amendment (合同变更) of a contract: a signed change of its value and, optionally, its end date.

    Saving one (``contracts.amendments.save_amendment``) changes the contract's ``amount`` and ``end_on`` in the
    same transaction, through the one write path and its history. The contract keeps its current values; its
    original amount is ``amount − Σ amount_change``. Amendments are not edited or deleted: a mistake is corrected
    by another amendment, so the record of what was signed stays whole.
    """

    add_roles = ("administrator", "staff")

    contract = models.ForeignKey(Contract, verbose_name=_("contract"), on_delete=models.CASCADE,
                                 related_name="amendments")
    signed_on = models.DateField(_("signed on"), validators=DATE_VALIDATORS)
    amount_change = models.DecimalField(
        _("change of amount (CNY)"), **MONEY,
        help_text=_("Positive to raise the contract's value, negative to lower it; 0 for a change of dates only."))
    new_end_on = models.DateField(_("new end date"), validators=DATE_VALIDATORS, null=True, blank=True,
                                  help_text=_("Leave empty to keep the contract's end date."))
    reason = models.TextField(_("reason"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = ChildOfContractQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["created_at"])

    class Meta:
        verbose_name = _("amendment")
        verbose_name_plural = _("amendments")
        ordering = ["signed_on", "id"]
        indexes = [models.Index(fields=["contract", "signed_on"], name="amendment_contract_signed_idx")]
        constraints = [
            models.CheckConstraint(condition=~Q(reason=""), name="amendment_reason_required"),
        ]

    def __str__(self):
        return f"{self.contract.reference} · {self.signed_on} · {self.amount_change:+}"

    def clean(self):
        self.reason = (self.reason or "").strip()
        if not self.reason:
            raise ValidationError({"reason": _("Give the reason for the amendment.")})
        if self.amount_change == 0 and self.new_end_on is None:
            raise ValidationError({"amount_change": _("An amendment changes the amount, the end date or both.")})

    def get_absolute_url(self):
        return reverse("contracts:amendment_detail", args=[self.pk])


def paid_total_subquery():
    """``paid_total`` of each contract as a correlated subquery: evaluated only for the rows a page shows (and
    streamed row by row by an export), whereas ``with_money()`` joins and groups every payment of every filtered
    contract (also for the paginator's count, and an export's GROUP BY then sorts every row)."""
    paid = (Payment.objects.filter(contract=OuterRef("pk"), paid_on__isnull=False).order_by()
            .values("contract").annotate(total=Sum("amount")).values("total"))
    money = models.DecimalField(**MONEY)
    return Coalesce(Subquery(paid, output_field=money), ZERO, output_field=money)
