from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Amendment, Contract, Payment, PerformanceReview


class PaymentInline(admin.TabularInline):
    model = Payment
    extra = 0
    fields = ["kind", "due_on", "paid_on", "amount", "note"]


class PerformanceReviewInline(admin.StackedInline):
    model = PerformanceReview
    extra = 0
    fields = ["reviewer_kind", "reviewer_name", "reviewed_on",
              ("output_score", "quality_score", "satisfaction_score", "financial_score"),
              ("total_score", "grade"), "beneficiaries_served", "findings"]
    readonly_fields = ["total_score", "grade"]


@admin.register(Contract)
class ContractAdmin(SimpleHistoryAdmin):
    list_display = ["reference", "title", "purchaser", "organization", "service_category", "procurement_method",
                    "status", "signed_on", "amount", "restricted_amount"]
    list_filter = ["status", "service_category", "procurement_method", "signed_on"]
    search_fields = ["reference", "title", "purchaser__name", "organization__name", "organization__uscc"]
    autocomplete_fields = ["purchaser", "organization", "region"]
    date_hierarchy = "signed_on"
    list_select_related = ["purchaser", "organization"]
    inlines = [PaymentInline, PerformanceReviewInline]


@admin.register(Payment)
class PaymentAdmin(SimpleHistoryAdmin):
    list_display = ["contract", "kind", "due_on", "paid_on", "amount"]
    list_filter = ["kind", "paid_on", "due_on"]
    search_fields = ["contract__reference", "contract__title"]
    autocomplete_fields = ["contract"]
    list_select_related = ["contract"]


@admin.register(PerformanceReview)
class PerformanceReviewAdmin(SimpleHistoryAdmin):
    list_display = ["contract", "reviewer_kind", "reviewed_on", "total_score", "grade"]
    list_filter = ["grade", "reviewer_kind", "reviewed_on"]
    search_fields = ["contract__reference", "contract__title", "reviewer_name"]
    autocomplete_fields = ["contract"]
    readonly_fields = ["total_score", "grade"]
    list_select_related = ["contract"]


@admin.register(Amendment)
class AmendmentAdmin(SimpleHistoryAdmin):
    """Read-only: an amendment is recorded through its page or the API, which change the contract with it."""

    list_display = ["contract", "signed_on", "amount_change", "new_end_on"]
    list_select_related = ["contract"]
    search_fields = ["contract__reference", "reason"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
