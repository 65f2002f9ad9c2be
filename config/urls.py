from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.urls import include, path
from django.views.i18n import set_language
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.permissions import IsAuthenticated
from rest_framework.routers import DefaultRouter

from logbook.accounts.views import home, profile
from logbook.core.operations import metrics, readyz
from logbook.core.views import audit_trail, favicon, healthz, service_worker, web_app_manifest
from logbook.downtime.api import ROUTES as DOWNTIME_ROUTES
from logbook.equipment.api import ROUTES as EQUIPMENT_ROUTES
from logbook.maintenance.api import ROUTES as MAINTENANCE_ROUTES
from logbook.quality.api import ROUTES as QUALITY_ROUTES
from logbook.reports import api as reports_api
from logbook.reports.views import ReliabilityAPIView
from logbook.shifts.api import ROUTES as SHIFT_ROUTES
from logbook.shifts.views import equipment_log
from logbook.telemetry.api import ROUTES as TELEMETRY_ROUTES
from logbook.telemetry.api import SignalsView
from logbook.workrequests.api import ROUTES as WORK_REQUEST_ROUTES

router = DefaultRouter()
for prefix, viewset in [
    *EQUIPMENT_ROUTES,
    *SHIFT_ROUTES,
    *DOWNTIME_ROUTES,
    *MAINTENANCE_ROUTES,
    *QUALITY_ROUTES,
    *WORK_REQUEST_ROUTES,
    *TELEMETRY_ROUTES,
]:
    router.register(prefix, viewset, basename=prefix)

# 503 (not 500) when the database is down or locked past the timeout; JSON under /api/.
handler500 = "logbook.core.views.server_error"
# Under /api/ every answer is JSON, errors included.
handler400 = "logbook.core.views.bad_request"
handler403 = "logbook.core.views.permission_denied"
handler404 = "logbook.core.views.page_not_found"

admin.site.site_header = "Plant Logbook administration"
admin.site.site_title = "Plant Logbook admin"

urlpatterns = [
    path("", home, name="home"),
    path("healthz", healthz, name="healthz"),
    path("readyz", readyz, name="readyz"),
    path("metrics", metrics, name="metrics"),
    path("favicon.ico", favicon, name="favicon"),
    path("manifest.webmanifest", web_app_manifest, name="web_app_manifest"),
    path("sw.js", service_worker, name="service_worker"),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    # The login page's language switch (POST language, next): a cookie the browser keeps.
    path("i18n/setlang/", set_language, name="set_language"),
    path("accounts/profile/", profile, name="profile"),
    path("equipment/<int:pk>/log/", equipment_log, name="equipment_log"),
    path("equipment/", include("logbook.equipment.urls")),
    path("shifts/", include("logbook.shifts.urls")),
    path("downtime/", include("logbook.downtime.urls")),
    path("maintenance/", include("logbook.maintenance.urls")),
    path("quality/", include("logbook.quality.urls")),
    path("reports/", include("logbook.reports.urls")),
    path("requests/", include("logbook.workrequests.urls")),
    path("audit/<str:model>/<int:pk>/", audit_trail, name="audit_trail"),
    path("admin/", admin.site.urls),
    # The schema names every record and field: for signed-in users only.
    path(
        "api/schema/",
        SpectacularAPIView.as_view(permission_classes=[IsAuthenticated]),
        name="api-schema",
    ),
    path(
        "api/docs/",
        login_required(
            SpectacularSwaggerSplitView.as_view(
                url_name="api-schema", template_name="core/api_docs.html"
            )
        ),
        name="api-docs",
    ),
    path("api/reports/reliability/", ReliabilityAPIView.as_view(), name="api-reliability"),
    path("api/reports/oee/", reports_api.OeeAPIView.as_view(), name="api-oee"),
    path(
        "api/reports/downtime-pareto/",
        reports_api.ParetoAPIView.as_view(),
        name="api-downtime-pareto",
    ),
    path(
        "api/reports/pm-compliance/",
        reports_api.PmComplianceAPIView.as_view(),
        name="api-pm-compliance",
    ),
    path("api/reports/quality/", reports_api.QualityAPIView.as_view(), name="api-quality"),
    path("api/signals/", SignalsView.as_view(), name="api-signals"),
    path("api/", include(router.urls)),
]
