from core.imports import import_path
from core.views import crud_urls

from . import views
from .models import AnnualReport, IncomeRecord, KeyPerson, Organization, Purchaser

app_name = "organizations"

urlpatterns = [
    *crud_urls("purchasers", Purchaser, views.PurchaserListView, views.PurchaserDetailView,
               views.PurchaserEditView, views.PurchaserDeleteView),
    *crud_urls("organizations", Organization, views.OrganizationListView, views.OrganizationDetailView,
               views.OrganizationEditView, views.OrganizationDeleteView),
    *crud_urls("income-records", IncomeRecord, views.IncomeRecordListView, views.IncomeRecordDetailView,
               views.IncomeRecordEditView, views.IncomeRecordDeleteView),
    *crud_urls("annual-reports", AnnualReport, views.AnnualReportListView, views.AnnualReportDetailView,
               views.AnnualReportEditView, views.AnnualReportDeleteView),
    import_path("purchasers", "purchasers", Purchaser),
    import_path("organizations", "organizations", Organization),
    import_path("income-records", "income-records", IncomeRecord),
    # Key persons are edited on their organization's page (no list page of their own) and imported here.
    import_path("key-persons", "key-persons", KeyPerson),
]
