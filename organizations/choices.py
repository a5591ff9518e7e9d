"""Code lists of the organizations app. Labels are translatable; the Chinese catalogue gives the
official Chinese terms."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class RegionLevel(models.TextChoices):
    PROVINCE = "province", _("Province")
    PREFECTURE = "prefecture", _("Prefecture")
    COUNTY = "county", _("County / district")
    TOWNSHIP = "township", _("Township / street")


class PurchaserLevel(models.TextChoices):
    NATIONAL = "national", _("National")
    PROVINCIAL = "provincial", _("Provincial")
    MUNICIPAL = "municipal", _("Municipal")
    COUNTY = "county", _("County / district")
    TOWNSHIP = "township", _("Township / street")


class PurchaserKind(models.TextChoices):
    CIVIL_AFFAIRS = "civil_affairs", _("Civil affairs")
    DISABLED_PERSONS_FEDERATION = "disabled_persons_federation", _("Disabled persons' federation")
    FINANCE = "finance", _("Finance")
    HEALTH = "health", _("Health")
    EDUCATION = "education", _("Education")
    HUMAN_RESOURCES = "human_resources", _("Human resources and social security")
    HOUSING = "housing", _("Housing and urban-rural development")
    STREET_OFFICE = "street_office", _("Street office")
    OTHER = "other", _("Other")


class LegalForm(models.TextChoices):
    SOCIAL_GROUP = "social_group", _("Social group")
    SOCIAL_SERVICE_ORG = "social_service_org", _("Social service organization (private non-enterprise unit)")
    FOUNDATION = "foundation", _("Foundation")
    ENTERPRISE = "enterprise", _("Enterprise")
    PUBLIC_INSTITUTION = "public_institution", _("Public institution")
    OTHER = "other", _("Other")


class CharityStatus(models.TextChoices):
    NONE = "none", _("Not a charity")
    RECOGNIZED = "recognized", _("Recognized charity")
    PUBLIC_FUNDRAISING = "public_fundraising", _("Charity with public fundraising qualification")


class IncomeSource(models.TextChoices):
    GOVERNMENT_SUBSIDY = "government_subsidy", _("Government subsidy")
    DONATION_INDIVIDUAL = "donation_individual", _("Individual donation")
    DONATION_CORPORATE = "donation_corporate", _("Corporate donation")
    FOUNDATION_GRANT = "foundation_grant", _("Foundation grant")
    SERVICE_FEE = "service_fee", _("Service fees (commercial income)")
    MEMBERSHIP_DUES = "membership_dues", _("Membership dues")
    INVESTMENT = "investment", _("Investment income")
    OTHER = "other", _("Other")
