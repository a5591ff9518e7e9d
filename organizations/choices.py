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


class ServiceCategory(models.TextChoices):
    """Service categories of contracts and of an organization's registered business scope (业务范围)."""

    REHAB_CHILDREN = "rehab_children", _("Rehabilitation for disabled children")
    REHAB_ADULT = "rehab_adult", _("Adult rehabilitation")
    ASSISTIVE_DEVICES = "assistive_devices", _("Assistive device fitting")
    DAILY_CARE = "daily_care", _("Home care")
    RESIDENTIAL_CARE = "residential_care", _("Residential / day care")
    VOCATIONAL_TRAINING = "vocational_training", _("Vocational training")
    EMPLOYMENT = "employment", _("Employment services")
    ACCESSIBILITY = "accessibility", _("Accessibility adaptation")
    EDUCATION = "education", _("Education")
    CULTURE_SPORTS = "culture_sports", _("Culture and sports")
    LEGAL_AID = "legal_aid", _("Legal aid / rights protection")
    OTHER = "other", _("Other")


class KeyPersonRole(models.TextChoices):
    LEGAL_REPRESENTATIVE = "legal_representative", _("Legal representative")
    DIRECTOR = "director", _("Director")
    BOARD_MEMBER = "board_member", _("Board member")
    SUPERVISOR = "supervisor", _("Supervisor")
    SECRETARY_GENERAL = "secretary_general", _("Secretary-general")
