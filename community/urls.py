"""Root URLs: admin, the one API router (every app's ``api.register``), schema, pages, probes."""

from importlib import import_module

from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from . import media, public_views, report_views, views

router = DefaultRouter()
router.include_format_suffixes = False
app_urlpatterns = []
for local_app in settings.LOCAL_APPS:
    try:
        api_module = import_module(f"{local_app}.api")
    except ModuleNotFoundError as exc:
        if exc.name != f"{local_app}.api":
            raise
    else:
        api_module.register(router)
    try:
        import_module(f"{local_app}.urls")
    except ModuleNotFoundError as exc:
        if exc.name != f"{local_app}.urls":
            raise
    else:
        if local_app != "community":
            app_urlpatterns.append(path("", include(f"{local_app}.urls")))

dashboard_patterns = (
    [
        path("", views.dashboard_index, name="index"),
        path("reports/", report_views.report_list, name="reports"),
        path("reports/<int:run_id>/status", report_views.report_status, name="report-status"),
        path("reports/<int:run_id>/retry", report_views.report_retry, name="report-retry"),
        path("reports/<int:run_id>/<str:kind>", report_views.report_file, name="report-file"),
    ],
    "dashboard",
)

urlpatterns = [
    path("", views.landing, name="landing"),
    path("healthz", views.healthz, name="healthz"),
    path("readyz", views.readyz, name="readyz"),
    path("elderly-mode/", public_views.elderly_mode, name="elderly-mode"),
    path("dashboard/", include(dashboard_patterns)),
    path("admin/", admin.site.urls),
    path("api/v1/dashboard/", views.dashboard_api, name="api-dashboard"),
    path("api/v1/", include(router.urls)),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="swagger-ui"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("media/<path:path>", media.serve, name="media"),
    *app_urlpatterns,
]
