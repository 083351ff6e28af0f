from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from . import views

admin.site.site_header = _("Industrial R&D international collaboration portfolio")
admin.site.site_title = _("rdportfolio admin")
admin.site.index_title = _("Portfolio administration")

urlpatterns = [
    path("", include("rdportfolio.dashboards.urls")),
    # Sign-in for everyone who reads the dashboards (CTOs, analysts); staff also have the admin's.
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(
            redirect_authenticated_user=True,
            extra_context={"demo_logins": settings.RDP_DEMO_LOGINS},
        ),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("health/", views.HealthView.as_view(), name="health"),
    path("health/live/", views.live, name="health-live"),
    path("favicon.ico", views.favicon),
    path("csp-report/", views.csp_report, name="csp-report"),
    path("i18n/", include("django.conf.urls.i18n")),
    # Before the admin's own: the same page, a wrong old password counted toward the lockout.
    path("admin/password_change/", admin.site.admin_view(views.admin_password_change)),
    path("admin/", admin.site.urls),
    # A session login for people who are not admin staff (analysts, CTOs): for Swagger UI.
    # Outside the "api" namespace: DRF's templates look for "rest_framework:login".
    path("api/v1/auth/", include("rest_framework.urls")),
    path("api/v1/", include("rdportfolio.api_urls")),
]

handler404 = "rdportfolio.views.not_found"
handler500 = "rdportfolio.views.server_error"
