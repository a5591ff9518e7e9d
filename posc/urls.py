from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from core.account import ProfileView
from core.imports import ImportIndexView
from core.lookup import lookup
from dashboards.views import HomeView
from posc.health import favicon, healthz, readyz

urlpatterns = [
    path("", HomeView.as_view(), name="home"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("healthz", healthz, name="healthz"),
    path("readyz", readyz, name="readyz"),
    path("favicon.ico", favicon),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/profile/", ProfileView.as_view(), name="profile"),
    path("accounts/password/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("accounts/password/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("admin/", admin.site.urls),
    path("api/", include("posc.api_urls")),
    path("import/", ImportIndexView.as_view(), name="imports"),
    path("lookup/<slug:model>/", lookup, name="lookup"),
    path("", include("organizations.urls")),
    path("", include("contracts.urls")),
    path("", include("dashboards.urls")),
    path("", include("attachments.urls")),
]

# Error pages of our own (translated, with the navigation; the 403 shows its reason): core.errors.
handler400 = "core.errors.bad_request"
handler403 = "core.errors.permission_denied"
handler404 = "core.errors.page_not_found"
handler500 = "core.errors.server_error"
