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
