"""Thresholds that turn indicator values into flags (amber and red levels per indicator; docs/indicators.md)."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from core.models import ALL, VisibleModelMixin, VisibleQuerySet

from .choices import Direction, FlagSetting, Indicator


class ThresholdQuerySet(VisibleQuerySet):
    def visibility(self, scope):
        return ALL


class Threshold(VisibleModelMixin, models.Model):
    """Amber and red thresholds of one indicator, or a setting of the integrity flags (``FlagSetting``). Ratios are
    fractions (0.5 = 50 %); HHI is 0..10 000; reserve months are months; windows are days."""

    indicator = models.CharField(_("indicator"), max_length=40, choices=[*Indicator.choices, *FlagSetting.choices],
                                 unique=True)
    amber = models.DecimalField(_("amber threshold"), max_digits=12, decimal_places=4)
    red = models.DecimalField(_("red threshold"), max_digits=12, decimal_places=4)
    direction = models.CharField(_("direction"), max_length=3, choices=Direction.choices)
    source = models.TextField(_("source of the band"), blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = ThresholdQuerySet.as_manager()

    class Meta:
        verbose_name = _("threshold")
        verbose_name_plural = _("thresholds")
        ordering = ["indicator"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(direction__in=["gte", "gt"]) & Q(red__gte=F("amber")))
                | (Q(direction="lt") & Q(red__lte=F("amber"))),
                name="threshold_red_beyond_amber",
            ),
        ]

    def __str__(self):
        return self.get_indicator_display()

    def clean(self):
        if self.amber is None or self.red is None:
            return
        if self.direction in (Direction.AT_LEAST, Direction.ABOVE) and self.red < self.amber:
            raise ValidationError({"red": _("For this direction the red threshold must be at least the amber one.")})
        if self.direction == Direction.BELOW and self.red > self.amber:
            raise ValidationError({"red": _("For this direction the red threshold must be at most the amber one.")})


def _sum_field(name):
    # The precision of ``numbers.SUM_FIELD``: money sums and the unrounded restricted parts of payments.
    return models.DecimalField(name, max_digits=30, decimal_places=10)


class FunderYear(models.Model):
    """One row of ``funders.raw_funder_rows(every organization, every year, accountability=True)``: the money an
    organization received in a year from one funder and source, precomputed and refreshed in the transaction of
    every write that changes it (``dashboards.aggregates``; docs/operations.md). Not edited by anyone: no admin,
    no API, no history. ``organization`` and ``funder_purchaser`` are plain references (no constraint, nothing
    cascades or protects): deleting an organization refreshes its rows away."""

    organization = models.ForeignKey("organizations.Organization", on_delete=models.DO_NOTHING, db_constraint=False,
                                     related_name="+", verbose_name=_("organization"))
    year = models.IntegerField(_("year"))
    funder_purchaser = models.ForeignKey("organizations.Purchaser", on_delete=models.DO_NOTHING, db_constraint=False,
                                         null=True, related_name="+", db_index=False,
                                         verbose_name=_("funding purchaser"))
    funder_key = models.TextField(_("funder key"), blank=True)
    source = models.CharField(_("source"), max_length=40)
    label = models.TextField(_("funder name"), blank=True)
    income = _sum_field(_("income"))
    contract_income = _sum_field(_("contract income"))
    government_income = _sum_field(_("government income"))
    restricted_income = _sum_field(_("restricted income"))
    renewal_income = _sum_field(_("renewal income"))
    outside_scope_income = _sum_field(_("outside-scope income"))
    related_party_income = _sum_field(_("related-party income"))

    class Meta:
        verbose_name = _("funder year")
        verbose_name_plural = _("funder years")
        indexes = [models.Index(fields=["year", "organization"], name="funderyear_year_org_idx")]

    def __str__(self):
        return f"{self.organization_id} {self.year} {self.funder_purchaser_id or self.funder_key} {self.source}"
