"""Public pages of the services app (/services/…) and the Open311 GeoReport v2 endpoint (/open311/v2/…)."""

from django.urls import path, re_path

from . import open311, views

app_name = "services"

FMT = r"(?P<fmt>json|xml|[a-z]+)"

urlpatterns = [
    path("services/", views.index, name="index"),
    path("services/new/", views.submit, name="submit"),
    path("services/submitted/", views.submitted, name="submitted"),
    path("services/track/", views.track, name="track"),
    path("services/facilities/", views.facilities, name="facilities"),
    path("services/events/", views.events, name="events"),
    path("open311/v2/", open311.discovery, {"fmt": "json"}, name="open311-root"),
    re_path(rf"^open311/v2/discovery\.{FMT}$", open311.discovery, name="open311-discovery"),
    re_path(rf"^open311/v2/services\.{FMT}$", open311.service_list, name="open311-services"),
    re_path(rf"^open311/v2/services/(?P<code>[-\w]+)\.{FMT}$", open311.service_definition, name="open311-service"),
    re_path(rf"^open311/v2/requests\.{FMT}$", open311.request_list, name="open311-requests"),
    re_path(rf"^open311/v2/requests/(?P<pk>\d+)\.{FMT}$", open311.request_detail, name="open311-request"),
    re_path(rf"^open311/v2/tokens/(?P<token>[0-9a-fA-F-]{{36}})\.{FMT}$", open311.token_detail, name="open311-token"),
]
