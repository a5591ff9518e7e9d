from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import (
    AnnualReport,
    IncomeRecord,
    KeyPerson,
    Organization,
    OrganizationMembership,
    Purchaser,
    PurchaserMembership,
    Region,
)


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "level", "parent"]
    list_filter = ["level"]
    search_fields = ["code", "name"]
    autocomplete_fields = ["parent"]
    readonly_fields = ["path"]


class PurchaserMembershipInline(admin.TabularInline):
    model = PurchaserMembership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Purchaser)
class PurchaserAdmin(SimpleHistoryAdmin):
    list_display = ["name", "kind", "level", "region", "uscc", "is_active"]
    list_filter = ["kind", "level", "is_active"]
    search_fields = ["name", "uscc"]
    autocomplete_fields = ["region"]
    inlines = [PurchaserMembershipInline]


class IncomeRecordInline(admin.TabularInline):
    model = IncomeRecord
    extra = 0
    fields = ["fiscal_year", "source", "funder_name", "funder_purchaser", "amount", "restricted_amount"]
    autocomplete_fields = ["funder_purchaser"]


class AnnualReportInline(admin.TabularInline):
    model = AnnualReport
    extra = 0
    fields = ["fiscal_year", "total_expenses", "program_expenses", "management_expenses", "net_assets_unrestricted"]


class KeyPersonInline(admin.TabularInline):
    model = KeyPerson
    extra = 0
    fields = ["name", "role", "post_purchaser", "post_title", "post_from", "post_to"]
    autocomplete_fields = ["post_purchaser"]


class OrganizationMembershipInline(admin.TabularInline):
    model = OrganizationMembership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Organization)
class OrganizationAdmin(SimpleHistoryAdmin):
    list_display = ["name", "uscc", "legal_form", "charity_status", "region", "staff_count"]
    list_filter = ["legal_form", "charity_status"]
    search_fields = ["name", "uscc"]
    autocomplete_fields = ["region", "business_supervisory_unit"]
    inlines = [KeyPersonInline, IncomeRecordInline, AnnualReportInline, OrganizationMembershipInline]


@admin.register(IncomeRecord)
class IncomeRecordAdmin(SimpleHistoryAdmin):
    list_display = ["organization", "fiscal_year", "source", "funder_name", "amount", "restricted_amount"]
    list_filter = ["fiscal_year", "source"]
    search_fields = ["organization__name", "organization__uscc", "funder_name"]
    autocomplete_fields = ["organization", "funder_purchaser"]


@admin.register(AnnualReport)
class AnnualReportAdmin(SimpleHistoryAdmin):
    list_display = ["organization", "fiscal_year", "total_expenses", "management_expenses",
                    "net_assets_unrestricted"]
    list_filter = ["fiscal_year"]
    search_fields = ["organization__name", "organization__uscc"]
    autocomplete_fields = ["organization"]


@admin.register(KeyPerson)
class KeyPersonAdmin(SimpleHistoryAdmin):
    list_display = ["name", "role", "organization", "post_purchaser", "post_title", "post_from", "post_to"]
    list_filter = ["role"]
    search_fields = ["name", "organization__name", "post_purchaser__name"]
    autocomplete_fields = ["organization", "post_purchaser"]


@admin.register(PurchaserMembership)
class PurchaserMembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "purchaser"]
    search_fields = ["user__username", "purchaser__name"]
    autocomplete_fields = ["user", "purchaser"]


@admin.register(OrganizationMembership)
class OrganizationMembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "organization"]
    search_fields = ["user__username", "organization__name"]
    autocomplete_fields = ["user", "organization"]
