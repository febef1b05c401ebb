"""Root URLs: every app's pages and API, listed here one by one, with the admin, the schema and i18n.

Each app registers its viewsets on the one router through its ``api.register(router)``; its pages come from
its own ``urls.py``.  Adding an app means adding its two lines below.
"""

from django.contrib import admin
from django.contrib.auth.decorators import login_required
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.permissions import IsAuthenticated
from rest_framework.routers import DefaultRouter

import community.api
import funding.api
import governance.api
import partybuild.api
import services.api
import staffing.api
import worklist.api
from community import views as community_views

router = DefaultRouter()
router.include_format_suffixes = False
for api in (community.api, partybuild.api, staffing.api, funding.api, services.api, worklist.api, governance.api):
    api.register(router)

urlpatterns = [
    path("", include("community.urls")),
    path("", include("partybuild.urls")),
    path("", include("staffing.urls")),
    path("", include("funding.urls")),
    path("", include("services.urls")),
    path("", include("worklist.urls")),
    path("", include("governance.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/dashboard/", community_views.dashboard_api, name="api-dashboard"),
    path("api/v1/", include(router.urls)),
    # the schema and its docs map every endpoint: signed-in users only (a token works for the schema)
    path("api/schema/", SpectacularAPIView.as_view(permission_classes=[IsAuthenticated]), name="schema"),
    path("api/docs/", login_required(SpectacularSwaggerSplitView.as_view(url_name="schema")), name="swagger-ui"),
    path("i18n/", include("django.conf.urls.i18n")),
]
