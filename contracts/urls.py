from core.imports import import_path
from core.views import crud_urls

from . import views
from .models import Contract, Payment, PerformanceReview

app_name = "contracts"

urlpatterns = [
    *crud_urls("contracts", Contract, views.ContractListView, views.ContractDetailView, views.ContractEditView,
               views.ContractDeleteView),
    *crud_urls("payments", Payment, views.PaymentListView, views.PaymentDetailView, views.PaymentEditView,
               views.PaymentDeleteView),
    *crud_urls("reviews", PerformanceReview, views.PerformanceReviewListView, views.PerformanceReviewDetailView,
               views.PerformanceReviewEditView, views.PerformanceReviewDeleteView),
    import_path("contracts", "contracts", Contract),
    import_path("payments", "payments", Payment),
    import_path("reviews", "reviews", PerformanceReview),
]
