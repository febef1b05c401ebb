"""The core's pages: the landing page, probes, elderly mode, the officials' dashboard and reports, media."""

from django.urls import include, path

from . import media, public_views, report_views, views

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
    path("media/<path:path>", media.serve, name="media"),
]
