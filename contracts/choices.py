"""Code lists of the contracts app: service categories, procurement methods, statuses, payment kinds, reviewers,
grades."""

from django.db import models
from django.utils.translation import gettext_lazy as _

# The code list lives with the organizations: their service scope uses it too.
from organizations.choices import ServiceCategory  # noqa: F401


class ProcurementMethod(models.TextChoices):
    PUBLIC_TENDER = "public_tender", _("Public tender")
    INVITED_TENDER = "invited_tender", _("Invited tender")
    COMPETITIVE_NEGOTIATION = "competitive_negotiation", _("Competitive negotiation")
    COMPETITIVE_CONSULTATION = "competitive_consultation", _("Competitive consultation")
    SINGLE_SOURCE = "single_source", _("Single source")
    INQUIRY = "inquiry", _("Request for quotation")
    FRAMEWORK = "framework", _("Framework agreement")
    OTHER = "other", _("Other")


# OCDS 1.1 procurementMethod (open, selective, limited, direct) of each Chinese procurement method.
OCDS_METHOD = {
    ProcurementMethod.PUBLIC_TENDER: "open",
    ProcurementMethod.INVITED_TENDER: "selective",
    ProcurementMethod.COMPETITIVE_NEGOTIATION: "limited",
    ProcurementMethod.COMPETITIVE_CONSULTATION: "limited",
    ProcurementMethod.INQUIRY: "limited",
    ProcurementMethod.FRAMEWORK: "limited",
    ProcurementMethod.SINGLE_SOURCE: "direct",
    ProcurementMethod.OTHER: "limited",
}


class ContractStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    ACTIVE = "active", _("Active")
    COMPLETED = "completed", _("Completed")
    TERMINATED = "terminated", _("Terminated")
    CANCELLED = "cancelled", _("Cancelled")


# Statuses that count in spend and indicators (draft and cancelled contracts never count).
COUNTED_STATUSES = (ContractStatus.ACTIVE, ContractStatus.COMPLETED, ContractStatus.TERMINATED)


class PaymentKind(models.TextChoices):
    ADVANCE = "advance", _("Advance")
    INTERIM = "interim", _("Interim payment")
    FINAL = "final", _("Final payment")


class ReviewerKind(models.TextChoices):
    PURCHASER = "purchaser", _("Purchaser self-assessment")
    THIRD_PARTY = "third_party", _("Third-party evaluation")
    BENEFICIARY_SURVEY = "beneficiary_survey", _("Beneficiary satisfaction survey")


class Grade(models.TextChoices):
    EXCELLENT = "excellent", _("Excellent")
    GOOD = "good", _("Good")
    PASS = "pass", _("Pass")
    FAIL = "fail", _("Fail")
