"""Regions, purchasers (购买主体), undertaking organizations (承接主体), their other income and annual figures,
and the memberships that give users their scope."""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.bounds import DATE_VALIDATORS
from core.models import ALL, NOTHING, VisibleModelMixin, VisibleQuerySet, amount_errors, by_role
from core.uscc import USCC_REGEX, normalize_uscc, uscc_check_condition, validate_uscc

from .choices import (
    CharityStatus,
    IncomeSource,
    KeyPersonRole,
    LegalForm,
    PurchaserKind,
    PurchaserLevel,
    RegionLevel,
    ServiceCategory,
)
from .fields import CodeListField

MONEY = {"max_digits": 14, "decimal_places": 2}
ZERO = Decimal("0")
YEAR_VALIDATORS = [MinValueValidator(1990), MaxValueValidator(2100)]
REGION_CODE_REGEX = r"^([0-9]{6}|[0-9]{9}|[0-9]{12})$"


class RegionQuerySet(VisibleQuerySet):
    def visibility(self, scope):
        return ALL

    def under_paths(self, paths):
        """Regions whose path starts with any of ``paths`` (each region and everything below it), one query."""
        q = Q()
        for path in paths:
            q |= Q(path__startswith=path)
        return self.filter(q) if paths else self.none()

    def descendants_of(self, region, include_self=True):
        qs = self.filter(path__startswith=region.path)
        return qs if include_self else qs.exclude(pk=region.pk)


class Region(VisibleModelMixin, models.Model):
    """An administrative division (行政区划) with its GB/T 2260 code. ``path`` holds the codes from the root
    (``/220000/220100/220102/``) so that "a region and everything below it" is one ``startswith`` query."""

    code = models.CharField(
        _("division code"),
        max_length=12,
        unique=True,
        validators=[RegexValidator(REGION_CODE_REGEX, _("A division code has 6 digits (9 or 12 for townships)."))],
    )
    name = models.CharField(_("name"), max_length=100)
    level = models.CharField(_("level"), max_length=20, choices=RegionLevel.choices)
    parent = models.ForeignKey(
        "self", verbose_name=_("parent region"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="children",
    )
    path = models.CharField(_("path"), max_length=255, editable=False, db_index=True)

    objects = RegionQuerySet.as_manager()

    class Meta:
        verbose_name = _("region")
        verbose_name_plural = _("regions")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(condition=Q(code__regex=REGION_CODE_REGEX), name="region_code_digits"),
        ]

    def __str__(self):
        return self.name

    @classmethod
    def lookup_labels(cls, regions):
        """Labels of the search picker (``core.lookup``), tree-aware: each region's name after the names of the
        regions above it ("吉林省 › 长春市 › 南关区"), all ancestors read in one query."""
        codes = {code for region in regions for code in region.path.strip("/").split("/")}
        names = dict(cls.objects.filter(code__in=codes).values_list("code", "name"))
        return [" › ".join(names.get(code, code) for code in region.path.strip("/").split("/")) for region in regions]

    def clean(self):
        if self.parent_id and self.pk and self.parent_id == self.pk:
            raise ValidationError({"parent": _("A region cannot be its own parent.")})
        if self.parent_id and self.pk and f"/{self.code}/" in (self.parent.path or ""):
            raise ValidationError({"parent": _("A region cannot be placed below itself.")})

    def compute_path(self):
        prefix = self.parent.path if self.parent_id else "/"
        return f"{prefix}{self.code}/"

    def save(self, *args, **kwargs):
        old_path = None
        if self.pk:
            old_path = Region.objects.filter(pk=self.pk).values_list("path", flat=True).first()
        self.path = self.compute_path()
        super().save(*args, **kwargs)
        if old_path and old_path != self.path:
            for child in Region.objects.filter(path__startswith=old_path).exclude(pk=self.pk).order_by("path"):
                child.path = child.compute_path()
                Region.objects.filter(pk=child.pk).update(path=child.path)

    def get_absolute_url(self):
        return reverse("admin:organizations_region_change", args=[self.pk])


