from django.urls import path

from core.imports import import_path
from core.views import crud_urls

from . import views
from .models import Amendment, Contract, Payment, PerformanceReview

app_name = "contracts"

urlpatterns = [
    *crud_urls("contracts", Contract, views.ContractListView, views.ContractDetailView, views.ContractEditView,
               views.ContractDeleteView),
    *crud_urls("payments", Payment, views.PaymentListView, views.PaymentDetailView, views.PaymentEditView,
               views.PaymentDeleteView),
    *crud_urls("reviews", PerformanceReview, views.PerformanceReviewListView, views.PerformanceReviewDetailView,
               views.PerformanceReviewEditView, views.PerformanceReviewDeleteView),
    # Amendments are recorded, never edited or deleted: list, detail and add only.
    path("amendments/", views.AmendmentListView.as_view(), name="amendment_list"),
    path("amendments/add/", views.AmendmentAddView.as_view(), name="amendment_add"),
    path("amendments/<int:pk>/", views.AmendmentDetailView.as_view(), name="amendment_detail"),
    import_path("contracts", "contracts", Contract),
    import_path("payments", "payments", Payment),
    import_path("reviews", "reviews", PerformanceReview),
    import_path("amendments", "amendments", Amendment),
]
