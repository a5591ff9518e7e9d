from django.urls import path

from . import views

app_name = "attachments"

urlpatterns = [
    path("attachments/<slug:key>/<int:pk>/upload/", views.upload, name="upload"),
    path("attachments/<int:pk>/download/", views.download, name="download"),
    path("attachments/<int:pk>/delete/", views.delete, name="delete"),
]