class PurchaserQuerySet(VisibleQuerySet):
    def visibility(self, scope):
        # Purchasers' public profiles are visible to every role.
        return ALL

    def changeability(self, scope):
        return by_role(scope, staff=Q(pk__in=scope.purchaser_ids))

    def deletability(self, scope):
        # Staff maintain their purchasers' profiles; removing a purchaser is for administrators.
        return ALL if scope.is_admin else NOTHING


class ContactFields(models.Model):
    contact_person = models.CharField(_("contact person"), max_length=50, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    email = models.EmailField(_("email"), blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)

    class Meta:
        abstract = True


class Purchaser(VisibleModelMixin, ContactFields):
    """A government body that buys services (购买主体): civil-affairs bureau, disabled persons' federation, …"""

    name = models.CharField(_("name"), max_length=200)
    uscc = models.CharField(
        _("unified social credit code"), max_length=18, blank=True, validators=[validate_uscc],
        help_text=_("18 characters; optional for purchasers."),
    )
    region = models.ForeignKey(Region, verbose_name=_("region"), on_delete=models.PROTECT, related_name="purchasers")
    level = models.CharField(_("level"), max_length=20, choices=PurchaserLevel.choices)
    kind = models.CharField(_("kind"), max_length=40, choices=PurchaserKind.choices)
    is_active = models.BooleanField(_("active"), default=True)

    objects = PurchaserQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("purchaser")
        verbose_name_plural = _("purchasers")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["uscc"], condition=~Q(uscc=""), name="purchaser_uscc_unique",
                violation_error_message=_("A purchaser with this unified social credit code already exists."),
            ),
            models.UniqueConstraint(fields=["name"], name="purchaser_name_unique",
                                    violation_error_message=_("A purchaser with this name already exists.")),
            models.CheckConstraint(condition=Q(uscc="") | Q(uscc__regex=USCC_REGEX), name="purchaser_uscc_format"),
            models.CheckConstraint(condition=Q(uscc="") | Q(uscc_check_condition("uscc")),
                                   name="purchaser_uscc_check_character"),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        self.uscc = normalize_uscc(self.uscc)

    def get_absolute_url(self):
        return reverse("organizations:purchaser_detail", args=[self.pk])


class OrganizationQuerySet(VisibleQuerySet):
    def visibility(self, scope):
        # Staff see every organization's public profile.
        return by_role(scope, staff=ALL, ngo=Q(pk__in=scope.organization_ids))

    def changeability(self, scope):
        return by_role(scope, staff=Q(region_id__in=scope.region_ids), ngo=Q(pk__in=scope.organization_ids))

    def deletability(self, scope):
        # An NGO manager edits their organization's profile but does not delete the organization.
        return by_role(scope, staff=Q(region_id__in=scope.region_ids))

    def with_finances_visible_to(self, user):
        """Organizations whose money (income records, annual reports, indicators) the user may see."""
        from core.roles import get_scope

        scope = get_scope(user)
        if scope.sees_everything:
            return self.all()
        if scope.is_staff_role:
            return self.filter(pk__in=Organization.objects.filter(
                contracts__purchaser_id__in=scope.purchaser_ids).values("pk"))
        if scope.is_ngo:
            return self.filter(pk__in=scope.organization_ids)
        return self.none()


class Organization(VisibleModelMixin, ContactFields):
    """An undertaking organization (承接主体): the NGO (or other body) that delivers the purchased services."""

    add_roles = ("administrator", "staff")

    name = models.CharField(_("name"), max_length=200)
    uscc = models.CharField(_("unified social credit code"), max_length=18, unique=True, validators=[validate_uscc],
                            error_messages={"unique": _("An organization with this unified social credit code "
                                                        "already exists.")})
    legal_form = models.CharField(_("legal form"), max_length=30, choices=LegalForm.choices)
    charity_status = models.CharField(_("charity status"), max_length=30, choices=CharityStatus.choices,
                                      default=CharityStatus.NONE)
    registered_on = models.DateField(_("registered on"), validators=DATE_VALIDATORS, null=True, blank=True)
    region = models.ForeignKey(Region, verbose_name=_("region"), on_delete=models.PROTECT,
                               related_name="organizations")
    business_supervisory_unit = models.ForeignKey(
        Purchaser, verbose_name=_("business supervisory unit"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="supervised_organizations",
        help_text=_("Dual management (双重管理); leave empty for direct registration."),
    )
    legal_representative = models.CharField(_("legal representative"), max_length=50, blank=True)
    staff_count = models.PositiveIntegerField(_("staff"), default=0)
    volunteer_count = models.PositiveIntegerField(_("volunteers"), default=0)
    description = models.TextField(_("description"), blank=True)
    service_scope = CodeListField(
        _("service scope"), code_list=ServiceCategory,
        help_text=_("The service categories of its registered business scope (业务范围)."),
    )

    objects = OrganizationQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("organization")
        verbose_name_plural = _("organizations")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(condition=Q(uscc__regex=USCC_REGEX), name="organization_uscc_format"),
            models.CheckConstraint(condition=uscc_check_condition("uscc"), name="organization_uscc_check_character"),
            models.CheckConstraint(condition=Q(staff_count__gte=0) & Q(volunteer_count__gte=0),
                                   name="organization_counts_nonnegative"),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        self.uscc = normalize_uscc(self.uscc)

    def get_absolute_url(self):
        return reverse("organizations:organization_detail", args=[self.pk])


class FinanceQuerySet(VisibleQuerySet):
    """Income records and annual reports: the organization's money."""

    def visibility(self, scope):
        return by_role(scope, staff=Q(organization__in=Organization.objects.filter(
                           contracts__purchaser_id__in=scope.purchaser_ids).values("pk")),
                       ngo=Q(organization_id__in=scope.organization_ids))

    def changeability(self, scope):
        return by_role(scope, ngo=Q(organization_id__in=scope.organization_ids))


class IncomeRecord(VisibleModelMixin, models.Model):
    """Income of an organization other than payments under contracts tracked here (收入), by fiscal year."""

    add_roles = ("administrator", "ngo_manager")

    organization = models.ForeignKey(Organization, verbose_name=_("organization"), on_delete=models.CASCADE,
                                     related_name="income_records")
    fiscal_year = models.PositiveSmallIntegerField(_("fiscal year"), validators=YEAR_VALIDATORS)
    source = models.CharField(_("source"), max_length=30, choices=IncomeSource.choices)
    funder_name = models.CharField(_("funder name"), max_length=200, blank=True)
    funder_purchaser = models.ForeignKey(
        Purchaser, verbose_name=_("funding purchaser"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="subsidies", help_text=_("For government subsidies: the purchaser that pays them."),
    )
    amount = models.DecimalField(_("amount (CNY)"), **MONEY)
    restricted_amount = models.DecimalField(_("restricted amount (CNY)"), default=ZERO, **MONEY,
                                            help_text=_("The part that may only be spent on designated activities."))
    note = models.TextField(_("note"), blank=True)

    objects = FinanceQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("income record")
        verbose_name_plural = _("income records")
        ordering = ["-fiscal_year", "organization__name", "source"]
        indexes = [models.Index(fields=["organization", "fiscal_year"], name="income_org_year_idx"),
                   models.Index(fields=["fiscal_year", "source"], name="income_year_source_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="income_amount_positive"),
            models.CheckConstraint(condition=Q(restricted_amount__gte=0) & Q(restricted_amount__lte=models.F("amount")),
                                   name="income_restricted_within_amount"),
            models.CheckConstraint(condition=Q(fiscal_year__gte=1990) & Q(fiscal_year__lte=2100),
                                   name="income_fiscal_year_range"),
        ]

    def __str__(self):
        return f"{self.organization} · {self.fiscal_year} · {self.get_source_display()}"

    def clean(self):
        errors = amount_errors(self.amount, self.restricted_amount,
                               _("The restricted amount cannot exceed the amount."))
        if self.funder_purchaser_id and self.source != IncomeSource.GOVERNMENT_SUBSIDY:
            errors["funder_purchaser"] = _("A funding purchaser can only be named for a government subsidy.")
        self.funder_name = (self.funder_name or "").strip()
        if errors:
            raise ValidationError(errors)

    def get_absolute_url(self):
        return reverse("organizations:incomerecord_detail", args=[self.pk])


class AnnualReport(VisibleModelMixin, models.Model):
    """An organization's annual financial figures (年度财务) for one fiscal year."""

    add_roles = ("administrator", "ngo_manager")

    organization = models.ForeignKey(Organization, verbose_name=_("organization"), on_delete=models.CASCADE,
                                     related_name="annual_reports")
    fiscal_year = models.PositiveSmallIntegerField(_("fiscal year"), validators=YEAR_VALIDATORS)
    total_expenses = models.DecimalField(_("total expenses"), **MONEY)
    program_expenses = models.DecimalField(_("program expenses"), default=ZERO, **MONEY,
                                           help_text=_("Charitable activity costs (业务活动成本)."))
    management_expenses = models.DecimalField(_("management expenses"), default=ZERO, **MONEY)
    fundraising_expenses = models.DecimalField(_("fundraising expenses"), default=ZERO, **MONEY)
    personnel_costs = models.DecimalField(_("personnel costs"), default=ZERO, **MONEY)
    net_assets_unrestricted = models.DecimalField(_("unrestricted net assets"), default=ZERO, **MONEY)
    net_assets_restricted = models.DecimalField(_("restricted net assets"), default=ZERO, **MONEY)
    staff_count = models.PositiveIntegerField(_("staff"), default=0)
    reported_government_income = models.DecimalField(
        _("reported government income"), null=True, blank=True, **MONEY,
        help_text=_("Government income as the report declares it; leave empty if the report does not say."),
    )

    objects = FinanceQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("annual report")
        verbose_name_plural = _("annual reports")
        ordering = ["-fiscal_year", "organization__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "fiscal_year"], name="annual_report_one_per_year",
                violation_error_message=_("This organization already has an annual report for that year."),
            ),
            models.CheckConstraint(
                condition=Q(total_expenses__gte=0) & Q(program_expenses__gte=0) & Q(management_expenses__gte=0)
                & Q(fundraising_expenses__gte=0) & Q(personnel_costs__gte=0) & Q(net_assets_restricted__gte=0),
                name="annual_report_nonnegative",
            ),
            models.CheckConstraint(
                condition=Q(total_expenses__gte=models.F("program_expenses") + models.F("management_expenses")
                            + models.F("fundraising_expenses")),
                name="annual_report_parts_within_total",
            ),
            models.CheckConstraint(condition=Q(reported_government_income__isnull=True)
                                   | Q(reported_government_income__gte=0),
                                   name="annual_report_reported_income_nonnegative"),
            models.CheckConstraint(condition=Q(fiscal_year__gte=1990) & Q(fiscal_year__lte=2100),
                                   name="annual_report_fiscal_year_range"),
        ]

    def __str__(self):
        return f"{self.organization} · {self.fiscal_year}"

    def clean(self):
        errors = {}
        for name in ("total_expenses", "program_expenses", "management_expenses", "fundraising_expenses",
                     "personnel_costs", "net_assets_restricted", "reported_government_income"):
            value = getattr(self, name)
            if value is not None and value < 0:
                errors[name] = _("This amount cannot be negative.")
        parts = [self.program_expenses, self.management_expenses, self.fundraising_expenses]
        if self.total_expenses is not None and all(p is not None for p in parts) and not errors:
            if sum(parts) > self.total_expenses:
                errors["total_expenses"] = _(
                    "Total expenses must be at least program + management + fundraising expenses (%(sum)s)."
                ) % {"sum": sum(parts)}
        if errors:
            raise ValidationError(errors)

    def get_absolute_url(self):
        return reverse("organizations:annualreport_detail", args=[self.pk])


class KeyPersonQuerySet(VisibleQuerySet):
    """Key persons are part of their organization's public profile: seen and changed like it."""

    def visibility(self, scope):
        if scope.is_staff_role:
            return ALL
        if scope.is_ngo:
            return Q(organization_id__in=scope.organization_ids)
        return NOTHING

    def changeability(self, scope):
        if scope.is_admin:
            return ALL
        if scope.is_staff_role:
            return Q(organization__region_id__in=scope.region_ids)
        if scope.is_ngo:
            return Q(organization_id__in=scope.organization_ids)
        return NOTHING


class KeyPerson(VisibleModelMixin, models.Model):
    """A leader of an organization (legal representative, director, …) and, optionally, a government post they
    hold or held: at which purchaser, as what, from when to when (empty end = current). No identity numbers."""

    add_roles = ("administrator", "staff", "ngo_manager")

    organization = models.ForeignKey(Organization, verbose_name=_("organization"), on_delete=models.CASCADE,
                                     related_name="key_persons")
    name = models.CharField(_("name"), max_length=50)
    role = models.CharField(_("role"), max_length=30, choices=KeyPersonRole.choices)
    post_purchaser = models.ForeignKey(
        Purchaser, verbose_name=_("government post at"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="former_officials",
        help_text=_("The purchaser where this person holds or held a post, if any."),
    )
    post_title = models.CharField(_("post title"), max_length=100, blank=True)
    post_from = models.DateField(_("post from"), null=True, blank=True)
    post_to = models.DateField(_("post to"), null=True, blank=True, help_text=_("Empty while the post is held."))

    objects = KeyPersonQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("key person")
        verbose_name_plural = _("key persons")
        ordering = ["organization__name", "role", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(post_from__isnull=True) | Q(post_to__isnull=True) | Q(post_to__gte=models.F("post_from")),
                name="key_person_post_dates_ordered",
            ),
            models.CheckConstraint(
                condition=Q(post_purchaser__isnull=False)
                | (Q(post_title="") & Q(post_from__isnull=True) & Q(post_to__isnull=True)),
                name="key_person_post_needs_purchaser",
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.get_role_display()})"

    def clean(self):
        errors = {}
        self.name = (self.name or "").strip()
        if self.post_from and self.post_to and self.post_to < self.post_from:
            errors["post_to"] = _("The post cannot end before it starts.")
        if not self.post_purchaser_id and (self.post_title or self.post_from or self.post_to):
            errors["post_purchaser"] = _("Name the purchaser where the post is held.")
        if errors:
            raise ValidationError(errors)

    def get_absolute_url(self):
        return self.organization.get_absolute_url()


class PurchaserMembership(models.Model):
    """A staff user works for this purchaser: their scope is its region and everything below."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE,
                             related_name="purchaser_memberships")
    purchaser = models.ForeignKey(Purchaser, verbose_name=_("purchaser"), on_delete=models.CASCADE,
                                  related_name="memberships")

    class Meta:
        verbose_name = _("purchaser membership")
        verbose_name_plural = _("purchaser memberships")
        constraints = [models.UniqueConstraint(fields=["user", "purchaser"], name="purchaser_membership_unique")]

    def __str__(self):
        return f"{self.user} → {self.purchaser}"


class OrganizationMembership(models.Model):
    """An NGO manager manages this organization."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE,
                             related_name="organization_memberships")
    organization = models.ForeignKey(Organization, verbose_name=_("organization"), on_delete=models.CASCADE,
                                     related_name="memberships")

    class Meta:
        verbose_name = _("organization membership")
        verbose_name_plural = _("organization memberships")
        constraints = [models.UniqueConstraint(fields=["user", "organization"],
                                               name="organization_membership_unique")]

    def __str__(self):
        return f"{self.user} → {self.organization}"
